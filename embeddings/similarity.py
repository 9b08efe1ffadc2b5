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
    corpus_chunk_size: int = 16384,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best corpus rows for every query row, best first.

    Scores are computed block by block (``query_chunk_size`` x
    ``corpus_chunk_size``, 64 MB of float32 at the defaults) and a running
    top-k is kept per query, so 20,000 x 20,000 never exists at once.

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
        best_idx = np.empty((len(q_block), 0), np.int64)
        best_val = np.empty((len(q_block), 0), np.float32)
        for c0 in range(0, nc, corpus_chunk_size):
            block = np.asarray(
                score_function(q_block, corpus[c0 : c0 + corpus_chunk_size]), np.float32
            )
            kk = min(k, block.shape[1])
            part = np.argpartition(-block, kk - 1, axis=1)[:, :kk]
            cand_val = np.concatenate([best_val, np.take_along_axis(block, part, axis=1)], axis=1)
            cand_idx = np.concatenate([best_idx, part + c0], axis=1)
            if cand_val.shape[1] > k:
                keep = np.argpartition(-cand_val, k - 1, axis=1)[:, :k]
                cand_val = np.take_along_axis(cand_val, keep, axis=1)
                cand_idx = np.take_along_axis(cand_idx, keep, axis=1)
            best_val, best_idx = cand_val, cand_idx
        order = np.argsort(-best_val, axis=1, kind="stable")
        scores[q0 : q0 + len(q_block)] = np.take_along_axis(best_val, order, axis=1)
        indices[q0 : q0 + len(q_block)] = np.take_along_axis(best_idx, order, axis=1)
    return indices, scores
