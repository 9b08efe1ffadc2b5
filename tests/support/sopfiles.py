"""Build real Word, Excel, HTML and PDF files from the seed SOPs for the loader tests.

Two kinds of builders:

* from parsed SOP records, in the official Permenpan layout (identity table,
  two-row step header with merged cells, actor marks as characters or as drawn
  flowchart shapes);
* from a seed text dump itself, line by line (tab-separated lines become table
  rows), so a whole multi-SOP document goes through each format.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.shared import Inches, Pt
from openpyxl.utils import get_column_letter

from sopdata.form import HEADER_FIELDS, SYMBOL
from sopdata.records import SOP
from sopdata.text.textclean import collapse_spaces, strip_markup

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")

NS_DECL = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office"'
)
_PRESET = {"□": "flowChartProcess", "◇": "flowChartDecision", "⬭": "flowChartTerminator"}
_VML_TYPE = {"□": "109", "◇": "110", "⬭": "116"}
_WINGDINGS = {"□": "F06F", "◇": "F075", "⬭": "F06C"}
MARK_STYLES = ("text", "drawingml", "vml", "wingdings")

_shape_id = [100]


def _next_id() -> int:
    _shape_id[0] += 1
    return _shape_id[0]


def drawingml_run(mark: str, label: str = "") -> str:
    """A run holding one flowchart shape as Word writes it: DrawingML with a VML fallback."""
    prst = _PRESET.get(mark, "rect")
    cx, cy = (420000, 170000) if label else (288000, 180000)
    txbx = (
        f"<wps:txbx><w:txbxContent><w:p><w:r><w:t>{label}</w:t></w:r></w:p></w:txbxContent></wps:txbx>"
        if label
        else ""
    )
    sid = _next_id()
    return (
        f'<w:r {NS_DECL}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:docPr id="{sid}" name="Shape {sid}"/><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        "<wps:wsp><wps:cNvSpPr/><wps:spPr>"
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="{prst}"><a:avLst/></a:prstGeom><a:noFill/>'
        '<a:ln w="9525"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln></wps:spPr>'
        f'{txbx}<wps:bodyPr lIns="0" tIns="0" rIns="0" bIns="0"/></wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:rect style="width:22pt;height:14pt"/></w:pict></mc:Fallback>'
        "</mc:AlternateContent></w:r>"
    )


def _vml_run(mark: str) -> str:
    return (
        f'<w:r {NS_DECL}><w:pict><v:shape type="#_x0000_t{_VML_TYPE[mark]}" '
        'style="width:22pt;height:14pt" strokeweight="1pt"/></w:pict></w:r>'
    )


def _write_mark(cell, mark: str, style: str) -> None:  # type: ignore[no-untyped-def]
    paragraph = cell.paragraphs[0]
    symbol = mark in _PRESET
    if style == "text" or (not symbol and style != "drawingml"):
        paragraph.add_run(mark)
    elif style == "drawingml":
        xml = drawingml_run(mark) if symbol else drawingml_run("□", label=mark)
        paragraph._p.append(parse_xml(xml))
    elif style == "vml":
        paragraph._p.append(parse_xml(_vml_run(mark)))
    elif style == "wingdings":
        paragraph._p.append(
            parse_xml(
                f'<w:r {NS_DECL}><w:sym w:font="Wingdings" w:char="{_WINGDINGS[mark]}"/></w:r>'
            )
        )


def _set_lines(cell, text: str) -> None:  # type: ignore[no-untyped-def]
    """Cell text as one paragraph per line."""
    lines = text.split("\n") if text else [""]
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _identity_table(document, sop: SOP) -> None:  # type: ignore[no-untyped-def]
    fields = [(label, getattr(sop, attr) or "-") for label, attr in identity_labels(sop)]
    table = document.add_table(rows=len(fields), cols=3)
    table.style = "Table Grid"
    _set_widths(table, [3.4, 2.0, 5.2])
    head = table.cell(0, 0).merge(table.cell(len(fields) - 1, 0))
    place = sop.office.split(" ", 1)[-1].upper() if sop.office else ""
    _set_lines(head, f"PEMERINTAH KABUPATEN {sop.kabupaten.upper()}\nKECAMATAN {place}")
    for i, (label, value) in enumerate(fields):
        table.cell(i, 1).text = label
        _set_lines(table.cell(i, 2), value)
    pairs = [
        ("Dasar Hukum", sop.legal_basis, "Kualifikasi Pelaksana", sop.qualifications),
        ("Keterkaitan", sop.related_sops, "Peralatan/Perlengkapan", sop.equipment),
        (
            "Peringatan",
            sop.warning.split("\n") if sop.warning else [],
            "Pencatatan dan Pendataan",
            sop.records,
        ),
    ]
    for left, left_items, right, right_items in pairs:
        for texts in (
            (left, right),
            (
                "\n".join(f"{n}. {x}" for n, x in enumerate(left_items, 1)),
                "\n".join(f"{n}. {x}" for n, x in enumerate(right_items, 1)),
            ),
        ):
            cells = table.add_row().cells
            for cell, width in zip(cells, [3.4, 2.0, 5.2], strict=True):
                cell.width = Inches(width)
            merged = cells[0].merge(cells[1])
            _set_lines(merged, texts[0])
            _set_lines(cells[2], texts[1])


def _set_widths(table, widths: list[float]) -> None:  # type: ignore[no-untyped-def]
    """Column widths in inches (Word and LibreOffice read them from every cell)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=False):
        column.width = Inches(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Inches(width)


def _step_table(document, sop: SOP, marks: str) -> None:  # type: ignore[no-untyped-def]
    actors = [a.raw for a in sop.actors]
    n = len(actors)
    cols = 2 + n + 3 + 1
    table = document.add_table(rows=3, cols=cols)
    table.style = "Table Grid"
    _set_widths(table, [0.4, 2.4, *([3.6 / max(n, 1)] * n), 1.3, 0.8, 1.3, 0.9])
    for c, label in ((0, "No"), (1, "Kegiatan"), (cols - 1, "Keterangan")):
        table.cell(0, c).merge(table.cell(1, c)).text = label
    table.cell(0, 2).merge(table.cell(0, 1 + n)).text = "Pelaksana"
    table.cell(0, 2 + n).merge(table.cell(0, 4 + n)).text = "Mutu Baku"
    for i, name in enumerate([*actors, "Kelengkapan", "Waktu", "Output"]):
        table.cell(1, 2 + i).text = name
    for c in range(cols):
        table.cell(2, c).text = str(c + 1)
    for step in sop.steps:
        cells = table.add_row().cells
        for cell, width in zip(
            cells, [0.4, 2.4, *([3.6 / max(n, 1)] * n), 1.3, 0.8, 1.3, 0.9], strict=False
        ):
            cell.width = Inches(width)
        cells[0].text = step.no
        _set_lines(cells[1], step.activity)
        for i, name in enumerate(actors):
            mark = step.marks.get(name, "")
            if mark:
                _write_mark(cells[2 + i], mark, marks)
        _set_lines(cells[2 + n], step.requirements)
        cells[3 + n].text = step.duration.raw
        _set_lines(cells[4 + n], step.output)
        _set_lines(cells[5 + n], step.note)


def identity_labels(sop: SOP) -> list[tuple[str, str]]:
    """The identity block's (label, SOP attribute) rows; Tanggal Pengesahan only where printed."""
    return [
        (f.label, "title_raw" if f.attr == "title" else f.attr)
        for f in HEADER_FIELDS
        if f.printed or getattr(sop, f.attr)
    ]


def docx_from_sops(sops: list[SOP], marks: str = "text") -> bytes:
    """A Word document with every SOP in the official layout, one after the other.

    SOPs with an identity block get the identity table (with "Nama SOP"); the
    others a heading paragraph "SOP <TITLE>" as in the Setda book.
    """
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(8)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Inches(11.69), Inches(8.27)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(0.5))
    for sop in sops:
        if sop.number or sop.approved_by:
            _identity_table(document, sop)
            document.add_paragraph("")
        else:
            document.add_paragraph(f"SOP {sop.title_raw}")
        _step_table(document, sop, marks)
        document.add_paragraph("")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------- from a text dump


def dump_blocks(text: str) -> list[tuple[str, list[list[str]]]]:
    """A dump as ("p", [[line]]) paragraphs and ("table", rows) runs of tab-separated lines."""
    blocks: list[tuple[str, list[list[str]]]] = []
    for line in text.splitlines():
        if "\t" in line:
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(line.split("\t"))
            else:
                blocks.append(("table", [line.split("\t")]))
        else:
            blocks.append(("p", [[line]]))
    return blocks


def _plain_lines(cell: str) -> list[str]:
    return [x for x in (collapse_spaces(y) for y in strip_markup(cell).split("\n")) if x]


def docx_from_dump(text: str) -> bytes:
    """The dump as a Word document: tab-separated runs of lines as tables, cell
    markup turned into one paragraph per line, other lines as paragraphs."""
    document = docx.Document()
    for kind, rows in dump_blocks(text):
        if kind == "p":
            document.add_paragraph("\n".join(_plain_lines(rows[0][0])))
            continue
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                lines = _plain_lines(cell)
                if lines:
                    _set_lines(table.cell(r, c), "\n".join(lines))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def html_from_dump(text: str) -> str:
    """The dump as an HTML page; cells keep their markup fragments (<ul>, <p>, <b>)."""
    parts = [
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>SOP</title>'
        "<style>td{border:1px solid}</style></head><body>"
    ]
    for kind, rows in dump_blocks(text):
        if kind == "p":
            parts.append(f"<p>{rows[0][0]}</p>")
            continue
        parts.append('<table border="1">')
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def xlsx_from_dump(text: str) -> bytes:
    """The dump as one worksheet: a row per line, a cell per tab-separated part."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "SOP"
    for r, line in enumerate(text.splitlines(), start=1):
        for c, cell in enumerate(line.split("\t"), start=1):
            value = "\n".join(_plain_lines(cell))
            if value:
                ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_with_drawing(data: bytes, shapes: list[tuple[int, int, str, str]]) -> bytes:
    """The workbook with a drawing over its first sheet, as Excel saves a
    flowchart drawn with its shapes: each (row, column, preset, text), from 0,
    a shape anchored inside that cell, each followed by a connector drawn from
    it to the next row's cell."""
    xdr = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"

    def anchor(r0: int, c0: int, r1: int, c1: int, body: str) -> str:
        return (
            f"<xdr:twoCellAnchor><xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>9525</xdr:colOff>"
            f"<xdr:row>{r0}</xdr:row><xdr:rowOff>9525</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{c1}</xdr:col><xdr:colOff>400000</xdr:colOff>"
            f"<xdr:row>{r1}</xdr:row><xdr:rowOff>150000</xdr:rowOff></xdr:to>"
            f"{body}<xdr:clientData/></xdr:twoCellAnchor>"
        )

    parts = []
    for k, (row, col, preset, text) in enumerate(shapes, start=2):
        label = f"<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></xdr:txBody>"
        parts.append(
            anchor(
                row,
                col,
                row,
                col,
                f'<xdr:sp><xdr:nvSpPr><xdr:cNvPr id="{k}" name="Shape {k}"/><xdr:cNvSpPr/>'
                f'</xdr:nvSpPr><xdr:spPr><a:prstGeom prst="{preset}"><a:avLst/></a:prstGeom>'
                f"</xdr:spPr>{label if text else ''}</xdr:sp>",
            )
        )
        parts.append(
            anchor(
                row,
                col,
                row + 1,
                col + 1,
                f'<xdr:cxnSp><xdr:nvCxnSpPr><xdr:cNvPr id="{k + 1000}" name="Connector {k}"/>'
                f'<xdr:cNvCxnSpPr/></xdr:nvCxnSpPr><xdr:spPr><a:prstGeom prst="bentConnector3">'
                f"<a:avLst/></a:prstGeom></xdr:spPr></xdr:cxnSp>",
            )
        )
    drawing = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<xdr:wsDr xmlns:xdr="{xdr}" xmlns:a="{a}">{"".join(parts)}</xdr:wsDr>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rIdDr1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/drawing" Target="../drawings/drawing1.xml"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/drawings/drawing1.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.drawing+xml"/></Types>',
                )
            dst.writestr(item, body)
        dst.writestr("xl/drawings/drawing1.xml", drawing)
        dst.writestr("xl/worksheets/_rels/sheet1.xml.rels", rels)
    return out.getvalue()


# ----------------------------------------------------------------------------- Excel layouts

MARK_BY_KIND = {kind: SYMBOL[kind] for kind in ("terminator", "process", "decision")}


def _write_step_sheet(ws, sop: SOP, first_row: int) -> int:  # type: ignore[no-untyped-def]
    """The two-row step header with merged cells, the steps and a total row; returns the next row."""
    actors = [a.raw for a in sop.actors]
    n = len(actors)
    last = 2 + n + 3 + 1
    r = first_row
    for col, label in ((1, "No"), (2, "Kegiatan"), (last, "Keterangan")):
        ws.cell(row=r, column=col, value=label)
        ws.merge_cells(start_row=r, start_column=col, end_row=r + 1, end_column=col)
    ws.cell(row=r, column=3, value="Pelaksana")
    if n > 1:
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=2 + n)
    ws.cell(row=r, column=3 + n, value="Mutu Baku")
    ws.merge_cells(start_row=r, start_column=3 + n, end_row=r, end_column=5 + n)
    for i, name in enumerate([*actors, "Kelengkapan", "Waktu", "Output"]):
        ws.cell(row=r + 1, column=3 + i, value=name)
    r += 2
    for step in sop.steps:
        ws.cell(row=r, column=1, value=int(step.no) if step.no.isdigit() else step.no)
        ws.cell(row=r, column=2, value=step.activity)
        for i, name in enumerate(actors):
            if step.marks.get(name):
                ws.cell(row=r, column=3 + i, value=step.marks[name])
        ws.cell(row=r, column=3 + n, value=step.requirements or None)
        ws.cell(row=r, column=4 + n, value=step.duration.raw or None)
        ws.cell(row=r, column=5 + n, value=step.output or None)
        ws.cell(row=r, column=last, value=step.note or None)
        r += 1
    ws.cell(row=r, column=1, value="Jumlah waktu")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3 + n)
    ws.cell(row=r, column=4 + n, value=f"{sop.total_minutes:g} menit")
    return r + 1


def xlsx_export_layout(sop: SOP) -> bytes:
    """A workbook shaped like the project's planned export: Identitas, Prosedur,
    Perbandingan and Temuan sheets (the last two must be ignored by the loader)."""
    wb = openpyxl.Workbook()
    ident = wb.active
    ident.title = "Identitas"
    row = 1
    for label, attr in identity_labels(sop):
        ident.cell(row=row, column=1, value=label)
        ident.cell(row=row, column=2, value=getattr(sop, attr) or "-")
        row += 1
    row += 1
    pairs = [
        ("Dasar Hukum", sop.legal_basis, "Kualifikasi Pelaksana", sop.qualifications),
        ("Keterkaitan", sop.related_sops, "Peralatan/Perlengkapan", sop.equipment),
        (
            "Peringatan",
            sop.warning.split("\n") if sop.warning else [],
            "Pencatatan dan Pendataan",
            sop.records,
        ),
    ]
    for left, left_items, right, right_items in pairs:
        ident.cell(row=row, column=1, value=left)
        ident.cell(row=row, column=3, value=right)
        row += 1
        for i in range(max(len(left_items), len(right_items))):
            if i < len(left_items):
                ident.cell(row=row, column=1, value=f"{i + 1}. {left_items[i]}")
            if i < len(right_items):
                ident.cell(row=row, column=3, value=f"{i + 1}. {right_items[i]}")
            row += 1
        row += 1
    proc = wb.create_sheet("Prosedur")
    proc.cell(row=1, column=1, value="STANDAR OPERASIONAL PROSEDUR")
    proc.cell(row=2, column=1, value=sop.title_raw)
    _write_step_sheet(proc, sop, first_row=4)
    comp = wb.create_sheet("Perbandingan")
    comp.append(["No", "Kegiatan", "Pelaksana", "Kelengkapan", "Waktu", "Output"])
    comp.append(
        [1, "Langkah pembanding yang tidak boleh terbaca", "Camat", "ATK", "1 hari", "Surat"]
    )
    findings = wb.create_sheet("Temuan")
    findings.append(["Temuan", "Nama SOP"])
    findings.append(["Waktu berbeda", "SOP lain yang tidak boleh terbaca"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_handmade(sop: SOP) -> bytes:
    """A hand-made sheet: a title, label | : | value identity rows, a blank row,
    then the two-row header with merged cells and the steps, all on one sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Lembar1"
    ws["A1"] = "PEMERINTAH KABUPATEN LUMAJANG"
    ws["A2"] = f"{sop.office.upper()}"
    row = 4
    for label, attr in identity_labels(sop):
        ws.cell(row=row, column=2, value=label)
        ws.cell(row=row, column=3, value=":")
        ws.cell(row=row, column=4, value=getattr(sop, attr) or "-")
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=8)
        row += 1
    _write_step_sheet(ws, sop, first_row=row + 1)
    for col in range(1, 14):
        ws.column_dimensions[get_column_letter(col)].width = 18
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------- PDF


def pdf_with_text(pages: list[list[str]]) -> bytes:
    """A minimal PDF with a text layer: one Helvetica line per string, page by page."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font_id = 3
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 10 Tf", "12 TL", "50 800 Td"]
        for line in lines:
            safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({safe}) Tj T*")
        ops.append("ET")
        stream = zlib.compress("\n".join(ops).encode("cp1252", errors="replace"))
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font_id, content_id)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    return pdf_file(objects, header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def pdf_ruled_table(
    rows: list[list[str]],
    widths: list[float],
    boxes: list[tuple[int, int]],
    painted_twice: bool = False,
) -> bytes:
    """A one-page landscape PDF holding one ruled table (every cell outlined, its
    text in Helvetica) with a flowchart box drawn in the cells ``boxes`` (row,
    column); ``painted_twice`` draws each box as some PDF writers do: its fill,
    then its outline, two objects of one size."""
    return pdf_ruled_pages([RuledPage(rows, widths, boxes, painted_twice)])


@dataclass
class RuledPage:
    """One page of :func:`pdf_ruled_pages`: a ruled table and a footer line."""

    rows: list[list[str]]
    widths: list[float]
    boxes: list[tuple[int, int]]
    painted_twice: bool = False
    footer: str = ""


def _ruled_page_ops(page: RuledPage) -> str:
    left, top, height = 30.0, 560.0, 24.0
    xs = [left]
    for w in page.widths:
        xs.append(xs[-1] + w)
    ys = [top - k * height for k in range(len(page.rows) + 1)]
    ops = ["0.5 w"]
    ops += [f"{xs[0]} {y} m {xs[-1]} {y} l S" for y in ys]
    ops += [f"{x} {ys[0]} m {x} {ys[-1]} l S" for x in xs]
    for r, c in page.boxes:
        x, y = xs[c] + 8, ys[r + 1] + 6
        w, h = page.widths[c] - 16, height - 12
        if page.painted_twice:
            ops.append(f"1 1 1 rg {x} {y} {w} {h} re f")
        ops.append(f"{x} {y} {w} {h} re S")
    ops += ["BT", "/F1 7 Tf"]
    texts = [
        (xs[c] + 2, ys[r + 1] + 9, t) for r, row in enumerate(page.rows) for c, t in enumerate(row)
    ]
    if page.footer:
        texts.append((left, 20.0, page.footer))  # the page's bottom band
    for x, y, text in texts:
        if text:
            safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"1 0 0 1 {x} {y} Tm ({safe}) Tj")
    ops.append("ET")
    return "\n".join(ops)


def pdf_ruled_pages(pages: list[RuledPage]) -> bytes:
    """A landscape PDF of ruled tables, one page each (see :func:`pdf_ruled_table`)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for page in pages:
        stream = zlib.compress(_ruled_page_ops(page).encode("cp1252", errors="replace"))
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (len(objects))
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    return pdf_file(objects, header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def pdf_file(objects: list[bytes], header: bytes = b"%PDF-1.4\n") -> bytes:
    """A PDF file of ``objects`` (object 1 the catalog): each numbered in order,
    then the cross-reference table and the trailer."""
    out = io.BytesIO()
    out.write(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def scanned_pdf(n_pages: int) -> bytes:
    """An image-only PDF (a scan without a text layer) of ``n_pages`` pages."""
    from PIL import Image, ImageDraw

    images = []
    for i in range(n_pages):
        img = Image.new("L", (400, 560), 255)
        draw = ImageDraw.Draw(img)
        draw.rectangle((40, 60, 360, 500), outline=0)
        draw.text((50, 70), f"STANDAR OPERASIONAL PROSEDUR {i + 1}", fill=0)
        images.append(img)
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:])
    return buf.getvalue()


def libreoffice_convert(files: list[Path], target: str, outdir: Path) -> list[Path]:
    """Convert files with LibreOffice in one headless run (own throwaway profile)."""
    assert LIBREOFFICE, "libreoffice not installed"
    profile = outdir / "lo-profile"
    subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    ext = target.split(":", 1)[0]
    return [outdir / f"{f.stem}.{ext}" for f in files]
