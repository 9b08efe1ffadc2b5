"""Encoders, the on-disk embedding cache and similarity search.

Heavy dependencies (torch, sentence-transformers, onnxruntime) load only when an
e5 or sentence-transformers encoder is used; this package never imports streamlit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from embeddings.base import Encoder, EncoderError, ProgressCallback, normalize_rows
from embeddings.cache import CachedEncoder
from embeddings.e5 import (
    E5Encoder,
    SentenceTransformerEncoder,
    default_cache_dir,
    ensure_e5_model,
)
from embeddings.factory import DEFAULT_SPEC, get_encoder
from embeddings.onnx_e5 import OnnxE5Encoder, ensure_onnx_model
from embeddings.prepare import ModelPreparation, choose_backend, e5_encoder, prepare_model
from embeddings.similarity import cosine_matrix, dot_score, top_k

if TYPE_CHECKING:
    from embeddings.lexical import TfidfEncoder


def __getattr__(name: str) -> Any:
    # TF-IDF imports scikit-learn (1-2 s): only when it is asked for, so that
    # loading the e5 model does not pay for it.
    if name == "TfidfEncoder":
        from embeddings.lexical import TfidfEncoder

        return TfidfEncoder
    raise AttributeError(f"module 'embeddings' has no attribute {name!r}")


__all__ = [
    "DEFAULT_SPEC",
    "CachedEncoder",
    "E5Encoder",
    "Encoder",
    "EncoderError",
    "ModelPreparation",
    "OnnxE5Encoder",
    "ProgressCallback",
    "SentenceTransformerEncoder",
    "TfidfEncoder",
    "choose_backend",
    "cosine_matrix",
    "default_cache_dir",
    "dot_score",
    "e5_encoder",
    "ensure_e5_model",
    "ensure_onnx_model",
    "get_encoder",
    "normalize_rows",
    "prepare_model",
    "top_k",
]
