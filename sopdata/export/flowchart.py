"""The flowchart of an SOP drawn across its Pelaksana columns, as offices draw it.

Three parts:

* :func:`layout_flowchart` (pure): steps + actor columns + a grid of column
  widths and row heights -> the shapes (one per step in the cell of its first
  Pelaksana, plus a linked copy in each other Pelaksana's cell), the arrows in
  step order and the Ya/Tidak labels of a decision's branches. Units are the
  grid's: EMU for a worksheet, pixels for a picture.
* :func:`add_drawing` writes the layout into a saved .xlsx as native DrawingML
  (``xl/drawings/drawingN.xml``: ``xdr:twoCellAnchor`` + ``xdr:sp`` shapes with
  the preset flowchart geometries and ``xdr:cxnSp`` connectors whose
  ``a:stCxn``/``a:endCxn`` glue them to the shapes), so the sheet stays
  editable in Excel and LibreOffice. openpyxl does not write shapes, hence the
  post-processing of the zip.
* :func:`flowchart_svg`: the same layout as a swimlane picture for the app.

A decision step sends "Ya" to the next step (or to ``yes_to`` when the Step has
one) and "Tidak" to ``no_to`` when the Step has that field (read with
``getattr``: older records have neither).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from sopdata.form import has_decision, mark_kind
from sopdata.records import Step

ShapeKind = Literal["terminator", "process", "decision"]
Geometry = Literal["straightConnector1", "bentConnector3"]

#: DrawingML preset geometry of each flowchart symbol.
PRESET: dict[ShapeKind, str] = {
    "terminator": "flowChartTerminator",
    "process": "rect",
    "decision": "flowChartDecision",
}
#: Connection sites of the three presets (ECMA-376 presetShapeDefinitions):
#: 0 top, 1 left, 2 bottom, 3 right.
TOP, LEFT, BOTTOM, RIGHT = 0, 1, 2, 3

EMU_PER_PT = 12_700
EMU_PER_PX = 9_525
#: Height of a row whose height was never set (Excel's 15 pt).
DEFAULT_ROW_PT = 15.0


class FlowchartError(ValueError):
    """The workbook could not take the drawing (an unexpected package layout)."""


@dataclass(frozen=True)
class Grid:
    """Column widths and row heights (0-based), in one unit (EMU or pixels)."""

    col_widths: tuple[int, ...]
    row_heights: tuple[int, ...]

    def x(self, col: int) -> int:
        return sum(self.col_widths[:col])

    def y(self, row: int) -> int:
        return sum(self.row_heights[:row])

    def cell_at(self, x: int, y: int) -> tuple[int, int, int, int]:
        """(col, x offset, row, y offset) of a point, as a drawing anchor gives it."""
        col, off_x = _locate(self.col_widths, x)
        row, off_y = _locate(self.row_heights, y)
        return col, off_x, row, off_y


def _locate(sizes: Sequence[int], pos: int) -> tuple[int, int]:
    start = 0
    for k, size in enumerate(sizes):
        if pos < start + size or k == len(sizes) - 1:
            return k, max(0, pos - start)
        start += size
    return 0, max(0, pos)


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    cx: int
    cy: int

    def site(self, idx: int) -> tuple[int, int]:
        """The point of a connection site (TOP, LEFT, BOTTOM, RIGHT)."""
        mid_x, mid_y = self.x + self.cx // 2, self.y + self.cy // 2
        return {
            TOP: (mid_x, self.y),
            LEFT: (self.x, mid_y),
            BOTTOM: (mid_x, self.y + self.cy),
            RIGHT: (self.x + self.cx, mid_y),
        }[idx]


@dataclass(frozen=True)
class Shape:
    """One symbol: in the cell (``col``, ``row``) of a step's Pelaksana."""

    id: int
    step: str
    kind: ShapeKind
    col: int
    row: int
    box: Box
    actor: str
    primary: bool = True


@dataclass(frozen=True)
class Connector:
    """An arrow (or, for a step's other Pelaksana, a plain line) between two shapes."""

    id: int
    start: int
    start_site: int
    end: int
    end_site: int
    geometry: Geometry
    box: Box
    flip_h: bool
    flip_v: bool
    label: str = ""
    arrow: bool = True
    #: Where a bent connector turns, as DrawingML's ``adj1``: a share of the
    #: width in 1/100000 from the start (50000 halfway; negative: a detour
    #: beyond the start, for a branch that leaves away from its target).
    bend: int = 50_000

    def points(self) -> list[tuple[int, int]]:
        """The path drawn: two points for a straight line, four for a bent one."""
        x0 = self.box.x + (self.box.cx if self.flip_h else 0)
        y0 = self.box.y + (self.box.cy if self.flip_v else 0)
        x1 = self.box.x + (0 if self.flip_h else self.box.cx)
        y1 = self.box.y + (0 if self.flip_v else self.box.cy)
        if self.geometry == "straightConnector1":
            return [(x0, y0), (x1, y1)]
        mid = x0 + (x1 - x0) * self.bend // 100_000
        return [(x0, y0), (mid, y0), (mid, y1), (x1, y1)]


@dataclass(frozen=True)
class Label:
    text: str
    box: Box


@dataclass(frozen=True)
class Flowchart:
    shapes: tuple[Shape, ...]
    connectors: tuple[Connector, ...]
    labels: tuple[Label, ...]

    def primary(self) -> list[Shape]:
        return [s for s in self.shapes if s.primary]


def step_kind(step: Step, index: int, count: int) -> ShapeKind:
    """The Permenpan symbol of a step: decision, terminator first and last, else process."""
    marks = "".join(step.marks.values())
    if has_decision(marks) or step.is_decision:
        return "decision"
    if index in (0, count - 1) or any(mark_kind(m) == "terminator" for m in step.marks.values()):
        return "terminator"
    return "process"


def _step_key(no: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "", str(no)).lower()


def _connect(
    cid: int, a: Shape, b: Shape, label: str = "", arrow: bool = True, exit_site: int | None = None
) -> Connector:
    """An arrow from ``a`` to ``b``: straight down/up within a column, else a bent
    connector leaving ``a`` sideways towards ``b``. ``exit_site``: the side a
    branch must leave by (a decision's Tidak, clear of its Ya)."""
    geometry: Geometry = "bentConnector3" if a.col != b.col else "straightConnector1"
    if exit_site is not None:
        s_site = exit_site
        if b.col > a.col:
            e_site = LEFT
        elif b.col < a.col:
            e_site = RIGHT
        else:
            e_site = exit_site
    elif a.col == b.col:
        s_site, e_site = (BOTTOM, TOP) if b.box.y >= a.box.y else (TOP, BOTTOM)
    else:
        s_site, e_site = (RIGHT, LEFT) if b.col > a.col else (LEFT, RIGHT)
    (x0, y0), (x1, y1) = a.box.site(s_site), b.box.site(e_site)
    box = Box(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
    bend = 50_000
    away = (s_site == RIGHT and x1 < x0) or (s_site == LEFT and x1 > x0)
    if geometry == "bentConnector3" and away and box.cx:
        detour = a.box.cx // 2  # leave outwards first, then turn back to the target
        bend = -detour * 100_000 // box.cx
    return Connector(
        id=cid,
        start=a.id,
        start_site=s_site,
        end=b.id,
        end_site=e_site,
        geometry=geometry,
        box=box,
        flip_h=x1 < x0,
        flip_v=y1 < y0,
        label=label,
        arrow=arrow,
        bend=bend,
    )


def layout_flowchart(
    steps: Sequence[Step],
    actors: Sequence[str],
    grid: Grid,
    first_actor_col: int,
    first_step_row: int,
    first_id: int = 2,
) -> Flowchart:
    """Shapes, arrows and branch labels of the steps across the actor columns.

    Step ``k`` sits in row ``first_step_row + k``; actor ``j`` in column
    ``first_actor_col + j`` (0-based, as in a drawing anchor). A step without a
    Pelaksana among ``actors`` draws nothing and the arrow passes it by.
    """
    next_id = first_id
    shapes: list[Shape] = []
    primary: dict[int, Shape] = {}
    connectors: list[Connector] = []
    count = len(steps)
    for k, step in enumerate(steps):
        cols = [j for j, a in enumerate(actors) if a in step.actors]
        kind = step_kind(step, k, count)
        row = first_step_row + k
        drawn: list[Shape] = []
        for n, j in enumerate(cols):
            col = first_actor_col + j
            w, h = grid.col_widths[col], grid.row_heights[row]
            cx = int(w * 0.62)  # a symbol keeps its proportions in a tall row
            cy = min(int(h * 0.62), int(cx * (0.75 if kind == "decision" else 0.55)))
            box = Box(grid.x(col) + (w - cx) // 2, grid.y(row) + (h - cy) // 2, cx, cy)
            shape = Shape(next_id, step.no, kind, col, row, box, actors[j], primary=n == 0)
            next_id += 1
            drawn.append(shape)
        shapes.extend(drawn)
        if drawn:
            primary[k] = drawn[0]
        for other in drawn[1:]:  # the step's other Pelaksana: a plain line, no arrow
            connectors.append(_connect(next_id, drawn[0], other, arrow=False))
            next_id += 1
    by_no = {_step_key(steps[k].no): k for k in primary}
    order = sorted(primary)
    labels: list[Label] = []
    for n, k in enumerate(order):
        step, shape = steps[k], primary[k]
        decision = shape.kind == "decision"
        yes = by_no.get(_step_key(getattr(step, "yes_to", "") or ""))
        target = yes if yes is not None else (order[n + 1] if n + 1 < len(order) else None)
        yes_site = None
        if target is not None and target != k:
            c = _connect(next_id, shape, primary[target], label="Ya" if decision else "")
            connectors.append(c)
            yes_site = c.start_site
            next_id += 1
        no = by_no.get(_step_key(getattr(step, "no_to", "") or ""))
        if decision and no is not None and no != k:
            side = LEFT if yes_site == RIGHT else RIGHT
            connectors.append(_connect(next_id, shape, primary[no], label="Tidak", exit_site=side))
            next_id += 1
    unit = grid.row_heights[first_step_row] if first_step_row < len(grid.row_heights) else 1
    for c in connectors:
        if c.label:
            labels.append(_label(c, unit))
    return Flowchart(tuple(shapes), tuple(connectors), tuple(labels))


def _label(c: Connector, unit: int) -> Label:
    """A branch label beside where the arrow leaves its decision, clear of the
    symbol: above the line for a side exit, right of it for a downward one."""
    x, y = c.points()[0]
    w, h = unit * 3 // 5, max(unit // 3, 1)
    pad = max(unit // 12, 1)
    if c.start_site == LEFT:
        return Label(c.label, Box(x - w - pad, y - h - pad, w, h))
    if c.start_site == RIGHT:
        return Label(c.label, Box(x + pad, y - h - pad, w, h))
    if c.start_site == TOP:
        return Label(c.label, Box(x + pad, y - h - pad, w, h))
    return Label(c.label, Box(x + pad, y + pad, w, h))


# --- DrawingML ------------------------------------------------------------------

_NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_DRAWING = _NS_R + "/drawing"
_CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
_LINE = '<a:ln w="12700"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln>'


def _anchor(grid: Grid, box: Box, body: str) -> str:
    c0, x0, r0, y0 = grid.cell_at(box.x, box.y)
    c1, x1, r1, y1 = grid.cell_at(box.x + box.cx, box.y + box.cy)
    return (
        '<xdr:twoCellAnchor editAs="oneCell">'
        f"<xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>{x0}</xdr:colOff>"
        f"<xdr:row>{r0}</xdr:row><xdr:rowOff>{y0}</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{c1}</xdr:col><xdr:colOff>{x1}</xdr:colOff>"
        f"<xdr:row>{r1}</xdr:row><xdr:rowOff>{y1}</xdr:rowOff></xdr:to>"
        f"{body}<xdr:clientData/></xdr:twoCellAnchor>"
    )


def _xfrm(box: Box, flip_h: bool = False, flip_v: bool = False) -> str:
    flips = (' flipH="1"' if flip_h else "") + (' flipV="1"' if flip_v else "")
    return (
        f'<a:xfrm{flips}><a:off x="{box.x}" y="{box.y}"/>'
        f'<a:ext cx="{box.cx}" cy="{box.cy}"/></a:xfrm>'
    )


def _shape_xml(s: Shape) -> str:
    name = quoteattr(f"Langkah {s.step} - {s.actor}")
    return (
        '<xdr:sp macro="" textlink="">'
        f'<xdr:nvSpPr><xdr:cNvPr id="{s.id}" name={name}/><xdr:cNvSpPr/></xdr:nvSpPr>'
        f"<xdr:spPr>{_xfrm(s.box)}"
        f'<a:prstGeom prst="{PRESET[s.kind]}"><a:avLst/></a:prstGeom>'
        f'<a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>{_LINE}</xdr:spPr>'
        '<xdr:txBody><a:bodyPr rtlCol="0" anchor="ctr"/><a:lstStyle/>'
        '<a:p><a:endParaRPr lang="id-ID" sz="800"/></a:p></xdr:txBody>'
        "</xdr:sp>"
    )


def _connector_xml(c: Connector) -> str:
    adjust = f'<a:gd name="adj1" fmla="val {c.bend}"/>' if c.geometry == "bentConnector3" else ""
    geometry = f'<a:prstGeom prst="{c.geometry}"><a:avLst>{adjust}</a:avLst></a:prstGeom>'
    tail = '<a:tailEnd type="triangle" w="med" len="med"/>' if c.arrow else ""
    name = quoteattr(f"Panah {c.label}".strip() if c.arrow else "Garis pelaksana")
    return (
        '<xdr:cxnSp macro="">'
        f'<xdr:nvCxnSpPr><xdr:cNvPr id="{c.id}" name={name}/>'
        f'<xdr:cNvCxnSpPr><a:stCxn id="{c.start}" idx="{c.start_site}"/>'
        f'<a:endCxn id="{c.end}" idx="{c.end_site}"/></xdr:cNvCxnSpPr></xdr:nvCxnSpPr>'
        f"<xdr:spPr>{_xfrm(c.box, c.flip_h, c.flip_v)}{geometry}"
        '<a:ln w="12700"><a:solidFill><a:srgbClr val="000000"/></a:solidFill>'
        f"{tail}</a:ln></xdr:spPr>"
        "</xdr:cxnSp>"
    )


def _label_xml(label: Label, sid: int) -> str:
    return (
        '<xdr:sp macro="" textlink="">'
        f'<xdr:nvSpPr><xdr:cNvPr id="{sid}" name="Label {escape(label.text)}"/>'
        '<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
        f'<xdr:spPr>{_xfrm(label.box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        "<a:noFill/><a:ln><a:noFill/></a:ln></xdr:spPr>"
        '<xdr:txBody><a:bodyPr wrap="none" lIns="0" tIns="0" rIns="0" bIns="0"/><a:lstStyle/>'
        f'<a:p><a:pPr algn="l"/><a:r><a:rPr lang="id-ID" sz="800" b="1"><a:latin typeface="Arial"/></a:rPr><a:t>{escape(label.text)}</a:t>'
        "</a:r></a:p></xdr:txBody></xdr:sp>"
    )


def drawing_xml(chart: Flowchart, grid: Grid) -> str:
    """``xl/drawings/drawingN.xml`` of a flowchart laid out on a grid in EMU."""
    parts = [_anchor(grid, s.box, _shape_xml(s)) for s in chart.shapes]
    parts += [_anchor(grid, c.box, _connector_xml(c)) for c in chart.connectors]
    next_id = max([s.id for s in chart.shapes] + [c.id for c in chart.connectors] + [1]) + 1
    parts += [
        _anchor(grid, lb.box, _label_xml(lb, next_id + k)) for k, lb in enumerate(chart.labels)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<xdr:wsDr xmlns:xdr="{_NS_XDR}" xmlns:a="{_NS_A}">' + "".join(parts) + "</xdr:wsDr>"
    )


def _sheet_part(files: dict[str, bytes], sheet: str) -> str:
    """The zip path of a sheet's XML, found through workbook.xml and its rels."""
    workbook = files["xl/workbook.xml"].decode("utf-8")
    rels = files["xl/_rels/workbook.xml.rels"].decode("utf-8")
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
        if name and rid and html.unescape(name.group(1)) == sheet:
            for rel in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
                if f'Id="{rid.group(1)}"' in rel:
                    target = re.search(r'Target="([^"]*)"', rel)
                    if target:
                        path = target.group(1).lstrip("/")
                        return path if path.startswith("xl/") else "xl/" + path
    raise FlowchartError(f"lembar {sheet!r} tidak ditemukan di buku kerja")


_AFTER_DRAWING = (
    "<legacyDrawing",
    "<legacyDrawingHF",
    "<drawingHF",
    "<picture",
    "<oleObjects",
    "<controls",
    "<webPublishItems",
    "<tableParts",
    "<extLst",
    "</worksheet>",
)


def add_drawing(xlsx: bytes, sheet: str, chart: Flowchart, grid: Grid) -> bytes:
    """The workbook with ``chart`` drawn on ``sheet`` (a new drawing part)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        files = {info.filename: z.read(info) for info in z.infolist()}
    part = _sheet_part(files, sheet)
    sheet_xml = files[part].decode("utf-8")
    if "<drawing " in sheet_xml:
        raise FlowchartError(f"lembar {sheet!r} sudah memiliki gambar")
    n = 1
    while f"xl/drawings/drawing{n}.xml" in files:
        n += 1
    drawing = f"xl/drawings/drawing{n}.xml"
    folder, name = part.rsplit("/", 1)
    rels_path = f"{folder}/_rels/{name}.rels"
    rels = files.get(rels_path, b"").decode("utf-8") or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_NS_PKG_REL}"></Relationships>'
    )
    used = set(re.findall(r'Id="([^"]*)"', rels))
    k = 1
    while f"rId{k}" in used:
        k += 1
    rid = f"rId{k}"
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="{rid}" Type="{_REL_DRAWING}" Target="../drawings/drawing{n}.xml"/>'
        "</Relationships>",
    )
    element = f'<drawing xmlns:r="{_NS_R}" r:id="{rid}"/>'
    at = min(i for i in (sheet_xml.find(t) for t in _AFTER_DRAWING) if i >= 0)
    sheet_xml = sheet_xml[:at] + element + sheet_xml[at:]
    types = files["[Content_Types].xml"].decode("utf-8")
    types = types.replace(
        "</Types>",
        f'<Override PartName="/{drawing}" ContentType="{_CT_DRAWING}"/></Types>',
    )
    files[part] = sheet_xml.encode("utf-8")
    files[rels_path] = rels.encode("utf-8")
    files[drawing] = drawing_xml(chart, grid).encode("utf-8")
    files["[Content_Types].xml"] = types.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(path, data)
    return out.getvalue()


# --- picture for the app ----------------------------------------------------------

_SVG_STEP_H = 56
_SVG_LANE_W = 130
_SVG_NO_W = 34
_SVG_TEXT_W = 260
_SVG_HEAD_H = 44


def _wrap(text: str, width: int, lines: int) -> list[str]:
    words, out, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            out.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(width - 1, 1)] + "…"
    return out


def flowchart_svg(steps: Sequence[Step], actors: Sequence[str]) -> str:
    """The swimlane flowchart as an SVG document: No | Kegiatan | one lane per
    Pelaksana with the symbols and arrows of :func:`layout_flowchart`."""
    lanes = list(actors) or ["Pelaksana"]
    widths = (_SVG_NO_W, _SVG_TEXT_W, *([_SVG_LANE_W] * len(lanes)))
    heights = (_SVG_HEAD_H, *([_SVG_STEP_H] * len(steps)))
    grid = Grid(tuple(widths), tuple(heights))
    chart = layout_flowchart(steps, lanes, grid, first_actor_col=2, first_step_row=1)
    width, height = sum(widths) + _SVG_LANE_W // 3, sum(heights)  # room for a Tidak label
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Arial, sans-serif" font-size="11">',
        '<defs><marker id="panah" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#000"/></marker></defs>',
        f'<rect x="0" y="0" width="{width}" height="{_SVG_HEAD_H}" fill="#D9E1F2"/>',
    ]
    for col, label in enumerate(("No", "Kegiatan", *lanes)):
        x = grid.x(col)
        out.append(
            f'<rect x="{x}" y="0" width="{widths[col]}" height="{height}" fill="none" '
            'stroke="#999"/>'
        )
        for n, line in enumerate(_wrap(label, max(widths[col] // 7, 3), 2)):
            out.append(
                f'<text x="{x + widths[col] // 2}" y="{17 + n * 13}" text-anchor="middle" '
                f'font-weight="bold">{escape(line)}</text>'
            )
    for k, step in enumerate(steps):
        y = grid.y(k + 1)
        out.append(
            f'<line x1="0" y1="{y}" x2="{width}" y2="{y}" stroke="#ddd"/>'
            f'<text x="{_SVG_NO_W // 2}" y="{y + 18}" text-anchor="middle">{escape(step.no)}</text>'
        )
        for n, line in enumerate(_wrap(step.activity, _SVG_TEXT_W // 6, 3)):
            out.append(f'<text x="{_SVG_NO_W + 6}" y="{y + 16 + n * 13}">{escape(line)}</text>')
    for c in chart.connectors:
        pts = " ".join(f"{x},{y}" for x, y in c.points())
        marker = ' marker-end="url(#panah)"' if c.arrow else ""
        dash = "" if c.arrow else ' stroke-dasharray="3,3"'
        out.append(
            f'<polyline points="{pts}" fill="none" stroke="#000" stroke-width="1.2"{marker}{dash}/>'
        )
    for s in chart.shapes:
        b = s.box
        if s.kind == "decision":
            pts = " ".join(
                f"{x},{y}" for x, y in (b.site(TOP), b.site(RIGHT), b.site(BOTTOM), b.site(LEFT))
            )
            out.append(f'<polygon points="{pts}" fill="#fff" stroke="#000" stroke-width="1.3"/>')
        else:
            rx = b.cy // 2 if s.kind == "terminator" else 0
            out.append(
                f'<rect x="{b.x}" y="{b.y}" width="{b.cx}" height="{b.cy}" rx="{rx}" '
                'fill="#fff" stroke="#000" stroke-width="1.3"/>'
            )
    for lb in chart.labels:
        out.append(
            f'<text x="{lb.box.x}" y="{lb.box.y + lb.box.cy}" font-size="10" '
            f'font-weight="bold">{escape(lb.text)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
