"""One document's text rendered the ways a reviewer receives copies of it.

Each function takes a text document (as the development set stores it) and
gives the same document as another source would hand it over: a document-
sharing site's transcript, a copy that doubled every line break, lines broken
at a fixed width, a web page, a Word document, a PDF's text layer. The readers
should find the same SOPs in each (tests, ``python -m benchmarks.renderings``).
"""

from __future__ import annotations

import html
import io
import re
import textwrap

from tests.support.sopfiles import pdf_with_text

#: Lines a page of :func:`pdf_document` holds.
PDF_PAGE_LINES = 60


def _pages(text: str) -> list[str]:
    """Blocks of the text between two or more blank lines (a dump's pages)."""
    return [p.strip("\n") for p in re.split(r"\n{3,}", text) if p.strip()]


def bulleted_transcript(text: str) -> str:
    """A site that shows each page as a list item: its buttons and 'Transcript',
    then each page's first line after '  • ' and its other lines indented four
    spaces."""
    pages = []
    for page in _pages(text):
        first, *rest = page.split("\n")
        pages.append(
            "\n".join(["  • " + first, *("    " + line if line.strip() else line for line in rest)])
        )
    return "Top Banner\nDownload\nTranscript\n" + "\n\n".join(pages)


def paged_transcript(text: str) -> str:
    """A site that heads each page with 'Page N: <the document's title>' and
    ends with its buttons."""
    return (
        "\n\n".join(
            f"Page {k}: Standar Operasional Prosedur\n\n{page}"
            for k, page in enumerate(_pages(text), 1)
        )
        + "\n\nEmbed Size (px)\nCitation preview\n"
    )


def doubled_breaks(text: str) -> str:
    """A PDF viewer's copy that ends every line with CR CR LF."""
    return text.replace("\n", "\r\r\n")


def wrapped(text: str, width: int = 70) -> str:
    """Every long line broken at ``width`` (an e-mail, a narrow column); table
    rows (tabs, pipes) kept whole."""
    return "\n".join(
        "\n".join(textwrap.wrap(line, width))
        if len(line) > width and "\t" not in line and "|" not in line
        else line
        for line in text.split("\n")
    )


def capitals(text: str) -> str:
    """The document typed in capitals."""
    return text.upper()


def table_cell_a_line(text: str) -> str:
    """A Word table's text as a PDF's extraction or a copy flattens it: each cell
    of a tab-separated row on a line of its own, empty cells gone."""
    return "\n".join(
        "\n".join(c for c in line.split("\t") if c.strip()) if "\t" in line else line
        for line in text.split("\n")
    )


def table_row_a_line(text: str) -> str:
    """A Word table's text with each row's cells joined by spaces on one line."""
    return "\n".join(
        " ".join(c.strip() for c in line.split("\t") if c.strip()) if "\t" in line else line
        for line in text.split("\n")
    )


def table_row_kegiatan_wrapped(text: str, width: int = 30) -> str:
    """:func:`table_row_a_line` of a table whose Kegiatan wraps in its narrow
    column: a row's first line holds the Kegiatan's first line and the cells
    after it (Kelengkapan, Waktu, Output), the Kegiatan's other lines follow, as
    a PDF's text extraction prints them."""
    out = []
    for line in text.split("\n"):
        # a PDF holds the cell's text, not the HTML fragments of a web dump
        cells = [" ".join(re.sub(r"<[^>]*>", " ", c).split()) for c in line.split("\t")]
        if "\t" not in line:
            out.append(line)
            continue
        if len(cells) > 2 and re.fullmatch(r"\d{1,3}\.?", cells[0]) and len(cells[1]) > width:
            first, *rest = textwrap.wrap(cells[1], width)
            out.append(" ".join(c for c in [cells[0], first, *cells[2:]] if c))
            out.extend(rest)
        else:
            out.append(" ".join(c for c in cells if c))
    return "\n".join(out)


def tabs_as_spaces(text: str, width: int = 4) -> str:
    """A table dump whose tabs an editor or an e-mail turned into spaces."""
    return text.replace("\t", " " * width)


def table_row_a_line_symbols_drawn(text: str) -> str:
    """:func:`table_row_a_line` of a PDF whose flowchart symbols are drawn
    shapes: the text layer holds no symbol characters ("□", "◇")."""
    return table_row_a_line(re.sub(r"[□◇○◯⬭▭◻◊♢]", "", text))


def procedure_header_over_number(text: str) -> str:
    """Step tables whose header prints one "Uraian Prosedur" over both the number
    and the Kegiatan column (a merged cell: its text in the first position, the
    position it covers empty), as BPS and other offices' templates do."""
    return re.sub(
        r"(?mi)^no\.?\t(?:uraian\s+)?(?:kegiatan|prosedur)\t", "Uraian Prosedur\t\t", text
    )


def parenthesised_numbers(text: str) -> str:
    """Items and sections numbered '1)' where the document has '1.'."""
    return re.sub(r"(?m)^(\s*)(\d{1,2})\.(\s)", r"\1\2)\3", text)


def bracketed_numbers(text: str) -> str:
    """Items and sections numbered '(1)' where the document has '1.'."""
    return re.sub(r"(?m)^([ ]*)(\d{1,2})\.([ ]+)", r"\1(\2)\3", text)


def bulleted_items(text: str) -> str:
    """Items bulleted '•' where the document numbers them '1.', '2.' (every line
    that opens with a number, sections included)."""
    return re.sub(r"(?m)^([ ]*)\d{1,2}\.[ ]+(?=\S)", r"\1• ", text)


def lettered_items(text: str) -> str:
    """Items lettered 'a.', 'b.' ... where the document numbers them '1.', '2.'
    (every line that opens with a number up to 26, sections included)."""
    return re.sub(
        r"(?m)^([ ]*)(\d{1,2})\.([ ]+)(?=\S)",
        lambda m: (
            f"{m.group(1)}{chr(96 + int(m.group(2)))}.{m.group(3)}"
            if 1 <= int(m.group(2)) <= 26
            else m.group(0)
        ),
        text,
    )


def web_page(text: str) -> bytes:
    """An HTML page with one paragraph (<p>) a line, blank lines left out."""
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    return f"<html><body>\n{body}\n</body></html>".encode()


def word_document(text: str) -> bytes:
    """The text typed into Word: one paragraph a line (blank lines left out, as
    paragraph spacing), lines with tabs as the rows of a table."""
    import docx

    document = docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
            rows.clear()

    for line in text.split("\n"):
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        if line.strip():
            document.add_paragraph(line)
    flush()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def excel_workbook(text: str) -> bytes:
    """The text pasted into a worksheet: one row a line (blank lines left as
    empty rows), cells between tabs in columns of their own."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for k, line in enumerate(text.split("\n"), 1):
        for j, cell in enumerate(line.split("\t"), 1):
            if cell.strip():
                sheet.cell(row=k, column=j, value=cell)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_document(text: str, width: int = 95) -> bytes:
    """The text printed to a PDF: lines broken at ``width`` characters, pages of
    :data:`PDF_PAGE_LINES` lines; the text layer keeps no blank lines and no
    indentation."""
    lines = [part for line in text.split("\n") for part in textwrap.wrap(line, width) or [""]]
    return pdf_with_text(
        [lines[k : k + PDF_PAGE_LINES] for k in range(0, len(lines), PDF_PAGE_LINES)]
    )
