"""Pencocokan: procedure groups across offices, each match with its reasons; the
reviewer confirms or rejects matches and moves SOPs between groups."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._state import plain, reviewer, save_failed, similarity_chart, store, view
from sopdata.export.charts import RELATION_LABEL
from sopdata.review.store import Decision, StoreError, pair_key
from sopdata.review.workspace import NO_GROUP

st.title("Pencocokan SOP antarkantor")
v = view()
decisions = store().match_decisions()
by_key = v.by_key()

st.subheader(f"{len(v.groups)} kelompok prosedur")
st.dataframe(
    pd.DataFrame(
        {
            "Kelompok": [g.title for g in v.groups],
            "Jumlah SOP": [len(g.sops) for g in v.groups],
            "Anggota": [" | ".join(f"{s.label}: {s.title}" for s in g.sops) for g in v.groups],
            "Dipindah peninjau": [len(g.moved_in) for g in v.groups],
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("Kemiripan antar-SOP")
heatmap = similarity_chart(v.corpus_fingerprint, v.settings.encoder, v.sops, v.matches)
if heatmap is not None:
    st.altair_chart(heatmap, width="stretch")
else:
    st.info("Belum ada pasangan SOP yang mirip.")

st.subheader("Usulan pasangan")
decision_label = {"confirmed": "dikonfirmasi", "rejected": "ditolak"}
pair_labels = [f"{m.a.label}: {m.a.title}  ↔  {m.b.label}: {m.b.title}" for m in v.matches]
st.dataframe(
    pd.DataFrame(
        {
            "Skor": [round(m.score, 3) for m in v.matches],
            "Relasi": [RELATION_LABEL[m.relation] for m in v.matches],
            "SOP A": [f"{m.a.office}: {m.a.title}" for m in v.matches],
            "SOP B": [f"{m.b.office}: {m.b.title}" for m in v.matches],
            "Alasan": ["; ".join(m.reasons) for m in v.matches],
            "Keputusan": [
                decision_label.get(d.decision, "")
                if (d := decisions.get(pair_key(m.a.key, m.b.key)))
                else ""
                for m in v.matches
            ],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "Skor": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.3f")
    },
)

if v.matches:
    left, right = st.columns(2)
    with left:
        st.markdown("**Putuskan satu pasangan**")
        pick = st.selectbox(
            "Pasangan",
            options=range(len(v.matches)),
            format_func=lambda i: pair_labels[i],
            key="match_pick",
        )
        match = v.matches[pick]
        st.caption("Alasan: " + "; ".join(plain(r) for r in match.reasons))
        current = decisions.get(pair_key(match.a.key, match.b.key))
        if current is None:
            st.caption("Keputusan: belum diputuskan.")
        else:
            st.caption(
                f"Keputusan: {decision_label.get(current.decision, current.decision)} oleh "
                f"{plain(current.author or 'peninjau')} pada {current.created_at[:16].replace('T', ' ')} UTC."
            )
        b1, b2, b3 = st.columns(3)
        verdict: Decision | None | str = ""
        if b1.button("Konfirmasi setara", key="match_confirm", type="primary"):
            verdict = "confirmed"
        if b2.button("Tolak", key="match_reject"):
            verdict = "rejected"
        if b3.button("Hapus keputusan", key="match_clear"):
            verdict = None
        if verdict != "":
            try:
                store().set_match_decision(match.a.key, match.b.key, verdict, reviewer())  # type: ignore[arg-type]
            except StoreError as exc:
                save_failed(exc)
            else:
                st.rerun()
    with right:
        st.markdown("**Pindahkan SOP ke kelompok lain**")
        sop_labels = {s.key: f"{s.label}: {s.title}" for s in v.sops}
        sop_key = st.selectbox(
            "SOP", options=list(sop_labels), format_func=sop_labels.__getitem__, key="move_sop"
        )
        targets = {NO_GROUP: "— keluarkan dari kelompok —"}
        targets.update({g.id: f"{g.title} ({', '.join(g.offices)})" for g in v.groups})
        # An SOP can also be put next to any other SOP, which starts a new group.
        targets.update(
            {
                f"g:{k}": f"bersama {label}"
                for k, label in sop_labels.items()
                if k != sop_key and f"g:{k}" not in targets
            }
        )
        target = st.selectbox(
            "Ke kelompok", options=list(targets), format_func=targets.__getitem__, key="move_target"
        )
        if st.button("Pindahkan", key="move_go"):
            try:
                store().move_sop_to_group(sop_key, target, reviewer())
            except StoreError as exc:
                save_failed(exc)
            else:
                st.rerun()
        overrides = store().group_overrides()
        if overrides:
            st.caption(
                "Dipindah peninjau: "
                + "; ".join(
                    f"{plain(sop_labels.get(k, k))} → {plain(targets.get(g, g))}"
                    for k, g in overrides.items()
                )
            )
            if st.button("Kembalikan semua pemindahan", key="move_reset"):
                try:
                    for k in overrides:
                        store().move_sop_to_group(k, None, reviewer())
                except StoreError as exc:
                    save_failed(exc)
                else:
                    st.rerun()
