"""Coverage: which office has an SOP for which procedure.

A procedure is a group of equivalent SOPs (:class:`sopdata.review.workspace.Group`);
the offices are every office of the corpus. Each cell says whether the office
has the procedure, lacks it, or has more than one version of it (two SOPs of
one office in a group, which only a reviewer's move can make). Pure functions;
:func:`coverage_frame` and :func:`coverage_long` give the table and the chart's
data, :func:`coverage_chart` the heatmap.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import altair as alt
import pandas as pd

from sopdata.records import SOP
from sopdata.review.workspace import Group

CellState = Literal["present", "missing", "several"]
#: What a cell says, for a reader.
STATE_LABEL: dict[CellState, str] = {
    "present": "Ada",
    "missing": "Tidak ada",
    "several": "Lebih dari satu versi",
}
#: What a cell shows in the table (the state at a glance, the number of versions).
STATE_MARK: dict[CellState, str] = {"present": "✓", "missing": "—", "several": "✓✓"}


@dataclass(frozen=True)
class CoverageCell:
    """One office for one procedure: the titles of its SOPs in the group."""

    group_id: str
    office: str
    titles: tuple[str, ...]

    @property
    def state(self) -> CellState:
        if not self.titles:
            return "missing"
        return "present" if len(self.titles) == 1 else "several"


@dataclass(frozen=True)
class ProcedureRow:
    """One procedure: its group, its title, and a cell per office (in office order)."""

    group_id: str
    title: str
    cells: tuple[CoverageCell, ...]

    @property
    def missing(self) -> list[str]:
        return [c.office for c in self.cells if c.state == "missing"]

    @property
    def several(self) -> list[str]:
        return [c.office for c in self.cells if c.state == "several"]


@dataclass(frozen=True)
class Coverage:
    """Procedures × offices."""

    offices: tuple[str, ...]
    rows: tuple[ProcedureRow, ...]

    def row(self, group_id: str) -> ProcedureRow:
        """The row of a group.

        Raises:
            KeyError: no procedure has this group id.
        """
        for r in self.rows:
            if r.group_id == group_id:
                return r
        raise KeyError(group_id)


def coverage(groups: Sequence[Group], sops: Sequence[SOP]) -> Coverage:
    """The coverage of ``groups`` over every office of ``sops`` (``SOP.label``).

    Offices are ordered by how many procedures they have, most first (then by
    name); procedures keep the order of ``groups``.
    """
    offices = {s.label for s in sops} | {s.label for g in groups for s in g.sops}
    rows = []
    for group in groups:
        titles: dict[str, list[str]] = {}
        for sop in group.sops:
            titles.setdefault(sop.label, []).append(sop.title)
        cells = {o: tuple(titles.get(o, ())) for o in offices}
        rows.append((group, cells))
    held = {o: sum(1 for _, cells in rows if cells[o]) for o in offices}
    order = tuple(sorted(offices, key=lambda o: (-held[o], o)))
    return Coverage(
        offices=order,
        rows=tuple(
            ProcedureRow(
                group.id, group.title, tuple(CoverageCell(group.id, o, cells[o]) for o in order)
            )
            for group, cells in rows
        ),
    )


#: Abbreviations of office names usual in Indonesian local government, for column
#: headers (the full name stays in the tooltip).
OFFICE_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"\bSekretariat Daerah\b", "Setda"),
    (r"\bSekretariat DPRD\b", "Setwan"),
    (r"\bKecamatan\b", "Kec."),
    (r"\bKelurahan\b", "Kel."),
    (r"\bKabupaten\b", "Kab."),
    (r"\bSub ?[Bb]agian\b", "Subbag."),
    (r"\bBagian\b", "Bag."),
    (r"\bPemerintah\b", "Pem."),
)


def short_office(name: str) -> str:
    """An office's name with the usual abbreviations ("Kecamatan Jogoroto" ->
    "Kec. Jogoroto", "Sekretariat Daerah (Bagian Organisasi)" -> "Setda (Bag. Organisasi)")."""
    out = " ".join(name.split())
    for pattern, short in OFFICE_ABBREVIATIONS:
        out = re.sub(pattern, short, out)
    return out


def office_columns(cov: Coverage) -> dict[str, str]:
    """Office -> its column header: abbreviated, unless two offices would then share one."""
    short = {o: short_office(o) for o in cov.offices}
    if len(set(short.values())) < len(short) or SUMMARY_COLUMNS & set(short.values()):
        return {o: o for o in cov.offices}
    return short


#: The table's columns besides the offices.
SUMMARY_COLUMNS = frozenset({"Prosedur", "Kantor tanpa SOP"})


def coverage_frame(cov: Coverage) -> pd.DataFrame:
    """The table: a row per procedure, how many offices lack it, then a column per
    office (header: :func:`office_columns`; ✓ has it, — lacks it, ✓✓ has more than
    one version)."""
    data: dict[str, list[object]] = {
        "Prosedur": [r.title for r in cov.rows],
        "Kantor tanpa SOP": [len(r.missing) for r in cov.rows],
    }
    headers = office_columns(cov)
    for k, office in enumerate(cov.offices):
        data[headers[office]] = [STATE_MARK[r.cells[k].state] for r in cov.rows]
    return pd.DataFrame(data, columns=["Prosedur", "Kantor tanpa SOP", *headers.values()])


def short_label(text: str, width: int = 38) -> str:
    """``text`` cut to ``width`` characters with "…" (whole words where it can)."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-·") + "…"


def coverage_long(cov: Coverage, width: int = 38) -> pd.DataFrame:
    """The chart's data: one row per cell, with short unique axis labels
    ("3. Pengajuan Kenaikan …") and the full texts for the tooltip."""
    rows = []
    office_labels = _unique([wrapped(short_label(o, 3 * OFFICE_LINE)) for o in cov.offices])
    for k, r in enumerate(cov.rows, 1):
        procedure = f"{k}. {short_label(r.title, width)}"
        for cell, office_label in zip(r.cells, office_labels, strict=True):
            rows.append(
                {
                    "Prosedur": procedure,
                    "Kantor": office_label,
                    "Judul prosedur": r.title,
                    "Nama kantor": cell.office,
                    "Keadaan": STATE_LABEL[cell.state],
                    "Jumlah versi": len(cell.titles),
                    "Judul SOP": " | ".join(cell.titles) or "-",
                }
            )
    columns = [
        "Prosedur",
        "Kantor",
        "Judul prosedur",
        "Nama kantor",
        "Keadaan",
        "Jumlah versi",
        "Judul SOP",
    ]
    return pd.DataFrame(rows, columns=columns)


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


#: Colours of the states on the heatmap (missing stands out, none reads as an alarm).
_STATE_COLOURS = {"Ada": "#4c78a8", "Tidak ada": "#eeeeee", "Lebih dari satu versi": "#f58518"}
#: Width of an office's label on the heatmap, in characters per line (wrapped, never cut).
OFFICE_LINE = 16
_FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def wrapped(text: str, width: int = OFFICE_LINE) -> str:
    """``text`` broken into lines of at most ``width`` characters (a longer word
    stays whole), joined with newlines: the heatmap shows each line."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def coverage_chart(long: pd.DataFrame) -> alt.Chart:
    """The coverage heatmap of :func:`coverage_long`: procedures down, offices
    across with their names wrapped on several lines, full names in the tooltip."""
    procedures = list(dict.fromkeys(long["Prosedur"]))
    offices = list(dict.fromkeys(long["Kantor"]))
    lines = max((o.count("\n") + 1 for o in offices), default=1)
    return (
        alt.Chart(long)
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=alt.X(
                "Kantor:N",
                sort=offices,
                axis=alt.Axis(
                    labelAngle=0,
                    labelExpr="split(datum.label, '\\n')",
                    labelLimit=0,
                    labelOverlap=False,
                    labelPadding=6,
                    labelBaseline="top",
                    title=None,
                ),
            ),
            y=alt.Y("Prosedur:N", sort=procedures, axis=alt.Axis(labelLimit=320, title=None)),
            color=alt.Color(
                "Keadaan:N",
                scale=alt.Scale(domain=list(_STATE_COLOURS), range=list(_STATE_COLOURS.values())),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["Judul prosedur", "Nama kantor", "Keadaan", "Jumlah versi", "Judul SOP"],
        )
        .properties(height=max(120, 30 * len(procedures)) + 14 * lines, autosize=_FIT_WIDTH)
    )
