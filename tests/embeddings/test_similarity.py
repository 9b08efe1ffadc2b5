"""Cosine matrix and chunked top-k."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings import cosine_matrix, dot_score, top_k


def _brute(q: np.ndarray, c: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    s = cosine_matrix(q, c)
    idx = np.argsort(-s, axis=1)[:, :k]
    return idx, np.take_along_axis(s, idx, axis=1)


def test_cosine_matrix_matches_definition() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 7)), rng.normal(size=(5, 7))
    expected = (a @ b.T) / np.outer(np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1))
    np.testing.assert_allclose(cosine_matrix(a, b), expected, rtol=1e-5)
    assert cosine_matrix(np.zeros((1, 7)), b).max() == 0


@pytest.mark.parametrize("k", [1, 5, 37])
def test_top_k_matches_brute_force(k: int) -> None:
    rng = np.random.default_rng(k)
    q, c = rng.normal(size=(50, 16)), rng.normal(size=(300, 16))
    idx, scores = top_k(q, c, k)
    b_idx, b_scores = _brute(q, c, k)
    np.testing.assert_array_equal(idx, b_idx)
    np.testing.assert_allclose(scores, b_scores, rtol=1e-5)


def test_chunking_gives_same_result() -> None:
    rng = np.random.default_rng(1)
    q, c = rng.normal(size=(103, 8)), rng.normal(size=(517, 8))
    whole = top_k(q, c, 10)
    chunked = top_k(q, c, 10, query_chunk_size=7, corpus_chunk_size=3)
    np.testing.assert_array_equal(whole[0], chunked[0])
    np.testing.assert_allclose(whole[1], chunked[1], rtol=1e-6)


def test_score_function_parameter_and_edges() -> None:
    rng = np.random.default_rng(2)
    c = rng.normal(size=(20, 4)).astype(np.float32)
    q = c[3] * 10  # unnormalised copy of row 3
    idx, scores = top_k(q, c, 3, score_function=dot_score)
    assert idx.shape == (1, 3)
    assert np.all(np.diff(scores[0]) <= 0)
    assert top_k(c[:2], c, 3)[0][:, 0].tolist() == [0, 1]
    assert top_k(c[:2], c, 100)[0].shape == (2, 20)  # k clipped
    assert top_k(c[:0], c, 3)[0].shape == (0, 3)


def test_top_k_with_ties_and_duplicate_rows() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(size=(5, 6)).astype(np.float32)
    corpus = np.repeat(base, 40, axis=0)  # every row 40 times: scores tie in runs of 40
    q = base + rng.normal(0, 0.01, base.shape).astype(np.float32)
    for chunk in (7, 64, 4096):
        idx, scores = top_k(q, corpus, 50, query_chunk_size=2, corpus_chunk_size=chunk)
        _, b_scores = _brute(q, corpus, 50)
        np.testing.assert_allclose(scores, b_scores, rtol=1e-5)
        # the 40 copies of the query's own base row come first
        assert all(set(row[:40] // 40) == {i} for i, row in enumerate(idx))
        assert all(len(set(row)) == 50 for row in idx)


@pytest.mark.parametrize("chunk", [3, 16, 2048])
def test_self_search_reads_each_block_both_ways(chunk: int) -> None:
    from embeddings.similarity import top_k_self

    rng = np.random.default_rng(chunk)
    x = rng.normal(size=(57, 8)).astype(np.float32)
    for k in (1, 5, 57):
        idx, scores = top_k_self(x, k, chunk_size=chunk)
        b_idx, b_scores = top_k(x, x, k)
        np.testing.assert_array_equal(idx, b_idx)
        np.testing.assert_allclose(scores, b_scores, rtol=1e-5)
    assert top_k_self(x[:0], 3)[0].shape == (0, 0)
