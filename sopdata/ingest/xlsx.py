"""Read SOPs from Excel workbooks (.xlsx, .xlsm) by their header labels.

Nothing is read from fixed cell addresses: every sheet becomes rows of cells
(sheets in workbook order), and the step table is found by its header row(s)
(No / Kegiatan / Pelaksana spanning the actor columns / Mutu Baku spanning
Kelengkapan, Waktu, Output / Keterangan, one or two rows, merged or not), the
identity block by its labels (Nomor SOP, Nama SOP, Dasar Hukum ...), exactly
as in a text dump. This reads hand-made sheets and the project's own export
alike ("Identitas" and "Prosedur"; the export's "Perbandingan" and "Temuan"
sheets are skipped, as are hidden sheets).

Formulas are never evaluated: the workbook is opened with ``data_only=False``
and a formula cell is read as text only where the formula is a plain string
(``="..."``) or a ``HYPERLINK`` label; any other formula cell is read as empty
and reported in one warning.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zipfile
from typing import Any, BinaryIO

from sopdata.errors import SOPLoadError
from sopdata.form import is_decision_label
from sopdata.ingest.docx import shape_mark
from sopdata.ingest.table_rows import Row, TableDocument, check_zip_members, tidy_cell
from sopdata.text.times import LONG_MONTHS

#: Sheets of the project's own export that hold no SOP.
IGNORED_SHEETS = frozenset({"perbandingan", "temuan"})
#: Rows read from the whole workbook (non-empty ones), and rows scanned per sheet.
MAX_ROWS = 20_000
MAX_SCAN_ROWS = 200_000
#: Columns read per row; an SOP step table has about a dozen.
MAX_COLS = 60

_STRING = r'"((?:[^"]|"")*)"'
_LITERAL = re.compile(rf"^=\s*{_STRING}\s*$")
_HYPERLINK = re.compile(rf"^=\s*HYPERLINK\s*\(\s*{_STRING}\s*(?:[,;]\s*{_STRING}\s*)?\)\s*$", re.I)


def formula_text(formula: str) -> str | None:
    """The text a formula shows when that text is written in the formula itself.

    ``="Menerima berkas"`` gives the string, ``=HYPERLINK("url", "Label")`` its
    label (or the link when there is none); anything else (``=1+1``,
    ``=cmd|'/C calc'!A0``) gives None: it would need evaluating, which is never done.
    """
    m = _LITERAL.match(formula)
    if m:
        return m.group(1).replace('""', '"')
    m = _HYPERLINK.match(formula)
    if m:
        return (m.group(2) if m.group(2) is not None else m.group(1)).replace('""', '"')
    return None


def format_value(value: Any) -> str:
    """A stored (non-formula) cell value as text: whole numbers without ".0",
    dates as "14 Januari 2024", times as "08:30"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and (value.hour, value.minute, value.second) == (0, 0, 0):
        value = value.date()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.day} {LONG_MONTHS[value.month - 1]} {value.year}"
    if isinstance(value, dt.datetime):
        return f"{value.day} {LONG_MONTHS[value.month - 1]} {value.year} {value:%H:%M}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    return str(value)


class _FormulaLog:
    """Formula cells met while reading, reported as one warning."""

    def __init__(self) -> None:
        self.skipped: list[str] = []
        self.as_text = 0

    def read(self, sheet: str, cell: Any) -> str:
        value = cell.value
        formula = getattr(value, "text", value)  # ArrayFormula keeps its formula in .text
        text = formula_text(formula) if isinstance(formula, str) else None
        if text is not None:
            self.as_text += 1
            return text
        from openpyxl.utils import get_column_letter

        where = f"{sheet}!{get_column_letter(cell.column)}{cell.row}"
        shown = str(formula)[:40].replace("\n", " ")
        self.skipped.append(f"{where} '{shown}'")
        return ""

    def warnings(self) -> list[str]:
        out = []
        if self.skipped:
            n = len(self.skipped)
            examples = "; ".join(self.skipped[:3])
            out.append(
                f"{n} sel berisi rumus Excel yang tidak dihitung (contoh: {examples}); "
                "sel tersebut dibaca kosong, ketik nilainya sebagai teks"
            )
        if self.as_text:
            out.append(
                f'{self.as_text} sel berisi rumus teks (="..." atau HYPERLINK); hanya teksnya yang dibaca'
            )
        return out


# --- flowchart shapes drawn over a sheet ----------------------------------------------

_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}
#: Shapes read from one sheet's drawing; a sheet drawing more is read without them.
MAX_SHAPES = 5_000
#: A shape holding more words than this is a text box, not a flowchart symbol.
TEXT_BOX_WORDS = 3

Cell = tuple[int, int]  # (row, column), from 0


def _xml(zf: zipfile.ZipFile, member: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(zf.read(member), parser)


def _target(base: str, target: str) -> str:
    """A relationship's target as a member name ("../drawings/d1.xml" from "xl/worksheets")."""
    parts = [] if target.startswith("/") else base.split("/")
    for part in target.lstrip("/").split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)


def _rels(zf: zipfile.ZipFile, names: set[str], folder: str, name: str) -> dict[str, str]:
    member = f"{folder}/_rels/{name}.rels"
    if member not in names:
        return {}
    root = _xml(zf, member)
    return {
        r.get("Id", ""): _target(folder, r.get("Target", ""))
        for r in root.findall("rel:Relationship", _NS)
    }


def drawing_marks(data: bytes) -> dict[str, dict[Cell, str]]:
    """The flowchart symbols drawn over each sheet (by sheet name): a shape
    anchored inside one cell gives that cell its mark (□ ◇ ⬭, or a Ya/Tidak
    label written in it); connectors, arrows and pictures give none, and a
    cell with two different symbols gives none. Unreadable drawings give {}."""
    out: dict[str, dict[Cell, str]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            sheets = _rels(zf, names, "xl", "workbook.xml")
            book = _xml(zf, "xl/workbook.xml")
            for sheet in book.findall("main:sheets/main:sheet", _NS):
                path = sheets.get(sheet.get(f"{{{_NS['r']}}}id", ""), "")
                folder, _, name = path.rpartition("/")
                rels = _rels(zf, names, folder, name)
                drawings = [t for t in rels.values() if "/drawings/" in f"/{t}"]
                marks: dict[Cell, set[str]] = {}
                for member in drawings:
                    if member in names:
                        _anchored_marks(_xml(zf, member), marks)
                found = {cell: m for cell, ms in marks.items() if (m := _one_mark(ms))}
                if found:
                    out[sheet.get("name", "")] = found
    except Exception:  # a damaged drawing costs its marks, never the workbook
        return out
    return out


def _one_mark(marks: set[str]) -> str:
    """One cell's drawn marks as one: its symbol, with the Ya/Tidak label drawn
    beside it ("◇ Ya"); "" for two different symbols (or two labels)."""
    labels = sorted(m for m in marks if is_decision_label(m))
    symbols = sorted(marks - set(labels))
    if len(symbols) > 1 or len(labels) > 1:
        return ""
    return " ".join([*symbols, *labels])


def _anchored_marks(root: Any, marks: dict[Cell, set[str]]) -> None:
    anchors = root.findall("xdr:twoCellAnchor", _NS) + root.findall("xdr:oneCellAnchor", _NS)
    for anchor in anchors[:MAX_SHAPES]:
        start = anchor.find("xdr:from", _NS)
        end = anchor.find("xdr:to", _NS)
        shape = anchor.find("xdr:sp", _NS)  # not xdr:cxnSp (a connector) nor xdr:pic
        if start is None or shape is None:
            continue
        cell = _anchor_cell(start)
        if end is not None and _anchor_cell(end) != cell:
            continue  # drawn across cells: its cell cannot be told
        geometry = shape.find("xdr:spPr/a:prstGeom", _NS)
        label = "".join(t.text or "" for t in shape.iter(f"{{{_NS['a']}}}t"))
        if len(label.split()) > TEXT_BOX_WORDS:
            continue  # a text box (a note, a heading), not a symbol
        mark = shape_mark(geometry.get("prst", "") if geometry is not None else "", label)
        if mark:
            marks.setdefault(cell, set()).add(mark)


def _anchor_cell(el: Any) -> Cell:
    row, col = el.find("xdr:row", _NS), el.find("xdr:col", _NS)
    return (
        int(row.text or 0) if row is not None else 0,
        int(col.text or 0) if col is not None else 0,
    )


def _with_mark(text: str, mark: str | None) -> str:
    """A cell's text with the symbol drawn over it: the mark in an empty cell,
    "◇ Ya" beside a branch label typed in the cell, the text alone otherwise."""
    if not text or not mark:
        return text or mark or ""
    if is_decision_label(text) and not is_decision_label(mark) and " " not in mark:
        return f"{mark} {text}"
    return text


def _sheet_rows(
    ws: Any,
    log: _FormulaLog,
    budget: int,
    doc: TableDocument,
    marks: dict[Cell, str] | None = None,
) -> tuple[list[Row], int]:
    """Rows of one sheet (padded to the sheet's width), with the symbols drawn
    over its cells (``marks``, by (row, column) from 0); the row budget left."""
    ws.reset_dimensions()  # read what is there, not what the file claims
    marks = marks or {}
    rows: list[Row] = []
    width = 0
    for scanned, cells in enumerate(ws.iter_rows()):
        if scanned >= MAX_SCAN_ROWS or budget <= 0:
            doc.partial = f"lembar '{ws.title}' hanya dibaca sampai baris {scanned}"
            doc.warnings.append(
                f"lembar '{ws.title}' terlalu panjang; hanya baris sampai {scanned} yang dibaca"
            )
            break
        at = next((c.row for c in cells if getattr(c, "row", None)), scanned + 1) - 1
        row: Row = []
        for col, cell in enumerate(cells[:MAX_COLS]):
            if getattr(cell, "data_type", None) == "f":
                text = log.read(ws.title, cell)
            else:
                text = format_value(cell.value)
            row.append(_with_mark(tidy_cell(text), marks.get((at, col))))
        while row and not row[-1]:
            row.pop()
        if not row:
            if rows and rows[-1]:
                rows.append([])
            continue
        budget -= 1
        width = max(width, len(row))
        rows.append(row)
    return [r + [""] * (width - len(r)) if r else [""] for r in rows], budget


def read_xlsx(fp: BinaryIO, name: str) -> TableDocument:
    """A workbook's visible sheets as rows of cells, in sheet order.

    Raises:
        SOPLoadError: not an Excel workbook, damaged, .xlsb, or too large unpacked.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    data = fp.read()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip_members(zf, name, "Excel")
            if "xl/workbook.bin" in zf.namelist():
                raise SOPLoadError(
                    "Berkas Excel biner (.xlsb) belum didukung; buka di Excel lalu simpan sebagai .xlsx.",
                    name,
                )
        wb = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False
        )
    except SOPLoadError:
        raise
    except (zipfile.BadZipFile, EOFError, NotImplementedError) as exc:  # unknown zip version
        raise SOPLoadError(
            "Berkas Excel rusak atau terpotong; buka di Excel lalu simpan ulang sebagai .xlsx.",
            name,
        ) from exc
    except InvalidFileException as exc:
        raise SOPLoadError("Berkas ini bukan buku kerja Excel (.xlsx) yang sah.", name) from exc
    except Exception as exc:  # KeyError for a missing part, XML errors inside a damaged package
        raise SOPLoadError(
            "Buku kerja Excel tidak dapat dibaca (isi berkas rusak); buka di Excel lalu simpan ulang.",
            name,
        ) from exc

    doc = TableDocument()
    log = _FormulaLog()
    budget = MAX_ROWS
    drawn = drawing_marks(data)
    try:
        for ws in wb.worksheets:
            if ws.title.strip().lower() in IGNORED_SHEETS:
                continue
            if getattr(ws, "sheet_state", "visible") != "visible":
                doc.warnings.append(f"lembar tersembunyi '{ws.title}' tidak dibaca")
                continue
            rows, budget = _sheet_rows(ws, log, budget, doc, drawn.get(ws.title))
            doc.add_table(rows)
    except SOPLoadError:
        raise
    except Exception as exc:  # damaged sheet XML found while streaming
        raise SOPLoadError(
            "Buku kerja Excel tidak dapat dibaca (isi lembar rusak); buka di Excel lalu simpan ulang.",
            name,
        ) from exc
    finally:
        with contextlib.suppress(Exception):
            wb.close()
    doc.warnings.extend(log.warnings())
    return doc
