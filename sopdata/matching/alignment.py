"""Step correspondences between two SOPs: groups of steps, not an order-preserving path.

Two offices describe one procedure with their own order and granularity: one
office's step can be two of another's, a check can come before or after a
payment. The alignment is therefore a set of *correspondences* between groups
of steps (1:1, 1:n, n:1), each with a score and a kind:

* ``sama``: one step stands against one step, in the order of the others;
* ``digabung``: several steps of one office are one step of the other;
* ``urutan berbeda``: the correspondence crosses the order of the others;

and steps with no partner are ``hanya di A`` / ``hanya di B``.

How (:func:`correspond`): on a step-similarity matrix, pairs that are each
other's best above a calibrated threshold form the 1:1 core; a short run of
steps sandwiched between two core pairs, of the same length on both sides and
with some evidence of its own, follows that chain; an unmatched neighbour of a
matched step whose best partner is that same step and that scores nearly as
well joins it (merge); correspondences that cross the order of the longest
order-keeping chain are ``urutan berbeda``. Order only ranks candidates (a
small position prior breaks ties) and picks the sandwiched runs: it never makes
a pair out of steps without evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

Kind = Literal["sama", "digabung", "urutan berbeda"]
GapKind = Literal["hanya di A", "hanya di B"]
PairKind = Literal["sama", "digabung", "urutan berbeda", "hanya di A", "hanya di B"]
KINDS: tuple[PairKind, ...] = ("sama", "digabung", "urutan berbeda", "hanya di A", "hanya di B")


@dataclass(frozen=True)
class AlignedPair:
    """Step ``a`` of the first SOP stands against step ``b`` of the second.

    Indices are positions in each SOP's step list; ``None`` marks a step only
    one side has. ``kind`` is the kind of the correspondence the pair belongs to.
    """

    a: int | None
    b: int | None
    score: float
    kind: PairKind = "sama"


@dataclass(frozen=True)
class Correspondence:
    """Steps ``a`` of the first SOP correspond to steps ``b`` of the second
    (indices, ascending); ``score`` is the weakest link's similarity."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float
    kind: Kind = "sama"


@dataclass(frozen=True)
class StepAlignment:
    """The correspondences of two SOPs and the steps each has alone."""

    correspondences: tuple[Correspondence, ...] = ()
    only_a: tuple[int, ...] = ()
    only_b: tuple[int, ...] = ()

    def pairs(self) -> list[AlignedPair]:
        """Flat step pairs (one per linked step pair, gaps included), in order."""
        out: list[AlignedPair] = []
        for c in self.correspondences:
            out += [AlignedPair(i, j, c.score, c.kind) for i in c.a for j in c.b]
        out += [AlignedPair(i, None, 0.0, "hanya di A") for i in self.only_a]
        out += [AlignedPair(None, j, 0.0, "hanya di B") for j in self.only_b]
        out.sort(key=_order_key)
        return out

    def __iter__(self) -> Iterator[Correspondence]:
        return iter(self.correspondences)


@dataclass(frozen=True)
class AlignmentSettings:
    """How strict the alignment is, on the scale of the similarity matrix.

    Attributes:
        threshold: a mutual-best pair must score this much (calibrated per
            encoder, see ``data/match_thresholds.json``).
        split_ratio: a neighbour joins a matched step (merge) when it scores at
            least this share of the matched pair.
        order_weight: weight of the position prior that ranks candidates
            (ties and near-ties only: it is small against the threshold).
        chain_floor: a step sandwiched between two core pairs follows the chain
            only when it scores above this (evidence of its own).
        chain_gap: longest sandwiched run that follows the chain.
    """

    threshold: float = 0.95
    split_ratio: float = 0.9
    order_weight: float = 0.1
    chain_floor: float = 0.2
    chain_gap: int = 2


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


def position_prior(n: int, m: int) -> np.ndarray:
    """1 on the diagonal of relative positions, falling to -1 at opposite ends."""
    i = np.arange(n)[:, None] / max(n - 1, 1)
    j = np.arange(m)[None, :] / max(m - 1, 1)
    return 1 - 2 * np.abs(i - j)


def correspond(sim: np.ndarray, settings: AlignmentSettings | None = None) -> StepAlignment:
    """The correspondences of a (len(a), len(b)) step-similarity matrix."""
    settings = settings or AlignmentSettings()
    sim = np.asarray(sim, dtype=float)
    n, m = sim.shape
    if n == 0 or m == 0:
        return StepAlignment((), tuple(range(n)), tuple(range(m)))
    rank = sim + settings.order_weight * position_prior(n, m)
    row_best = rank.argmax(axis=1)
    col_best = rank.argmax(axis=0)
    core = [
        (i, int(row_best[i]))
        for i in range(n)
        if col_best[row_best[i]] == i and sim[i, row_best[i]] >= settings.threshold
    ]
    core += _sandwiched(core, sim, n, m, settings)
    # merge: a neighbour whose best partner is the same step, nearly as good
    groups: dict[tuple[int, int], tuple[set[int], set[int]]] = {p: ({p[0]}, {p[1]}) for p in core}
    used_a = {i for i, _ in core}
    used_b = {j for _, j in core}
    for i, j in sorted(core):
        base = sim[i, j]
        ga, gb = groups[(i, j)]
        for nj in (j - 1, j + 1):
            if (
                0 <= nj < m
                and nj not in used_b
                and _joins(sim[i, nj], base, settings)
                and int(rank[:, nj].argmax()) == i
            ):
                gb.add(nj)
                used_b.add(nj)
        if len(gb) > 1:
            continue  # one side merges, not both
        for ni in (i - 1, i + 1):
            if (
                0 <= ni < n
                and ni not in used_a
                and _joins(sim[ni, j], base, settings)
                and int(rank[ni].argmax()) == j
            ):
                ga.add(ni)
                used_a.add(ni)
    crossing = _crossing(core)
    out = []
    for p in sorted(core):
        ga, gb = groups[p]
        a, b = tuple(sorted(ga)), tuple(sorted(gb))
        score = float(min(sim[i, j] for i in a for j in b))
        kind: Kind = (
            "urutan berbeda" if p in crossing else ("digabung" if len(a) + len(b) > 2 else "sama")
        )
        out.append(Correspondence(a, b, round(score, 4), kind))
    return StepAlignment(
        tuple(out),
        tuple(i for i in range(n) if i not in used_a),
        tuple(j for j in range(m) if j not in used_b),
    )


def align_steps(sim: np.ndarray, settings: AlignmentSettings | None = None) -> list[AlignedPair]:
    """Flat step pairs of :func:`correspond` (gaps included), in order."""
    return correspond(sim, settings).pairs()


def _joins(candidate: float, base: float, settings: AlignmentSettings) -> bool:
    return candidate >= settings.chain_floor and candidate >= settings.split_ratio * base


def _sandwiched(
    core: list[tuple[int, int]], sim: np.ndarray, n: int, m: int, settings: AlignmentSettings
) -> list[tuple[int, int]]:
    """Runs of equal length between two consecutive order-keeping core pairs
    (or a core pair and an end), each step pair with evidence of its own."""
    if not core:
        return []
    chain = [(-1, -1), *_longest_chain(core), (n, m)]
    out = []
    for (i0, j0), (i1, j1) in zip(chain, chain[1:], strict=False):
        k = i1 - i0 - 1
        if k < 1 or k != j1 - j0 - 1 or k > settings.chain_gap:
            continue
        run = [(i0 + 1 + t, j0 + 1 + t) for t in range(k)]
        if all(sim[i, j] > settings.chain_floor for i, j in run):
            out += run
    taken_a = {i for i, _ in core}
    taken_b = {j for _, j in core}
    return [(i, j) for i, j in out if i not in taken_a and j not in taken_b]


def _longest_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of pairs increasing on both sides (ties: the
    stronger chain is not sought; the earliest found wins)."""
    ps = sorted(pairs)
    if not ps:
        return []
    best = [1] * len(ps)
    prev = [-1] * len(ps)
    for k in range(len(ps)):
        for q in range(k):
            if ps[q][1] < ps[k][1] and ps[q][0] < ps[k][0] and best[q] + 1 > best[k]:
                best[k], prev[k] = best[q] + 1, q
    k = int(np.argmax(best))
    out = []
    while k >= 0:
        out.append(ps[k])
        k = prev[k]
    return out[::-1]


def _crossing(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Pairs outside the longest order-keeping chain (the steps done in another order)."""
    keep = set(_longest_chain(pairs))
    return {p for p in pairs if p not in keep}


def _order_key(p: AlignedPair) -> tuple[float, float]:
    a = p.a if p.a is not None else -1
    b = p.b if p.b is not None else -1
    # Gaps sit next to their neighbours: order by whichever side they have.
    return (a if a >= 0 else b - 0.5, b if b >= 0 else a - 0.5)
