"""Pencocokan: procedure groups across offices, each match with its reasons; the
reviewer confirms or rejects matches and moves SOPs between groups."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._state import (
    plain,
    reviewer,
    save_failed,
    similarity_chart,
    store,
    toast_after_rerun,
    view,
    wib,
)
from sopdata.export.charts import RELATION_LABEL
from sopdata.review.store import Decision, StoreError, pair_key
from sopdata.review.workspace import NO_GROUP

st.title("Pencocokan SOP antarkantor")
v = view()
decisions = store().match_decisions()
by_key = v.by_key()

#: Session-state key of the SOP keys the reviewer's last action touched: their
#: group is marked in the list so the change shows at once.
CHANGED_KEY = "pencocokan_changed"
changed = set(st.session_state.pop(CHANGED_KEY, ()))

st.subheader(f"{len(v.groups)} kelompok prosedur")
st.caption(
    "Setiap kelompok berisi SOP yang setara dari kantor yang berbeda; anggotanya ditulis "
    "lengkap. Kelompok yang baru berubah ditandai hijau."
)
with st.container(border=True, key="group_list"):
    if not v.groups:
        st.markdown("Belum ada kelompok: konfirmasi pasangan di bawah.")
    for n, g in enumerate(v.groups, start=1):
        head = f"{n}. {plain(g.title)} ({len(g.sops)} SOP"
        head += f", {len(g.moved_in)} dipindah peninjau)" if g.moved_in else ")"
        head = f"**{head}**"
        if changed & {s.key for s in g.sops}:
            head = f":green-background[{head} — baru berubah]"
        members = "\n".join(f"- {plain(s.label)}: {plain(s.title)}" for s in g.sops)
        st.markdown(f"{head}\n{members}")

st.subheader("Kemiripan antar-SOP")
heatmap = similarity_chart(v.corpus_fingerprint, v.settings.encoder, v.sops, v.matches)
if heatmap is not None:
    st.altair_chart(heatmap, width="stretch")
else:
    st.info("Belum ada pasangan SOP yang mirip.")

st.subheader("Usulan pasangan")
decision_label = {"confirmed": "dikonfirmasi", "rejected": "ditolak"}
pair_labels = [f"{m.a.label}: {m.a.title}  ↔  {m.b.label}: {m.b.title}" for m in v.matches]
st.caption(
    "Keputusan tampil di kolom pertama; Alasan ditulis lengkap (baris dapat dilebarkan, dan "
    "alasan pasangan yang dipilih ada di bawah tabel)."
)
st.dataframe(
    pd.DataFrame(
        {
            "Keputusan": [
                decision_label.get(d.decision, "")
                if (d := decisions.get(pair_key(m.a.key, m.b.key)))
                else "belum"
                for m in v.matches
            ],
            "Skor": [round(m.score, 3) for m in v.matches],
            "Relasi": [RELATION_LABEL[m.relation] for m in v.matches],
            "SOP A": [f"{m.a.office}: {m.a.title}" for m in v.matches],
            "SOP B": [f"{m.b.office}: {m.b.title}" for m in v.matches],
            "Alasan": ["; ".join(m.reasons) for m in v.matches],
        }
    ),
    hide_index=True,
    width="stretch",
    # Rows of four lines: the SOPs' names and the reasons wrap instead of
    # running off to the right; the whole table fits beside the sidebar at 1366 px.
    row_height=88,
    column_config={
        "Keputusan": st.column_config.TextColumn(width=95, pinned=True),
        "Skor": st.column_config.ProgressColumn(
            min_value=0.0, max_value=1.0, format="%.2f", width=80, color="blue"
        ),
        "Relasi": st.column_config.TextColumn(width=65),
        "SOP A": st.column_config.TextColumn(width=165),
        "SOP B": st.column_config.TextColumn(width=165),
        "Alasan": st.column_config.TextColumn(width=300),
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
        st.markdown("Alasan: " + "; ".join(plain(r) for r in match.reasons))
        current = decisions.get(pair_key(match.a.key, match.b.key))
        if current is None:
            st.caption("Keputusan: belum diputuskan.")
        else:
            st.caption(
                f"Keputusan: {decision_label.get(current.decision, current.decision)} oleh "
                f"{plain(current.author or 'peninjau')} pada {wib(current.created_at)}."
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
                said = {
                    "confirmed": "dikonfirmasi setara",
                    "rejected": "ditolak",
                    None: "dihapus keputusannya",
                }[verdict]
                toast_after_rerun(f"Pasangan {said}: {plain(pair_labels[pick])}.", long=True)
                st.session_state[CHANGED_KEY] = [match.a.key, match.b.key]
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
                toast_after_rerun(
                    f"{plain(sop_labels[sop_key])} dipindahkan: {plain(targets[target])}.",
                    long=True,
                )
                st.session_state[CHANGED_KEY] = [sop_key]
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
                    toast_after_rerun("Semua pemindahan dikembalikan.")
                    st.session_state[CHANGED_KEY] = list(overrides)
                    st.rerun()
