"""Read SOPs from PDF files with a text layer (pdfplumber).

Each page is read top to bottom: tables found from their ruling lines become
rows of cells (a merged cell keeps its text in its first position), the text
lines outside the tables become one-cell rows, and a flowchart symbol drawn
inside an otherwise empty cell (a rectangle, a diamond, a rounded box) becomes
□, ◇ or ⬭, as a text dump would show it. Inside a cell, wrapped lines are
joined and a line break is kept where the next word would have fitted (a new
list item); a row cut by a page break is joined back into one.

Where the tables hold no step table, the page text goes to the text parser
(:attr:`TableDocument.fallback_text`). A PDF without a text layer (a scan)
raises :class:`ScannedPDFError` (the loader then reads it by OCR). Reading is bounded: at most
:data:`MAX_PAGES` pages and :data:`TIME_BUDGET_S` seconds, with a warning when
the rest of the document is left unread; inside a page, by the decoded size of
its content (:data:`MAX_PAGE_CONTENT_BYTES`, measured while inflating), the
objects laid out (:data:`MAX_PAGE_OBJECTS`) and :data:`PAGE_TIME_S` seconds,
checked as each object is laid out. A page over a bound is skipped with a warning.

Speed: a page that draws nothing is read by pdfium (:func:`plain_text_page`). A
page with drawings is laid out by pdfminer's interpreter, with its content
streams tokenised by :mod:`sopdata.ingest.pdf_content`, its characters made
straight into pdfplumber's dictionaries and its drawings converted with only the
keys the readers use (:func:`page_objects`): the objects pdfplumber would give,
in about 40% of the time (tests/ingest/test_pdf_content.py checks they are the same).
"""

from __future__ import annotations

import bisect
import contextlib
import io
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, BinaryIO

from sopdata.errors import SOPLoadError
from sopdata.form import DECISION, PROCESS, TERMINATOR, is_decision_label
from sopdata.ingest.table_rows import Row, TableDocument, tidy_cell

# pdfminer logs every damaged object it skips; the reviewer gets one SOPLoadError instead.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

#: Pages read at most; an SOP book is rarely longer than a few dozen pages.
MAX_PAGES = 100
#: Seconds spent reading pages at most (checked between pages).
TIME_BUDGET_S = 45.0
#: Decoded content stream bytes of one page read at most (measured while inflating).
MAX_PAGE_CONTENT_BYTES = 4 * 1024 * 1024
#: Characters and drawn objects laid out on one page at most; a dense A4 table
#: page has a few thousand.
MAX_PAGE_OBJECTS = 40_000
#: Seconds spent laying out one page at most (checked while it is laid out).
PAGE_TIME_S = 10.0
#: Fewer characters than this per page on average: no usable text layer.
MIN_CHARS_PER_PAGE = 20

_PAGE_FURNITURE = re.compile(
    r"^\W*(?:(?:halaman|hal\.?|page)\s*)?\d{1,4}(?:\s*(?:dari|/|of)\s*\d{1,4})?\W*$", re.I
)


class ScannedPDFError(SOPLoadError):
    """A PDF without a text layer (a scan): it needs OCR."""


def _page_count(pdf: Any) -> int:
    try:
        from pdfminer.pdftypes import resolve1

        return int(resolve1(pdf.doc.catalog["Pages"])["Count"])
    except Exception:  # a damaged page tree: count by walking it
        return len(pdf.pages)


class _PageTooHeavy(Exception):
    """A page over a per-page bound; ``why`` says which, in Indonesian."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _content_size(page_obj: Any, cap: int) -> int:
    """The decoded size of a page's content streams, counted while inflating and
    stopped just past ``cap`` (a 7 KB stream may inflate to gigabytes)."""
    import zlib

    from pdfminer.pdftypes import resolve1

    total = 0
    for ref in page_obj.contents or []:
        stream = resolve1(ref)
        raw = getattr(stream, "rawdata", None)
        if raw is None:  # already decoded by pdfminer
            total += len(getattr(stream, "data", b"") or b"")
        else:
            filters = [str(getattr(f, "name", f)) for f, _ in stream.get_filters()]
            if not filters:
                total += len(raw)
            elif filters == ["FlateDecode"] or filters == ["Fl"]:
                inflate = zlib.decompressobj()
                chunk = inflate.decompress(raw, cap + 1 - total)
                total += len(chunk)
                while inflate.unconsumed_tail and total <= cap:
                    chunk = inflate.decompress(inflate.unconsumed_tail, cap + 1 - total)
                    if not chunk:
                        break
                    total += len(chunk)
            else:  # other filters are rare in content streams; pdfminer decodes them
                total += len(stream.get_data())
        if total > cap:
            break
    return total


class _Frame:
    """Where pdfplumber puts a page's objects: ``top``/``bottom`` from the page's
    height and MediaBox, ``doctop`` down the whole document."""

    def __init__(self, page: Any) -> None:
        self.height = page.height
        self.page_number = page.page_number
        self.initial_doctop = page.initial_doctop
        self.mb_x0, self.mb_top = page.mediabox[:2]
        self.unicode_norm = page.pdf.unicode_norm

    def place(self, attr: dict[str, Any], kind: str) -> dict[str, Any]:
        attr["object_type"] = kind
        attr["page_number"] = self.page_number
        attr["top"] = (self.height - attr["y1"]) + self.mb_top
        attr["bottom"] = (self.height - attr["y0"]) + self.mb_top
        attr["doctop"] = self.initial_doctop + attr["top"]
        if self.mb_x0 != 0:
            attr["x0"] = attr["x0"] + self.mb_x0
            attr["x1"] = attr["x1"] + self.mb_x0
        return attr

    def text(self, text: str) -> str:
        return text if self.unicode_norm is None else unicodedata.normalize(self.unicode_norm, text)

    def char(self, obj: Any) -> dict[str, Any]:
        """A pdfminer ``LTChar`` as pdfplumber converts it (:data:`CHAR_KEYS`)."""
        fields = obj.__dict__
        attr = {k: fields[k] for k in CHAR_KEYS if k in fields}
        attr["text"] = self.text(obj.get_text())
        if isinstance(attr["fontname"], bytes):  # pragma: no cover - rare byte names
            from pdfplumber.page import fix_fontname_bytes

            attr["fontname"] = fix_fontname_bytes(attr["fontname"])
        return self.place(attr, "char")

    def shape(self, obj: Any) -> dict[str, Any]:
        """A pdfminer ``LTLine``/``LTRect``/``LTCurve`` as pdfplumber converts it
        (:data:`SHAPE_KEYS`)."""
        fields = obj.__dict__
        attr = {k: fields[k] for k in SHAPE_KEYS if k in fields}
        mb_x0, bottom = self.mb_x0, self.mb_top + self.height
        attr["pts"] = [(mb_x0 + x, bottom - y) for x, y in attr["pts"]]
        return self.place(attr, type(obj).__name__[2:].lower())  # LTRect -> rect


def _bounded_layout(page: Any, deadline: float, max_objects: int) -> None:
    """Lay the page out (``page.layout``, and ``page.objects`` as
    :func:`page_objects` gives them) with its work bounded: at most
    ``max_objects`` characters and drawn objects, and not past ``deadline``
    (``time.monotonic()``), checked as each object is laid out.

    The characters go straight into pdfplumber's form (a dictionary each, as
    :meth:`_Frame.char` makes from a pdfminer ``LTChar``, same values), without
    the ``LTChar`` in between; the drawings stay in the layout.

    Raises:
        _PageTooHeavy: a bound was reached; the page is left unread.
    """
    from pdfminer.pdffont import PDFUnicodeNotDefined
    from pdfminer.utils import apply_matrix_rect
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    from sopdata.ingest.pdf_content import FastPageInterpreter

    frame = _Frame(page)

    class Bounded(PDFPageAggregatorWithMarkedContent):
        count = 0
        chars: list[dict[str, Any]]

        def _tick(self) -> None:
            self.count += 1
            if self.count > max_objects:
                raise _PageTooHeavy(f"lebih dari {max_objects:,} karakter/objek".replace(",", "."))
            if self.count % 256 == 0 and time.monotonic() > deadline:
                raise _PageTooHeavy("waktu baca halaman habis")

        def render_char(
            self,
            matrix: Any,
            font: Any,
            fontsize: float,
            scaling: float,
            rise: float,
            cid: int,
            ncs: Any,
            graphicstate: Any,
        ) -> float:
            # pdfminer's PDFLayoutAnalyzer.render_char and LTChar, for a
            # horizontal font; a vertical one goes through them.
            self._tick()
            if font.is_vertical():
                adv = super().render_char(
                    matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate
                )
                self.chars.append(frame.char(self.cur_item._objs.pop()))
                return float(adv)
            try:
                text = font.to_unichr(cid)
                assert isinstance(text, str), str(type(text))
            except PDFUnicodeNotDefined:
                text = self.handle_undefined_char(font, cid)
            adv = font.char_width(cid) * fontsize * scaling
            descent = font.get_descent() * fontsize
            x0, y0, x1, y1 = apply_matrix_rect(
                matrix, (0, descent + rise, adv, descent + rise + fontsize)
            )
            if x1 < x0:
                x0, x1 = x1, x0
            if y1 < y0:
                y0, y1 = y1, y0
            a, b, c, d = matrix[:4]
            char = {
                "matrix": matrix,
                "fontname": font.fontname,
                "adv": adv,
                "upright": a * d * scaling > 0 and b * c <= 0,
                "x0": x0,
                "y0": y0,
                "x1": x1,
                "y1": y1,
                "width": x1 - x0,
                "height": y1 - y0,
                "size": y1 - y0,
                "text": frame.text(text),
            }
            if isinstance(char["fontname"], bytes):  # pragma: no cover - rare byte names
                from pdfplumber.page import fix_fontname_bytes

                char["fontname"] = fix_fontname_bytes(char["fontname"])
            self.chars.append(frame.place(char, "char"))
            return float(adv)

        def paint_path(self, *args: Any, **kwargs: Any) -> None:
            self._tick()
            super().paint_path(*args, **kwargs)

        def render_image(self, *args: Any, **kwargs: Any) -> None:
            self._tick()
            super().render_image(*args, **kwargs)

    size = _content_size(page.page_obj, MAX_PAGE_CONTENT_BYTES)
    if size > MAX_PAGE_CONTENT_BYTES:
        raise _PageTooHeavy(f"isi halaman lebih dari {MAX_PAGE_CONTENT_BYTES // (1024 * 1024)} MB")
    device = Bounded(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    device.chars = []
    FastPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()
    page._objects = page_objects(page, device.chars)


#: What the readers use of a character (:attr:`pdfplumber.Page.chars`): pdfplumber's
#: own conversion also resolves every colour, a third of a ruled page's reading time.
CHAR_KEYS = (
    "matrix", "fontname", "adv", "upright", "x0", "y0", "x1", "y1", "width", "height", "size",
)  # fmt: skip
#: What the readers use of a line, rectangle or curve (the table finder's edges, the
#: flowchart symbols): their geometry, not their colours, dashes or path operators.
SHAPE_KEYS = (
    "x0", "y0", "x1", "y1", "width", "height", "pts", "linewidth", "stroke", "fill", "evenodd",
)  # fmt: skip


def page_objects(
    page: Any, chars: list[dict[str, Any]] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The characters, lines, rectangles and curves of a laid-out page as
    pdfplumber's ``page.objects`` gives them, with only the keys the readers use
    (:data:`CHAR_KEYS`, :data:`SHAPE_KEYS`, and ``text``, ``top``, ``bottom``,
    ``doctop``, ``object_type``, ``page_number``): same values, same order.
    Images, annotations and marked-content ids are left out (no reader uses them).

    Args:
        chars: the page's characters already converted (by :func:`_bounded_layout`);
            None: those of the layout.
    """
    from pdfminer.layout import LTChar, LTContainer, LTCurve

    if page.pdf.laparams is not None:  # text boxes and lines too: pdfplumber's own
        return dict(page.parse_objects())
    frame = _Frame(page)
    objects: dict[str, list[dict[str, Any]]] = {}
    if chars:
        objects["char"] = chars
    stack = [iter(page.layout._objs)]
    while stack:
        obj = next(stack[-1], None)
        if obj is None:
            stack.pop()
        elif isinstance(obj, LTContainer):  # a form XObject (figure): its contents
            stack.append(iter(obj._objs))
        elif isinstance(obj, LTChar):
            objects.setdefault("char", []).append(frame.char(obj))
        elif isinstance(obj, LTCurve):
            attr = frame.shape(obj)
            objects.setdefault(attr["object_type"], []).append(attr)
    return objects


def _open_pdfium(data: bytes) -> Any | None:
    """The document opened with pdfium (fast text of pages without drawings), or
    None where pdfium is missing or cannot open it (pdfminer then reads every page)."""
    try:
        import pypdfium2
    except ImportError:  # pragma: no cover - pdfplumber brings it
        return None
    try:
        return pypdfium2.PdfDocument(data)
    except Exception:
        return None


#: Characters on a page pdfium reads at most; a denser page goes through pdfminer,
#: whose bounds (objects, time) say why it is left unread.
FAST_PAGE_MAX_CHARS = 20_000
#: Decoded content bytes of a page pdfium reads at most (a text page holds tens of KB).
FAST_PAGE_MAX_BYTES = 512 * 1024
#: pdfium's page object types that may draw a table's ruling or a flowchart symbol.
_DRAWN_OBJECTS = {2, 4, 5}  # path, shading, form XObject


def plain_text_page(doc: Any, index: int) -> tuple[str, int] | None:
    """The text and character count of a page that draws nothing (no line, box or
    form XObject: no table to find), read by pdfium; None for any other page, or
    when pdfium fails on it (pdfminer then lays the page out).

    pdfium reads such a page some 30 times faster than pdfminer's interpreter."""
    if doc is None:
        return None
    try:
        import pypdfium2.raw as pdfium_c

        page = doc[index]
        try:
            if pdfium_c.FPDFPage_CountObjects(page.raw) > FAST_PAGE_MAX_CHARS:
                return None
            if any(obj.type in _DRAWN_OBJECTS for obj in page.get_objects(max_depth=1)):
                return None
            textpage = page.get_textpage()
            try:
                n_chars = textpage.count_chars()
                if n_chars > FAST_PAGE_MAX_CHARS:
                    return None
                text = textpage.get_text_range() if n_chars else ""
            finally:
                textpage.close()
        finally:
            page.close()
    except Exception:
        return None
    lines = (line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line), n_chars


def drawn_shape_mark(obj: dict[str, Any]) -> str | None:
    """The flowchart mark of a drawn rectangle or curve (a pdfplumber object), by
    its outline: a rectangle □, a diamond (corners at the middle of its box's
    sides) ◇, any other closed curve (rounded box, ellipse) ⬭."""
    width, height = obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]
    if width < 4 or height < 4:
        return None
    if obj.get("object_type") == "rect":
        return PROCESS
    points = obj.get("pts") or []
    if not points:
        return None
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    # A diamond's corners sit at the middle of its bounding box's sides.
    tol_x, tol_y = width * 0.15, height * 0.15
    corners = {
        "top": any(abs(x - cx) < tol_x and abs(y - obj["top"]) < tol_y for x, y in points),
        "bottom": any(abs(x - cx) < tol_x and abs(y - obj["bottom"]) < tol_y for x, y in points),
        "left": any(abs(x - obj["x0"]) < tol_x and abs(y - cy) < tol_y for x, y in points),
        "right": any(abs(x - obj["x1"]) < tol_x and abs(y - cy) < tol_y for x, y in points),
    }
    box_corner = any(
        abs(x - bx) < tol_x and abs(y - by) < tol_y
        for x, y in points
        for bx in (obj["x0"], obj["x1"])
        for by in (obj["top"], obj["bottom"])
    )
    if all(corners.values()) and not box_corner and len(points) <= 6:
        return DECISION
    return TERMINATOR


def _inside(
    obj: dict[str, Any], bbox: tuple[float, float, float, float], slack: float = 1.0
) -> bool:
    """A drawn object lies in a cell (it may touch the cell's borders)."""
    x0, top, x1, bottom = bbox
    return (
        obj["x0"] >= x0 - slack
        and obj["x1"] <= x1 + slack
        and obj["top"] >= top - slack
        and obj["bottom"] <= bottom + slack
    )


class _CharIndex:
    """A page's characters sorted by their vertical middle, for picking a cell's."""

    def __init__(self, chars: list[dict[str, Any]]) -> None:
        self.chars = sorted(chars, key=lambda c: c["top"] + c["bottom"])
        self.middles = [(c["top"] + c["bottom"]) / 2 for c in self.chars]

    def band(self, top: float, bottom: float) -> list[dict[str, Any]]:
        """Characters whose middle lies in [top, bottom)."""
        return self.chars[
            bisect.bisect_left(self.middles, top) : bisect.bisect_left(self.middles, bottom)
        ]


def _in_columns(chars: list[dict[str, Any]], x0: float, x1: float) -> list[dict[str, Any]]:
    return [c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 < x1]


def reflow_lines(lines: list[list[dict[str, Any]]], bbox: tuple[float, float, float, float]) -> str:
    """A cell's text from its printed lines (each a list of words with x0/x1/text).

    A line break is kept where the author made it (a list item, a new
    paragraph): the next line's first word would have fitted on the line. A
    wrap becomes a space; a word broken because it is wider than the cell
    ("Kepegawaia" / "n") and a line ending in a hyphen ("masing-" / "masing")
    are joined without one.
    """
    lines = [line for line in lines if line]
    if not lines:
        return ""
    size = max(1.0, min(w["bottom"] - w["top"] for line in lines for w in line))
    padding = min(min(line[0]["x0"] for line in lines) - bbox[0], 6.0)
    inner = (bbox[2] - bbox[0]) - 2 * max(padding, 0.0)
    parts = [" ".join(w["text"] for w in lines[0])]
    for prev, line in zip(lines, lines[1:], strict=False):
        first = line[0]
        prev_text, next_text = prev[-1]["text"], first["text"]
        used = prev[-1]["x1"] - prev[0]["x0"]
        if (
            prev_text.endswith("-")
            and next_text[:1].isalpha()
            or len(prev) == 1
            and used >= inner - 0.6 * size
            and next_text[:1].islower()
        ):
            joint = ""
        elif inner - used > (first["x1"] - first["x0"]) + 0.8 * size:
            joint = "\n"
        else:
            joint = " "
        parts.append(joint + " ".join(w["text"] for w in line))
    return tidy_cell("".join(parts))


def _cell_text(chars: list[dict[str, Any]], bbox: tuple[float, float, float, float]) -> str:
    from pdfplumber.utils import cluster_objects
    from pdfplumber.utils.text import WordExtractor

    words = WordExtractor(x_tolerance=1.5, y_tolerance=3).extract_words(chars)
    lines = [sorted(line, key=lambda w: w["x0"]) for line in cluster_objects(words, "top", 2.0)]
    return reflow_lines(lines, bbox)


def _table_rows(table: Any, chars: _CharIndex, shapes: list[dict[str, Any]]) -> list[Row]:
    """The table's cells as text; an empty cell holding a drawn symbol gives its
    mark, a cell holding a symbol beside its Ya/Tidak label gives both ("◇ Ya").
    A label written inside a box is that box's text (a label's text box), no
    symbol of its own."""
    rows: list[Row] = []
    for row in table.rows:
        cells: Row = []
        for bbox in row.cells:
            if bbox is None:
                cells.append("")  # covered by a merged cell
                continue
            own = _in_columns(chars.band(bbox[1], bbox[3]), bbox[0], bbox[2])
            cell = _cell_text(own, bbox)
            if shapes and (not cell or is_decision_label(cell)):
                mine = [s for s in shapes if _inside(s, bbox) and not _holds_text(s, own)]
                mark = cell_mark(mine)
                cell = f"{mark} {cell}".strip() if mark else cell
            cells.append(cell)
        rows.append(cells)
    return rows


def _holds_text(shape: dict[str, Any], chars: list[dict[str, Any]], slack: float = 1.0) -> bool:
    """Whether the cell's text is written wholly inside the shape (a text box);
    a label beside a symbol, touching it or not, is not."""
    chars = [c for c in chars if c.get("text", "").strip()]
    return bool(chars) and all(
        shape["x0"] - slack <= c["x0"]
        and c["x1"] <= shape["x1"] + slack
        and shape["top"] - slack <= c["top"]
        and c["bottom"] <= shape["bottom"] + slack
        for c in chars
    )


#: The share of a page's height above which text is its footer (an e-signature
#: note, a page number) and below whose complement its header: neither ends a
#: table that the next page continues.
FOOTER_BAND = 0.9
#: Two tables' columns that start this close (points) are one column.
COLUMN_EDGE_TOLERANCE = 4.0
#: A continued table's first row opens with a step number ("10", "11.").
_STEP_NUMBER = re.compile(r"^\s*\d{1,3}\s*[.)]?\s*$")


#: A shape under this share of the largest one in its cell, or with a side under
#: ``MIN_SYMBOL_SIDE`` points, is a decoration of the flowchart (a connector's
#: dot, an arrowhead), not a symbol (the smallest boxes seen: 23 x 14).
DECORATION_AREA = 0.25
MIN_SYMBOL_SIDE = 8.0


def cell_mark(shapes: list[dict[str, Any]]) -> str:
    """The flowchart mark of the shapes drawn in one cell; "" when none, or when
    the cell holds two different symbols. A shape painted twice (its fill, then
    its outline, as some PDF writers draw every box) is one shape; a dot or an
    arrowhead beside the box is none."""

    def area(s: dict[str, Any]) -> float:
        return float((s["x1"] - s["x0"]) * (s["bottom"] - s["top"]))

    shapes = [
        s for s in shapes if min(s["x1"] - s["x0"], s["bottom"] - s["top"]) >= MIN_SYMBOL_SIDE
    ]
    largest = max((area(s) for s in shapes), default=0.0)
    marks = {
        (round(s["x0"]), round(s["top"]), round(s["x1"]), round(s["bottom"])): m
        for s in shapes
        if area(s) >= DECORATION_AREA * largest and (m := drawn_shape_mark(s))
    }
    return next(iter(marks.values())) if len(marks) == 1 else ""


def _continues(last: Row, first: Row) -> bool:
    """A table's first row is the rest of the previous page's last row: no
    step number, some text, same columns."""
    return len(last) == len(first) and not first[0] and any(first[1:]) and any(last)


def is_symbol_shape(obj: dict[str, Any]) -> bool:
    """A closed drawing the size of a flowchart symbol (not a border or a line):
    up to 80 points each way (a diamond is often as tall as it is wide)."""
    width, height = obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]
    return 6 <= width <= 80 and 5 <= height <= 80


def _find_tables(page: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    """The page's tables, and the flowchart symbols drawn on it.

    Symbols are left out of the ruling lines the tables are found from, or
    each box would split its cell into extra rows and columns.
    """
    from pdfplumber.utils import obj_to_edges

    shapes = [o for o in (*page.rects, *page.curves) if is_symbol_shape(o)]
    if not shapes:
        return page.find_tables(), []
    drawn = {id(o) for o in shapes}
    edges = [
        e
        for o in (*page.lines, *page.rects, *page.curves)
        if id(o) not in drawn
        for e in obj_to_edges(o)
    ]
    settings = {
        "vertical_strategy": "explicit",
        "horizontal_strategy": "explicit",
        "explicit_vertical_lines": [e for e in edges if e["orientation"] == "v"],
        "explicit_horizontal_lines": [e for e in edges if e["orientation"] == "h"],
    }
    return page.find_tables(settings), shapes


@dataclass
class _Carry:
    """The table a page ended in: its last row (a row split by the page break is
    joined back into it) and its columns' left edges (a table continued on the
    next page without its header is laid onto them)."""

    row: Row
    columns: list[float]


def _columns(table: Any) -> list[float]:
    """Each column's left edge (where every cell of the column, merged or not, starts)."""
    width = max((len(r.cells) for r in table.rows), default=0)
    edges: list[float] = []
    for j in range(width):
        starts = [r.cells[j][0] for r in table.rows if j < len(r.cells) and r.cells[j] is not None]
        edges.append(float(min(starts)) if starts else (edges[-1] if edges else 0.0))
    return edges


def _laid_onto(rows: list[Row], own: list[float], grid: list[float]) -> list[Row]:
    """Rows of a table continued without its header, each cell moved to the column
    of ``grid`` (the previous page's table) that starts where it starts: the
    continuation's columns are cut by its own ruling lines, fewer where the
    header had merged cells, so one lane has another index on each page. A
    column starting between two of the grid's goes to the one it starts in."""

    def target(x: float) -> int:
        near = min(range(len(grid)), key=lambda k: abs(grid[k] - x))
        if abs(grid[near] - x) <= COLUMN_EDGE_TOLERANCE:
            return near
        return max((k for k in range(len(grid)) if grid[k] <= x), default=0)

    where = [target(x) for x in own]
    out = []
    for row in rows:
        laid = [""] * len(grid)
        for j, text in enumerate(row):
            if text and j < len(where):
                k = where[j]
                laid[k] = f"{laid[k]} {text}".strip()
        out.append(laid)
    return out


def _read_page(page: Any, doc: TableDocument, carry: _Carry | None) -> tuple[str, _Carry | None]:
    """Add one page's rows to ``doc``.

    Args:
        carry: the table the previous page ended in (see :class:`_Carry`).

    Returns:
        The page's plain text, and its last table when the page ends in one.
    """
    tables, shapes = _find_tables(page)
    lines = page.extract_text_lines(strip=True)
    page_text = "\n".join(line["text"] for line in lines)
    chars = _CharIndex(page.chars if tables else [])
    items: list[tuple[float, int, Any]] = []
    for table in tables:
        items.append((table.bbox[1], 1, table))
    for line in lines:
        middle = (line["top"] + line["bottom"]) / 2
        in_table = any(
            t.bbox[1] <= middle <= t.bbox[3] and line["x0"] < t.bbox[2] and line["x1"] > t.bbox[0]
            for t in tables
        )
        if not in_table and not _PAGE_FURNITURE.match(line["text"]):
            items.append((line["top"], 0, line["text"]))
    items.sort(key=lambda item: (item[0], item[1]))
    last: _Carry | None = None
    body = ((1 - FOOTER_BAND) * float(page.height), FOOTER_BAND * float(page.height))
    # the previous page's table goes on in this page's first table, when nothing
    # but the page's header band comes before it
    going_on = carry
    for top, kind, payload in items:
        if not kind:
            doc.add_text(payload)
            if body[0] < top < body[1]:  # text of the page's body ends a table
                last = going_on = None
            continue
        rows = _table_rows(payload, chars, shapes)
        columns = _columns(payload)
        if (
            going_on is not None
            and rows
            and len(columns) != len(going_on.columns)
            and _STEP_NUMBER.match(rows[0][0])
        ):
            rows, columns = _laid_onto(rows, columns, going_on.columns), going_on.columns
        if going_on is not None and rows and _continues(going_on.row, rows[0]):
            for i, part in enumerate(rows.pop(0)):
                going_on.row[i] = f"{going_on.row[i]} {part}".strip()
        doc.add_table(rows)
        last = _Carry(rows[-1], columns) if rows else going_on
        going_on = None
    return page_text, last


def read_pdf(
    fp: BinaryIO, name: str, max_pages: int = MAX_PAGES, time_budget_s: float = TIME_BUDGET_S
) -> TableDocument:
    """A PDF's text layer as rows of cells, page by page, bounded in pages and time.

    Raises:
        SOPLoadError: password-protected, damaged, or without a text layer (a scan).
    """
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    data = fp.read()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = type(exc.args[0]).__name__ if exc.args else ""
        if "Password" in cause or "Encryption" in cause:
            raise SOPLoadError(
                "PDF dilindungi kata sandi; buka kuncinya lalu simpan ulang sebelum diunggah.", name
            ) from exc
        raise SOPLoadError(
            "PDF rusak atau terpotong; simpan ulang PDF-nya lalu unggah lagi.", name
        ) from exc
    except Exception as exc:
        raise SOPLoadError("PDF tidak dapat dibaca (berkas rusak).", name) from exc
    doc = TableDocument()
    texts: list[str] = []
    chars = 0
    textless: list[int] = []
    carry: _Carry | None = None
    heavy: list[str] = []
    started = time.monotonic()
    fast = _open_pdfium(data)
    try:
        total = _page_count(pdf)
        for number, page in enumerate(pdf.pages, start=1):
            if number > max_pages or (number > 1 and time.monotonic() - started > time_budget_s):
                doc.partial = f"hanya {number - 1} dari {total} halaman yang dibaca"
                doc.warnings.append(
                    f"PDF berisi {total} halaman; hanya {number - 1} halaman pertama yang dibaca "
                    f"(batas {max_pages} halaman / {time_budget_s:.0f} detik): pecah dokumen per bagian"
                )
                break
            plain = (
                plain_text_page(fast, number - 1)
                if _content_size(page.page_obj, FAST_PAGE_MAX_BYTES) <= FAST_PAGE_MAX_BYTES
                else None
            )
            if plain is not None:
                text, n_chars = plain
                chars += n_chars
                if n_chars < MIN_CHARS_PER_PAGE:
                    textless.append(number)
                doc.add_text("\n".join(x for x in text.split("\n") if not _PAGE_FURNITURE.match(x)))
                texts.append(text)
                carry = None
                page.close()
                continue
            deadline = min(time.monotonic() + PAGE_TIME_S, started + time_budget_s)
            try:
                _bounded_layout(page, deadline, MAX_PAGE_OBJECTS)
            except _PageTooHeavy as exc:
                heavy.append(f"{number} ({exc.why})")
                texts.append("")
                carry = None
                page.close()
                continue
            n_chars = len(page.chars)
            chars += n_chars
            if n_chars < MIN_CHARS_PER_PAGE:
                textless.append(number)
            if n_chars:
                text, carry = _read_page(page, doc, carry)
            else:
                text, carry = "", None
            texts.append(text)
            page.close()
    except SOPLoadError:
        raise
    except Exception as exc:  # damaged content streams found while reading pages
        raise SOPLoadError("PDF rusak: isi halamannya tidak dapat dibaca.", name) from exc
    finally:
        with contextlib.suppress(Exception):  # closing walks the page tree again
            pdf.close()
        if fast is not None:
            with contextlib.suppress(Exception):
                fast.close()
    pages_read = len(texts)
    if pages_read == 0:
        raise SOPLoadError("PDF tidak berisi halaman.", name)
    if heavy:
        doc.warnings.append(
            f"halaman {', '.join(heavy[:10])} terlalu berat untuk dibaca dan dilewati"
        )
        if len(heavy) == pages_read:
            raise SOPLoadError(
                f"Dokumen terlalu berat untuk dibaca (batas per halaman: {heavy[0].split('(', 1)[1][:-1]}).",
                name,
            )
        pages_read -= len(heavy)
    if chars < MIN_CHARS_PER_PAGE * pages_read:
        raise ScannedPDFError(
            f"PDF ini hasil pindaian tanpa lapisan teks ({total} halaman); jalankan OCR lebih dulu "
            "(mis. ocrmypdf atau 'Simpan sebagai teks' di aplikasi OCR) lalu unggah hasilnya.",
            name,
        )
    if textless:
        shown = ", ".join(map(str, textless[:10])) + (" ..." if len(textless) > 10 else "")
        doc.warnings.append(
            f"halaman {shown} tanpa lapisan teks (pindaian) tidak terbaca; perlu OCR"
        )
    doc.fallback_text = "\n".join(texts)
    return doc
