"""Streamlit caching at the UI boundary: corpus, encoder and matches, computed once."""

from __future__ import annotations

import streamlit as st

from sopdata.loaders import load_corpus
from sopdata.matching import PairMatch, match_corpus
from sopdata.records import SOP


@st.cache_data(show_spinner="Membaca korpus bawaan …")
def bundled_corpus() -> list[SOP]:
    return load_corpus()


@st.cache_resource(show_spinner="Memuat model kemiripan …")
def encoder(spec: str):  # noqa: ANN201 - an embeddings.Encoder
    from embeddings import get_encoder

    return get_encoder(spec)


@st.cache_data(show_spinner="Menghitung kemiripan antar SOP …")
def corpus_matches(spec: str) -> tuple[list[PairMatch], list[list[SOP]]]:
    """Pairs and groups of the bundled corpus; a page switch reuses them."""
    return match_corpus(bundled_corpus(), encoder(spec))
