"""The flowchart: its layout (table-driven), the DrawingML in the exported workbook,
LibreOffice drawing it, and the SVG picture of the app."""

from __future__ import annotations

import copy
import io
import re
import xml.etree.ElementTree as ET
import zipfile

import pdfplumber
import pytest

from sopdata.export.excel import WorkbookParts, export_workbook, procedure_actors
from sopdata.export.flowchart import (
    BOTTOM,
    LEFT,
    RIGHT,
    TOP,
    Grid,
    flowchart_svg,
    layout_flowchart,
)
from sopdata.findings import find_differences
from sopdata.form import DECISION, PROCESS
from sopdata.harmonise import harmonise
from sopdata.ingest.loaders import load_bytes
from sopdata.matching.compare import merge_alignments
from sopdata.records import Step
from tests.support.builders import gold_group
from tests.support.sopfiles import LIBREOFFICE, libreoffice_convert

NS = {
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}
GRID = Grid(col_widths=(50, 200, 100, 100, 100, 80), row_heights=(30,) + (60,) * 8)


def _steps(spec: list[tuple[str, str, str]]) -> list[Step]:
    """Steps as (no, actors joined by '+', mark)."""
    steps = []
    for no, actors, mark in spec:
        names = [a for a in actors.split("+") if a]
        steps.append(
            Step(no=no, activity=f"Kegiatan {no}", actors=names, marks=dict.fromkeys(names, mark))
        )
    return steps


ACTORS = ["Staf", "Kasubag", "Camat"]


@pytest.mark.parametrize(
    ("spec", "kinds", "columns", "arrows"),
    [
        # one actor: terminators first and last, straight arrows down the column
        (
            [("1", "Staf", PROCESS), ("2", "Staf", PROCESS), ("3", "Staf", PROCESS)],
            ["terminator", "process", "terminator"],
            [2, 2, 2],
            [
                ("1", BOTTOM, "2", TOP, "straightConnector1"),
                ("2", BOTTOM, "3", TOP, "straightConnector1"),
            ],
        ),
        # across the lanes: bent arrows leave towards the next actor, also leftwards
        (
            [("1", "Staf", PROCESS), ("2", "Camat", PROCESS), ("3", "Kasubag", PROCESS)],
            ["terminator", "process", "terminator"],
            [2, 4, 3],
            [("1", RIGHT, "2", LEFT, "bentConnector3"), ("2", LEFT, "3", RIGHT, "bentConnector3")],
        ),
        # a step without Pelaksana draws nothing; the arrow passes it by
        (
            [("1", "Staf", PROCESS), ("2", "", ""), ("3", "Kasubag", PROCESS)],
            ["terminator", "terminator"],
            [2, 3],
            [("1", RIGHT, "3", LEFT, "bentConnector3")],
        ),
        # a decision: Ya to the next step
        (
            [("1", "Staf", PROCESS), ("2", "Kasubag", DECISION), ("3", "Kasubag", PROCESS)],
            ["terminator", "decision", "terminator"],
            [2, 3, 3],
            [
                ("1", RIGHT, "2", LEFT, "bentConnector3"),
                ("2", BOTTOM, "3", TOP, "straightConnector1"),
            ],
        ),
    ],
)
def test_layout(spec, kinds, columns, arrows):
    chart = layout_flowchart(_steps(spec), ACTORS, GRID, first_actor_col=2, first_step_row=1)
    shapes = chart.primary()
    assert [s.kind for s in shapes] == kinds
    assert [s.col for s in shapes] == columns
    by_id = {s.id: s for s in chart.shapes}
    for s in shapes:  # inside its own cell
        assert GRID.x(s.col) < s.box.x and s.box.x + s.box.cx < GRID.x(s.col + 1)
        assert GRID.y(s.row) < s.box.y and s.box.y + s.box.cy < GRID.y(s.row + 1)
        assert s.row == 1 + int(s.step) - 1
    got = [
        (by_id[c.start].step, c.start_site, by_id[c.end].step, c.end_site, c.geometry)
        for c in chart.connectors
    ]
    assert got == arrows
    for c in chart.connectors:  # the path starts and ends on the glued connection sites
        first, last = c.points()[0], c.points()[-1]
        assert first == by_id[c.start].box.site(c.start_site)
        assert last == by_id[c.end].box.site(c.end_site)


def test_decision_branches_ya_and_tidak_when_the_step_names_them():
    steps = _steps(
        [
            ("1", "Staf", PROCESS),
            ("2", "Staf", PROCESS),
            ("3", "Kasubag", DECISION),
            ("4", "Kasubag", PROCESS),
        ]
    )
    steps[2].no_to = "2"  # type: ignore[attr-defined]  # the field another change adds to Step
    chart = layout_flowchart(steps, ACTORS, GRID, 2, 1)
    by_id = {s.id: s for s in chart.shapes}
    branches = {c.label: c for c in chart.connectors if c.label}
    assert set(branches) == {"Ya", "Tidak"}
    assert by_id[branches["Ya"].end].step == "4"
    assert by_id[branches["Tidak"].end].step == "2"
    assert branches["Ya"].start_site != branches["Tidak"].start_site
    assert [lb.text for lb in chart.labels] == ["Ya", "Tidak"]
    # Tidak leaves the right of the decision for a step on its left: it goes out
    # rightwards first (a detour), never back across the diamond
    tidak = branches["Tidak"]
    start = by_id[tidak.start].box
    assert tidak.start_site == RIGHT and tidak.bend < 0
    assert tidak.points()[1][0] > start.x + start.cx
    steps[2].yes_to = "1"  # type: ignore[attr-defined]
    chart = layout_flowchart(steps, ACTORS, GRID, 2, 1)
    ya = next(c for c in chart.connectors if c.label == "Ya")
    assert {s.id: s.step for s in chart.shapes}[ya.end] == "1"
    # no such field, or a target that is not a step: no Tidak branch
    plain = _steps([("1", "Staf", PROCESS), ("2", "Kasubag", DECISION), ("3", "Camat", PROCESS)])
    plain[1].no_to = "9"  # type: ignore[attr-defined]
    assert [c.label for c in layout_flowchart(plain, ACTORS, GRID, 2, 1).connectors] == ["", "Ya"]


def test_a_step_of_two_actors_draws_both_linked_without_arrow():
    steps = _steps(
        [("1", "Staf", PROCESS), ("2", "Staf+Camat", PROCESS), ("3", "Kasubag", PROCESS)]
    )
    chart = layout_flowchart(steps, ACTORS, GRID, 2, 1)
    assert [(s.step, s.col, s.primary) for s in chart.shapes] == [
        ("1", 2, True),
        ("2", 2, True),
        ("2", 4, False),
        ("3", 3, True),
    ]
    lines = [c for c in chart.connectors if not c.arrow]
    assert len(lines) == 1 and lines[0].geometry == "bentConnector3"


# --- the workbook -------------------------------------------------------------------


@pytest.fixture(scope="module")
def drawn(sops_by_file):
    """The surat keluar draft of the corpus, every step given its Pelaksana (the
    draft leaves some without), step 5 a decision sending Tidak back to step 2."""
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    comparison = merge_alignments(sops, 1, alignments)
    findings = find_differences(comparison)
    draft = harmonise(comparison)
    sop = copy.deepcopy(draft.sop)
    names = [a.raw for a in sop.actors]
    for k, step in enumerate(sop.steps):
        if not step.actors:
            actor = names[k % len(names)]
            step.actors, step.marks = [actor], {actor: PROCESS}
    sop.steps[4].marks = {sop.steps[4].actors[0]: DECISION}
    sop.steps[4].no_to = sop.steps[1].no  # type: ignore[attr-defined]
    data = export_workbook(sop, parts=WorkbookParts(comparison, findings, draft.choices))
    return sop, data


def _drawing(data: bytes) -> tuple[ET.Element, dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        drawings = [n for n in names if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
        assert len(drawings) == 1
        types = z.read("[Content_Types].xml").decode()
        assert f'PartName="/{drawings[0]}"' in types
        sheet = z.read("xl/worksheets/sheet2.xml").decode()  # Prosedur
        rels = z.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
        rid = re.search(r'<drawing [^>]*r:id="([^"]+)"', sheet).group(1)
        assert re.search(
            rf'Id="{rid}"[^>]*Target="../drawings/{drawings[0].rsplit("/", 1)[1]}"', rels
        )
        return ET.fromstring(z.read(drawings[0])), {"sheet": sheet}


def test_workbook_draws_one_shape_per_step_and_arrows_in_step_order(drawn):
    sop, data = drawn
    root, _ = _drawing(data)
    actors = procedure_actors(sop)
    shapes: dict[str, tuple[str, int, int, str]] = {}
    for anchor in root.findall("xdr:twoCellAnchor", NS):
        sp = anchor.find("xdr:sp", NS)
        if sp is None or sp.find("xdr:nvSpPr/xdr:cNvSpPr", NS).get("txBox") == "1":
            continue
        pr = sp.find("xdr:nvSpPr/xdr:cNvPr", NS)
        col = int(anchor.find("xdr:from/xdr:col", NS).text)
        row = int(anchor.find("xdr:from/xdr:row", NS).text)
        geometry = sp.find("xdr:spPr/a:prstGeom", NS).get("prst")
        shapes[pr.get("id")] = (pr.get("name"), col, row, geometry)
    primary = {}
    for k, step in enumerate(sop.steps):
        # the first Pelaksana's cell: column C + actor index, row 7 + k (0-based in the anchor)
        col, row = 2 + actors.index(step.actors[0]), 6 + k
        found = [sid for sid, (_, c, r, _) in shapes.items() if (c, r) == (col, row)]
        assert len(found) == 1, (k, step.no)
        primary[found[0]] = k
        expected = (
            "flowChartDecision"
            if k == 4
            else "flowChartTerminator"
            if k in (0, len(sop.steps) - 1)
            else "rect"
        )
        assert shapes[found[0]][3] == expected
    arrows = []
    for cxn in root.iter(f"{{{NS['xdr']}}}cxnSp"):
        st = cxn.find("xdr:nvCxnSpPr/xdr:cNvCxnSpPr/a:stCxn", NS)
        end = cxn.find("xdr:nvCxnSpPr/xdr:cNvCxnSpPr/a:endCxn", NS)
        tail = cxn.find("xdr:spPr/a:ln/a:tailEnd", NS)
        assert cxn.find("xdr:spPr/a:prstGeom", NS).get("prst") in (
            "straightConnector1",
            "bentConnector3",
        )
        if tail is not None and tail.get("type") == "triangle":
            arrows.append((primary[st.get("id")], primary[end.get("id")]))
    forward = [(a, b) for a, b in arrows if b == a + 1]
    assert forward == [(k, k + 1) for k in range(len(sop.steps) - 1)]
    assert set(arrows) - set(forward) == {(4, 1)}  # the Tidak branch back to step 2
    texts = [t.text for t in root.iter(f"{{{NS['a']}}}t")]
    assert sorted(texts) == ["Tidak", "Ya"]


def test_drawn_workbook_still_reads_back_as_the_same_steps(drawn):
    sop, data = drawn
    back = load_bytes(data, "harmonisasi.xlsx").sops
    assert len(back) == 1
    assert [(s.no, s.activity, s.actors) for s in back[0].steps] == [
        (s.no, s.activity, s.actors) for s in sop.steps
    ]


def test_drawing_off_writes_no_drawing_part(drawn):
    sop, _ = drawn
    data = export_workbook(sop, drawing=False)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/drawings/")]


@pytest.mark.slow
@pytest.mark.skipif(
    LIBREOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)"
)
def test_libreoffice_draws_the_shapes_and_arrows(drawn, tmp_path):
    """The Prosedur page printed by LibreOffice carries the drawn lines and shapes
    only when the drawing is on."""
    sop, data = drawn
    counts = {}
    for name, payload in (("dengan", data), ("tanpa", export_workbook(sop, drawing=False))):
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(payload)
        (printed,) = libreoffice_convert([path], "pdf", tmp_path)
        assert printed.exists()
        with pdfplumber.open(printed) as pdf:
            page = next(
                p for p in pdf.pages if "STANDAR OPERASIONAL PROSEDUR" in (p.extract_text() or "")
            )
            counts[name] = len(page.curves) + len(page.rects) + len(page.lines)
    assert counts["dengan"] > counts["tanpa"] + len(sop.steps)


# --- the picture ----------------------------------------------------------------------


def test_svg_swimlane(drawn):
    sop, _ = drawn
    actors = procedure_actors(sop)
    svg = flowchart_svg(sop.steps, actors)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert (
        all(a in " ".join(texts) for a in ("No", "Kegiatan")) and "Ya" in texts and "Tidak" in texts
    )
    shapes = root.findall(f"{ns}rect[@fill='#fff']") + root.findall(f"{ns}polygon")
    assert len(shapes) == len(sop.steps)
    arrows = root.findall(f"{ns}polyline[@marker-end]")
    assert len(arrows) == len(sop.steps) - 1 + 1  # step order + the Tidak branch


def test_svg_escapes_document_text():
    steps = _steps([("1", "Staf", PROCESS), ("2", "Staf", PROCESS)])
    steps[0].activity = '<script>alert("x")</script> & lanjut'
    svg = flowchart_svg(steps, ["<Staf>"])
    assert "<script>" not in svg
    ET.fromstring(svg)  # still well-formed
