"""Harmonisasi: the proposed harmonised SOP of a group, its findings, every field
editable and saved as versions, and the Excel workbook for the meeting."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from app_pages._state import (
    RULES,
    comparison_of,
    findings_of,
    plain,
    reviewer,
    save_failed,
    sop_editor,
    store,
    toast_after_rerun,
    view,
    wib,
    workbook_of,
)
from sopdata.export.excel import WorkbookParts
from sopdata.findings import SEVERITY_LABEL, compliance
from sopdata.harmonise import harmonise
from sopdata.records import sop_from_dict
from sopdata.review.store import StaleWriteError, StoreError
from sopdata.review.workspace import fingerprint
from sopdata.text.durations import format_minutes

st.title("Harmonisasi SOP")
v = view()
if not v.groups:
    st.info("Belum ada kelompok prosedur. Konfirmasi pasangan di halaman Pencocokan.")
    st.stop()

group_ids = [g.id for g in v.groups]
drafts = store().latest_drafts()
labels = {
    g.id: f"{g.title} — {', '.join(g.offices)}" + (" ✎" if g.id in drafts else "") for g in v.groups
}
gid = st.selectbox(
    "Kelompok prosedur", options=group_ids, format_func=labels.__getitem__, key="harm_group"
)
group = v.groups[group_ids.index(gid)]
rule = v.settings.waktu_rule

spec, group_fp = v.settings.encoder, fingerprint(group.sops)
comparison = comparison_of(group_fp, spec, group.sops)
found = findings_of(group_fp, spec, comparison)
proposal = harmonise(comparison, rule=rule)
latest = store().latest_draft(gid)

if latest is not None and not st.session_state.get(f"fresh_{gid}"):
    draft = sop_from_dict(latest.sop_dict, v.settings.durations)
    st.info(
        f"Rancangan versi {latest.version}, disimpan oleh {plain(latest.author or 'peninjau')} pada "
        f"{wib(latest.created_at)}" + (f" — {plain(latest.note)}" if latest.note else "")
    )
    if st.button("Mulai lagi dari usulan otomatis", key=f"restart_{gid}"):
        st.session_state[f"fresh_{gid}"] = True
        st.rerun()
else:
    draft = proposal.sop
    st.info(
        f"Usulan otomatis dari {len(group.sops)} SOP (aturan Waktu: {RULES[rule].lower()}); "
        "belum disimpan. Ubah seperlunya lalu simpan."
    )

if st.session_state.pop(f"saved_{gid}", False):
    st.session_state[f"h_note_{gid}"] = ""  # a saved note is not offered again for the next version

with st.form(f"draft_{gid}"):
    edited_draft = sop_editor(draft, f"h_{gid}", f"h_steps_{gid}", v.settings.durations)
    note = st.text_input("Catatan versi (opsional)", key=f"h_note_{gid}")
    save = st.form_submit_button("Simpan rancangan", type="primary")

if save:
    draft = edited_draft
    try:
        record = store().save_draft(
            gid,
            draft.to_dict(),
            reviewer(),
            note=note,
            base_version=latest.version if latest else 0,
        )
    except StaleWriteError:
        st.error(
            "Rancangan ini baru saja disimpan di tab atau oleh peninjau lain. Muat ulang halaman untuk "
            "melihat versi terbaru; isian Anda belum disimpan."
        )
    except StoreError as exc:  # disk full, store locked: the form keeps what was typed
        save_failed(exc)
    else:
        st.session_state.pop(f"fresh_{gid}", None)
        st.session_state[f"saved_{gid}"] = True
        toast_after_rerun(f"Rancangan disimpan (versi {record.version}).")
        st.rerun()

st.caption(
    f"{len(draft.steps)} langkah · total waktu "
    f"{format_minutes(draft.total_minutes, draft.time_settings) if draft.total_minutes else '-'}"
)

slug = re.sub(r"[^A-Za-z0-9]+", "-", draft.title).strip("-").lower() or "sop"
workbook = workbook_of(
    fingerprint([draft]),
    group_fp,
    spec,
    rule,
    draft,
    WorkbookParts(comparison, found, proposal.choices),
)
st.download_button(
    "Unduh Excel (format Permenpan RB 35/2012)",
    data=workbook,
    file_name=f"harmonisasi-{slug}.xlsx",
    key="download_xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

tab_findings, tab_sources, tab_history = st.tabs(["Temuan", "Sumber pilihan", "Riwayat versi"])
with tab_findings:
    own = compliance(draft)
    st.dataframe(
        pd.DataFrame(
            {
                "Tingkat": [SEVERITY_LABEL[f.severity] for f in found.findings + own],
                "Uraian": [f.message for f in found.findings + own],
                "Kantor": [", ".join(f.offices) for f in found.findings + own],
            }
        ),
        hide_index=True,
        width="stretch",
        row_height=72,  # three lines: a long Uraian wraps instead of being cut
        column_config={
            "Tingkat": st.column_config.TextColumn(width=70),
            "Uraian": st.column_config.TextColumn(width=480),
            "Kantor": st.column_config.TextColumn(width=280),
        },
    )
with tab_sources:
    st.caption("Dari mana setiap isian usulan otomatis berasal.")
    st.dataframe(
        pd.DataFrame(
            {
                "Langkah": [c.step or "-" for c in proposal.choices],
                "Bagian": [c.field for c in proposal.choices],
                "Isi": [c.value for c in proposal.choices],
                "Sumber": [", ".join(c.sources) for c in proposal.choices],
                "Aturan": [c.rule for c in proposal.choices],
            }
        ),
        hide_index=True,
        width="stretch",
    )
with tab_history:
    history = store().draft_history(gid)
    if not history:
        st.caption("Belum ada versi tersimpan.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Versi": [h.version for h in history],
                    "Oleh": [h.author for h in history],
                    "Waktu (WIB)": [wib(h.created_at) for h in history],
                    "Catatan": [h.note for h in history],
                    "Langkah": [len(h.sop_dict.get("steps", [])) for h in history],
                }
            ),
            hide_index=True,
            width="stretch",
        )
