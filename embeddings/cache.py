"""On-disk embedding cache keyed by encoder name and text hash.

Storage is one SQLite file in WAL mode: readers never block, concurrent
writers (two Streamlit sessions, a CLI run beside the app) are serialised by
SQLite itself, and a crashed write leaves the file consistent. Rows are
``(model, sha256(text)) -> float32 bytes``; ``model`` is the inner encoder's
``name``, which already encodes the model, prefix and version.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from embeddings.base import Encoder, ProgressCallback

DB_FILENAME = "embeddings.sqlite3"
_LOOKUP_CHUNK = 500  # stays below SQLite's bound-parameter limit
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    key   BLOB NOT NULL,
    dim   INTEGER NOT NULL,
    vec   BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID
"""


def text_key(text: str) -> bytes:
    """The 32-byte sha256 of ``text`` in UTF-8 (surrogates replaced)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class CachedEncoder:
    """Wrap an encoder so each (encoder name, text) is computed only once.

    Args:
        inner: the encoder doing the real work.
        cache_dir: folder holding ``embeddings.sqlite3`` (created if needed).
    """

    def __init__(self, inner: Encoder, cache_dir: Path) -> None:
        self.inner = inner
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.db_path = self.cache_dir / DB_FILENAME
        with closing(self._connect()) as conn, conn:
            conn.execute(_SCHEMA)

    @property
    def name(self) -> str:
        """The inner encoder's name: cached vectors are interchangeable with its output."""
        return self.inner.name

    @property
    def dim(self) -> int:
        """The inner encoder's dimension."""
        return self.inner.dim

    def _connect(self) -> sqlite3.Connection:
        # A fresh connection per call keeps the object safe to share between
        # threads (Streamlit) and processes; opening one costs ~0.1 ms.
        conn = sqlite3.connect(self.db_path, timeout=60.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def encode(
        self,
        texts: Sequence[str],
        *,
        progress: ProgressCallback | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        """Return cached vectors, computing (and storing) only the missing texts."""
        total = len(texts)
        dim = self.inner.dim
        out = np.empty((total, dim), np.float32)
        if total == 0:
            return out
        name = self.inner.name
        keys = [text_key(t) for t in texts]
        positions: dict[bytes, list[int]] = {}
        for i, key in enumerate(keys):
            positions.setdefault(key, []).append(i)

        conn = self._connect()
        try:
            found = self._lookup(conn, name, dim, list(positions))
            for key, vec in found.items():
                out[positions[key]] = vec
            missing = [key for key in positions if key not in found]
            if missing:
                miss_texts = [texts[positions[key][0]] for key in missing]
                done_before = total - sum(len(positions[k]) for k in missing)

                def forward(done: int, _total: int) -> None:
                    if progress is not None:
                        progress(min(done_before + done, total), total)

                vecs = self.inner.encode(
                    miss_texts,
                    progress=forward if progress is not None else None,
                    batch_size=batch_size,
                )
                vecs = np.ascontiguousarray(vecs, dtype=np.float32)
                if vecs.shape != (len(missing), dim):
                    raise ValueError(f"{name}: expected {(len(missing), dim)}, got {vecs.shape}")
                for key, vec in zip(missing, vecs, strict=True):
                    out[positions[key]] = vec
                with conn:  # one transaction for the whole batch
                    conn.executemany(
                        "INSERT OR IGNORE INTO vectors (model, key, dim, vec) VALUES (?, ?, ?, ?)",
                        [
                            (name, key, dim, vec.tobytes())
                            for key, vec in zip(missing, vecs, strict=True)
                        ],
                    )
        finally:
            conn.close()
        if progress is not None:
            progress(total, total)
        return out

    @staticmethod
    def _lookup(
        conn: sqlite3.Connection, name: str, dim: int, keys: list[bytes]
    ) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT key, vec FROM vectors WHERE model = ? AND dim = ? AND key IN ({marks})",
                [name, dim, *chunk],
            )
            for key, blob in rows:
                if len(blob) == 4 * dim:  # ignore anything truncated or foreign
                    found[bytes(key)] = np.frombuffer(blob, np.float32)
        return found

    def count(self) -> int:
        """Number of vectors stored for this encoder's name."""
        with closing(self._connect()) as conn:
            (n,) = conn.execute(
                "SELECT COUNT(*) FROM vectors WHERE model = ?", [self.inner.name]
            ).fetchone()
        return int(n)
