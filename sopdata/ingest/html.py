"""Read SOPs from HTML pages: ``<table>`` markup read into rows of cells.

The standard library's :class:`html.parser.HTMLParser` walks the page; every
table row becomes a row of cells on the table grid (``colspan``/``rowspan``
respected: a spanning cell keeps its text in its first position, the positions
it covers are ""), and text between tables becomes one-cell rows. Cell text is
plain text: tags are dropped, block tags (``<br>``, ``<p>``, ``<li>`` ...)
become line breaks and entities are decoded. A nested table follows the rows
of its outer table read so far.

A page without any table (the markup fragments of a text dump) is left to the
text parser through :attr:`TableDocument.fallback_text`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sopdata.ingest.table_rows import Row, TableDocument, tidy_cell, tidy_line
from sopdata.text.textclean import strip_markup

_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "hr",
    "caption",
    "center",
    "address",
}
_SKIP = {"script", "style", "title", "template", "noscript", "svg", "math", "object"}
_WHITESPACE = re.compile(r"\s+")
#: Spans larger than these are clamped (the HTML standard clamps at 1000 / 65534).
MAX_COLSPAN = 100
MAX_ROWSPAN = 1000
#: Widest table grid kept (columns): spans beyond it are cut, with a warning.
MAX_COLUMNS = 256


def _span(value: str | None, limit: int) -> int:
    try:
        n = int((value or "1").strip().rstrip(";"))
    except ValueError:
        return 1
    if n == 0 and limit == MAX_ROWSPAN:
        return limit  # rowspan="0": to the end of the table section
    return max(1, min(n, limit))


class _Table:
    """One open ``<table>``: finished rows, the row and cell being read, row spans."""

    def __init__(self) -> None:
        self.done: list[Row] = []
        self.row: dict[int, str] | None = None
        self.col = 0
        self.cell: list[str] | None = None
        self.cell_at = (0, 1, 1)  # column, colspan, rowspan
        self.covered: dict[
            int, int
        ] = {}  # column -> rows still covered from above (this one included)
        self.placed: dict[int, int] = {}  # column -> rowspan of cells placed in this row
        self.cut = False  # a cell fell beyond MAX_COLUMNS

    def start_row(self) -> None:
        self.end_row()
        self.row = {}
        self.col = 0
        self.placed = {}

    def start_cell(self, colspan: int, rowspan: int) -> None:
        self.end_cell()
        if self.row is None:
            self.start_row()
        while self.col < MAX_COLUMNS and self.covered.get(self.col, 0) > 0:
            self.col += 1
        self.cell = []
        if self.col >= MAX_COLUMNS:
            self.cut = True
            self.cell_at = (-1, 0, 0)  # read (its text must go somewhere) but not placed
            return
        if self.col + colspan > MAX_COLUMNS:
            self.cut = True
            colspan = MAX_COLUMNS - self.col
        self.cell_at = (self.col, colspan, rowspan)
        self.col += colspan

    def end_cell(self) -> None:
        if self.cell is None or self.row is None:
            return
        col, colspan, rowspan = self.cell_at
        if col < 0:
            self.cell = None
            return
        self.row[col] = tidy_cell("".join(self.cell))
        for c in range(col + 1, col + colspan):
            self.row[c] = ""
        if rowspan > 1:
            for c in range(col, col + colspan):
                self.placed[c] = rowspan
        self.cell = None

    def end_row(self) -> None:
        self.end_cell()
        if self.row is None:
            return
        width = max([*self.row, *(c for c, n in self.covered.items() if n > 0), -1]) + 1
        if self.row:
            self.done.append([self.row.get(c, "") for c in range(width)])
        covered = {c: n - 1 for c, n in self.covered.items() if n - 1 > 0}
        for c, n in self.placed.items():
            covered[c] = n - 1
        self.covered = covered
        self.row = None
        self.placed = {}

    def take_rows(self) -> list[Row]:
        rows, self.done = self.done, []
        return rows


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = TableDocument()
        self.outside: list[str] = []
        self.tables: list[_Table] = []
        self.skipping: list[str] = []
        self.cut = False

    # -- text sinks
    def _sink(self) -> list[str] | None:
        if self.tables:
            return self.tables[-1].cell
        return self.outside

    def _flush_outside(self) -> None:
        if self.outside:
            self.doc.add_text("\n".join(tidy_line(x) for x in "".join(self.outside).split("\n")))
            self.outside = []

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.append(tag)
            return
        if tag in _SKIP:
            self.skipping.append(tag)
            return
        attr = dict(attrs)
        if tag == "table":
            if not self.tables:
                self._flush_outside()
            self.tables.append(_Table())
        elif tag == "tr" and self.tables:
            self.tables[-1].start_row()
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].start_cell(
                _span(attr.get("colspan"), MAX_COLSPAN), _span(attr.get("rowspan"), MAX_ROWSPAN)
            )
        elif tag in _BLOCK:
            sink = self._sink()
            if sink is not None:
                sink.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th", "tr", "table"):
            return  # "<td/>" is not a valid empty cell; ignore it as browsers do
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag == "table" and self.tables:
            table = self.tables.pop()
            table.end_row()
            if table.cut and not self.cut:
                self.cut = True
                self.doc.warnings.append(
                    f"tabel HTML lebih lebar dari {MAX_COLUMNS} kolom: sel di luarnya tidak dibaca"
                )
            if self.tables:
                # Rows read so far of the outer table come first, then this table.
                self.doc.add_table(self.tables[-1].take_rows())
            self.doc.add_table(table.take_rows())
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].end_cell()
        elif tag == "tr" and self.tables:
            self.tables[-1].end_row()
        elif tag in _BLOCK:
            sink = self._sink()
            if sink is not None:
                sink.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        sink = self._sink()
        if sink is not None:
            sink.append(_WHITESPACE.sub(" ", data))

    def close(self) -> None:
        super().close()
        # a skipped element left open ("<script>" never closed) ends with the page:
        # otherwise the closing tables below would be skipped too, forever
        self.skipping.clear()
        while self.tables:
            self.handle_endtag("table")
        self._flush_outside()


def read_html(text: str) -> TableDocument:
    """An HTML page as rows of cells; :attr:`~TableDocument.fallback_text` is the
    page as plain text for the text parser."""
    reader = _PageReader()
    reader.feed(text)
    reader.close()
    doc = reader.doc
    doc.fallback_text = strip_markup(text)
    if not doc.tables:
        doc.rows = []  # markup fragments of a text dump: the text parser reads them
    return doc
