"""Copies of a document, read as the document itself: document-sharing sites'
transcripts of a PDF, and copies with a blank line under every line.

Reviewers often get an SOP from a site that shows a PDF as text (docplayer,
fdokumen, dokumen.tips, Scribd …) and copy that text. The copy carries the
site's own lines around the document's:

* a "Transcript" / "Transcript of <title>" heading, "Page 2: <title>" above
  each page, and buttons and banners ("Download", "Embed Size (px)",
  "Citation preview", "Anda di halaman 1 dari 15");
* on some sites each page is an item of a bulleted list: its first line starts
  with "  • ", its other lines are indented four spaces.

:func:`without_site_chrome` gives the document's own text back, so that the
readers see the layout they know (a title line is the title, not
"Transcript"). A text without those marks is returned unchanged.

A copy can also leave no line directly under another: a PDF viewer that ends
lines with "\\r\\r\\n", an export with double line spacing, an HTML page with a
paragraph a line. :func:`single_spaced` closes the gaps, so that a title
wrapped over two lines is still one title and a wider gap still ends a
paragraph.
"""

from __future__ import annotations

import re

# A line that only a transcript site writes: finding one says the text is a
# transcript, and then the site's buttons (below) are dropped too.
_SITE_MARK = re.compile(
    r"(?:transcript(?: of .*)?"
    r"|embed size \(px\)"
    r"|citation preview"
    r"|welcome message from author"
    r"|this document is posted to help you gain knowledge.*"
    r"|anda (?:sedang berada )?di halaman \d+ ?dari \d+)",
    re.IGNORECASE,
)
# The site's buttons and banners: site chrome only in a text that has a mark.
_SITE_BUTTON = re.compile(
    r"(?:download|upload|others|view|documents|description|top banner|report this document"
    r"|unduh sekarang|lompat ke halaman|cari di dalam dokumen|\d+ views?|\d+ downloads?)",
    re.IGNORECASE,
)
# "Page 3: <the document's title>", repeated above every page.
_PAGE_HEADER = re.compile(r"page \d+\s*:.*", re.IGNORECASE)
_FIRST_PAGE_HEADER = re.compile(r"page 1\s*:.*", re.IGNORECASE)
# The bullet that opens a page of a bulleted transcript.
_PAGE_BULLET = re.compile(r"^ {0,3}[•●▪] +")
_INDENT = "    "


def without_site_chrome(text: str) -> str:
    """``text`` without a transcript site's lines and page bullets (see the module).

    "Page N:" headers count when there are two or more, or when the text opens
    with "Page 1:"; the buttons only in a text with a site mark. Page bullets
    are undone only when nearly every line of the text is either such a bullet
    or indented four spaces (and the indented lines outnumber the bullets): a
    list of bullets inside an ordinary document stays as it is.
    """
    lines = text.split("\n")
    marked = any(_SITE_MARK.fullmatch(line.strip()) for line in lines)
    first = next((line.strip() for line in lines if line.strip()), "")
    headers = (
        sum(bool(_PAGE_HEADER.fullmatch(line.strip())) for line in lines) >= 2
        or _FIRST_PAGE_HEADER.fullmatch(first) is not None
    )
    if marked or headers:
        lines = [line for line in lines if not _is_chrome(line.strip(), marked, headers)]
    return "\n".join(_without_page_bullets(lines))


def _is_chrome(line: str, marked: bool, headers: bool) -> bool:
    if headers and _PAGE_HEADER.fullmatch(line):
        return True
    return marked and bool(_SITE_MARK.fullmatch(line) or _SITE_BUTTON.fullmatch(line))


def _without_page_bullets(lines: list[str]) -> list[str]:
    filled = [line for line in lines if line.strip()]
    bullets = sum(bool(_PAGE_BULLET.match(line)) for line in filled)
    indented = sum(line.startswith(_INDENT) for line in filled)
    if not bullets or indented < bullets or bullets + indented < 0.9 * len(filled):
        return lines
    return [
        _PAGE_BULLET.sub("", line) if _PAGE_BULLET.match(line) else line.removeprefix(_INDENT)
        for line in lines
    ]


_BREAKS = re.compile(r"\n+")
#: Fewer breaks than this say nothing: "Judul\n\nIsi" is one paragraph break.
MIN_DOUBLED_BREAKS = 5


def single_spaced(text: str) -> str:
    """``text`` with one line break between its lines when no line sits
    directly under another: every gap is a run of ``m >= 2`` breaks (a copy
    that doubled every break, an HTML page's paragraphs). A gap of ``m`` up to
    ``2m - 1`` breaks becomes a line break, a wider one a paragraph break (one
    blank line). Any single break (one line directly under another) leaves
    the text as it is."""
    runs = [len(m.group(0)) for m in _BREAKS.finditer(text.strip("\n"))]
    if len(runs) < MIN_DOUBLED_BREAKS or min(runs) < 2:
        return text
    line = min(runs)
    return _BREAKS.sub(lambda m: "\n" if len(m.group(0)) < 2 * line else "\n\n", text)
