"""Encoders, the on-disk embedding cache and similarity search.

Heavy dependencies (torch, sentence-transformers) load only when an e5 or
sentence-transformers encoder is used; this package never imports streamlit.
"""

from __future__ import annotations

from embeddings.base import Encoder, EncoderError, ProgressCallback, normalize_rows
from embeddings.cache import CachedEncoder
from embeddings.e5 import (
    E5Encoder,
    SentenceTransformerEncoder,
    default_cache_dir,
    ensure_e5_model,
)
from embeddings.factory import DEFAULT_SPEC, get_encoder
from embeddings.lexical import TfidfEncoder
from embeddings.similarity import cosine_matrix, dot_score, top_k

__all__ = [
    "DEFAULT_SPEC",
    "CachedEncoder",
    "E5Encoder",
    "Encoder",
    "EncoderError",
    "ProgressCallback",
    "SentenceTransformerEncoder",
    "TfidfEncoder",
    "cosine_matrix",
    "default_cache_dir",
    "dot_score",
    "ensure_e5_model",
    "get_encoder",
    "normalize_rows",
    "top_k",
]
