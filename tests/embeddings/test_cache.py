"""The on-disk vector cache (real TF-IDF encoder inside, calls counted)."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from embeddings import CachedEncoder, Encoder, EncoderError, TfidfEncoder, get_encoder
from embeddings.base import ProgressCallback
from embeddings.cache import DB_FILENAME

TEXTS = [
    "Pengelolaan Surat Masuk",
    "Penandatanganan surat keluar",
    "Menyampaikan draf surat ke Pengadministrasi Umum.",
    "Permohonan Cuti Pegawai",
]


class CountingEncoder:
    """Delegates to a real encoder and records what it was asked to encode."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.calls: list[list[str]] = []

    def encode(
        self,
        texts: Sequence[str],
        *,
        progress: ProgressCallback | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.encode(texts, progress=progress, batch_size=batch_size)


def test_second_run_computes_nothing(tmp_path: Path) -> None:
    counting = CountingEncoder(TfidfEncoder())
    cached = CachedEncoder(counting, tmp_path)
    first = cached.encode(TEXTS + TEXTS[:1])  # duplicate encoded once
    assert counting.calls == [TEXTS]
    again = CachedEncoder(counting, tmp_path).encode(TEXTS)
    assert len(counting.calls) == 1
    np.testing.assert_array_equal(first[:4], again)
    np.testing.assert_array_equal(first[4], first[0])
    partial = cached.encode(["Surat Keluar", TEXTS[2]])
    assert counting.calls[-1] == ["Surat Keluar"]
    np.testing.assert_array_equal(partial[1], first[2])
    assert cached.count() == 5
    assert cached.encode([]).shape == (0, cached.dim)


def test_progress_is_forwarded(tmp_path: Path) -> None:
    cached = CachedEncoder(TfidfEncoder(), tmp_path)
    cached.encode(TEXTS[:2])
    seen: list[tuple[int, int]] = []
    cached.encode(TEXTS, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4, 4)
    assert all(t == 4 and 0 <= d <= 4 for d, t in seen)


def test_names_do_not_collide(tmp_path: Path) -> None:
    plain = CountingEncoder(TfidfEncoder())
    small = CountingEncoder(TfidfEncoder(dim=256))
    fitted = CountingEncoder(TfidfEncoder().fit(TEXTS))
    for enc in (plain, small, fitted):
        out = CachedEncoder(enc, tmp_path).encode(TEXTS)
        assert len(enc.calls) == 1
        np.testing.assert_array_equal(out, enc.inner.encode(TEXTS))


def _worker(cache_dir: str, texts: list[str], rounds: int) -> None:
    cached = CachedEncoder(TfidfEncoder(), Path(cache_dir))
    for r in range(rounds):
        cached.encode([f"{t} {r}" for t in texts])


def test_concurrent_writers_leave_consistent_cache(tmp_path: Path) -> None:
    texts = [f"Langkah {i}: memeriksa berkas permohonan" for i in range(60)]
    ctx = mp.get_context("spawn")  # no fork of a process holding SQLite handles
    procs = [
        ctx.Process(target=_worker, args=(str(tmp_path), texts[i * 20 : i * 20 + 40], 5))
        for i in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    expected = [f"{t} {r}" for r in range(5) for t in texts[:60]]
    counting = CountingEncoder(TfidfEncoder())
    cached = CachedEncoder(counting, tmp_path)
    got = cached.encode(expected)
    assert counting.calls == []  # both workers' rows are all there
    np.testing.assert_allclose(got, TfidfEncoder().encode(expected), atol=1e-6)
    with sqlite3.connect(tmp_path / DB_FILENAME) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_get_encoder_specs(tmp_path: Path) -> None:
    enc = get_encoder("tfidf", cache_dir=tmp_path)
    assert isinstance(enc, CachedEncoder) and enc.name.startswith("tfidf")
    assert enc.encode(TEXTS).shape == (4, enc.dim)
    with pytest.raises(EncoderError, match="tidak dikenal"):
        get_encoder("word2vec", cache_dir=tmp_path)
    with pytest.raises(EncoderError, match="tidak dapat dimuat"):
        get_encoder(f"st:{tmp_path / 'missing'}", cache_dir=tmp_path)
