"""Pure text normalisers shared by every loader.

Cells of Word/HTML dumps carry markup fragments (``<ul>``, ``<ol>``, ``<p><b>``)
and lists flattened onto one line ("1. A;2. B", "a. Xb. Y", "- A; - B"). These
functions turn a cell into plain text with one list item per line, and titles
into a readable form.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Possessive spaces and a tag that ends at the next "<": linear on unclosed tags.
_TAG = re.compile(r"<\s*+(/?)\s*+([a-zA-Z][a-zA-Z0-9]*+)\b[^<>]*+>")
_BLOCK_TAGS = {"li", "p", "br", "div", "tr", "ul", "ol", "h1", "h2", "h3", "h4", "table"}
_MD_BOLD = re.compile(r"\*\*|__")
# A table tag whose ">" was lost (a damaged page): "<tdPengantar", "</tr", and
# "<tdenandatangani" (the cell's first letter lost with it). Whole tags are gone
# by then, so whatever follows "<td" is the cell's text.
_DANGLING_TABLE_TAG = re.compile(
    r"<\s*+/?(?:table|tbody|thead|td|th|tr|TABLE|TBODY|THEAD|TD|TH|TR)"
)
# ... and one whose ">" was lost just before the next tag: "<td<td>Kegiatan".
_DANGLING_BEFORE_TAG = re.compile(
    r"<\s*+/?(?:td|th|tr|table|tbody|thead|TD|TH|TR|TABLE|TBODY|THEAD)(?=<)"
)
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")


def strip_markup(text: str) -> str:
    """Remove HTML tags (block tags become line breaks) and decode entities."""
    if "<" not in text and "&" not in text and "*" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        return "\n" if m.group(2).lower() in _BLOCK_TAGS else ""

    text = _DANGLING_BEFORE_TAG.sub(" ", text)
    text = _TAG.sub(repl, text)
    text = _DANGLING_TABLE_TAG.sub(" ", text)
    text = _MD_BOLD.sub("", text)
    return html.unescape(text)


# "Agen- da" / "Doku- men": a word broken by the table cell's line wrap.
_WRAP_HYPHEN = re.compile(r"\b([A-Za-z]{3,})- (?=[a-z]{2,})(?!\1\b)")


def collapse_spaces(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    return _WRAP_HYPHEN.sub(r"\1", text) if "- " in text else text


#: Kinds of government unit that open an office's name (a regex alternation).
OFFICE_KINDS = (
    r"pengadilan|kantor|dinas|badan|kecamatan|kelurahan|desa|puskesmas|"
    r"kementerian|sekretariat|inspektorat|rumah\s+sakit|rsud"
)
# An office named at the end of a title after "pada"/"di": "SOP Pengajuan Cuti
# Tahunan Pada Pengadilan Agama Sungailiat", "... di Pemerintah Kecamatan".
_TITLE_OFFICE_TAIL = re.compile(
    rf"\s+(?:pada|di)\s+(?:pemerintah(?:an)?\s+)?(?:{OFFICE_KINDS})\b[^()]{{0,80}}$", re.I
)


def procedure_title(title: str) -> str:
    """A title without the office it names at its end ("Pengajuan Cuti Tahunan
    Pada Pengadilan Agama Sungailiat" -> "Pengajuan Cuti Tahunan"): what the
    procedure is, which two offices' titles can share."""
    return _TITLE_OFFICE_TAIL.sub("", title)


# A bullet that starts a list item: "- ", "• ", "– " at the start or after "; " / " ".
_BULLET = re.compile(r"(?:^|(?<=[\s;,.]))[-\u2022\u2013\u25aa\u25cf\u00b7]\s+(?=\S)")


def _split_enumerated(text: str) -> list[str]:
    """Split "1. A;2. B3. C" or "a. Xb. Yc. Z" on enumerators that follow in order.

    Only the next expected enumerator counts as a split point, so numbers inside
    an item ("Nomor 23 tahun 2014") never split it.
    """
    first = re.match(r"\s*(\d{1,2}|[a-z])[.)]\s*", text)
    if not first:
        return [text]
    token = first.group(1)
    numeric = token.isdigit()
    items: list[str] = []
    pos = first.end()
    expected = int(token) + 1 if numeric else ord(token) + 1
    start = pos
    while True:
        label = str(expected) if numeric else chr(expected)
        # The next enumerator may be glued to the previous word ("Kantorb. Komputer")
        # but must be followed by a space/capital and not be part of a longer number.
        pat = re.compile(
            (r"(?<!\d)" if numeric else r"") + re.escape(label) + r"[.)]\s*(?=[A-Za-z\"'(])"
        )
        m = pat.search(text, pos)
        if not m or expected > (60 if numeric else ord("z")):
            break
        items.append(text[start : m.start()])
        start = m.end()
        pos = m.end()
        expected += 1
    items.append(text[start:])
    cleaned = [collapse_spaces(i).strip(" ;,") for i in items]
    return [i for i in cleaned if i]


def split_items(cell: str) -> list[str]:
    """A cell's text as list items, markup removed, one item per entry."""
    text = strip_markup(cell)
    lines = [collapse_spaces(x) for x in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line:
            continue
        parts = [p for p in _BULLET.split(line) if p.strip(" ;")]
        if len(parts) > 1 or _BULLET.match(line):
            out.extend(collapse_spaces(p).strip(" ;,") for p in parts if p.strip(" ;"))
            continue
        out.extend(_split_enumerated(line))
    return [o for o in out if o and o not in {"-", "--"}]


def cell_text(cell: str) -> str:
    """A cell as plain text: list items on their own lines."""
    return "\n".join(split_items(cell))


def normalise_key(text: str) -> str:
    """Lower-case ASCII-folded text with punctuation removed (for matching)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^0-9a-zA-Z]+", " ", text.lower())
    return collapse_spaces(text)


def normalise_title_key(title: str) -> str:
    """Key for comparing SOP titles: case, punctuation and a leading "SOP" ignored."""
    key = normalise_key(title)
    key = re.sub(r"^(sop|standar operasional prosedur)\s+", "", key)
    return key


# Indonesian function words: lower-case inside a title or a name, never a key term.
SMALL_WORDS = frozenset(
    {
        "dan",
        "di",
        "ke",
        "dari",
        "untuk",
        "yang",
        "atau",
        "pada",
        "dengan",
        "dalam",
        "kepada",
        "oleh",
        "serta",
        "bagi",
        "atas",
        "tentang",
        "per",
        "sebagai",
    }
)
# Short upper-case words that stay upper-case in a title ("Rekomendasi SKCK").
_KEEP_UPPER = re.compile(r"^(?:[A-Z]{2,6}|[A-Z]+-[A-Za-z]+|[A-Z]+/[A-Z]+)$")
_VOWELS = set("AEIOU")


def smart_title(text: str, acronyms: frozenset[str] = frozenset()) -> str:
    """Title-case an all-caps title, keeping acronyms and Indonesian small words.

    ``acronyms`` are words that stay in capitals (from the glossary); besides
    them, words in parentheses of up to six letters and words without vowels
    stay upper-case.
    """
    text = collapse_spaces(text)
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.islower() for c in letters) > len(letters) * 0.3:
        return text  # already mixed case: keep the author's spelling
    words = text.split(" ")
    out: list[str] = []
    for i, word in enumerate(words):
        core = word.strip("()[]{},.;:")
        upper_core = core.upper()
        in_parens = word.startswith("(") and len(core) <= 6
        no_vowel = core.isalpha() and not (set(upper_core) & _VOWELS)
        if (
            core
            and (upper_core in acronyms or in_parens or no_vowel)
            and _KEEP_UPPER.match(upper_core)
        ):
            out.append(word.upper())
        elif i > 0 and core.lower() in SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append("/".join(p[:1].upper() + p[1:].lower() for p in word.split("/")))
    return " ".join(out)
