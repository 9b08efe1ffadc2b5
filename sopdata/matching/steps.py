"""Step similarity of a pair of SOPs, and the step alignment built on it."""

from __future__ import annotations

import numpy as np

from sopdata.matching.alignment import AlignedPair, AlignmentSettings, align_steps, relative
from sopdata.matching.profiles import SOPProfile


def gram_similarity(a: list[set[str]], b: list[set[str]]) -> np.ndarray:
    """Dice overlap of character n-grams for every step pair."""
    out = np.zeros((len(a), len(b)))
    for i, ga in enumerate(a):
        for j, gb in enumerate(b):
            if ga and gb:
                out[i, j] = 2 * len(ga & gb) / (len(ga) + len(gb))
    return out


# Embedding, letter n-grams, kind of act. The kind of act survives OCR damage best.
STEP_WEIGHTS = (0.25, 0.25, 0.5)


def step_similarity(pa: SOPProfile, pb: SOPProfile, sim: np.ndarray | None = None) -> np.ndarray:
    """Step similarity of a pair: embedding cosine and character n-gram overlap,
    each rescaled against its own matrix (see :func:`relative`), and the overlap
    of the steps' kinds of act (sign, send, register ...), averaged."""
    if sim is None:
        sim = pa.step_vecs @ pb.step_vecs.T
    grams = gram_similarity(pa.step_grams, pb.step_grams)
    acts = np.array([[_jaccard(x, y) for y in pb.step_actions] for x in pa.step_actions]).reshape(
        sim.shape
    )
    return (
        STEP_WEIGHTS[0] * relative(sim) + STEP_WEIGHTS[1] * relative(grams) + STEP_WEIGHTS[2] * acts
    )


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# Equivalent procedures run in the same order: steps at the same relative
# position get a small bonus that breaks ties in noisy (OCR) matrices.
POSITION_PRIOR = 0.2


def position_prior(n: int, m: int) -> np.ndarray:
    """1 on the diagonal of relative positions, falling to -1 at opposite ends."""
    i = np.arange(n)[:, None] / max(n - 1, 1)
    j = np.arange(m)[None, :] / max(m - 1, 1)
    return 1 - 2 * np.abs(i - j)


def align_pair(
    pa: SOPProfile,
    pb: SOPProfile,
    sim: np.ndarray | None = None,
    settings: AlignmentSettings | None = None,
) -> list[AlignedPair]:
    steps = step_similarity(pa, pb, sim)
    steps = steps + POSITION_PRIOR * position_prior(*steps.shape)
    return align_steps(steps, settings or AlignmentSettings())
