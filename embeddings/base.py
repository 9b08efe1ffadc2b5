"""The encoder protocol shared by every embedding backend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a long encode runs."""


class EncoderError(Exception):
    """An encoder could not be built or loaded.

    ``str(error)`` is an Indonesian message meant for the app's user.
    """


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors.

    Attributes:
        name: identifies the model *and* its setup (prefix, version, fitted
            vocabulary); the embedding cache keys on it, so two setups that
            give different vectors must never share a name.
        dim: length of each vector.
    """

    @property
    def name(self) -> str:
        """Model + setup identifier (the cache key)."""
        ...

    @property
    def dim(self) -> int:
        """Vector length."""
        ...

    def encode(
        self,
        texts: Sequence[str],
        *,
        progress: ProgressCallback | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        """Encode ``texts`` into a float32 ``(len(texts), dim)`` array of unit rows."""
        ...


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Return ``vectors`` as C-contiguous float32 with unit-length rows (zero rows stay zero)."""
    out = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
