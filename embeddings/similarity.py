"""Cosine similarity and chunked top-k search over embedding matrices."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ScoreFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _as_2d(x: np.ndarray) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float32)
    return arr[np.newaxis, :] if arr.ndim == 1 else arr


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b``: shape ``(len(a), len(b))``.

    Rows are normalised here, so un-normalised input is fine; zero rows score 0.
    """
    a2, b2 = _as_2d(a), _as_2d(b)
    an = np.linalg.norm(a2, axis=1, keepdims=True)
    bn = np.linalg.norm(b2, axis=1, keepdims=True)
    a2 = np.divide(a2, an, out=np.zeros_like(a2), where=an > 0)
    b2 = np.divide(b2, bn, out=np.zeros_like(b2), where=bn > 0)
    return a2 @ b2.T


def dot_score(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot product of every row pair (equals cosine for unit-length encoder output)."""
    return _as_2d(a) @ _as_2d(b).T


def top_k(
    query_vecs: np.ndarray,
    corpus_vecs: np.ndarray,
    k: int,
    *,
    score_function: ScoreFunction = cosine_matrix,
    query_chunk_size: int = 1024,
    corpus_chunk_size: int = 4096,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best corpus rows for every query row, best first.

    Scores are computed block by block (``query_chunk_size`` x
    ``corpus_chunk_size``, 16 MB of float32 at the defaults) and a running
    top-k is kept per query, so 20,000 x 20,000 never exists at once. After
    the first block each query has a k-th best score so far, and a later block
    only has to find the few scores above it (one comparison per score), not
    sort or partition itself: that keeps a 20,000-row self-search at a few
    seconds, most of it the matrix products.

    Args:
        query_vecs: ``(nq, d)`` array (or one ``(d,)`` vector).
        corpus_vecs: ``(nc, d)`` array.
        k: how many neighbours; clipped to ``nc``.
        score_function: ``f(a, b) -> (len(a), len(b))`` scores, higher is better
            (as ``sentence_transformers.util.semantic_search``).
        query_chunk_size: query rows per block.
        corpus_chunk_size: corpus rows per block.

    Returns:
        ``(indices, scores)``: int64 and float32 arrays of shape ``(nq, k)``.
    """
    queries, corpus = _as_2d(query_vecs), _as_2d(corpus_vecs)
    nq, nc = len(queries), len(corpus)
    k = max(0, min(k, nc))
    indices = np.zeros((nq, k), np.int64)
    scores = np.zeros((nq, k), np.float32)
    if k == 0 or nq == 0:
        return indices, scores
    for q0 in range(0, nq, query_chunk_size):
        q_block = queries[q0 : q0 + query_chunk_size]
        nb = len(q_block)
        best_val = np.empty((nb, 0), np.float32)
        best_idx = np.empty((nb, 0), np.int64)
        pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # entries that beat the k-th best
        n_pending = 0
        for c0 in range(0, nc, corpus_chunk_size):
            block = np.asarray(score_function(q_block, corpus[c0 : c0 + corpus_chunk_size]), np.float32)
            if best_val.shape[1] < k:
                # not yet k per query: keep the kk best of this block (ties included)
                kk = min(k, block.shape[1])
                kth = np.partition(block, block.shape[1] - kk, axis=1)[:, block.shape[1] - kk]
                rows, cols = np.nonzero(block >= kth[:, None])
                best_val, best_idx = _merge_best(
                    best_val, best_idx, rows, block[rows, cols], cols + c0, min(k, best_val.shape[1] + kk)
                )
                continue
            # afterwards only what beats the k-th best so far, merged in batches
            rows, cols = np.nonzero(block > best_val[:, -1:])
            pending.append((rows, block[rows, cols], cols + c0))
            n_pending += len(rows)
            if n_pending > 8 * nb * k:
                best_val, best_idx = _merge_pending(best_val, best_idx, pending, k)
                pending, n_pending = [], 0
        if pending:
            best_val, best_idx = _merge_pending(best_val, best_idx, pending, k)
        scores[q0 : q0 + nb] = best_val
        indices[q0 : q0 + nb] = best_idx
    return indices, scores


def _merge_pending(
    best_val: np.ndarray,
    best_idx: np.ndarray,
    pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    rows, values, cols = (np.concatenate(part) for part in zip(*pending, strict=True))
    return _merge_best(best_val, best_idx, rows, values, cols, k)


def _merge_best(
    best_val: np.ndarray,
    best_idx: np.ndarray,
    rows: np.ndarray,
    values: np.ndarray,
    cols: np.ndarray,
    width: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``width`` best of its current best (sorted, best first) and the
    new ``(rows, values, cols)`` entries; every row must end up with ``width``."""
    nb, have = best_val.shape
    all_rows = np.concatenate([np.repeat(np.arange(nb), have), rows])
    all_val = np.concatenate([best_val.ravel(), values])
    all_idx = np.concatenate([best_idx.ravel(), cols])
    order = np.lexsort((all_idx, -all_val, all_rows))  # by row, best first, lower index on ties
    all_rows = all_rows[order]
    first = np.searchsorted(all_rows, np.arange(nb))
    rank = np.arange(len(all_rows)) - first[all_rows]
    take = order[rank < width]
    return all_val[take].reshape(nb, width), all_idx[take].reshape(nb, width)
