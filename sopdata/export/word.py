"""Write a harmonised SOP as a Word document (.docx) for signature, in the
Permenpan RB 35/2012 layout: a landscape A4 page with the identity block, the
three pairs of list sections, the step table (No | Kegiatan | one column per
Pelaksana with the flowchart symbol | Kelengkapan | Waktu | Output |
Keterangan, its two header rows repeated on every printed page) with the total
Waktu, and the signature block.

Text is written as plain runs (markup stripped, characters XML cannot hold
dropped); every font is at least :data:`MIN_FONT_PT` so the printed page is
readable.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

from sopdata.export.excel import (
    IDENTITY_LABELS,
    LEGEND,
    LIST_SECTIONS,
    TOTAL_LABEL,
    procedure_actors,
    safe_text,
    step_symbol,
)
from sopdata.records import SOP
from sopdata.text.durations import format_minutes

#: Smallest font size written (points).
MIN_FONT_PT = 9
_FONT = "Arial"
_SYMBOL_FONT = "Segoe UI Symbol"  # holds ⬭ □ ◇ in Word; LibreOffice falls back to its own
_HEADER_FILL = "D9E1F2"
_PAGE_WIDTH_CM = 29.7
_MARGIN_CM = 1.5


def _shade(cell: _Cell, colour: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    tc_pr.append(shading)


def _write(
    cell: _Cell,
    text: object,
    *,
    bold: bool = False,
    size: float = MIN_FONT_PT,
    align: WD_ALIGN_PARAGRAPH | None = None,
    fill: str | None = None,
    font: str = _FONT,
) -> None:
    """Plain text into a cell, one paragraph per line."""
    lines = safe_text(text).split("\n")
    cell.paragraphs[0].text = ""
    for k, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run(line)
        run.bold = bold
        run.font.size = Pt(size)
        run.font.name = font
    if fill:
        _shade(cell, fill)


def _repeat_header(table: Table, rows: int) -> None:
    for row in table.rows[:rows]:
        tr_pr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)


def _keep_rows_whole(table: Table) -> None:
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")
        cant.set(qn("w:val"), "true")
        tr_pr.append(cant)


def _widths(table: Table, widths_cm: Sequence[float]) -> None:
    """Column widths, in the grid (read by LibreOffice) and in every cell (by Word)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=False):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _items(sop: SOP, attr: str) -> list[str]:
    value = getattr(sop, attr)
    if isinstance(value, str):
        return [line for line in value.split("\n") if line.strip()]
    return [str(v) for v in value if str(v).strip()]


def _identity(doc: DocxDocument, sop: SOP, authority: str, unit: str) -> None:
    n = len(IDENTITY_LABELS)
    table = doc.add_table(rows=n, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.cell(0, 0).merge(table.cell(n - 1, 0))
    government = authority or (
        "PEMERINTAH KABUPATEN " + sop.kabupaten if sop.kabupaten else "PEMERINTAH KABUPATEN …"
    )
    office = unit or sop.office or "SATUAN KERJA: …"
    _write(
        head,
        f"{government.upper()}\n{office.upper()}",
        bold=True,
        size=12,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    for r, (attr, label) in enumerate(IDENTITY_LABELS):
        _write(table.cell(r, 1), label, bold=True, size=10, fill=_HEADER_FILL)
        _write(table.cell(r, 2), getattr(sop, attr), bold=attr == "title", size=10)
    _widths(table, (10.0, 5.2, 11.5))
    doc.add_paragraph().paragraph_format.space_after = Pt(0)

    sections = doc.add_table(rows=0, cols=2)
    sections.style = "Table Grid"
    sections.alignment = WD_TABLE_ALIGNMENT.CENTER
    for (left_attr, left_label), (right_attr, right_label) in LIST_SECTIONS:
        row = sections.add_row().cells
        _write(row[0], left_label, bold=True, size=10, fill=_HEADER_FILL)
        _write(row[1], right_label, bold=True, size=10, fill=_HEADER_FILL)
        left, right = _items(sop, left_attr), _items(sop, right_attr)
        if left_attr != "warning":
            left = [f"{k}. {item}" for k, item in enumerate(left, 1)]
        right = [f"{k}. {item}" for k, item in enumerate(right, 1)]
        row = sections.add_row().cells
        _write(row[0], "\n".join(left) or "-", size=10)
        _write(row[1], "\n".join(right) or "-", size=10)
    _widths(sections, (13.35, 13.35))


def _procedure(doc: DocxDocument, sop: SOP) -> None:
    actors = procedure_actors(sop) or ["Pelaksana"]
    n_act = len(actors)
    cols = 2 + n_act + 4
    table = doc.add_table(rows=2, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    c_req = 2 + n_act
    h = table.rows
    center = WD_ALIGN_PARAGRAPH.CENTER
    for col, label in ((0, "No"), (1, "Kegiatan"), (cols - 1, "Keterangan")):
        merged = h[0].cells[col].merge(h[1].cells[col])
        _write(merged, label, bold=True, align=center, fill=_HEADER_FILL)
    pelaksana = h[0].cells[2].merge(h[0].cells[c_req - 1]) if n_act > 1 else h[0].cells[2]
    _write(pelaksana, "Pelaksana", bold=True, align=center, fill=_HEADER_FILL)
    for k, actor in enumerate(actors):
        _write(h[1].cells[2 + k], actor, bold=True, align=center, fill=_HEADER_FILL)
    mutu = h[0].cells[c_req].merge(h[0].cells[c_req + 2])
    _write(mutu, "Mutu Baku", bold=True, align=center, fill=_HEADER_FILL)
    for k, label in enumerate(("Kelengkapan", "Waktu", "Output")):
        _write(h[1].cells[c_req + k], label, bold=True, align=center, fill=_HEADER_FILL)
    count = len(sop.steps)
    for k, step in enumerate(sop.steps):
        cells = table.add_row().cells
        symbol = step_symbol(step, k, count)
        _write(cells[0], step.no, align=center)
        _write(cells[1], step.activity)
        for j, actor in enumerate(actors):
            if actor in step.actors:
                _write(cells[2 + j], symbol, size=14, align=center, font=_SYMBOL_FONT)
        _write(cells[c_req], step.requirements)
        _write(cells[c_req + 1], step.duration.raw.strip(), align=center)
        _write(cells[c_req + 2], step.output)
        _write(cells[c_req + 3], step.note)
    total = table.add_row().cells
    label = total[0].merge(total[c_req])
    _write(label, TOTAL_LABEL, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    minutes = format_minutes(sop.total_minutes, sop.time_settings) if sop.total_minutes else "-"
    _write(total[c_req + 1], minutes, bold=True, align=center)
    _repeat_header(table, 2)
    _keep_rows_whole(table)
    room = _PAGE_WIDTH_CM - 2 * _MARGIN_CM
    fixed = {0: 1.0, c_req: 3.4, c_req + 1: 2.0, c_req + 2: 3.2, c_req + 3: 2.6}
    actor_w = max(1.6, min(2.6, (room - sum(fixed.values()) - 6.0) / n_act))
    widths = [fixed[0], 0.0, *([actor_w] * n_act), *(fixed[c] for c in range(c_req, cols))]
    widths[1] = max(4.0, room - sum(widths))
    _widths(table, widths)


def _signature(doc: DocxDocument, sop: SOP, place: str) -> None:
    doc.add_paragraph().paragraph_format.space_after = Pt(0)
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, (16.7, 10.0))
    lines = [
        f"Ditetapkan di {place or '…'}",
        f"pada tanggal {sop.date_effective or sop.date_approved or '…'}",
        "Disahkan oleh",
        sop.approved_by or "…",
        "",
        "",
        "",
        "(……………………………………)",
        "NIP. ……………………",
    ]
    _write(table.cell(0, 1), "\n".join(lines), size=10, align=WD_ALIGN_PARAGRAPH.CENTER)


def build_docx(sop: SOP, authority: str = "", unit: str = "", place: str = "") -> DocxDocument:
    """The document. ``authority``/``unit``: the government and office printed in
    the identity block (else the SOP's own); ``place``: where it is signed."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(_PAGE_WIDTH_CM), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(_MARGIN_CM))
    normal = doc.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(10)
    doc.core_properties.title = safe_text(sop.title)[:250]
    doc.core_properties.author = "SOP Harmoni"

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("STANDAR OPERASIONAL PROSEDUR")
    run.bold, run.font.size = True, Pt(14)
    _identity(doc, sop, authority, unit)
    doc.add_page_break()

    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(safe_text(sop.title).upper() or "PROSEDUR")
    run.bold, run.font.size = True, Pt(12)
    legend = doc.add_paragraph()
    legend_run = legend.add_run(LEGEND)
    legend_run.font.size = Pt(MIN_FONT_PT)
    legend_run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    _procedure(doc, sop)
    _signature(doc, sop, place or sop.kabupaten)
    return doc


def export_docx(
    sop: SOP,
    target: str | Path | IO[bytes] | None = None,
    authority: str = "",
    unit: str = "",
    place: str = "",
) -> bytes:
    """Write the Word document; returns its bytes (also saved to ``target`` when given)."""
    buffer = io.BytesIO()
    build_docx(sop, authority, unit, place).save(buffer)
    data = buffer.getvalue()
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(data)
    elif target is not None:
        target.write(data)
    return data
