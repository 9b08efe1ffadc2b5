"""The side-by-side table of a compared group, built once for the page and the workbook.

One row per aligned step (``matching.compare``), and for each office three
cells: its step(s) as "<no>. <Kegiatan>" (a Kegiatan that lists acts one a
line keeps them apart with "; "), its Pelaksana and its Waktu. Each
cell carries its status, and a marked status its colour:

* ``missing`` (grey): the office lacks the step;
* ``differs`` (yellow): the Pelaksana differ between offices (an actor finding
  on the row), or the Waktu do (the row's Waktu spread);
* ``outlier`` (salmon): this office's Waktu is far from the others';
* ``order`` (blue): the office does the step at another point of the
  procedure; its step cell says where ("urutan berbeda: langkah 5 di ...");
* ``same``: nothing to mark.

A step merged with its neighbour (one office's step is two of the pivot's, or
the reverse) keeps its row and says so in its step cell ("digabung").

The Bandingkan page renders the table as a styled data frame, the workbook as
its Perbandingan sheet; both read the same cells, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sopdata.findings import GroupFindings
from sopdata.matching.compare import GroupComparison
from sopdata.text.items import activity_line

CellStatus = Literal["same", "differs", "outlier", "missing", "order"]

#: Fill colour (RGB hex, no "#") of each marked status.
STATUS_COLOUR: dict[str, str] = {
    "differs": "FFF2CC",  # yellow: differs from the other offices
    "outlier": "F8CBAD",  # salmon: far from the other offices
    "missing": "E7E6E6",  # grey: the office lacks the step
    "order": "DDEBF7",  # blue: the office does the step at another point
}
#: The step cell of an office that lacks the step.
MISSING_TEXT = "— tidak ada —"
#: The three cells of an office in a row.
CELL_FIELDS = ("Langkah", "Pelaksana", "Waktu")


@dataclass(frozen=True)
class Cell:
    """One cell: its text and what the reader should notice about it."""

    text: str
    status: CellStatus = "same"

    @property
    def colour(self) -> str | None:
        """The fill of the cell's status (RGB hex), None when unmarked."""
        return STATUS_COLOUR.get(self.status)


@dataclass(frozen=True)
class OfficeCells:
    """One office's cells in one row: Langkah, Pelaksana, Waktu."""

    step: Cell
    actors: Cell
    waktu: Cell

    @property
    def present(self) -> bool:
        return self.step.status != "missing"

    @property
    def cells(self) -> tuple[Cell, Cell, Cell]:
        return (self.step, self.actors, self.waktu)


@dataclass(frozen=True)
class SideBySideRow:
    """One aligned step across the offices, with the findings on it."""

    number: str
    offices: tuple[OfficeCells, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SideBySide:
    """The whole table: the offices (columns) and the aligned rows."""

    title: str
    offices: tuple[str, ...]
    sop_titles: tuple[str, ...]
    rows: tuple[SideBySideRow, ...]


def build_side_by_side(
    comparison: GroupComparison, findings: GroupFindings | None = None
) -> SideBySide:
    """The side-by-side table of a compared group; without findings nothing is marked
    but missing steps."""
    notes: dict[int, list[str]] = {}
    outliers: dict[int, set[int]] = {}
    differs: set[int] = set()
    actor_rows: set[int] = set()
    if findings is not None:
        for f in findings.findings:
            if f.row is not None:
                notes.setdefault(f.row, []).append(f.message)
                if f.category == "actor":
                    actor_rows.add(f.row)
        for t in findings.timing:
            if t.row is not None:
                outliers[t.row] = {t.values[i].member for i in t.outliers}
                if t.differs:
                    differs.add(t.row)
    rows = []
    for r, aligned in enumerate(comparison.rows):
        cells = []
        for m, sop in enumerate(comparison.sops):
            steps = comparison.steps(aligned, m)
            if not steps:
                cells.append(
                    OfficeCells(
                        Cell(MISSING_TEXT, "missing"), Cell("", "missing"), Cell("", "missing")
                    )
                )
                continue
            text = "\n".join(f"{s.no}. {activity_line(s.activity)}" for s in steps)
            marker = comparison.marker(aligned, m)
            if marker:
                text += f"\n[{marker}]"
            step_status: CellStatus = "order" if aligned.kind(m) == "urutan berbeda" else "same"
            actors = ", ".join(
                dict.fromkeys(sop.canonical_actor(a) for s in steps for a in s.actors)
            )
            waktu = " + ".join(s.duration.raw.strip() for s in steps if s.duration.raw.strip())
            time_status: CellStatus = (
                "outlier"
                if m in outliers.get(r, set())
                else ("differs" if r in differs else "same")
            )
            cells.append(
                OfficeCells(
                    Cell(text, step_status),
                    Cell(actors, "differs" if r in actor_rows else "same"),
                    Cell(waktu, time_status),
                )
            )
        rows.append(SideBySideRow(str(r + 1), tuple(cells), tuple(notes.get(r, ()))))
    title = comparison.sops[comparison.pivot].title if comparison.sops else ""
    return SideBySide(
        title, tuple(comparison.offices), tuple(s.title for s in comparison.sops), tuple(rows)
    )
