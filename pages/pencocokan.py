"""Pencocokan: equivalent procedures across offices, with the reason for each match."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._state import corpus_matches

st.title("Pencocokan SOP antar kantor")
spec = st.session_state.get("encoder_spec", "e5")
matches, groups = corpus_matches(spec)

st.subheader(f"{len(groups)} kelompok prosedur")
for g in groups:
    st.markdown("- " + " | ".join(f"**{s.office}**: {s.title}" for s in g))

st.subheader("Usulan pasangan")
relation_label = {"equivalent": "setara", "related": "terkait", "different": "berbeda"}
st.dataframe(
    pd.DataFrame(
        {
            "Skor": [round(m.score, 3) for m in matches],
            "Relasi": [relation_label[m.relation] for m in matches],
            "SOP A": [f"{m.a.office}: {m.a.title}" for m in matches],
            "SOP B": [f"{m.b.office}: {m.b.title}" for m in matches],
            "Alasan": ["; ".join(m.reasons) for m in matches],
        }
    ),
    hide_index=True,
    width="stretch",
)
