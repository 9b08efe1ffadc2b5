"""SOP Harmoni: the entry point only routes and holds the shared sidebar state."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="SOP Harmoni", page_icon="📑", layout="wide")

pages = [
    st.Page("pages/korpus.py", title="Korpus", icon="📚", default=True),
    st.Page("pages/pencocokan.py", title="Pencocokan", icon="🔗"),
]

with st.sidebar:
    st.markdown("### SOP Harmoni")
    st.caption("Penyelarasan SOP Administrasi Pemerintahan antar kantor (Permenpan RB 35/2012).")
    # Only the model the match thresholds were calibrated for (sopdata/data/match_thresholds.json).
    st.selectbox(
        "Model kemiripan",
        options=["e5"],
        format_func=lambda x: {"e5": "multilingual-e5-small (semantik)"}[x],
        key="encoder_spec",
    )

st.navigation(pages).run()
