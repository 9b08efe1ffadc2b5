"""Korpus: every SOP of the bundled corpus, and one SOP as parsed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._state import bundled_corpus
from sopdata.durations import format_minutes

st.title("Korpus SOP")
sops = bundled_corpus()
st.caption(f"{len(sops)} SOP dari {len({s.source_file for s in sops})} dokumen bawaan.")

table = pd.DataFrame(
    {
        "Kantor": [s.office for s in sops],
        "Judul SOP": [s.title for s in sops],
        "Langkah": [len(s.steps) for s in sops],
        "Total waktu": [format_minutes(s.total_minutes) if s.total_minutes else "-" for s in sops],
        "Keyakinan": [s.confidence for s in sops],
        "Peringatan": [len(s.warnings) for s in sops],
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={"Keyakinan": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f")},
)

labels = [f"{s.office} — {s.title}" for s in sops]
choice = st.selectbox("Buka SOP", options=range(len(sops)), format_func=lambda i: labels[i], key="korpus_sop")
sop = sops[choice]

st.subheader(sop.title)
left, right = st.columns(2)
with left:
    st.markdown("**Identitas**")
    st.dataframe(
        pd.DataFrame(
            [
                ("Nomor SOP", sop.number),
                ("Tanggal pembuatan", sop.date_created),
                ("Tanggal revisi", sop.date_revised),
                ("Tanggal pengesahan", sop.date_approved),
                ("Tanggal efektif", sop.date_effective),
                ("Disahkan oleh", sop.approved_by),
                ("Kantor", sop.office),
                ("Kabupaten", sop.kabupaten),
            ],
            columns=["Bidang", "Isi"],
        ),
        hide_index=True,
        width="stretch",
    )
with right:
    for label, items in [
        ("Dasar Hukum", sop.legal_basis),
        ("Kualifikasi Pelaksana", sop.qualifications),
        ("Keterkaitan", sop.related_sops),
        ("Peralatan/Perlengkapan", sop.equipment),
        ("Pencatatan dan Pendataan", sop.records),
    ]:
        st.markdown(f"**{label}**")
        # st.text, never markdown: SOP text may hold markup and must show as text.
        st.text("\n".join(f"• {x}" for x in items) if items else "—")
    st.markdown("**Peringatan**")
    st.text(sop.warning or "—")

if sop.warnings:
    st.warning("Catatan pembacaan:\n\n" + "\n".join(f"- {w}" for w in sop.warnings))

steps = pd.DataFrame(
    {
        "No": [s.no for s in sop.steps],
        "Kegiatan": [s.activity for s in sop.steps],
        "Pelaksana": [", ".join(sop.canonical_actor(a) for a in s.actors) for s in sop.steps],
        "Kelengkapan": [s.requirements for s in sop.steps],
        "Waktu (tertulis)": [s.duration.raw for s in sop.steps],
        "Waktu (menit)": [s.duration.minutes for s in sop.steps],
        "Output": [s.output for s in sop.steps],
        "Keterangan": [s.note for s in sop.steps],
    }
)
st.markdown("**Langkah (Uraian Prosedur)**")
st.dataframe(steps, hide_index=True, width="stretch")
