"""OCR-aware string distance shared by the normalisers (durations, glossary)."""

from __future__ import annotations

# Letter pairs OCR confuses in the scanned seeds; substituting one for the other
# is half an edit, so "Mandt" (a/e, d/i) is one edit from "menit" but "mesin" is two.
CONFUSABLE = frozenset(
    frozenset(p) for p in ("ae", "ao", "ec", "eo", "il", "i1", "l1", "it", "lt", "di", "nr", "hb")
)


def ocr_distance(a: str, b: str) -> float:
    """Levenshtein distance where an OCR-confusable substitution costs 0.5."""
    prev = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        cur = [float(i)]
        for j, cb in enumerate(b, 1):
            if ca == cb:
                sub = 0.0
            elif frozenset((ca, cb)) in CONFUSABLE:
                sub = 0.5
            else:
                sub = 1.0
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + sub))
        prev = cur
    return prev[-1]
