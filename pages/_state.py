"""Streamlit caching at the UI boundary: the corpus and the encoder, loaded once."""

from __future__ import annotations

import streamlit as st

from sopdata.loaders import load_corpus
from sopdata.records import SOP


@st.cache_data(show_spinner="Membaca korpus bawaan …")
def bundled_corpus_dicts() -> list[dict]:
    return [s.to_dict() for s in load_corpus()]


def bundled_corpus() -> list[SOP]:
    from sopdata.records import sop_from_dict

    return [sop_from_dict(d) for d in bundled_corpus_dicts()]


@st.cache_resource(show_spinner="Memuat model kemiripan …")
def encoder(spec: str):  # noqa: ANN201 - an embeddings.Encoder
    from embeddings import get_encoder

    return get_encoder(spec)
