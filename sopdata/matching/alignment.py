"""Order-aware alignment of the steps of two equivalent SOPs.

The alignment is monotone (step order is kept), leaves gaps for steps that one
office does not have, and lets one step stand against two neighbouring steps of
the other office when that office split it ("memeriksa dan memaraf" vs
"memeriksa" + "memaraf").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AlignedPair:
    """Step ``a`` of the first SOP stands against step ``b`` of the second.

    Indices are positions in each SOP's step list; ``None`` marks a gap.
    """

    a: int | None
    b: int | None
    score: float


@dataclass(frozen=True)
class AlignmentSettings:
    """How strict the alignment is, on the pair-relative scale of :func:`relative`.

    A match earns ``relative similarity - threshold``; ``split_ratio`` is how
    close a second partner must come to the first to join it (many-to-one).
    """

    threshold: float = 0.2
    split_ratio: float = 0.8
    min_similarity: float = 0.5


def relative(sim: np.ndarray) -> np.ndarray:
    """A similarity matrix rescaled against its own spread: median -> 0, max -> 1.

    Embedding cosines of one SOP pair sit in a narrow band (0.82-0.89 for OCR
    text), and the band moves from pair to pair; what tells corresponding steps
    apart is how far a cell stands above the rest of its matrix.
    """
    if sim.size == 0:
        return sim.astype(float)
    med = float(np.median(sim))
    spread = float(sim.max()) - med
    return (sim - med) / spread if spread > 1e-9 else np.zeros_like(sim, dtype=float)


def align_steps(
    sim: np.ndarray, settings: AlignmentSettings = AlignmentSettings()
) -> list[AlignedPair]:
    """Monotone alignment of a (len(a), len(b)) step-similarity matrix on the
    relative scale (see :func:`relative`); scores in the result are that scale.

    Returns pairs in order, gaps included (``AlignedPair(i, None, 0)``), with
    many-to-one pairs where one step matches two consecutive steps of the other.
    """
    n, m = sim.shape
    if n == 0 or m == 0:
        return [AlignedPair(i, None, 0.0) for i in range(n)] + [
            AlignedPair(None, j, 0.0) for j in range(m)
        ]
    gain = sim - settings.threshold
    # Needleman-Wunsch with zero gap cost: maximise the total gain of matched pairs.
    dp = np.zeros((n + 1, m + 1))
    move = np.zeros((n + 1, m + 1), dtype=np.int8)  # 0 diag, 1 up (gap in b), 2 left (gap in a)
    move[1:, 0] = 1
    move[0, 1:] = 2
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            diag = dp[i - 1, j - 1] + gain[i - 1, j - 1]
            up = dp[i - 1, j]
            left = dp[i, j - 1]
            if diag >= up and diag >= left and gain[i - 1, j - 1] > 0:
                dp[i, j], move[i, j] = diag, 0
            elif up >= left:
                dp[i, j], move[i, j] = up, 1
            else:
                dp[i, j], move[i, j] = left, 2
    matched: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        mv = move[i, j]
        if i > 0 and j > 0 and mv == 0:
            matched.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i > 0 and (mv == 1 or j == 0):
            i -= 1
        else:
            j -= 1
    matched.reverse()
    pairs = set(matched)
    # Many-to-one: an unmatched step next to a matched one joins its partner when close enough.
    used_a = {a for a, _ in matched}
    used_b = {b for _, b in matched}
    for a, b in matched:
        base = sim[a, b]
        for na in (a - 1, a + 1):
            if 0 <= na < n and na not in used_a and _joins(sim[na, b], base, settings):
                pairs.add((na, b))
                used_a.add(na)
        for nb in (b - 1, b + 1):
            if 0 <= nb < m and nb not in used_b and _joins(sim[a, nb], base, settings):
                pairs.add((a, nb))
                used_b.add(nb)
    out = [AlignedPair(a, b, float(sim[a, b])) for a, b in pairs]
    out += [AlignedPair(a, None, 0.0) for a in range(n) if a not in used_a]
    out += [AlignedPair(None, b, 0.0) for b in range(m) if b not in used_b]
    out.sort(key=_order_key)
    return out


def _joins(candidate: float, base: float, settings: AlignmentSettings) -> bool:
    return candidate >= settings.min_similarity and candidate >= settings.split_ratio * base


def _order_key(p: AlignedPair) -> tuple[float, float]:
    a = p.a if p.a is not None else -1
    b = p.b if p.b is not None else -1
    # Gaps sit next to their neighbours: order by whichever side they have.
    return (a if a >= 0 else b - 0.5, b if b >= 0 else a - 0.5)
