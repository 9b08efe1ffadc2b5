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
        best = _RunningTopK(len(q_block), k)
        for c0 in range(0, nc, corpus_chunk_size):
            best.add(
                np.asarray(
                    score_function(q_block, corpus[c0 : c0 + corpus_chunk_size]), np.float32
                ),
                c0,
            )
        scores[q0 : q0 + len(q_block)], indices[q0 : q0 + len(q_block)] = best.result()
    return indices, scores


def top_k_self(
    vectors: np.ndarray,
    k: int,
    *,
    score_function: ScoreFunction = cosine_matrix,
    chunk_size: int = 2048,
) -> tuple[np.ndarray, np.ndarray]:
    """``top_k(vectors, vectors, k)`` for a symmetric ``score_function`` (cosine,
    dot product), computing each pair of blocks once and reading it both ways:
    half the multiply-adds of the general search. A row is its own neighbour
    like any other.
    """
    x = _as_2d(vectors)
    n = len(x)
    k = max(0, min(k, n))
    if k == 0:
        return np.zeros((n, 0), np.int64), np.zeros((n, 0), np.float32)
    starts = list(range(0, n, chunk_size))
    states = [_RunningTopK(len(x[s : s + chunk_size]), k) for s in starts]
    # diagonal blocks first, so each row's first block is read along its rows
    for a, a0 in enumerate(starts):
        block = x[a0 : a0 + chunk_size]
        states[a].add(np.asarray(score_function(block, block), np.float32), a0)
    for a, a0 in enumerate(starts):
        for b in range(a + 1, len(starts)):
            b0 = starts[b]
            block = np.asarray(
                score_function(x[a0 : a0 + chunk_size], x[b0 : b0 + chunk_size]), np.float32
            )
            states[a].add(block, b0)
            states[b].add(block, a0, transposed=True)
    scores, indices = (
        np.concatenate(part) for part in zip(*(st.result() for st in states), strict=True)
    )
    return indices, scores


class _RunningTopK:
    """The ``k`` best (score, column) of each of ``rows`` rows over blocks of columns.

    Until a row has ``k`` entries a block is partitioned; afterwards each row has
    a k-th best score so far and a block only has to yield the few scores above
    it (one comparison per score), merged in batches.
    """

    def __init__(self, rows: int, k: int) -> None:
        self.k = k
        self.val = np.empty((rows, 0), np.float32)
        self.idx = np.empty((rows, 0), np.int64)
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.n_pending = 0

    def add(self, block: np.ndarray, col0: int, transposed: bool = False) -> None:
        """Scores of this object's rows against columns ``col0, col0 + 1, ...``; with
        ``transposed``, ``block`` holds them as columns (``block.T`` is meant)."""
        if self.val.shape[1] < self.k:
            if transposed:
                block = np.ascontiguousarray(block.T)
            kk = min(self.k, block.shape[1])
            kth = np.partition(block, block.shape[1] - kk, axis=1)[:, block.shape[1] - kk]
            rows, cols = _nonzero(block >= kth[:, None])  # ties included
            self.val, self.idx = _merge_best(
                self.val,
                self.idx,
                rows,
                block[rows, cols],
                cols + col0,
                min(self.k, self.val.shape[1] + kk),
            )
            return
        if transposed:  # compare in place, column by column: no transposed copy
            cols, rows = _nonzero(block > self.val[:, -1][None, :])
            values = block[cols, rows]
        else:
            rows, cols = _nonzero(block > self.val[:, -1:])
            values = block[rows, cols]
        self.pending.append((rows, values, cols + col0))
        self.n_pending += len(rows)
        if self.n_pending > 8 * len(self.val) * self.k:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            rows, values, cols = (np.concatenate(part) for part in zip(*self.pending, strict=True))
            self.val, self.idx = _merge_best(self.val, self.idx, rows, values, cols, self.k)
            self.pending, self.n_pending = [], 0

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """``(scores, columns)``, each row best first."""
        self._flush()
        return self.val, self.idx


def _nonzero(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-D mask, in row-major order (flatnonzero is ~10x faster)."""
    flat = np.flatnonzero(mask)
    return flat // mask.shape[1], flat % mask.shape[1]


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
    all_val = np.concatenate([best_val.ravel(), values]).astype(np.float32, copy=False)
    all_idx = np.concatenate([best_idx.ravel(), cols])
    # one int64 sort key: row in the high 32 bits, then the score, best first, as
    # order-preserving bits (a float's bits sort like the float once negatives are flipped)
    bits = (-all_val).view(np.int32).astype(np.int64)
    bits = np.where(bits < 0, bits ^ 0x7FFFFFFF, bits) + (1 << 31)
    order = np.argsort((all_rows.astype(np.int64) << 32) | bits, kind="stable")
    all_rows = all_rows[order]
    first = np.searchsorted(all_rows, np.arange(nb))
    rank = np.arange(len(all_rows)) - first[all_rows]
    take = order[rank < width]
    return all_val[take].reshape(nb, width), all_idx[take].reshape(nb, width)
