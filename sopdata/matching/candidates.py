"""Which cross-office pairs are worth scoring (a blocked top-k search above
:data:`ALL_PAIRS_UP_TO` SOPs)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sopdata.matching.profiles import SOPProfile

# Corpora up to this size compare every cross-office pair; bigger ones only
# each SOP's nearest neighbours (see candidate_pairs).
ALL_PAIRS_UP_TO = 400
NEIGHBOURS = 30


def candidate_pairs(
    profiles: Sequence[SOPProfile], k: int = NEIGHBOURS
) -> tuple[np.ndarray, np.ndarray]:
    """Cross-office pairs worth scoring, as index arrays ``(first, second)`` with
    ``first < second``: all of them for a small corpus, else each SOP's ``k``
    nearest by title and by mean step vector (the rest cannot be equivalent).

    The neighbour search is the one quadratic part of matching: it compares
    every SOP with every other, in blocks, keeping only a running top-k (see
    ``embeddings.similarity.top_k_self``).
    """
    n = len(profiles)
    offices = np.array([p.office for p in profiles], dtype=object)
    if n <= ALL_PAIRS_UP_TO:
        first, second = np.triu_indices(n, 1)
    else:
        titles = np.stack([p.title_vec for p in profiles])
        centroids = np.stack(
            [p.step_vecs.mean(axis=0) if len(p.step_vecs) else p.title_vec for p in profiles]
        )
        codes = _sorted_unique(
            np.concatenate([_nearest_codes(titles, k), _nearest_codes(centroids, k)])
        )
        first, second = codes // n, codes % n
    cross = offices[first] != offices[second]
    return first[cross].astype(np.int64), second[cross].astype(np.int64)


def _sorted_unique(codes: np.ndarray) -> np.ndarray:
    """``np.unique`` for int codes by sorting (numpy's hash-based path is slower here)."""
    codes = np.sort(codes)
    return codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes


def _nearest_codes(vectors: np.ndarray, k: int) -> np.ndarray:
    """Unordered pairs, coded ``i * n + j`` with i < j (repeats possible), where j is
    among i's ``k`` nearest rows or vice versa."""
    # imported here: the embeddings package loads scikit-learn, which only big corpora need here
    from embeddings.similarity import dot_score, top_k_self

    n = len(vectors)
    idx, _ = top_k_self(vectors, k + 1, score_function=dot_score)
    rows = np.repeat(np.arange(n), idx.shape[1])
    cols = idx.ravel()
    mask = rows != cols
    return np.minimum(rows[mask], cols[mask]) * n + np.maximum(rows[mask], cols[mask])
