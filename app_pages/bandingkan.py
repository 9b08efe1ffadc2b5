"""Bandingkan: the SOPs of a group side by side, step aligned to step, differences marked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._state import comparison_of, findings_of, group_charts, plain, view
from sopdata.export.side_by_side import CELL_FIELDS, build_side_by_side
from sopdata.findings import CATEGORY_LABEL, SEVERITY_LABEL
from sopdata.review.workspace import fingerprint

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

members_fp, spec = fingerprint(members), v.settings.encoder
comparison = comparison_of(members_fp, spec, members)
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
