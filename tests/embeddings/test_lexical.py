"""TF-IDF character n-gram encoder."""

from __future__ import annotations

import numpy as np

from embeddings import TfidfEncoder


def test_deterministic_and_normalised() -> None:
    texts = ["Pengelolaan Surat Masuk", "Penandatanganan surat keluar", ""]
    a = TfidfEncoder().encode(texts)
    b = TfidfEncoder().encode(list(reversed(texts)))[::-1]
    assert a.dtype == np.float32 and a.shape == (3, 4096)
    np.testing.assert_array_equal(a, b)  # a text's vector ignores the other texts
    np.testing.assert_allclose(np.linalg.norm(a[:2], axis=1), 1.0, atol=1e-5)
    assert not a[2].any()  # empty text -> zero vector, not NaN


def test_similar_strings_are_closer() -> None:
    enc = TfidfEncoder()
    q, near, far = enc.encode(
        ["Pengelolaan Surat Keluar", "Surat Keluar", "Permohonan Cuti Pegawai"]
    )
    assert q @ near > q @ far
    assert q @ near > 0.5


def test_fit_changes_name_and_stays_deterministic() -> None:
    corpus = ["Pengelolaan Surat Masuk", "Pengelolaan Surat Keluar", "Permohonan Cuti Pegawai"]
    plain = TfidfEncoder()
    fitted = TfidfEncoder().fit(corpus)
    other = TfidfEncoder().fit(corpus[:2])
    assert fitted.fitted and not plain.fitted
    assert len({plain.name, fitted.name, other.name}) == 3
    assert fitted.name == TfidfEncoder().fit(corpus).name
    np.testing.assert_array_equal(fitted.encode(corpus), TfidfEncoder().fit(corpus).encode(corpus))


def test_projection_close_to_exact_tfidf(seed_corpus: list[str]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = seed_corpus[:300]
    exact_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    exact = exact_vec.fit_transform(texts)
    ours = TfidfEncoder().fit(texts).encode(texts)
    err = np.abs((ours @ ours.T) - (exact @ exact.T).toarray())
    assert err.mean() < 0.02
