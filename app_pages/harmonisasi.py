"""Harmonisasi: the proposed harmonised SOP of a group, its findings, every field
editable and saved as versions, and the Excel workbook for the meeting.

The draft is the consensus of the group (``sopdata.harmonise``); the steps only
some offices have are offered as checkboxes ("Langkah opsional"): a kept one is
inserted at its aligned position, and the choice is saved with the draft (the
saved SOP dict's ``optional_kept``: the aligned rows kept). Text that is hard
to read (``sopdata.text.readability``) carries its score and a warning."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from app_pages._state import (
    RULES,
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
from sopdata.export.excel import WorkbookParts, procedure_actors
from sopdata.export.flowchart import flowchart_svg
from sopdata.export.word import export_docx
from sopdata.findings import CATEGORY_LABEL, SEVERITY_LABEL, compliance
from sopdata.harmonise import harmonise, set_optional
from sopdata.records import sop_from_dict
from sopdata.review.store import StaleWriteError, StoreError
from sopdata.review.workspace import fingerprint
from sopdata.text.durations import format_minutes
from sopdata.text.readability import READABLE_THRESHOLD, readability_score

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

spec = v.settings.encoder
group_fp, comparison = v.comparison(group.sops)
found = findings_of(group_fp, spec, comparison, rule)
proposal = harmonise(comparison, rule=rule, authority=v.settings.authority)
latest = store().latest_draft(gid)
fresh = latest is None or bool(st.session_state.get(f"fresh_{gid}"))

if not fresh and latest is not None:
    base = sop_from_dict(latest.sop_dict, v.settings.durations)
    st.info(
        f"Rancangan versi {latest.version}, disimpan oleh {plain(latest.author or 'peninjau')} pada "
        f"{wib(latest.created_at)}" + (f" — {plain(latest.note)}" if latest.note else "")
    )
    if st.button("Mulai lagi dari usulan otomatis", key=f"restart_{gid}"):
        st.session_state[f"fresh_{gid}"] = True
        for o in proposal.optional:
            st.session_state.pop(f"opt_{gid}_{o.row}", None)
        st.rerun()
else:
    base = proposal.sop
    st.info(
        f"Usulan otomatis dari {len(group.sops)} SOP (aturan Waktu: {RULES[rule].lower()}): "
        f"{len(proposal.sop.steps)} langkah yang ada di sebagian besar kantor; belum disimpan. "
        "Ubah seperlunya lalu simpan."
    )
for note in proposal.sop.warnings[1:]:
    if "Instansi penyelaras" in note:
        st.caption(plain(note))

# Steps only some offices have: the reviewer keeps or drops each one.
kept: list[int] = []
if proposal.optional:
    saved_kept = latest.sop_dict.get("optional_kept") if latest is not None and not fresh else None
    in_base = {" ".join(s.activity.split()) for s in base.steps}
    st.markdown(
        "**Langkah opsional** — hanya ada di sebagian kantor; centang untuk memakainya di "
        "rancangan (disisipkan pada urutannya)."
    )
    for o in proposal.optional:
        key = f"opt_{gid}_{o.row}"
        if key not in st.session_state:
            st.session_state[key] = (
                o.row in saved_kept
                if isinstance(saved_kept, list)
                else (not fresh and " ".join(o.step.activity.split()) in in_base)
            )
        score = readability_score(o.step.activity)
        warn = f" · ⚠ teks tidak terbaca ({score:.2f}), periksa sumber" if not o.readable else ""
        text = o.label if len(o.label) <= 110 else o.label[:109] + "…"
        if st.checkbox(f"{plain(text)} — {plain(', '.join(o.offices))}{warn}", key=key):
            kept.append(o.row)
draft = set_optional(base, proposal, kept)
# The step editor's pending edits refer to rows of the table it was given: a step
# kept or dropped makes a new table.
shape = (gid, tuple(s.activity for s in draft.steps))
if st.session_state.get(f"h_shape_{gid}") not in (None, shape):
    st.session_state.pop(f"h_steps_{gid}", None)
st.session_state[f"h_shape_{gid}"] = shape

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
            {**draft.to_dict(), "optional_kept": kept},
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
unreadable = [
    (s.no, score)
    for s in draft.steps
    if (score := readability_score(s.activity)) < READABLE_THRESHOLD
]
if unreadable:
    st.warning(
        "⚠ Teks tidak terbaca, periksa sumber: "
        + ", ".join(f"langkah {plain(no)} (keterbacaan {score:.2f})" for no, score in unreadable)
    )

choices = proposal.choices + [
    c for o in proposal.optional if o.row in kept for c in o.choices
]  # the kept optional steps' sources too
slug = re.sub(r"[^A-Za-z0-9]+", "-", draft.title).strip("-").lower() or "sop"
workbook = workbook_of(
    fingerprint([draft]),
    group_fp,
    spec,
    f"{rule}|{v.settings.authority}|{sorted(kept)}",
    draft,
    WorkbookParts(comparison, found, choices),
)
st.download_button(
    "Unduh Excel (format Permenpan RB 35/2012)",
    data=workbook,
    file_name=f"harmonisasi-{slug}.xlsx",
    key="download_xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
st.download_button(
    "Unduh Word (.docx)",
    data=export_docx(draft),
    file_name=f"harmonisasi-{slug}.docx",
    key="download_docx",
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
with st.expander("Bagan alir"):
    st.image(flowchart_svg(draft.steps, procedure_actors(draft)))

tab_findings, tab_sources, tab_history = st.tabs(["Temuan", "Sumber pilihan", "Riwayat versi"])
with tab_findings:
    rows = found.findings + compliance(draft)
    st.caption(
        "Urut menurut tingkat, lalu jumlah kantor yang terkait; kolom Usulan: isi rancangan "
        "untuk temuan itu."
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Tingkat": [SEVERITY_LABEL[f.severity] for f in rows],
                "Kategori": [CATEGORY_LABEL.get(f.category, f.category) for f in rows],
                "Uraian": [f.message for f in rows],
                "Kantor": [", ".join(f.offices) for f in rows],
                "Langkah": [", ".join(f.steps) for f in rows],
                "Usulan": [f.proposed for f in rows],
            }
        ),
        hide_index=True,
        width="stretch",
        row_height=72,  # three lines: a long Uraian wraps instead of being cut
        column_config={
            # together about 870 px: the table fits the page at 1366 px, long text wraps
            "Tingkat": st.column_config.TextColumn(width=60),
            "Kategori": st.column_config.TextColumn(width=100),
            "Uraian": st.column_config.TextColumn(width=320),
            "Kantor": st.column_config.TextColumn(width=140),
            "Langkah": st.column_config.TextColumn(width=70),
            "Usulan": st.column_config.TextColumn(width=180),
        },
    )
with tab_sources:
    st.caption(
        "Dari mana setiap isian usulan otomatis berasal. Keterbacaan 0–1: di bawah "
        f"{READABLE_THRESHOLD:.2f} teks tidak terbaca (⚠), periksa dokumen sumbernya."
    )
    scores = [readability_score(c.value) for c in choices]
    st.dataframe(
        pd.DataFrame(
            {
                "Langkah": [c.step or "-" for c in choices],
                "Bagian": [c.field for c in choices],
                "Isi": [c.value for c in choices],
                "Keterbacaan": [f"{'⚠ ' if x < READABLE_THRESHOLD else ''}{x:.2f}" for x in scores],
                "Sumber": [", ".join(c.sources) for c in choices],
                "Aturan": [c.rule for c in choices],
            }
        ),
        hide_index=True,
        width="stretch",
        row_height=72,  # three lines: a long Isi wraps instead of widening the table
        column_config={
            "Langkah": st.column_config.TextColumn(width=60),
            "Bagian": st.column_config.TextColumn(width=90),
            "Isi": st.column_config.TextColumn(width=380),
            "Keterbacaan": st.column_config.TextColumn(width=90),
            "Sumber": st.column_config.TextColumn(width=140),
            "Aturan": st.column_config.TextColumn(width=120),
        },
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
