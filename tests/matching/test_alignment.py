"""Step alignment on hand-built similarity matrices (relative scale: 1 = best)."""

from __future__ import annotations

import numpy as np
import pytest

from sopdata.matching.alignment import (
    AlignedPair,
    AlignmentSettings,
    align_steps,
    correspond,
    relative,
)


def _pairs(result):
    return [(p.a, p.b) for p in result]


SETTINGS = AlignmentSettings(threshold=0.5, order_weight=0.1, chain_floor=0.2)

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
    # a tie between two places: the one in order wins
    tie = correspond(np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]), SETTINGS)
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
