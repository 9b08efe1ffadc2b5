"""Documents read into rows of cells: the shape every table reader hands over.

The Word, Excel, HTML and PDF readers turn a document into one list of rows in
reading order: each table row becomes a row of cell texts, each paragraph (or
line) between tables a row of one cell. A merged cell carries its text in its
first (top-left) grid position only; the other positions it covers are "",
exactly as in a text dump of the same table. :func:`sopdata.ingest.parse_text.parse_rows`
then reads SOPs from the rows, the same code that reads text dumps.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

from sopdata.errors import SOPLoadError

Row = list[str]

#: Largest uncompressed member accepted inside a .docx/.xlsx (bytes): guards
#: against a small file that inflates into gigabytes of XML.
MAX_UNZIPPED_MEMBER = 200 * 1024 * 1024
_CHUNK = 1024 * 1024

_LINE_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\r\f\v]+")


@dataclass
class TableDocument:
    """A document as rows of cells, with what the reader noticed on the way.

    Attributes:
        rows: tables' rows and the paragraphs between them, in reading order.
        warnings: Indonesian notes for the reviewer (formulas skipped, pages cut ...).
        tables: how many tables the reader found.
        breaks: indices of rows where a table (or sheet) starts or ends.
        partial: what was left unread when reading stopped at a limit ("" if none).
        fallback_text: plain text for the text parser when the rows hold no step
            table ("" when the format has no such fallback).
    """

    rows: list[Row] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: int = 0
    fallback_text: str = ""
    breaks: set[int] = field(default_factory=set)
    partial: str = ""

    def add_text(self, text: str) -> None:
        """Add a paragraph: one row per line; tab-separated parts become cells."""
        for line in text.split("\n"):
            cells = [tidy_line(c) for c in line.split("\t")]
            if any(cells):
                self.rows.append(cells)

    def add_table(self, rows: list[Row]) -> None:
        """Add a table's rows (rectangular or not) followed by an empty row."""
        if not rows:
            return
        self.tables += 1
        self.breaks.add(len(self.rows))
        self.rows.extend(rows)
        self.breaks.add(len(self.rows))
        self.rows.append([""])


# A table row drawn with pipes on both sides ("| 1 | Menerima surat | √ |"), and
# the rule under a Markdown header row ("|---|:--:|").
_BORDERED_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
# (one character class, no nested repeats: linear on a hostile line of dashes)
_RULE_ROW = re.compile(r"[\s|:-]*\|[\s|:-]*")
#: Fewer bordered rows than this are stray pipes (OCR reads a ruled line as "|").
MIN_PIPE_ROWS = 3


def pipe_rows_as_tabs(text: str) -> str:
    """``text`` with the rows of its pipe-drawn tables (Markdown, a web page
    saved as text) written as a Word table saved as text writes them: cells
    between tabs; the rule rows under a header dropped. A text with fewer than
    :data:`MIN_PIPE_ROWS` bordered rows is returned as it is."""
    lines = text.split("\n")
    bordered = [
        m.group(1) if (m := _BORDERED_ROW.match(line)) and line.count("|") >= 3 else None
        for line in lines
    ]
    if sum(b is not None for b in bordered) < MIN_PIPE_ROWS:
        return text
    out = []
    for line, inner in zip(lines, bordered, strict=True):
        if "---" in line and _RULE_ROW.fullmatch(line):
            continue
        out.append(line if inner is None else "\t".join(c.strip() for c in inner.split("|")))
    return "\n".join(out)


def tidy_line(text: str) -> str:
    """One line: runs of spaces (tabs, no-break spaces) collapsed, ends trimmed."""
    return _LINE_SPACES.sub(" ", text).strip()


def tidy_cell(text: str) -> str:
    """A cell's text: each line tidied, empty lines dropped, tabs made spaces."""
    lines = (tidy_line(x) for x in text.replace("\t", " ").split("\n"))
    return "\n".join(x for x in lines if x)


def check_zip_members(zf: zipfile.ZipFile, name: str, kind: str) -> None:
    """Refuse an Office package whose members inflate beyond :data:`MAX_UNZIPPED_MEMBER`.

    Every member is inflated in chunks and counted as it streams: the sizes in
    the zip headers are the sender's word and are never trusted.

    Raises:
        SOPLoadError: a member (or the sum of them) is too large once unpacked.
    """
    total, limit = 0, 2 * MAX_UNZIPPED_MEMBER  # the sum of the members: twice one
    for info in zf.infolist():
        if info.is_dir():
            continue
        member = 0
        try:
            with zf.open(info) as fp:
                while chunk := fp.read(_CHUNK):
                    member += len(chunk)
                    total += len(chunk)
                    if member > MAX_UNZIPPED_MEMBER or total > limit:
                        raise SOPLoadError(
                            f"Isi berkas {kind} terlalu besar setelah dibuka (lebih dari "
                            f"{MAX_UNZIPPED_MEMBER // (1024 * 1024)} MB); berkas ini tidak dibaca.",
                            name,
                        )
        except zipfile.BadZipFile as exc:  # a size or CRC that does not match what inflated
            raise SOPLoadError(
                f"Berkas {kind} rusak (isi tidak cocok dengan daftar isinya); simpan ulang berkasnya.",
                name,
            ) from exc
