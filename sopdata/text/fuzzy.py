"""The one OCR-aware string distance of the readers and the normalisers.

:func:`edit_distance` is Levenshtein's distance where a substitution between two
characters of a given set of look-alike pairs costs half an edit, optionally
bounded (it gives up once the distance exceeds ``limit``). :func:`ocr_distance`
is that distance over :data:`CONFUSABLE`, the pairs OCR confuses in the scanned
seeds (durations, glossary, terms, flattened tables, service standards); the
label reader (:mod:`sopdata.ingest.labels`) folds look-alikes first and then
uses it with no half-cost pairs.
"""

from __future__ import annotations

from collections.abc import Set

# Letter pairs OCR confuses in the scanned seeds; substituting one for the other
# is half an edit, so "Mandt" (a/e, d/i) is one edit from "menit" but "mesin" is two.
CONFUSABLE = frozenset(
    frozenset(p) for p in ("ae", "ao", "ec", "eo", "il", "i1", "l1", "it", "lt", "di", "nr", "hb")
)
#: :data:`CONFUSABLE` as ordered pairs, both ways round (a cheap membership test).
CONFUSABLE_PAIRS: frozenset[tuple[str, str]] = frozenset(
    (x, y) for p in CONFUSABLE for x in p for y in p if x != y
)


def edit_distance(
    a: str,
    b: str,
    limit: float | None = None,
    half: Set[tuple[str, str]] = frozenset(),
) -> float:
    """Levenshtein distance of ``a`` and ``b``; substituting ``x`` for ``y`` costs 0.5
    when ``(x, y)`` is in ``half``. With a ``limit``, ``limit + 1`` as soon as the
    distance is sure to exceed it (a whole row of the table above the limit)."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev: list[float] = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        left = float(i)
        cur = [left]
        for j, cb in enumerate(b, 1):
            if ca == cb:
                diag = prev[j - 1]
            elif half and (ca, cb) in half:
                diag = prev[j - 1] + 0.5
            else:
                diag = prev[j - 1] + 1.0
            left = min(prev[j] + 1.0, left + 1.0, diag)
            cur.append(left)
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def ocr_distance(a: str, b: str, limit: float | None = None) -> float:
    """Levenshtein distance where an OCR-confusable substitution costs 0.5 (bounded
    by ``limit`` as in :func:`edit_distance`)."""
    return edit_distance(a, b, limit, CONFUSABLE_PAIRS)
