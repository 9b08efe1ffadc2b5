"""Bandingkan: the SOPs of a group side by side, step aligned to step, differences marked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._state import (
    findings_of,
    group_charts,
    plain,
    reviewer,
    save_failed,
    store,
    toast_after_rerun,
    view,
    wib,
)
from sopdata.export.side_by_side import CELL_FIELDS, build_side_by_side
from sopdata.findings import CATEGORY_LABEL, SEVERITY_LABEL
from sopdata.matching.step_links import links_among, names_one_step
from sopdata.records import Step
from sopdata.review.store import StoreError
from sopdata.text.items import activity_line


def step_choice(step: Step, width: int = 70) -> str:
    """A step as one line of a picker: its number and the start of its Kegiatan."""
    text = activity_line(step.activity)
    return f"{step.no}. {text[:width]}{'…' if len(text) > width else ''}"


st.title("Bandingkan langkah antarkantor")
v = view()
if not v.groups:
    st.info("Belum ada kelompok prosedur. Konfirmasi pasangan di halaman Pencocokan.")
    st.stop()

group_ids = [g.id for g in v.groups]
labels = {g.id: f"{g.title} — {', '.join(g.offices)}" for g in v.groups}
gid = st.selectbox(
    "Kelompok prosedur", options=group_ids, format_func=labels.__getitem__, key="group_pick"
)
group = v.groups[group_ids.index(gid)]
chosen = st.multiselect(
    "SOP yang dibandingkan",
    options=[s.key for s in group.sops],
    default=[s.key for s in group.sops],
    format_func=lambda k: next(f"{s.office}: {s.title}" for s in group.sops if s.key == k),
    key=f"members_{gid}",
)
members = [s for s in group.sops if s.key in chosen]
if len(members) < 2:
    st.warning("Pilih sedikitnya dua SOP.")
    st.stop()

spec = v.settings.encoder
members_fp, comparison = v.comparison(members)
found = findings_of(members_fp, spec, comparison)
side_by_side = build_side_by_side(comparison, found)

# Two offices fit side by side beside the sidebar at 1366 px; with more, the
# reviewer picks the two to put side by side (the alignment is of all of them),
# so no office is ever off-screen.
offices = list(side_by_side.offices)
shown = list(range(len(offices)))
if len(offices) > 2:
    st.caption(
        f"{len(offices)} kantor dibandingkan sekaligus; tabel menampilkan dua kantor "
        "berdampingan. Pilih pasangan kantor yang ingin dilihat."
    )
    pick_left, pick_right = st.columns(2)
    left_office = pick_left.selectbox(
        "Kantor kiri",
        options=range(len(offices)),
        format_func=offices.__getitem__,
        key=f"left_{gid}",
    )
    right_options = [i for i in range(len(offices)) if i != left_office]
    right_office = pick_right.selectbox(
        "Kantor kanan",
        options=right_options,
        format_func=offices.__getitem__,
        key=f"right_{gid}_{left_office}",
    )
    shown = [left_office, right_office]

columns: dict[str, list[str]] = {"Baris": []}
styles: list[dict[str, str]] = []
for line in side_by_side.rows:
    picked = [(offices[i], line.offices[i]) for i in shown]
    if not any(office_cells.present for _, office_cells in picked):
        continue  # a step neither of the two offices has
    columns["Baris"].append(line.number)
    style: dict[str, str] = {}
    for office, office_cells in picked:
        for field, cell in zip(CELL_FIELDS, office_cells.cells, strict=True):
            column = f"{office} · {field}"
            # an office's step without a Waktu shows a dash
            text = (cell.text or "—") if field == "Waktu" and office_cells.present else cell.text
            columns.setdefault(column, []).append(text)
            if cell.colour:
                style[column] = f"background-color: #{cell.colour.lower()}"
    styles.append(style)

table = pd.DataFrame(columns)
styled = table.style.apply(lambda row: [styles[row.name].get(c, "") for c in table.columns], axis=1)
# Narrow columns (50 + 2 × 420 px) and rows tall enough to wrap three lines keep
# the two offices side by side beside the sidebar at 1366 px (about 900 px).
# Headers: "<office>: langkah", then "Pelaksana" and "Waktu" of that office.
aligned_config = {"Baris": st.column_config.TextColumn(width=50, pinned=True)}
for office in (offices[i] for i in shown):
    aligned_config[f"{office} · Langkah"] = st.column_config.TextColumn(
        f"{office}: langkah", width=220
    )
    aligned_config[f"{office} · Pelaksana"] = st.column_config.TextColumn(
        "Pelaksana", width=120, help=plain(office)
    )
    aligned_config[f"{office} · Waktu"] = st.column_config.TextColumn(
        "Waktu", width=80, help=plain(office)
    )
row_height = 72
st.caption(
    "Kuning: berbeda antarkantor · merah muda: jauh berbeda · abu-abu: langkah tidak ada · "
    "biru: dilakukan pada urutan berbeda."
)
st.dataframe(
    styled,
    hide_index=True,
    width="stretch",
    row_height=row_height,
    column_config=aligned_config,
    height=min(760, 38 + row_height * len(table)),
)

pivot = comparison.pivot
others = [m for m in range(len(offices)) if m != pivot]
with st.expander("Koreksi padanan langkah", expanded=bool(comparison.edits)):
    st.caption(
        f"Baris tabel mengikuti langkah {plain(offices[pivot])}. Bila mesin melewatkan atau "
        "salah memadankan langkah (misalnya teks hasil pindaian yang rusak), tetapkan di sini. "
        "«Padankan» memasangkan kedua langkah dan melepas pasangan mesin lain dari keduanya "
        "(untuk langkah yang digabung, padankan setiap pasangannya); «Bukan padanan» "
        "memisahkan keduanya. Koreksi disimpan dan dipakai di Bandingkan, temuan, "
        "Harmonisasi dan ekspor."
    )
    shown_other = [m for m in shown if m != pivot]
    member = st.selectbox(
        "Kantor yang dikoreksi",
        options=others,
        index=others.index(shown_other[0]) if shown_other else 0,
        format_func=offices.__getitem__,
        key=f"fix_member_{gid}",
    )
    left_step, right_step = st.columns(2)
    pivot_steps = comparison.sops[pivot].steps
    member_steps = comparison.sops[member].steps
    a = left_step.selectbox(
        f"Langkah {plain(offices[pivot])}",
        options=range(len(pivot_steps)),
        format_func=lambda i: step_choice(pivot_steps[i]),
        key=f"fix_a_{gid}",
    )
    b = right_step.selectbox(
        f"Langkah {plain(offices[member])}",
        options=range(len(member_steps)),
        format_func=lambda j: step_choice(member_steps[j]),
        key=f"fix_b_{gid}_{member}",
    )
    link_col, apart_col, _ = st.columns([1, 1, 2])
    verdict: bool | None = None
    if link_col.button("Padankan", key=f"fix_link_{gid}", type="primary"):
        verdict = True
    if apart_col.button("Bukan padanan", key=f"fix_apart_{gid}"):
        verdict = False
    if verdict is not None and pivot_steps and member_steps:
        pivot_sop, member_sop = comparison.sops[pivot], comparison.sops[member]
        chosen_steps = ((pivot_sop, pivot_steps[a]), (member_sop, member_steps[b]))
        unclear = [
            f"{sop.label} langkah {step.no}"
            for sop, step in chosen_steps
            if not names_one_step(sop, step)
        ]
        said = (
            f"langkah {pivot_steps[a].no} {offices[pivot]} "
            f"{'=' if verdict else '≠'} langkah {member_steps[b].no} {offices[member]}"
        )
        if unclear:
            st.error(
                "Koreksi tidak disimpan: nomor langkah ganda atau kosong ("
                + plain("; ".join(unclear))
                + "). Perbaiki penomoran langkah di halaman Korpus, lalu padankan lagi."
            )
        else:
            try:
                store().set_step_link(
                    pivot_sop.key,
                    pivot_steps[a].no,
                    member_sop.key,
                    member_steps[b].no,
                    verdict,
                    reviewer(),
                )
            except StoreError as exc:
                save_failed(exc)
            else:
                toast_after_rerun(f"Koreksi padanan disimpan: {plain(said)}.", long=True)
                st.rerun()
    saved = links_among(v.step_links, members)
    if saved:
        st.markdown("**Koreksi yang tersimpan**")
    by_key = {s.key: s for s in members}
    for n, link in enumerate(saved):
        said_col, undo = st.columns([5, 1])
        sop_a, sop_b = by_key[link.key_a], by_key[link.key_b]
        said_col.markdown(
            f"{'✔' if link.linked else '✘'} langkah {plain(link.step_a)} {plain(sop_a.label)} "
            f"{'=' if link.linked else 'bukan padanan'} langkah {plain(link.step_b)} "
            f"{plain(sop_b.label)} — {plain(link.author or 'peninjau')}, {wib(link.created_at)}"
        )
        if undo.button("Batalkan", key=f"fix_undo_{gid}_{n}"):
            try:
                store().set_step_link(
                    link.key_a, link.step_a, link.key_b, link.step_b, None, reviewer()
                )
            except StoreError as exc:
                save_failed(exc)
            else:
                toast_after_rerun("Koreksi padanan dibatalkan: kembali ke padanan mesin.")
                st.rerun()

timing, totals = group_charts(members_fp, spec, comparison, found)
left, right = st.columns([3, 2])
with left:
    st.subheader("Waktu per langkah")
    if timing is not None:
        st.altair_chart(timing, width="stretch")
    else:
        st.info("Tidak ada Waktu yang terbaca untuk dibandingkan.")
with right:
    st.subheader("Total waktu")
    st.altair_chart(totals, width="stretch")

st.subheader(f"Temuan ({len(found.findings)})")
# One wrapped line per finding, never a table cell: every description is read in full.
with st.container(border=True, key="findings"):
    if not found.findings:
        st.markdown("Tidak ada perbedaan yang perlu diputuskan.")
    for n, f in enumerate(found.findings):
        with st.container(key=f"finding_{n}"):
            steps = f" — langkah: {plain('; '.join(f.steps))}" if f.steps else ""
            st.markdown(
                f"**{SEVERITY_LABEL[f.severity].capitalize()}** · "
                f"{CATEGORY_LABEL.get(f.category, f.category)}: {plain(f.message)}{steps}"
            )
