"""Read SOPs from Word documents (.docx) structurally, table by table.

python-docx opens the package; the body is then walked in order over the raw
WordprocessingML so that nothing is flattened before the tables are read:

* paragraphs become one row per line (tab-separated parts become cells, as in
  identity lines such as "Nomor SOP<TAB>: 700/16/...");
* each table row becomes a row of cells on the table grid: a cell merged
  across columns (``w:gridSpan``) keeps its text in its first column, a cell
  merged down (``w:vMerge`` continue) is "", and nested tables follow the row
  that holds them;
* flowchart symbols drawn in an actor cell (DrawingML ``wps:wsp`` shapes or
  legacy VML) become the character a text dump would show: □ process,
  ◇ decision, ⬭ terminator; symbol-font characters (Wingdings ``w:sym``) too.
  Connectors, arrows and pictures are not marks. A text box reading Ya/Tidak
  stays a decision-branch label.

The rows then go through :func:`sopdata.ingest.parse_text.parse_rows`, like a text dump.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any, BinaryIO

from sopdata.errors import SOPLoadError
from sopdata.form import DECISION, PROCESS, TERMINATOR
from sopdata.ingest.table_rows import Row, TableDocument, check_zip_members, tidy_cell

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_V = "urn:schemas-microsoft-com:vml"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


W_P, W_TBL, W_TR, W_TC, W_R = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("r")
W_T, W_TAB, W_BR, W_CR, W_SYM = _w("t"), _w("tab"), _w("br"), _w("cr"), _w("sym")
W_NBH, W_SDT, W_SDTCONTENT, W_CUSTOMXML = (
    _w("noBreakHyphen"),
    _w("sdt"),
    _w("sdtContent"),
    _w("customXml"),
)
W_DRAWING, W_PICT, W_TCPR, W_TRPR = _w("drawing"), _w("pict"), _w("tcPr"), _w("trPr")
W_TXBX_CONTENT = _w("txbxContent")
MC_ALTERNATE, MC_CHOICE = f"{{{_MC}}}AlternateContent", f"{{{_MC}}}Choice"

# Elements whose subtree is never cell text.
_SKIP = {
    _w(t)
    for t in (
        "del",
        "delText",
        "instrText",
        "rPr",
        "pPr",
        "tcPr",
        "trPr",
        "tblPr",
        "fldChar",
        "commentReference",
        "footnoteReference",
        "endnoteReference",
        "moveFrom",
        "proofErr",
        "bookmarkStart",
        "bookmarkEnd",
    )
}

PROCESS_MARK, DECISION_MARK, TERMINATOR_MARK = PROCESS, DECISION, TERMINATOR
_SYMBOLS = frozenset({PROCESS_MARK, DECISION_MARK, TERMINATOR_MARK})

# DrawingML preset geometries of the Permenpan flowchart symbols.
_PRESET_MARKS = {
    "flowChartProcess": PROCESS_MARK,
    "rect": PROCESS_MARK,
    "flowChartPredefinedProcess": PROCESS_MARK,
    "flowChartDocument": PROCESS_MARK,
    "flowChartMultidocument": PROCESS_MARK,
    "flowChartInputOutput": PROCESS_MARK,
    "flowChartManualOperation": PROCESS_MARK,
    "flowChartPreparation": PROCESS_MARK,
    "flowChartDecision": DECISION_MARK,
    "diamond": DECISION_MARK,
    "flowChartTerminator": TERMINATOR_MARK,
    "flowChartAlternateProcess": TERMINATOR_MARK,
    "roundRect": TERMINATOR_MARK,
    "ellipse": TERMINATOR_MARK,
}
# VML shape types ("#_x0000_tNNN") of the same symbols; 202 is a plain text box.
_VML_TYPE_MARKS = {
    "109": PROCESS_MARK,
    "112": PROCESS_MARK,
    "114": PROCESS_MARK,
    "1": PROCESS_MARK,
    "202": PROCESS_MARK,
    "110": DECISION_MARK,
    "4": DECISION_MARK,
    "116": TERMINATOR_MARK,
    "176": TERMINATOR_MARK,
    "2": TERMINATOR_MARK,
    "3": TERMINATOR_MARK,
}
_VML_TAG_MARKS = {"rect": PROCESS_MARK, "roundrect": TERMINATOR_MARK, "oval": TERMINATOR_MARK}
_DECISION_LABELS = {"ya", "tidak", "y", "t", "yes", "no"}

# Symbol-font characters that draw the flowchart marks (code points with the
# 0xF000 private-use offset removed): squares are process marks, diamonds decisions.
_SYMBOL_FONT_MARKS: dict[str, dict[int, str]] = {
    "wingdings": {
        **dict.fromkeys((0x6E, 0x6F, 0x70, 0x71, 0x72, 0xA7, 0xA8), PROCESS_MARK),
        **dict.fromkeys((0x73, 0x74, 0x75, 0x77), DECISION_MARK),
    },
    "symbol": {0xA8: DECISION_MARK, 0xE0: DECISION_MARK},
}
#: Any other symbol-font character (an arrow or check used as a bullet) reads as
#: a bullet: a list marker in a Kegiatan cell, still a mark in an actor column.
OTHER_SYMBOL = "\u2022"
#: More flowchart symbols than this in one cell means they float over the table
#: and are only anchored there: their position cannot tell the actor.
MAX_MARKS_PER_CELL = 2


def symbol_font_mark(font: str, code: int) -> str:
    """What a symbol-font character shows: □ for Wingdings squares, ◇ for
    diamonds, a bullet "•" for anything else."""
    code = code - 0xF000 if code >= 0xF000 else code
    return _SYMBOL_FONT_MARKS.get(font.strip().lower(), {}).get(code, OTHER_SYMBOL)


def _is_symbol_font(font: str) -> bool:
    f = font.strip().lower()
    return f.startswith(("wingdings", "webdings")) or f == "symbol"


def _run_symbol_font(run: Any) -> str:
    fonts = run.find(f"{_w('rPr')}/{_w('rFonts')}")
    if fonts is None:
        return ""
    for attr in ("ascii", "hAnsi", "cs"):
        value = fonts.get(_w(attr)) or ""
        if _is_symbol_font(value):
            return value
    return ""


def _txbx_text(shape: Any) -> str:
    return " ".join(t.text or "" for t in shape.iter(W_T)).strip()


def shape_mark(geometry: str, label: str) -> str | None:
    """The mark of one drawn shape, from its geometry and the text inside it.

    Args:
        geometry: DrawingML preset ("flowChartDecision") or "vml:<tag>:<type number>".
        label: the text written in the shape ("" if none).

    Returns:
        "□", "◇", "⬭", a Ya/Tidak branch label, or None for connectors and lines.
    """
    if label.strip().lower() in _DECISION_LABELS:
        return label.strip()
    if geometry.startswith("vml:"):
        _, tag, type_no = (geometry.split(":") + ["", ""])[:3]
        return _VML_TYPE_MARKS.get(type_no) or _VML_TAG_MARKS.get(tag)
    return _PRESET_MARKS.get(geometry)


def _drawing_marks(el: Any) -> list[str]:
    """Marks of the flowchart shapes drawn inside one w:drawing / w:pict element."""
    marks: list[str] = []
    for wsp in el.iter(f"{{{_WPS}}}wsp"):
        geom = wsp.find(f"{{{_WPS}}}spPr/{{{_A}}}prstGeom")
        mark = shape_mark(geom.get("prst", "") if geom is not None else "", _txbx_text(wsp))
        if mark:
            marks.append(mark)
    for shape in el.iter(f"{{{_V}}}rect", f"{{{_V}}}roundrect", f"{{{_V}}}oval", f"{{{_V}}}shape"):
        if shape.find(f"{{{_V}}}imagedata") is not None:
            continue  # a picture (logo, scanned stamp), not a symbol
        tag = shape.tag.rsplit("}", 1)[-1]
        type_no = (shape.get("type") or "").rsplit("_t", 1)[-1] if tag == "shape" else ""
        if tag == "shape" and not type_no:
            continue
        mark = shape_mark(f"vml:{tag}:{type_no}", _txbx_text(shape))
        if mark:
            marks.append(mark)
    return marks


class _TextWalker:
    """Collects the visible text of a cell or paragraph, with drawn marks inline."""

    def __init__(self, with_marks: bool = True) -> None:
        self.parts: list[str] = []
        self.marks = 0
        self.with_marks = with_marks

    def walk(self, el: Any, symbol_font: str = "") -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP or tag == W_TBL:
                continue
            if tag == W_T:
                text = child.text or ""
                if symbol_font:
                    shown = [symbol_font_mark(symbol_font, ord(c)) for c in text if not c.isspace()]
                    text = "".join(m + " " if m == OTHER_SYMBOL else m for m in shown)
                    self.marks += sum(c in _SYMBOLS for c in text)
                self.parts.append(text)
            elif tag == W_TAB:
                self.parts.append("\t")
            elif tag in (W_BR, W_CR):
                self.parts.append("\n")
            elif tag == W_NBH:
                self.parts.append("-")
            elif tag == W_SYM:
                try:
                    code = int(child.get(_w("char")) or "0", 16)
                except ValueError:
                    code = 0
                mark = symbol_font_mark(child.get(_w("font")) or "", code)
                self.parts.append(mark + " " if mark == OTHER_SYMBOL else mark)
                self.marks += mark in _SYMBOLS
            elif tag == W_P:
                self.walk(child)
                self.parts.append("\n")
            elif tag == W_R:
                self.walk(child, _run_symbol_font(child))
            elif tag == MC_ALTERNATE:
                choice = child.find(MC_CHOICE)  # the fallback repeats the same content
                if choice is not None:
                    self.walk(choice)
            elif tag in (W_DRAWING, W_PICT):
                if self.with_marks:
                    marks = _drawing_marks(child)
                    self.marks += sum(m in _SYMBOLS for m in marks)  # Ya/Tidak labels do not count
                    if marks:
                        self.parts.append(" " + " ".join(marks) + " ")
            else:
                self.walk(child, symbol_font)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def paragraph_text(p: Any) -> str:
    """A paragraph's visible text: runs, hyperlinks, content controls, tracked
    insertions (not deletions); tabs as "\\t", line breaks as "\\n"."""
    walker = _TextWalker()
    walker.walk(p)
    return walker.text


def cell_text(tc: Any, warnings: list[str] | None = None) -> str:
    """A table cell's text, one line per paragraph, drawn marks as characters.

    A cell holding more than :data:`MAX_MARKS_PER_CELL` shapes is read without
    them (they float over the table) and a warning is added.
    """
    walker = _TextWalker()
    walker.walk(tc)
    if walker.marks > MAX_MARKS_PER_CELL:
        if warnings is not None:
            note = (
                "simbol flowchart digambar melayang di atas tabel (tidak di dalam sel pelaksana); "
                "pelaksana tidak dibaca dari simbol tersebut"
            )
            if note not in warnings:
                warnings.append(note)
        walker = _TextWalker(with_marks=False)
        walker.walk(tc)
    return tidy_cell(walker.text)


def _children(el: Any, tag: str) -> list[Any]:
    """Children with ``tag``, looking through content controls and custom XML."""
    out: list[Any] = []
    for child in el:
        if child.tag == tag:
            out.append(child)
        elif child.tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                out.extend(_children(content, tag))
        elif child.tag == W_CUSTOMXML:
            out.extend(_children(child, tag))
    return out


#: Largest grid value (gridSpan, gridBefore, gridAfter) taken from a file.
MAX_GRID_SPAN = 64
#: Widest table row kept (columns).
MAX_GRID_COLUMNS = 256


def _grid_value(el: Any, path: str) -> int:
    found = el.find(path)
    try:
        return max(0, int(found.get(_w("val")))) if found is not None else 0
    except (TypeError, ValueError):
        return 0


def _vmerge_continues(tc: Any) -> bool:
    for merge in (f"{_w('tcPr')}/{_w('vMerge')}", f"{_w('tcPr')}/{_w('hMerge')}"):
        found = tc.find(merge)
        if found is not None and found.get(_w("val"), "continue") == "continue":
            return True
    return False


def _read_table(tbl: Any, doc: TableDocument) -> None:
    """Add one table's rows to ``doc``; nested tables follow the row holding them.

    Grid values come from the file and are clamped (a ``gridBefore`` of a
    billion is a few empty cells); a row is cut at :data:`MAX_GRID_COLUMNS`.
    """
    rows: list[Row] = []
    cut = False
    for tr in _children(tbl, W_TR):
        before = min(_grid_value(tr, f"{_w('trPr')}/{_w('gridBefore')}"), MAX_GRID_SPAN)
        after = min(_grid_value(tr, f"{_w('trPr')}/{_w('gridAfter')}"), MAX_GRID_SPAN)
        cells: Row = [""] * before
        nested: list[Any] = []
        for tc in _children(tr, W_TC):
            span = max(
                1, min(_grid_value(tc, f"{_w('tcPr')}/{_w('gridSpan')}") or 1, MAX_GRID_SPAN)
            )
            if len(cells) < MAX_GRID_COLUMNS:
                cells.append("" if _vmerge_continues(tc) else cell_text(tc, doc.warnings))
                cells.extend([""] * (span - 1))
            nested.extend(t for t in tc.iter(W_TBL) if _outer_table(t) is tbl)
        cells.extend([""] * after)
        if len(cells) > MAX_GRID_COLUMNS:
            cut = True
            del cells[MAX_GRID_COLUMNS:]
        rows.append(cells)
        if nested:
            doc.add_table(rows)
            rows = []
            for inner in nested:
                _read_table(inner, doc)
    if cut:
        doc.warnings.append(f"baris tabel Word lebih lebar dari {MAX_GRID_COLUMNS} kolom dipotong")
    doc.add_table(rows)


def _outer_table(tbl: Any) -> Any:
    parent = tbl.getparent()
    while parent is not None and parent.tag != W_TBL:
        parent = parent.getparent()
    return parent


def _walk_body(el: Any, doc: TableDocument) -> None:
    for child in el:
        if child.tag == W_P:
            doc.add_text(paragraph_text(child))
        elif child.tag == W_TBL:
            _read_table(child, doc)
        elif child.tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                _walk_body(content, doc)
        elif child.tag == W_CUSTOMXML:
            _walk_body(child, doc)


def read_docx(fp: BinaryIO, name: str) -> TableDocument:
    """A Word document's body as rows of cells (tables and paragraphs in order).

    Raises:
        SOPLoadError: not a Word document, damaged, truncated or too large unpacked.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    data = fp.read()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip_members(zf, name, "Word")
        document = docx.Document(io.BytesIO(data))
    except SOPLoadError:
        raise
    except ValueError as exc:  # python-docx: "file ... is not a Word file, content type is ..."
        raise SOPLoadError("Berkas ini bukan dokumen Word (.docx) yang sah.", name) from exc
    except (
        zipfile.BadZipFile,
        PackageNotFoundError,
        KeyError,
        EOFError,
        NotImplementedError,
    ) as exc:
        raise SOPLoadError(
            "Dokumen Word rusak atau terpotong; buka di Word lalu simpan ulang sebagai .docx.", name
        ) from exc
    except Exception as exc:  # lxml syntax errors and the like inside a damaged package
        raise SOPLoadError(
            "Dokumen Word tidak dapat dibaca (isi XML rusak); buka di Word lalu simpan ulang.", name
        ) from exc
    doc = TableDocument()
    _walk_body(document.element.body, doc)
    return doc
