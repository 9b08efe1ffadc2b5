"""Bandingkan: the SOPs of a group side by side, step aligned to step, differences marked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._state import comparison_of, findings_of, group_charts, plain, view
from sopdata.export.side_by_side import CELL_FIELDS, build_side_by_side
from sopdata.findings import SEVERITY_LABEL
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

columns: dict[str, list[str]] = {"Baris": []}
styles: list[dict[str, str]] = []
for line in side_by_side.rows:
    columns["Baris"].append(line.number)
    style: dict[str, str] = {}
    for office, office_cells in zip(side_by_side.offices, line.offices, strict=True):
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
# Narrow columns and rows tall enough to wrap three lines keep two offices side by
# side on one screen; more offices scroll sideways with "Baris" pinned.
# Headers: "<office>: langkah", then "Pelaksana" and "Waktu" of that office.
aligned_config = {"Baris": st.column_config.TextColumn(width=50, pinned=True)}
for office in comparison.offices:
    aligned_config[f"{office} · Langkah"] = st.column_config.TextColumn(
        f"{office}: langkah", width=240
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
st.dataframe(
    pd.DataFrame(
        {
            "Tingkat": [SEVERITY_LABEL[f.severity] for f in found.findings],
            "Uraian": [f.message for f in found.findings],
            "Langkah": ["; ".join(f.steps) for f in found.findings],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "Tingkat": st.column_config.TextColumn(width=70),
        "Uraian": st.column_config.TextColumn(width=560),
    },
)
