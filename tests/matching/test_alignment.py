"""Step alignment on hand-built similarity matrices (relative scale: 1 = best)."""

from __future__ import annotations

import numpy as np
import pytest

from sopdata.matching.alignment import AlignedPair, align_steps, relative


def _pairs(result):
    return [(p.a, p.b) for p in result]


CASES = [
    # identical order
    ("diagonal", np.eye(3), [(0, 0), (1, 1), (2, 2)]),
    # the second SOP skips a step: gap in b
    ("gap", np.array([[1, 0], [0, 0], [0, 1.0]]), [(0, 0), (1, None), (2, 1)]),
    # an off-order best match must not break monotonicity
    ("crossing", np.array([[0.9, 0.0], [1.0, 0.8]]), [(0, 0), (1, 1)]),
    # one step of A stands against two consecutive steps of B (many-to-one)
    ("split", np.array([[1.0, 0.9, 0.0], [0.0, 0.0, 1.0]]), [(0, 0), (0, 1), (1, 2)]),
]


@pytest.mark.parametrize("name,sim,expected", CASES, ids=[c[0] for c in CASES])
def test_alignment_cases(name, sim, expected):
    assert _pairs(align_steps(np.asarray(sim, dtype=float))) == expected


def test_nothing_alike_gives_only_gaps():
    result = align_steps(np.zeros((2, 2)))
    assert sorted(_pairs(result), key=str) == sorted(
        [(0, None), (1, None), (None, 0), (None, 1)], key=str
    )


def test_empty_sides():
    assert align_steps(np.zeros((0, 2))) == [AlignedPair(None, 0, 0.0), AlignedPair(None, 1, 0.0)]
    assert align_steps(np.zeros((1, 0))) == [AlignedPair(0, None, 0.0)]


def test_relative_scale():
    sim = np.array([[0.82, 0.84], [0.83, 0.89]])
    rel = relative(sim)
    assert rel.max() == pytest.approx(1.0)
    assert np.median(rel) == pytest.approx(0.0)
    assert relative(np.full((2, 2), 0.9)).tolist() == [[0.0, 0.0], [0.0, 0.0]]
