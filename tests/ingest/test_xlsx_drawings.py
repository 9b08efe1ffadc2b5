"""Flowchart symbols drawn over an Excel sheet (shapes anchored to cells).

Excel keeps a drawn flowchart in the sheet's drawing part, not in its cells:
each shape is anchored to the cell it sits in. The reader gives a shape drawn
inside one Pelaksana cell that cell's mark; connectors, pictures and shapes
drawn across cells give none.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from sopdata.ingest.loaders import load_bytes, load_path
from sopdata.ingest.xlsx import drawing_marks
from tests.support.paths import CORPUS_DIR, TEST_DATA
from tests.support.sopfiles import xlsx_from_dump, xlsx_with_drawing

PRESETS = {"▭": "flowChartProcess", "□": "rect", "◇": "flowChartDecision", "⬭": "ellipse"}


def _drawn_instead_of_typed(text: str) -> tuple[str, list[tuple[int, int, str, str]]]:
    """The dump with its typed flowchart marks taken out of the cells and the
    shapes they stand for, (row, column, preset, label), to draw over the sheet."""
    shapes = []
    lines = []
    for r, line in enumerate(text.splitlines()):
        cells = line.split("\t")
        for c, cell in enumerate(cells):
            if c >= 2 and cell.strip() in PRESETS:
                shapes.append((r, c, PRESETS[cell.strip()], ""))
                cells[c] = ""
        lines.append("\t".join(cells))
    return "\n".join(lines), shapes


def _actors(sops):
    return [[(s.no, s.actors, s.is_decision) for s in sop.steps] for sop in sops]


def test_symbols_drawn_over_a_sheet_name_the_pelaksana_as_typed_ones_do():
    """The Setda book's Word tables as one worksheet, once with its marks typed in
    the cells and once with them drawn over the sheet."""
    text = (CORPUS_DIR / "setda-bagian-organisasi-sop.txt").read_text(encoding="utf-8")
    bare, shapes = _drawn_instead_of_typed(text)
    assert len(shapes) >= 100
    typed = load_bytes(xlsx_from_dump(text), "setda.xlsx").sops
    drawn = load_bytes(xlsx_with_drawing(xlsx_from_dump(bare), shapes), "setda.xlsx").sops
    undrawn = load_bytes(xlsx_from_dump(bare), "setda.xlsx").sops
    assert _actors(drawn) == _actors(typed)
    assert _actors(undrawn) != _actors(typed)  # without the drawing the marks are gone


def test_a_decision_drawn_with_its_branch_label_reads_both():
    text = (CORPUS_DIR / "lumajang-kec-sumbersuko-rekomendasi-ot.txt").read_text(encoding="utf-8")
    row = next(r for r, line in enumerate(text.splitlines()) if line.startswith("3."))
    shapes = [(row, 4, "flowChartDecision", ""), (row, 4, "rect", "Ya"), (row + 1, 3, "rect", "")]
    (sop,) = load_bytes(xlsx_with_drawing(xlsx_from_dump(text), shapes), "ot.xlsx").sops
    third, fourth = sop.steps[2], sop.steps[3]
    assert third.marks == {"Sekcam": "◇ Ya"} and third.is_decision
    assert third.actors == ["Sekcam"]
    assert fourth.actors == ["Kasi Yanmum"]


@pytest.mark.parametrize(
    ("shapes", "expected"),
    [
        ([(5, 2, "rect", "")], {(5, 2): "□"}),
        ([(5, 2, "rect", ""), (5, 2, "rect", "")], {(5, 2): "□"}),  # the same symbol twice
        ([(5, 2, "rect", ""), (5, 2, "ellipse", "")], {}),  # two symbols: unclear
        ([(5, 2, "homePlate", "")], {}),  # an off-page connector is no step
        ([(5, 2, "rect", "Tidak")], {(5, 2): "Tidak"}),  # a label in a text box
        ([(5, 2, "rect", "Mulai")], {(5, 2): "□"}),  # a symbol with its word
        ([(1, 1, "rect", "Standar Operasional Prosedur Pelayanan")], {}),  # a text box
    ],
)
def test_drawing_marks_by_cell(shapes, expected):
    data = xlsx_with_drawing(xlsx_from_dump("No\tKegiatan"), shapes)
    assert drawing_marks(data) == ({"SOP": expected} if expected else {})


def test_a_damaged_drawing_costs_its_marks_not_the_workbook():
    text = (CORPUS_DIR / "lumajang-kec-sumbersuko-rekomendasi-ot.txt").read_text(encoding="utf-8")
    data = xlsx_with_drawing(xlsx_from_dump(text), [(5, 2, "rect", "")])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            dst.writestr(item, body[:60] if item.filename.endswith("drawing1.xml") else body)
    assert drawing_marks(out.getvalue()) == {}
    (sop,) = load_bytes(out.getvalue(), "ot.xlsx").sops
    assert len(sop.steps) == 5


def test_basarnas_workbooks_read_their_drawn_flowcharts():
    """The Basarnas workbooks draw every symbol (before: no step had a Pelaksana)."""
    docs: Path = TEST_DATA / "realdocs" / "docs"
    (sop,) = load_path(next(docs.glob("032_*.xlsx"))).sops
    assert [s.actors for s in sop.steps] == [
        ["Pelapor"],
        ["Petugas Call Center 115"],
        ["Operator Komunikasi"],
        ["Kagahar"],
        ["Operator Komunikasi"],
    ]
    assert sop.steps[3].is_decision
    (sop,) = load_path(next(docs.glob("031_*.xlsx"))).sops
    assert all(s.actors for s in sop.steps)
