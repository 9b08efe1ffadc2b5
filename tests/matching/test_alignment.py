"""Step alignment on hand-built similarity matrices (relative scale: 1 = best)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sopdata.matching.alignment import (
    AlignedPair,
    AlignmentSettings,
    ItemLinks,
    _best_path,
    align_steps,
    correspond,
    relative,
    weak_links,
)
from sopdata.matching.step_links import StepEdits


def _pairs(result):
    return [(p.a, p.b) for p in result]


SETTINGS = AlignmentSettings(threshold=0.5, near_best=0.85, order_weight=0.02, chain_floor=0.2)
MUTUAL_BEST = dataclasses.replace(SETTINGS, near_best=1.0)

CASES = [
    # identical order
    ("diagonal", np.eye(3), [(0, 0), (1, 1), (2, 2)]),
    # the second SOP skips a step: a step only A has
    ("gap", np.array([[1, 0], [0, 0], [0, 1.0]]), [(0, 0), (1, None), (2, 1)]),
    # one step of A stands against two consecutive steps of B (merge)
    ("split", np.array([[1.0, 0.9, 0.0], [0.0, 0.0, 1.0]]), [(0, 0), (0, 1), (1, 2)]),
    # a swapped pair of steps is kept, not dropped into gaps
    ("swap", np.array([[1.0, 0, 0], [0, 0, 0.9], [0, 0.9, 0]]), [(0, 0), (1, 2), (2, 1)]),
]


@pytest.mark.parametrize("name,sim,expected", CASES, ids=[c[0] for c in CASES])
def test_alignment_cases(name, sim, expected):
    assert _pairs(align_steps(np.asarray(sim, dtype=float), SETTINGS)) == expected


def test_kinds_of_correspondence():
    split = correspond(np.array([[1.0, 0.9, 0.0], [0.0, 0.0, 1.0]]), SETTINGS)
    assert [(c.a, c.b, c.kind) for c in split] == [((0,), (0, 1), "digabung"), ((1,), (2,), "sama")]
    swap = correspond(
        np.array([[1.0, 0, 0, 0], [0, 0, 0.9, 0], [0, 0.9, 0, 0], [0, 0, 0, 1]]), SETTINGS
    )
    kinds = {(c.a, c.b): c.kind for c in swap}
    assert list(kinds.values()).count("urutan berbeda") == 1
    assert kinds[(0,), (0,)] == kinds[(3,), (3,)] == "sama"


def test_order_breaks_ties_but_makes_no_pair():
    # a tie between two places: the one in order wins (mutual best only)
    tie = correspond(np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]), MUTUAL_BEST)
    assert [(c.a, c.b) for c in tie] == [((0,), (0,))]
    # steps that nothing joins stay apart, whatever their position
    alone = correspond(np.array([[1.0, 0.0], [0.0, 0.1]]), SETTINGS)
    assert alone.only_a == (1,) and alone.only_b == (1,)


def test_sandwiched_step_with_evidence_follows_the_chain():
    sim = np.array([[1.0, 0, 0], [0, 0.3, 0], [0, 0, 1.0]])
    result = correspond(sim, SETTINGS)
    assert [(c.a, c.b) for c in result] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


def test_nothing_alike_gives_only_gaps():
    result = align_steps(np.zeros((2, 2)))
    assert sorted(_pairs(result), key=str) == sorted(
        [(0, None), (1, None), (None, 0), (None, 1)], key=str
    )
    assert {p.kind for p in result} == {"hanya di A", "hanya di B"}


def test_empty_sides():
    assert align_steps(np.zeros((0, 2))) == [
        AlignedPair(None, 0, 0.0, "hanya di B"),
        AlignedPair(None, 1, 0.0, "hanya di B"),
    ]
    assert align_steps(np.zeros((1, 0))) == [AlignedPair(0, None, 0.0, "hanya di A")]


def test_relative_scale():
    sim = np.array([[0.82, 0.84], [0.83, 0.89]])
    rel = relative(sim)
    assert rel.max() == pytest.approx(1.0)
    assert np.median(rel) == pytest.approx(0.0)
    assert relative(np.full((2, 2), 0.9)).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    # one step against one: no spread to stand above, the value itself (0-1)
    assert relative(np.array([[0.7]])).tolist() == [[0.7]]
    assert relative(np.array([[-0.2]])).tolist() == [[0.0]]


def test_near_tie_both_ways_groups_steps():
    # A0 stands against B0 and B1 (nearly equal), and B1 against A0 and A1: one n:m group
    sim = np.array([[1.0, 0.95, 0.0], [0.0, 0.9, 0.0], [0.0, 0.0, 1.0]])
    result = correspond(sim, SETTINGS)
    assert [(c.a, c.b, c.kind) for c in result] == [
        ((0, 1), (0, 1), "digabung"),
        ((2,), (2,), "sama"),
    ]
    # the group's score is its weakest link
    assert result.correspondences[0].score == pytest.approx(0.9)


def test_a_link_needs_its_own_evidence_above_the_threshold():
    # the best of its row and column, in order, but below the threshold: no link;
    # it follows the chain only as a sandwiched step, with evidence above the floor
    sim = np.array([[0.45, 0.0], [0.0, 1.0]])
    alone = correspond(sim, dataclasses.replace(MUTUAL_BEST, chain_gap=0))
    assert [(c.a, c.b) for c in alone] == [((1,), (1,))]
    assert alone.only_a == (0,) and alone.only_b == (0,)
    assert len(correspond(sim, MUTUAL_BEST).correspondences) == 2
    weak = correspond(np.array([[0.1, 0.0], [0.0, 1.0]]), MUTUAL_BEST)
    assert weak.only_a == (0,)


@pytest.mark.parametrize("seed", range(5))
def test_scores_are_on_zero_one_and_every_step_is_placed_once(seed):
    rng = np.random.default_rng(seed)
    sim = rng.random((7, 5))
    result = correspond(sim, AlignmentSettings(threshold=0.3, near_best=0.8))
    assert all(0.0 <= c.score <= 1.0 for c in result)
    assert {c.kind for c in result} <= {"sama", "digabung", "urutan berbeda"}
    placed_a = [i for c in result for i in c.a] + list(result.only_a)
    placed_b = [j for c in result for j in c.b] + list(result.only_b)
    assert sorted(placed_a) == list(range(7)) and sorted(placed_b) == list(range(5))
    for c in result:
        expected = "digabung" if len(c.a) + len(c.b) > 2 else "sama"
        assert c.kind in (expected, "urutan berbeda")


TIERED = dataclasses.replace(
    SETTINGS,
    threshold=0.9,
    second_tier=True,
    tier_floor=0.2,
    tier_margin=0.1,
    tier_order_weight=0.0,
    block_rounds=2,
    block_margin=0.1,
    block_order_weight=0.0,
)

WEAK_CASES = [
    # nothing reaches the threshold, but each step stands out of its row and column
    ("clear mutual best", np.array([[0.4, 0.1], [0.1, 0.4]]), [], [(0, 0), (1, 1)]),
    # mutual best but under the floor: no evidence of its own, no link
    ("under the floor", np.array([[0.15, 0.0], [0.0, 0.15]]), [], []),
    # a near tie in its row (margin under 0.1): order does not decide it alone
    ("near tie", np.array([[0.4, 0.35], [0.0, 0.0]]), [], []),
    # a mutual best crossing a confirmed link is not kept
    ("crosses a confirmed link", np.array([[0.0, 0.5], [1.0, 0.0]]), [(1, 0)], []),
    # step 1 of A loses its column to a step already linked (row 3); inside the
    # block the chain leaves it, (1, 1) is the mutual best and is linked
    (
        "inside a block",
        np.array(
            [
                [0.9, 0.0, 0.0, 0.0],
                [0.0, 0.3, 0.0, 0.0],
                [0.0, 0.0, 0.25, 0.0],
                [0.0, 0.35, 0.0, 0.9],
            ]
        ),
        [(0, 0), (3, 3)],
        [(1, 1), (2, 2)],
    ),
    # of two weak pairs that cross, the one with more evidence is kept
    ("crossing weak pairs", np.array([[0.0, 0.3], [0.5, 0.0]]), [], [(1, 0)]),
]


@pytest.mark.parametrize("name,sim,core,expected", WEAK_CASES, ids=[c[0] for c in WEAK_CASES])
def test_weak_links(name, sim, core, expected):
    assert sorted(weak_links(np.asarray(sim, dtype=float), core, TIERED)) == expected


# --- the fill along the chain (fill_span) ------------------------------------------------

FILLED = dataclasses.replace(TIERED, fill_span=2)

# Steps 1 and 2 of each side resemble both of the other's a little: no pair
# stands out by a margin, yet the block between two links keeps its order.
NEAR_TIES = np.array(
    [[0.9, 0, 0, 0], [0, 0.3, 0.28, 0], [0, 0.27, 0.3, 0], [0, 0, 0, 0.9]], dtype=float
)
# The same block, and a weak mutual best (A 4 = B 2) that crosses the link A 3 = B 3:
# the pair reorders its steps, and order is no evidence in it.
REORDERED = np.zeros((5, 4))
REORDERED[:4] = NEAR_TIES
REORDERED[4, 2] = 0.5

# A merge (A 0 = B 0 and B 1) before the block: two links that share a step
# do not cross, and the block is filled.
MERGED = np.zeros((4, 5))
MERGED[0, 0] = MERGED[0, 1] = MERGED[3, 4] = 0.9
MERGED[1:3, 2:4] = NEAR_TIES[1:3, 1:3]

FILL_CASES = [
    ("after a merge", MERGED, [(0, 0), (0, 1), (3, 4)], FILLED, None, [(1, 2), (2, 3)]),
    ("block between two links", NEAR_TIES, [(0, 0), (3, 3)], FILLED, None, [(1, 1), (2, 2)]),
    ("off", NEAR_TIES, [(0, 0), (3, 3)], TIERED, None, []),
    (
        "block wider than the span",
        NEAR_TIES,
        [(0, 0), (3, 3)],
        dataclasses.replace(FILLED, fill_span=1),
        None,
        [],
    ),
    # rows 1 and 2 are two acts of one step: the block spans one step a side
    (
        "span counted in steps",
        NEAR_TIES,
        [(0, 0), (3, 3)],
        dataclasses.replace(FILLED, fill_span=1),
        ((0, 1, 1, 2), (0, 1, 1, 2)),
        [(1, 1), (2, 2)],
    ),
    ("a pair that reorders", REORDERED, [(0, 0), (3, 3)], FILLED, None, []),
    (
        "the same pair in order",
        np.where(REORDERED == 0.5, 0.0, REORDERED),
        [(0, 0), (3, 3)],
        FILLED,
        None,
        [(1, 1), (2, 2)],
    ),
    # nothing bounds a block before the first link
    ("before the first link", NEAR_TIES[1:, 1:], [(2, 2)], FILLED, None, []),
]


@pytest.mark.parametrize(
    "name,sim,core,settings,steps,expected", FILL_CASES, ids=[c[0] for c in FILL_CASES]
)
def test_fill_along_the_chain(name, sim, core, settings, steps, expected):
    assert sorted(weak_links(sim, core, settings, steps)) == expected


BEST_PATHS = [
    ("diagonal over near ties", [[0.3, 0.28], [0.27, 0.3]], [(0, 0), (1, 1)]),
    ("cells under the floor are never taken", [[0.1, 0.5], [0.0, 0.1]], [(0, 1)]),
    # Surat Keluar A 3-5 against B 3-5 (Jogoroto OCR, Setda): two links in
    # order (0.41 + 0.22) outweigh the one cell that is higher (0.46)
    (
        "two in order over one higher",
        [[0.0, 0.41, 0.01], [0.13, 0.35, 0.11], [0.46, 0.21, 0.22]],
        [(0, 1), (2, 2)],
    ),
    ("all under the floor", [[0.1, 0.1], [0.1, 0.1]], []),
]


@pytest.mark.parametrize("name,block,expected", BEST_PATHS, ids=[c[0] for c in BEST_PATHS])
def test_best_path(name, block, expected):
    assert _best_path(np.array(block, dtype=float), 0.2) == expected


def test_best_path_is_the_best_order_keeping_set():
    """Against every order-keeping set of cells of small blocks: the path's
    total is the largest, and its cells keep the order and the floor."""
    from itertools import combinations

    rng = np.random.default_rng(14)
    for _ in range(200):
        n, m = rng.integers(1, 5, size=2)
        block = np.round(rng.random((n, m)) * 0.6, 2)
        cells = [(i, j) for i in range(n) for j in range(m) if block[i, j] >= 0.2]
        best = 0.0
        for k in range(1, min(n, m) + 1):
            for chosen in combinations(cells, k):
                if all(a < c and b < d for (a, b), (c, d) in zip(chosen, chosen[1:], strict=False)):
                    best = max(best, sum(block[c] for c in chosen))
        path = _best_path(block, 0.2)
        assert all(block[c] >= 0.2 for c in path)
        assert all(a < c and b < d for (a, b), (c, d) in zip(path, path[1:], strict=False))
        assert sum(block[c] for c in path) == pytest.approx(best)


def test_weak_tier_only_where_the_evidence_has_no_link_of_its_own():
    """Step 0 reaches the threshold; steps 1 and 2 of A stand out weakly (no
    equal-length run to follow): the tier stays off, as it does on every
    University Admission pair, where its links were mostly wrong."""
    sim = np.array([[0.95, 0, 0, 0], [0, 0.4, 0.1, 0], [0, 0.1, 0, 0.4]])
    assert [(c.a, c.b) for c in correspond(sim, TIERED)] == [((0,), (0,))]
    sim[0, 0] = 0.4  # no cell reaches it now: the weaker links stand
    assert [(c.a, c.b) for c in correspond(sim, TIERED)] == [
        ((0,), (0,)),
        ((1,), (1,)),
        ((2,), (3,)),
    ]


def test_weak_tier_is_off_unless_the_settings_turn_it_on():
    sim = np.array([[0.4, 0.1], [0.1, 0.4]])
    assert correspond(sim, dataclasses.replace(TIERED, second_tier=False)).correspondences == ()
    tiered = correspond(sim, TIERED)
    assert [(c.a, c.b, c.score) for c in tiered] == [((0,), (0,), 0.4), ((1,), (1,), 0.4)]


# --- a reviewer's corrections -----------------------------------------------------------

EDIT_CASES = [
    # a link the evidence misses is added; the rest of the alignment stays
    (
        "missed link added",
        np.eye(3) * [1.0, 0.0, 1.0],
        StepEdits(linked=frozenset({(1, 1)})),
        [(0, 0), (1, 1), (2, 2)],
    ),
    # a pair kept apart is never linked: both steps become gaps
    (
        "wrong link removed",
        np.eye(3),
        StepEdits(unlinked=frozenset({(1, 1)})),
        [(0, 0), (1, None), (None, 1), (2, 2)],
    ),
    # a reviewer's link answers for both its steps: the machine's own link of
    # step 0 (to B 0) goes, and B 0 is left alone
    (
        "linked step leaves the machine's pair",
        np.eye(3),
        StepEdits(linked=frozenset({(0, 2)})),
        [(0, 2), (1, 1), (None, 0), (2, None)],
    ),
    # two links of one step make a merge
    (
        "merge by hand",
        np.array([[1.0, 0.0], [0.0, 0.0]]),
        StepEdits(linked=frozenset({(0, 0), (0, 1)})),
        [(0, 0), (0, 1), (1, None)],
    ),
    # a link outside the matrix (a step number that went away) is ignored
    ("outside", np.eye(2), StepEdits(linked=frozenset({(5, 0)})), [(0, 0), (1, 1)]),
]


@pytest.mark.parametrize("name,sim,edits,expected", EDIT_CASES, ids=[c[0] for c in EDIT_CASES])
def test_reviewer_edits(name, sim, edits, expected):
    got = _pairs(correspond(sim, MUTUAL_BEST, edits).pairs())
    assert sorted(got, key=str) == sorted(expected, key=str)


def test_reviewer_edits_set_the_kind():
    # A's step 2 linked by hand to B's step 0 crosses the machine's A 1 = B 1
    # (the evidence's chain): that step is done in another order
    result = correspond(
        np.eye(3) * [1.0, 1.0, 0.0], MUTUAL_BEST, StepEdits(linked=frozenset({(2, 0)}))
    )
    assert {(c.a, c.b): c.kind for c in result} == {
        ((1,), (1,)): "sama",
        ((2,), (0,)): "urutan berbeda",
    }


def test_a_reviewers_link_anchors_the_weaker_tier():
    """Step 2 of each side resembles two steps alike: the weaker tier cannot
    single out any pair. Once a reviewer links the middle steps, the first and
    the last steps each stand alone in their block, and are linked."""
    weak = dataclasses.replace(TIERED, block_rounds=1)
    sim = np.array([[0.30, 0.25, 0.00], [0.05, 0.10, 0.05], [0.00, 0.25, 0.30]])
    assert not correspond(sim, weak).correspondences
    fixed = correspond(sim, weak, StepEdits(linked=frozenset({(1, 1)})))
    assert [(c.a, c.b, c.kind) for c in fixed] == [
        ((0,), (0,), "sama"),
        ((1,), (1,), "sama"),
        ((2,), (2,), "sama"),
    ]


# --- links found through the items of a listed step --------------------------------------


def test_links_through_items_join_the_steps_and_make_a_merge():
    """B's step 0 lists two acts; A's steps 0 and 1 each match one of them.
    The step matrix sees B 0 as only A 0's partner; the items' links add A 1,
    so the three steps are one correspondence, scored on the items' evidence."""
    sim = np.array([[0.9, 0.0], [0.55, 0.0], [0.0, 0.8]])
    plain = correspond(sim, MUTUAL_BEST)
    assert [(c.a, c.b) for c in plain] == [((0,), (0,)), ((2,), (1,))]
    items = ItemLinks({(0, 0): 0.95, (1, 0): 0.85}, listed_b=frozenset({0}))
    merged = correspond(sim, MUTUAL_BEST, items=items)
    assert [(c.a, c.b, c.kind, c.score) for c in merged] == [
        ((0, 1), (0,), "digabung", 0.85),
        ((2,), (1,), "sama", 0.8),
    ]
    assert merged.only_a == merged.only_b == ()


def test_a_step_of_one_act_keeps_its_partner():
    """A's step 2 (one act) is linked to B's step 1; an act listed in B's step
    0 resembles it too. That is a second opinion on the same act, not a merge:
    the link through the item is dropped. Had A 2 no partner, it would stand."""
    sim = np.array([[0.9, 0.0], [0.0, 0.0], [0.0, 0.8]])
    items = ItemLinks({(0, 0): 0.9, (2, 0): 0.85}, listed_b=frozenset({0}))
    kept = correspond(sim, MUTUAL_BEST, items=items)
    assert [(c.a, c.b) for c in kept] == [((0,), (0,)), ((2,), (1,))]
    alone = np.array([[0.9, 0.0], [0.0, 0.0], [0.0, 0.0]])
    joined = correspond(alone, MUTUAL_BEST, items=items)
    assert [(c.a, c.b, c.kind) for c in joined] == [((0, 2), (0,), "digabung")]


def test_links_through_items_yield_to_the_reviewer():
    sim = np.array([[0.9, 0.0], [0.55, 0.0], [0.0, 0.8]])
    items = ItemLinks({(0, 0): 0.95, (1, 0): 0.85}, listed_b=frozenset({0}))
    kept_apart = correspond(sim, MUTUAL_BEST, StepEdits(unlinked=frozenset({(1, 0)})), items)
    assert [(c.a, c.b) for c in kept_apart] == [((0,), (0,)), ((2,), (1,))]
    # a reviewer's link answers for its steps: A 1 now goes with B 1 only
    relinked = correspond(sim, MUTUAL_BEST, StepEdits(linked=frozenset({(1, 1)})), items)
    assert [(c.a, c.b) for c in relinked] == [((0,), (0,)), ((1,), (1,))]
    # a link outside the matrix is ignored
    outside = correspond(sim, MUTUAL_BEST, items=ItemLinks({(7, 0): 0.9}))
    assert outside.pairs() == correspond(sim, MUTUAL_BEST).pairs()


def test_the_acts_weaker_tier_counts_only_where_the_steps_have_no_link():
    """A link among the acts found by the weaker tier stands where the steps
    as wholes have no link of their own (OCR rows), as the steps' own weaker
    tier does; next to a confirmed link of the steps it is dropped."""
    items = ItemLinks({}, listed_b=frozenset({1}), weak={(1, 1): 0.3})
    faint = np.array([[0.3, 0.0], [0.0, 0.05]])
    assert [(c.a, c.b) for c in correspond(faint, TIERED, items=items)] == [
        ((0,), (0,)),
        ((1,), (1,)),
    ]
    assert [(c.a, c.b) for c in correspond(faint, TIERED)] == [((0,), (0,))]
    off = dataclasses.replace(TIERED, second_tier=False)
    assert not correspond(faint, off, items=items).correspondences
    confirmed = np.array([[0.9, 0.0], [0.0, 0.05]])
    assert [(c.a, c.b) for c in correspond(confirmed, TIERED, items=items)] == [((0,), (0,))]
