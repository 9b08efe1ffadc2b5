"""Step correspondences between two SOPs: groups of steps, not an order-preserving path.

Two offices describe one procedure with their own order and granularity: one
office's step can be two of another's, a check can come before or after a
payment. The alignment is therefore a set of *correspondences* between groups
of steps (1:1, 1:n, n:1), each with a score and a kind:

* ``sama``: one step stands against one step, in the order of the others;
* ``digabung``: several steps of one office are one step of the other;
* ``urutan berbeda``: the correspondence crosses the order of the others;

and steps with no partner are ``hanya di A`` / ``hanya di B``.

How (:func:`correspond`): on a step-evidence matrix (0-1), a pair of steps is
linked when it scores above a calibrated threshold and within ``near_best`` of
the best of its row and of its column (mutual best, or a near tie: one step
against two nearly equal ones); a short run of steps sandwiched between two
order-keeping links, of the same length on both sides and with some evidence
of its own, follows that chain; linked steps form connected groups (1:1, 1:n,
n:m); groups that cross the order of the longest order-keeping chain are
``urutan berbeda``. A step whose Kegiatan lists several acts, one a line, is
also compared act by act (``items``: see
:func:`~sopdata.matching.steps.item_links`), so that it can stand against the
several steps another office writes for them. Where no cell reaches the
threshold (OCR text, no Pelaksana), weaker links (:func:`weak_links`, when
the encoder's settings turn them on) are the mutual-best pairs that stand out
of their row and column by a margin and keep the order of the confirmed links;
where the pair shows no reordering, the short blocks left between two links are
then filled along their order (``fill_span``, :func:`_filled`). Order only
ranks candidates (a small position prior breaks near-ties), picks the
sandwiched runs and the path through a short block: it never makes a pair out
of steps without evidence. No global assignment: a step may stand against
several.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from sopdata.matching.step_links import StepEdits

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
class ItemLinks:
    """Step pairs linked through the acts a step lists one a line.

    Attributes:
        links: (step of A, step of B) -> the best evidence of an act of one
            against the other (or an act of each), for the links above the
            threshold.
        listed_a, listed_b: the steps of each SOP that list several acts.
    """

    links: Mapping[tuple[int, int], float]
    listed_a: frozenset[int] = frozenset()
    listed_b: frozenset[int] = frozenset()
    #: The weaker tier's links among the acts (:func:`weak_links` on their
    #: evidence, where no act reaches the threshold), taken only where the
    #: steps as wholes have no link of their own either.
    weak: Mapping[tuple[int, int], float] = field(default_factory=dict)


@dataclass(frozen=True)
class AlignmentSettings:
    """How strict the alignment is, on the 0-1 scale of the step evidence.

    Attributes:
        threshold: a link must score this much (calibrated per encoder on
            labelled pairs, see ``data/match_thresholds.json``).
        near_best: a link must score at least this share of the best of its
            row *and* of its column: 1 keeps mutual-best pairs only, a little
            less lets one step stand against two nearly equal ones (merges).
        order_weight: weight of the position prior that ranks candidates
            (ties and near-ties only: it is small against the threshold).
        chain_floor: a step sandwiched between two order-keeping links follows
            the chain only when its own evidence is above this.
        chain_gap: longest sandwiched run that follows the chain (0: none).
        second_tier: also keep weaker links below ``threshold`` (see
            :func:`weak_links`) on a pair whose evidence has no link of its
            own: off unless calibrated for the encoder.
        tier_floor: a weaker link must score at least this.
        tier_margin: ... and stand this far above the second best of its row
            and of its column (on the ranking with ``tier_order_weight``).
        tier_order_weight: weight of the position prior when ranking weaker
            links (order breaks ties; it never makes a pair on its own).
        block_rounds: rounds of the search for weaker links inside each block
            between two consecutive links of the chain (0: none).
        block_margin: the margin a weaker link needs inside its block.
        block_order_weight: the position prior's weight inside a block.
        fill_span: where the pair shows no sign of reordering, a block with at
            most this many free steps a side between two links of the weaker
            tier's chain is filled along the order-keeping path of most
            evidence over its cells of at least ``tier_floor`` (see
            :func:`_filled`; 0: none; 3 for e5, set on the seeds).
        ocr_text: steps read by OCR are aligned on their OCR-cleaned text and an
            SOP without Pelaksana columns takes its steps' subjects from the
            text (see ``profiles.build_profiles``): on where it was measured to
            help on the labelled sets (e5), off for TF-IDF, whose seed step
            alignment it lowers (2 of 10 links right, none wrong, to 1 right
            and 3 wrong).
    """

    threshold: float = 0.72
    near_best: float = 0.97
    order_weight: float = 0.02
    chain_floor: float = 0.05
    chain_gap: int = 2
    second_tier: bool = False
    tier_floor: float = 0.2
    tier_margin: float = 0.1
    tier_order_weight: float = 0.2
    block_rounds: int = 2
    block_margin: float = 0.15
    block_order_weight: float = 0.05
    fill_span: int = 0
    ocr_text: bool = False


def relative(sim: np.ndarray) -> np.ndarray:
    """A similarity matrix rescaled against its own spread: median -> 0, max -> 1.

    Embedding cosines of one SOP pair sit in a narrow band (0.82-0.89 for OCR
    text), and the band moves from pair to pair; what tells corresponding steps
    apart is how far a cell stands above the rest of its matrix.
    """
    if sim.size == 0:
        return sim.astype(float)
    if sim.size == 1:  # one step against one: nothing to stand above, the value itself
        return np.clip(sim.astype(float), 0.0, 1.0)
    med = float(np.median(sim))
    spread = float(sim.max()) - med
    return (sim - med) / spread if spread > 1e-9 else np.zeros_like(sim, dtype=float)


def position_prior(n: int, m: int) -> np.ndarray:
    """1 on the diagonal of relative positions, falling to -1 at opposite ends."""
    i = np.arange(n)[:, None] / max(n - 1, 1)
    j = np.arange(m)[None, :] / max(m - 1, 1)
    return 1 - 2 * np.abs(i - j)


def links(sim: np.ndarray, settings: AlignmentSettings) -> list[tuple[int, int]]:
    """Step pairs with evidence of their own: above the threshold and within
    ``near_best`` of the best of both their row and their column (ranked with
    the small position prior, so that order only breaks near-ties)."""
    n, m = sim.shape
    rank = sim + settings.order_weight * position_prior(n, m)
    row_best = np.maximum(rank.max(axis=1, keepdims=True), 0.0)
    col_best = np.maximum(rank.max(axis=0, keepdims=True), 0.0)
    ok = (
        (sim >= settings.threshold)
        & (rank >= settings.near_best * row_best)
        & (rank >= settings.near_best * col_best)
    )
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(ok), strict=True)]


def correspond(
    sim: np.ndarray,
    settings: AlignmentSettings | None = None,
    edits: StepEdits | None = None,
    items: ItemLinks | None = None,
) -> StepAlignment:
    """The correspondences of a (len(a), len(b)) step-evidence matrix (0-1 scale).

    Links (:func:`links`) plus the sandwiched runs that follow the chain
    (:func:`_sandwiched`) are grouped into connected groups of steps: a group
    of more than two steps is ``digabung``; a group outside the longest
    order-keeping chain of groups is ``urutan berbeda``. A group's score is its
    weakest link's evidence, in [0, 1].

    ``edits`` are a reviewer's corrections (:class:`~sopdata.matching.step_links.StepEdits`,
    see :func:`_machine_links`): a pair kept apart is never linked; a linked
    pair answers for both its steps and stands as a confirmed link. Groups and
    kinds follow from the result as for the machine's own links.

    ``items``: step pairs linked through their listed acts (see
    :func:`~sopdata.matching.steps.item_links`; the acts' weaker tier where
    the steps' evidence has no link of its own, as the steps' weaker tier).
    Such a link joins the others unless the reviewer's edits say otherwise,
    and only where it gives a step a partner it may take: a step that lists
    several acts can stand against one step per act, but a step of one act
    keeps the partner the steps as wholes gave it (an act of a listed step that
    merely resembles it is a second opinion on the same act, not a merge). Its
    evidence counts for its group's score where it is the higher.
    """
    settings = settings or AlignmentSettings()
    sim = np.asarray(sim, dtype=float)
    n, m = sim.shape
    if n == 0 or m == 0:
        return StepAlignment((), tuple(range(n)), tuple(range(m)))
    edits = edits or StepEdits()
    pairs, own = _machine_links(sim, settings, edits)
    evidence = sim
    if items is not None:
        found = {**items.weak, **items.links} if settings.second_tier and not own else items.links
        extra = _open_to(_allowed(found, edits, n, m), pairs, items)
        pairs = sorted({*pairs, *extra})
        evidence = sim.copy()
        for (i, j), value in extra.items():
            evidence[i, j] = max(evidence[i, j], value)
    groups = _components(pairs)
    keys = [(a[0], b[0]) for a, b, _ in groups]
    crossing = _crossing(keys)
    out = []
    for (a, b, linked), key in zip(groups, keys, strict=True):
        score = float(np.clip(min(evidence[i, j] for i, j in linked), 0.0, 1.0))
        kind: Kind = (
            "urutan berbeda" if key in crossing else ("digabung" if len(a) + len(b) > 2 else "sama")
        )
        out.append(Correspondence(a, b, round(score, 4), kind))
    out.sort(key=lambda c: (c.a[0], c.b[0]))
    used_a = {i for c in out for i in c.a}
    used_b = {j for c in out for j in c.b}
    return StepAlignment(
        tuple(out),
        tuple(i for i in range(n) if i not in used_a),
        tuple(j for j in range(m) if j not in used_b),
    )


def _allowed(
    links: Mapping[tuple[int, int], float], edits: StepEdits, n: int, m: int
) -> dict[tuple[int, int], float]:
    """``links`` within the (n, m) matrix that the reviewer's ``edits`` leave:
    not kept apart, and touching no step the reviewer linked."""
    answered_a = {i for i, _ in edits.linked}
    answered_b = {j for _, j in edits.linked}
    return {
        (i, j): v
        for (i, j), v in links.items()
        if i < n
        and j < m
        and (i, j) not in edits.unlinked
        and i not in answered_a
        and j not in answered_b
    }


def _open_to(
    links: dict[tuple[int, int], float], pairs: list[tuple[int, int]], items: ItemLinks
) -> dict[tuple[int, int], float]:
    """``links`` whose steps may take another partner besides ``pairs``: a
    step that lists several acts, or a step no pair links yet."""
    taken_a = {i for i, _ in pairs} - items.listed_a
    taken_b = {j for _, j in pairs} - items.listed_b
    return {(i, j): v for (i, j), v in links.items() if i not in taken_a and j not in taken_b}


def _machine_links(
    sim: np.ndarray, settings: AlignmentSettings, edits: StepEdits
) -> tuple[list[tuple[int, int]], bool]:
    """The links of the evidence (:func:`links`, the sandwiched runs, the weaker
    tier) and of a reviewer's ``edits``, and whether the evidence had links of
    its own (above the threshold).

    A pair the reviewer keeps apart is never linked. A pair the reviewer links
    answers for both its steps: their other cells leave the search, and the
    pair itself stands as a confirmed link, so the sandwiched runs and the
    weaker tier take its order into account as they take the evidence's links.

    The weaker tier runs only where no cell of the evidence reaches the
    threshold (garbled OCR rows, no Pelaksana): where the evidence has links
    of its own, the tier's extra links were mostly wrong (University Admission
    F1 0.726 without them, 0.711 with them).
    """
    n, m = sim.shape
    linked = sorted((i, j) for i, j in edits.linked if i < n and j < m)
    if edits:
        search = sim.copy()
        for i, j in edits.unlinked:
            if i < n and j < m:
                search[i, j] = -1.0
        for i, j in linked:
            search[i, :] = -1.0
            search[:, j] = -1.0
        for i, j in linked:
            search[i, j] = sim[i, j]
        sim = search
    evidence = links(sim, settings)
    pairs = sorted({*evidence, *linked})
    pairs += _sandwiched(pairs, sim, n, m, settings)
    if settings.second_tier and not evidence:
        pairs += weak_links(sim, pairs, settings)
    return pairs, bool(evidence)


def weak_links(
    sim: np.ndarray,
    core: list[tuple[int, int]],
    settings: AlignmentSettings,
    steps: tuple[Sequence[int], Sequence[int]] | None = None,
) -> list[tuple[int, int]]:
    """Links below the threshold that the pair's own matrix still singles out.

    Where one side's text is garbled (OCR) or lacks Pelaksana and Mutu Baku, no
    cell reaches the calibrated threshold, yet the corresponding steps still
    stand out of their matrix. A weaker link is kept when both its steps are
    free, it is the mutual best of its row and column by ``tier_margin`` over
    the second best of each (ranked with the position prior), it scores at
    least ``tier_floor``, crosses no confirmed link (``core``) and lies on the
    longest order-keeping chain of confirmed and weaker links: order breaks
    ties among weak candidates, the pair itself must have its own evidence.
    Then, for ``block_rounds`` rounds, each block of free steps between two
    consecutive links of the chain is searched the same way (mutual best inside
    the block, by ``block_margin``): a step that is the best of its row and
    column among the steps the chain leaves it is linked. Last, with
    ``fill_span``, the short blocks still between two links are filled along
    the order of the chain (:func:`_filled`; ``steps``: the step each row and
    column belongs to, when the rows and columns are a step's listed acts).
    """
    taken_a = {i for i, _ in core}
    taken_b = {j for _, j in core}
    mutual = _mutual_best(
        sim, settings.tier_floor, settings.tier_margin, settings.tier_order_weight
    )
    cands = [
        (i, j)
        for i, j in mutual
        if i not in taken_a and j not in taken_b and all((i - a) * (j - b) > 0 for a, b in core)
    ]
    chain = set(_longest_chain([*core, *cands], sim))
    found = [p for p in cands if p in chain]
    for _ in range(settings.block_rounds):
        new = _in_blocks(sim, [*core, *found], settings)
        if not new:
            break
        found += new
    if settings.fill_span > 0:
        found += _filled(sim, core, mutual, found, settings, steps)
    return found


def _filled(
    sim: np.ndarray,
    core: list[tuple[int, int]],
    mutual: list[tuple[int, int]],
    found: list[tuple[int, int]],
    settings: AlignmentSettings,
    steps: tuple[Sequence[int], Sequence[int]] | None = None,
) -> list[tuple[int, int]]:
    """Links along the chain inside the short blocks it still leaves open.

    Two offices writing one procedure in the Permenpan layout keep its order,
    and a reviewer who sees steps 2 and 6 linked reads steps 3-5 of each side
    against each other. So, where the pair shows no sign of reordering (no two
    of its confirmed links and its weaker tier's mutual-best candidates cross),
    each block between two consecutive links of the chain with at most
    ``fill_span`` free steps a side (counted in steps of ``steps`` when rows and
    columns are listed acts) is aligned along the order-keeping path of the
    most evidence over its free cells of at least ``tier_floor``. Every such
    link has evidence of its own; order picks among those cells and does not
    make a pair on its own. Blocks before the first link or after the last are
    left: nothing bounds them. ``mutual``: the tier's mutual-best candidates,
    as :func:`weak_links` found them. On University Admission with the threshold
    lifted, whose pairs reorder their steps, the reordering check keeps every
    such link out (without it: 8 links added, all wrong).
    """
    if _any_crossing([*core, *mutual]):
        return []
    linked = [*core, *found]
    taken_a = {i for i, _ in linked}
    taken_b = {j for _, j in linked}
    free = sim.copy()
    free[sorted(taken_a), :] = -1.0
    free[:, sorted(taken_b)] = -1.0
    rows, cols = steps if steps is not None else (range(sim.shape[0]), range(sim.shape[1]))
    chain = _longest_chain(linked, sim)
    out = []
    for (i0, j0), (i1, j1) in zip(chain, chain[1:], strict=False):
        open_a = {rows[i] for i in range(i0 + 1, i1) if i not in taken_a}
        open_b = {cols[j] for j in range(j0 + 1, j1) if j not in taken_b}
        if not open_a or not open_b or max(len(open_a), len(open_b)) > settings.fill_span:
            continue
        for a, b in _best_path(free[i0 + 1 : i1, j0 + 1 : j1], settings.tier_floor):
            out.append((i0 + 1 + a, j0 + 1 + b))
    return out


def _any_crossing(pairs: list[tuple[int, int]]) -> bool:
    """Whether two of ``pairs`` cross (one step earlier on one side and later on
    the other); pairs that share a step, as a merge's do, do not cross."""
    return any((a - c) * (b - d) < 0 for k, (a, b) in enumerate(pairs) for c, d in pairs[k + 1 :])


def _best_path(block: np.ndarray, floor: float) -> list[tuple[int, int]]:
    """The order-keeping set of cells of at least ``floor`` with the largest
    total (a path through ``block`` that may skip rows and columns)."""
    n, m = block.shape
    total = np.zeros((n + 1, m + 1))
    for i in range(n):
        for j in range(m):
            take = total[i, j] + block[i, j] if block[i, j] >= floor else -1.0
            total[i + 1, j + 1] = max(total[i, j + 1], total[i + 1, j], take)
    out = []
    i, j = n, m
    while i > 0 and j > 0:
        if total[i, j] == total[i - 1, j]:
            i -= 1
        elif total[i, j] == total[i, j - 1]:
            j -= 1
        else:
            out.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    return out[::-1]


def _in_blocks(
    sim: np.ndarray, linked: list[tuple[int, int]], settings: AlignmentSettings
) -> list[tuple[int, int]]:
    """Mutual-best pairs inside each block of free steps between two consecutive
    links of the longest order-keeping chain (or a link and an end)."""
    n, m = sim.shape
    taken_a = {i for i, _ in linked}
    taken_b = {j for _, j in linked}
    chain = [(-1, -1), *_longest_chain(linked, sim), (n, m)]
    out = []
    for (i0, j0), (i1, j1) in zip(chain, chain[1:], strict=False):
        block = sim[i0 + 1 : i1, j0 + 1 : j1]
        if block.size == 0:
            continue
        for a, b in _mutual_best(
            block, settings.tier_floor, settings.block_margin, settings.block_order_weight
        ):
            i, j = i0 + 1 + a, j0 + 1 + b
            if i not in taken_a and j not in taken_b:
                out.append((i, j))
    return out


def _mutual_best(
    sim: np.ndarray, floor: float, margin: float, order_weight: float
) -> list[tuple[int, int]]:
    """Cells that are the best of their row and of their column by ``margin``
    over the second best of each (ranked with the position prior), scoring at
    least ``floor``."""
    n, m = sim.shape
    rank = sim + order_weight * position_prior(n, m)
    out = []
    for i in range(n):
        j = int(np.argmax(rank[i]))
        if int(np.argmax(rank[:, j])) != i or sim[i, j] < floor:
            continue
        if rank[i, j] - max(_second(rank[i]), _second(rank[:, j])) >= margin:
            out.append((i, j))
    return out


def _second(values: np.ndarray) -> float:
    """The second largest value (minus infinity for a single value)."""
    return float(np.partition(values, -2)[-2]) if values.size > 1 else float("-inf")


def _components(
    pairs: list[tuple[int, int]],
) -> list[tuple[tuple[int, ...], tuple[int, ...], list[tuple[int, int]]]]:
    """Connected groups of linked steps: (steps of A, steps of B, their links)."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        parent[find(("a", i))] = find(("b", j))
    grouped: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for i, j in pairs:
        grouped.setdefault(find(("a", i)), []).append((i, j))
    return [
        (tuple(sorted({i for i, _ in ps})), tuple(sorted({j for _, j in ps})), ps)
        for ps in grouped.values()
    ]


def align_steps(sim: np.ndarray, settings: AlignmentSettings | None = None) -> list[AlignedPair]:
    """Flat step pairs of :func:`correspond` (gaps included), in order."""
    return correspond(sim, settings).pairs()


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


def _longest_chain(
    pairs: list[tuple[int, int]], sim: np.ndarray | None = None
) -> list[tuple[int, int]]:
    """The longest subsequence of pairs increasing on both sides. Among chains
    of one length, with ``sim`` the one of the most evidence wins; without it,
    the earliest found."""
    ps = sorted(pairs)
    if not ps:
        return []
    gain = [float(sim[i, j]) if sim is not None else 0.0 for i, j in ps]
    best = [(1, g) for g in gain]
    prev = [-1] * len(ps)
    for k in range(len(ps)):
        for q in range(k):
            if ps[q][1] < ps[k][1] and ps[q][0] < ps[k][0]:
                cand = (best[q][0] + 1, best[q][1] + gain[k])
                if cand > best[k]:
                    best[k], prev[k] = cand, q
    k = max(range(len(ps)), key=lambda x: (best[x], -x))
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
