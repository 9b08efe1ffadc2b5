"""Read SOP AP documents whose table structure was flattened by text extraction.

A PDF (or a document-sharing site's transcript of one) loses the cells of the
Permenpan RB 35/2012 form: a row's Kegiatan is wrapped over several lines with
Kelengkapan/Waktu/Output words interleaved, a whole page may sit on one line,
labels are glued to each other or to their values ("NOMOR SOP :", "MOR SOP"
with letters lost, "Tgl. Pembuatan"), in capitals or in variant names ("Judul
SOP"). Nothing here is keyed to one document; the reader works on signals that
survive flattening:

* **the step table's header**: a cluster of column words (Kegiatan/Aktivitas/
  Uraian Prosedur, Pelaksana, Mutu Baku, Kelengkapan, Waktu, Output,
  Keterangan) close together, or a line opening "No Kegiatan";
* **step numbers in order**: 1, 2, 3 ... wherever they ended up ("1.", "1)",
  "10.Lakukan"), a number followed by a time unit or a month being a Waktu or a
  date, not a step; a skipped number is allowed;
* **Waktu**: the first duration in a step's text (``looks_like_duration``);
* **identity labels**: the words of :data:`sopdata.form.IDENTITY_FIELDS` (and
  their usual abbreviations) found with :func:`~sopdata.text.fuzzy.ocr_distance`,
  glued or spaced, in any case.

Three related layouts are read here too: the accreditation SOP of a Puskesmas
(No. Dokumen, Pengertian .. Langkah-langkah .. Unit Terkait), the Permenpan
"Identifikasi Langkah" worksheet (Langkah Awal / Utama / Akhir), and an index
of SOP names ("No | Nama SOP | Nomor SOP"). A document with an identity block
or a title but no step table gives an SOP with its identity and a warning.

:func:`parse_flattened` returns [] for a document holding none of these, so the
next reader can try.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sopdata.form import HEADER_FIELDS, IDENTITY_FIELDS, SYMBOLS, SOPKind
from sopdata.ingest.identity import find_office, office_from_title, without_office_suffix
from sopdata.ingest.labels import COLUMN_WORDS, label_word
from sopdata.ingest.parse_ocr import is_ocr_book
from sopdata.ingest.service_standard import unwrapped
from sopdata.records import SOP, Step, untitled
from sopdata.text.durations import looks_like_duration, parse_duration
from sopdata.text.fuzzy import ocr_distance
from sopdata.text.textclean import (
    collapse_spaces,
    normalise_title_key,
    smart_title,
    split_items,
    strip_markup,
)

#: Said of every SOP read from flattened text.
FLATTENED_WARNING = "teks tabel tanpa batas kolom: periksa Kegiatan dan Mutu Baku tiap langkah"

# --- identity labels, tolerant by construction ----------------------------------


@functools.lru_cache(maxsize=64)
def _newlines(text: str) -> list[int]:
    return [m.start() for m in re.finditer("\n", text)]


def line_start_of(text: str, pos: int) -> int:
    """Where the line holding ``pos`` starts (the texts are read many times)."""
    newlines = _newlines(text)
    k = bisect.bisect_left(newlines, pos)
    return newlines[k - 1] + 1 if k else 0


# Usual abbreviations and variant names of the label words of the form.
_WORD_VARIANTS: dict[str, tuple[str, ...]] = {
    "tanggal": ("tanggal", "tgl"),
    "nomor": ("nomor", "no"),
    "nama": ("nama", "judul"),
    "pelaksana": ("pelaksana", "pelaksanaan"),
    "oleh": ("oleh",),
}


def _label_variants() -> list[tuple[str, tuple[str, ...]]]:
    """(attr, label words) for every identity field and its variants."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for f in IDENTITY_FIELDS:
        words = re.findall(r"[a-z]+", f.label.lower())
        variants: list[tuple[str, ...]] = [()]
        for w in words:
            variants = [k + (v,) for k in variants for v in _WORD_VARIANTS.get(w, (w,))]
        out.extend((f.attr, v) for v in variants)
        if f.attr == "equipment":
            out.extend((f.attr, (w,)) for w in words)  # "Peralatan" or "Perlengkapan" alone
    return out


_LABELS = [(attr, "".join(words)) for attr, words in _label_variants()]
# Where a key's words begin: a key that lost its first letters must have lost part of
# a word ("MOR SOP"), never a whole one ("Pembuatan" alone is not "Tgl Pembuatan").
_WORD_STARTS: dict[str, frozenset[int]] = {
    "".join(words): frozenset(sum(len(w) for w in words[:i]) for i in range(len(words)))
    for _, words in _label_variants()
}
_LONGEST_KEY = max(len(k) for _, k in _LABELS)
# Label keys by their first and last three letters.
_BY_END: dict[tuple[str, str], list[tuple[str, str]]] = {}
for _attr, _key in _LABELS:
    _BY_END.setdefault(("p", _key[:3]), []).append((_attr, _key))
    _BY_END.setdefault(("s", _key[-3:]), []).append((_attr, _key))
_WORD = re.compile(r"[A-Za-z]+")
_MAX_LABEL_WORDS = 4


@dataclass(frozen=True)
class Label:
    attr: str
    start: int
    end: int


def _candidates(window: str, at_line_start: bool) -> list[tuple[str, str]]:
    """Label keys a window may be: the same ends (one end survives a slip of 15 %),
    or, at a line start, a key that lost up to three first letters."""
    out = _BY_END.get(("p", window[:3]), []) + _BY_END.get(("s", window[-3:]), [])
    if at_line_start and len(window) >= 6:
        out += [(a, k) for a, k in _BY_END.get(("s", window[-3:]), []) if k.endswith(window)]
    return out


@functools.lru_cache(maxsize=4096)
def _label_match(window: str, key: str, at_line_start: bool) -> float | None:
    """How far a window of glued words is from a label key (None: not that label)."""
    if window == key:
        return 0.0
    if len(key) < 7:
        return None  # short labels ("no sop") only as printed
    if abs(len(window) - len(key)) <= 2:
        limit = len(key) * 0.15
        d = ocr_distance(window, key, limit)
        if d <= limit:
            return d
    # letters lost at the edge of a page or a column: "MOR SOP", "ERKAITAN"
    lost = len(key) - len(window)
    if (
        at_line_start
        and len(window) >= 6
        and key.endswith(window)
        and lost <= 3
        and lost not in _WORD_STARTS[key]
    ):
        return float(lost) * 0.5
    return None


@functools.lru_cache(maxsize=256)
def _find_labels(text: str) -> tuple[Label, ...]:
    words = list(_WORD.finditer(text))
    found: list[Label] = []
    i = 0
    while i < len(words):
        best: tuple[float, int, str] | None = None
        start = words[i].start()
        line_start = line_start_of(text, start)
        before = text[max(line_start, start - 40) : start]
        at_line_start = not re.search(r"[A-Za-z]", before) or before.rstrip().endswith(":")
        glued = ""
        for k in range(i, min(i + _MAX_LABEL_WORDS, len(words))):
            if k > i and words[k].start() - words[k - 1].end() > 3:
                break
            glued += words[k].group(0).lower()
            if len(glued) > _LONGEST_KEY + 3:
                break
            for attr, key in _candidates(glued, at_line_start):
                d = _label_match(glued, key, at_line_start)
                if d is not None and (best is None or (d, -(k - i)) < (best[0], -best[1])):
                    best = (d, k - i, attr)
        if best is not None:
            end_word = words[i + best[1]]
            found.append(Label(best[2], start, end_word.end()))
            i += best[1] + 1
        else:
            i += 1
    return tuple(found)


def find_labels(text: str) -> list[Label]:
    """Identity labels of the form wherever they are, in text order (no overlaps)."""
    return list(_find_labels(text))


_LIST_START = re.compile(r"(?:^|\s)\d{1,2}\s*[.)]?\s+(?=[A-Z])")
_DATE_HINT = re.compile(
    r"\d|januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember",
    re.I,
)


def _value(text: str, label: Label, nxt: int, next_line: bool = True) -> str:
    """The text after a label up to the next label; the next line when the label's
    own line holds nothing (and ``next_line``)."""
    rest = text[label.end : nxt]
    line, _, after = rest.partition("\n")
    value = collapse_spaces(line).strip(" :;.-")
    if not value and next_line:
        nxt_line = collapse_spaces(next((x for x in after.splitlines() if x.strip()), ""))
        value = "" if nxt_line.endswith(":") else nxt_line.strip(" :;-")  # another label
    return value


def plausible_title(value: str) -> str:
    """A title value cut where a numbered list starts; "" when it is not a title."""
    value = collapse_spaces(value).strip(" :;-")
    m = _LIST_START.search(value)
    if m:
        value = value[: m.start()].strip(" :;-")
    words = value.split()
    if not words or len(words) > 25 or not re.search(r"[A-Za-z]{3,}", value):
        return ""
    if find_labels(value):
        return ""
    return value


@dataclass
class Identity:
    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    labels: int = 0
    header_labels: int = 0


_LIST_ATTRS = {f.attr for f in IDENTITY_FIELDS if f.is_list}
_HEADER_ATTRS = {f.attr for f in HEADER_FIELDS if f.attr != "title"}


def read_identity(text: str) -> Identity:
    """The identity fields whose labels occur in ``text`` (first occurrence wins)."""
    ident = Identity()
    labels = find_labels(text)
    ident.labels = len({lab.attr for lab in labels})
    ident.header_labels = len({lab.attr for lab in labels if lab.attr in _HEADER_ATTRS})
    for k, lab in enumerate(labels):
        nxt = labels[k + 1].start if k + 1 < len(labels) else len(text)
        if lab.attr in _LIST_ATTRS:
            chunk = text[lab.end : min(nxt, lab.end + 1500)].strip(" :\n")
            items = split_items(chunk.replace("\n", " "))
            if items and lab.attr not in ident.lists:
                ident.lists[lab.attr] = items
            continue
        value = _value(text, lab, nxt, next_line=lab.attr in ("title", "number"))
        if lab.attr == "title":
            value = plausible_title(value)
        elif lab.attr == "warning":
            chunk = text[lab.end : min(nxt, lab.end + 600)].replace("\n", " ")
            value = collapse_spaces(chunk).strip(" :;-")
        elif lab.attr == "number":
            value = value if re.search(r"\d", value) and len(value) >= 3 else ""
        elif lab.attr.startswith("date_"):
            value = value if _DATE_HINT.search(value) and len(value.split()) <= 6 else ""
        elif len(value.split()) > 12:
            value = ""
        if value and not ident.fields.get(lab.attr):
            ident.fields[lab.attr] = value
    _dates_printed_apart(text, labels, ident)
    return ident


_FULL_DATE = re.compile(
    r"\b\d{1,2}\s+(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|"
    r"november|desember)\s+\d{4}\b",
    re.I,
)


def _dates_printed_apart(text: str, labels: list[Label], ident: Identity) -> None:
    """Date labels printed as a column with their values as another column further
    on ("TGL PEMBUATAN : TGL REVISI : TGL EFEKTIF : ... 04 Januari 2015 04 Desember
    2015 04 Januari 2016"): the first run of as many dates, one after the other,
    fills them in the labels' order."""
    dated = [lab for lab in labels if lab.attr.startswith("date_")]
    attrs = list(dict.fromkeys(lab.attr for lab in dated))
    if len(attrs) < 2 or any(ident.fields.get(a) for a in attrs):
        return
    dates = list(_FULL_DATE.finditer(text, dated[-1].end))
    for k in range(len(dates) - len(attrs) + 1):
        run = dates[k : k + len(attrs)]
        if all(not text[a.end() : b.start()].strip() for a, b in zip(run, run[1:], strict=False)):
            for attr, m in zip(attrs, run, strict=True):
                ident.fields[attr] = collapse_spaces(m.group(0))
            return


# --- the step table's header ------------------------------------------------------

_COLUMN_WORDS = re.compile(
    r"\b(?:(?P<kegiatan>uraian\s+prosedur|uraian\s+kegiatan|kegiatan|aktivitas)"
    r"|(?P<pelaksana>(?<!kualifikasi\s)pelaksana(?:an)?)"
    r"|(?P<mutu>mutu\s+baku|baku\s+mutu)"
    r"|(?P<kelengkapan>kelengkapan|persyaratan)"
    r"|(?P<waktu>waktu)"
    r"|(?P<output>output|keluaran)"
    r"|(?P<keterangan>keterangan|ket\.))",
    re.I,
)
_NO_KEGIATAN = re.compile(r"\bno\.?\s+(?:uraian\s+prosedur|kegiatan|aktivitas|uraian)\b", re.I)
_CLUSTER_GAP = 100
# A numbered row: "1. Menerima" (or "1. - Menerima ...; - Mencatat"), "1 Menerima"
# (a row flattened to a line), or a number alone on its line above a sentence (a
# table flattened a cell a line; not above a header's line in capitals).
_ROW_START = re.compile(
    r"(?:^|\n)[ \t]*\d{1,2}"
    r"(?:[ \t]*[.)]\s*(?:[-–•]\s*)?[A-Z]|[ \t]*\n\s*(?:[-–•]\s*)?[A-Z][a-z]|[ \t]+[A-Z][a-z])"
)
#: Column words in one header at most (a text made of column words is no header).
_MAX_CLUSTER = 30
_NO_KEGIATAN_GAP = 320


@dataclass
class Header:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ColumnWord:
    """A column name found in the text: its span and the column it names."""

    start: int
    end: int
    lastgroup: str | None


# Column names recognised however misspelt (see labels.label_word); "Mutu Baku" and
# "Uraian Prosedur" are two-word names, read only as spelled.
_FUZZY_COLUMNS = (
    "kegiatan",
    "aktivitas",
    "pelaksana",
    "kelengkapan",
    "persyaratan",
    "waktu",
    "output",
    "keluaran",
    "keterangan",
)
_FUZZY_TOKEN = re.compile(r"(?<![\w/])[A-Za-z0-9|]{5,12}(?![\w/])")


def column_words(text: str) -> list[ColumnWord]:
    """The column names of a step table in ``text``, in order: as spelled, and
    misspelt ones ("Pelaksama", "Kelengkapn", "0utput") by :func:`label_word`."""
    found = [ColumnWord(m.start(), m.end(), m.lastgroup) for m in _COLUMN_WORDS.finditer(text)]
    starts = [m.start for m in found]
    extra = []
    for m in _FUZZY_TOKEN.finditer(text):
        if sum(c.isalpha() for c in m.group(0)) < 4:
            continue  # a number, a code
        k = bisect.bisect_right(starts, m.start()) - 1
        if k >= 0 and m.start() < found[k].end:
            continue  # inside a column name found as spelled
        word = label_word(m.group(0), _FUZZY_COLUMNS)
        if word is None:
            continue
        extra.append(ColumnWord(m.start(), m.end(), COLUMN_WORDS[word]))
    if not extra:
        return found
    return sorted(found + extra, key=lambda c: c.start)


def find_headers(text: str) -> list[Header]:
    """Step-table headers: column words close together (three kinds at least, one of
    them Pelaksana, Mutu Baku or Kelengkapan), or "No Kegiatan" with one more."""
    matches = column_words(text)
    headers: list[Header] = []
    k = 0
    while k < len(matches):
        first = matches[k]
        kinds = {first.lastgroup}
        no_keg = bool(_NO_KEGIATAN.search(text, _back(text, first.start), first.end + 1))
        j = k
        while j + 1 < len(matches) and j - k < _MAX_CLUSTER:
            between = text[matches[j].end : matches[j + 1].start]
            gap = len(collapse_spaces(between))  # cells padded with spaces are no farther
            limit = _NO_KEGIATAN_GAP if no_keg and j == k else _CLUSTER_GAP
            if gap > limit or ":" in between or _ROW_START.search(between):
                break  # a header has no "label : value" and no numbered row inside
            j += 1
            kinds.add(matches[j].lastgroup)
        strong = bool(kinds & {"pelaksana", "mutu", "kelengkapan"})
        if (len(kinds) >= 3 and strong) or (no_keg and len(kinds) >= 2):
            # a column word of a legend or a form above ("Jenis Kegiatan") is not the header
            while not no_keg and k < j and _valid_cluster(matches[k + 1 : j + 1]):
                lead, rest = matches[k], matches[k + 1 : j + 1]
                far = rest[0].start - lead.end > 40
                if not far and lead.lastgroup not in {m.lastgroup for m in rest}:
                    break
                k += 1
            first = matches[k]
            start = first.start
            nk = _NO_KEGIATAN.search(text, _back(text, start), first.end + 1)
            if nk:
                start = nk.start()
            headers.append(Header(start, matches[j].end, text[start : matches[j].end]))
        elif no_keg and first.lastgroup == "kegiatan" and _line_opens_with_no(text, first.start):
            start = line_start_of(text, first.start)
            headers.append(Header(start, first.end, text[start : first.end]))
        k = j + 1
    return headers


def _back(text: str, pos: int) -> int:
    """Where to look for the "No" before a column word at ``pos``: a few
    characters back, over the spaces or tab that pad a cell."""
    start = max(0, pos - 4)
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return max(0, start - 4)


def _valid_cluster(matches: list[ColumnWord]) -> bool:
    kinds = {m.lastgroup for m in matches}
    return len(kinds) >= 3 and bool(kinds & {"pelaksana", "mutu", "kelengkapan"})


def _line_opens_with_no(text: str, pos: int) -> bool:
    line_start = line_start_of(text, pos)
    return bool(re.match(r"\s*no\.?\s", text[line_start:pos], re.I))


# --- step numbers -------------------------------------------------------------------

# A step number before its Kegiatan: a capital, a quote or bracket, or a list
# of sub-actions ("3. - Menerima surat; - Mencatat ...", "5. 1. Memberi nomor 2. ...").
_MARKER = re.compile(
    r"(?<![\w/.,:-])(\d{1,2})(?:\s*[.)]\s*|\s+)(?=[A-Z(\"']|[-–•]\s*[A-Z]|1[.)]\s*[A-Z])"
)
_MONTHS = re.compile(
    r"^(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember)\b",
    re.I,
)
_NOT_STEP_BEFORE = re.compile(r"(?:nomor|no\.?|tahun|th\.?|pasal|ayat|lampiran|ke)\s*:?\s*$", re.I)


@dataclass
class Marker:
    number: int
    start: int
    end: int
    strong: bool = False  # "1." / "1)" or at a line start


def find_markers(text: str, start: int = 0, end: int | None = None) -> list[Marker]:
    """Numbers that may open a step: not a Waktu ("5 Menit"), a date ("04 Januari")
    or a reference ("Nomor 39")."""
    end = len(text) if end is None else end
    out: list[Marker] = []
    for m in _MARKER.finditer(text, start, end):
        after = text[m.end() : m.end() + 40]
        word = after.split()[0] if after.split() else ""
        if looks_like_duration(f"{m.group(1)} {word}") or _MONTHS.match(word):
            continue
        if _NOT_STEP_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        line_start = line_start_of(text, m.start())
        strong = (
            bool(re.match(r"\d+\s*[.)]", m.group(0))) or not text[line_start : m.start()].strip()
        )
        out.append(Marker(int(m.group(1)), m.start(), m.end(), strong))
    return out


def chain(markers: list[Marker], first: int = 1, waktu: list[int] | None = None) -> list[Marker]:
    """The step numbers in order from ``first``: each the next number's first
    occurrence after the previous one, written as a list number ("2.", at a line
    start) where there is one; one number may be skipped, only by a list number
    (a bare number after a skipped one is a Waktu or a count). Given the
    positions of the Waktu values (``waktu``), a list number repeated or one
    lower ("6. ... 5. ... 6.") after the step's Waktu starts the next row: a row
    ends with its Mutu Baku."""
    by_no: dict[int, list[Marker]] = {}
    for m in markers:
        by_no.setdefault(m.number, []).append(m)
    starts = {n: [m.start for m in ms] for n, ms in by_no.items()}

    def after(number: int, pos: int, strong: bool) -> Marker | None:
        ms = by_no.get(number, [])
        for m in ms[bisect.bisect_left(starts.get(number, []), pos) :]:
            if m.strong or not strong:
                return m
        return None

    seq: list[Marker] = []
    cur: Marker | None = after(first, 0, False)
    while cur is not None:
        seq.append(cur)
        n, pos = cur.number, cur.end
        cur = after(n + 1, pos, True) or after(n + 1, pos, False) or after(n + 2, pos, True)
        if waktu:
            k = bisect.bisect_left(waktu, pos)
            if k < len(waktu):
                # ... and that row has a Waktu of its own (a numbered title has none)
                found = [after(no, waktu[k], True) for no in (n, n - 1)]
                misnumbered = [
                    m
                    for m in found
                    if m is not None and bisect.bisect_right(waktu, m.start) < len(waktu)
                ]
                first_mis = min(misnumbered, key=lambda m: m.start) if misnumbered else None
                if first_mis is not None and (cur is None or first_mis.start < cur.start):
                    cur = first_mis
    return seq


#: Chains tried by :func:`longest_chain` (one from each "1" in the text, the first ones).
_MAX_CHAIN_STARTS = 20


def longest_chain(markers: list[Marker]) -> list[Marker]:
    best: list[Marker] = []
    ones = [m for m in markers if m.number == 1][:_MAX_CHAIN_STARTS]
    for one in ones:
        seq = chain([x for x in markers if x.start >= one.start])
        if len(seq) > len(best):
            best = seq
    return best


# --- Waktu and the step's text --------------------------------------------------------

_DURATION = re.compile(
    r"(?<![\w.,])\d+(?:[.,]\d+)?(?:\s*[-–]\s*\d+)?\s*"
    r"(?:menit|mnt|jam|hari(?:\s+kerja)?|minggu|bulan|detik)\b",
    re.I,
)
_BARE_NUMBER = re.compile(r"(?<![\w.,/-])\d{1,3}(?![\w.,/-])")
_WORKSHEET_STEP = re.compile(r"\b\d*\s*langkah\s+(?:awal|utama|akhir)\b\s*\d*\s*", re.I)
_DECISION_WORDS = re.compile(
    r"(?<!\w)(?:tidak|tdk|ya|y|t)(?!\w)(?=\s*(?:\n|$|tidak|tdk|ya))|"
    r"(?<!\w)(?:Tidak|Ya)(?!\w)(?=\s*(?:\n|$))"
)
#: Branch labels printed beside the marks, before a row's Kelengkapan.
_LEADING_LABELS = re.compile(r"^(?:(?:ya|tidak|tdk)\s+)+", re.I)


#: What follows the last step of a table: its legend, the signatures.
_TABLE_TAIL = re.compile(
    r"^\s*(?:keterangan\s*:|catatan\s*:|mengetahui\b|ditetapkan\s+di\b)", re.I | re.M
)


def _step_from_text(no: int, raw: str, minutes_unit: str, inputs: Sequence[str] = ()) -> Step:
    """One row of a flattened table: its Waktu, the Output after it on its line
    and the Kelengkapan before it (see :func:`_split_input`; ``inputs`` are the
    table's Outputs); a Waktu alone on its line is a row printed a cell a line,
    its Kelengkapan the line above and its Output the line below."""
    tail = _TABLE_TAIL.search(raw)
    text = _WORKSHEET_STEP.sub(" ", raw[: tail.start()] if tail else raw)
    duration_raw = ""
    activity = text
    output = ""
    requirements = ""
    m = next((d for d in _DURATION.finditer(text) if looks_like_duration(d.group(0))), None)
    if m:
        duration_raw = collapse_spaces(m.group(0))
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        pre = text[:line_start].rstrip("\n")
        if not text[line_start : m.start()].strip() and not text[m.end() : line_end].strip():
            # the Waktu alone on its line: each cell of the row on a line of its
            # own, the Kelengkapan the line above (after the marks), the Output below
            rest = [x for x in text[line_end:].split("\n") if x.strip()]
            output = collapse_spaces(rest[0]) if rest else ""
            lines = [x for x in pre.split("\n") if x.strip()]
            before, requirements = _split_input(pre, "", ())
            if not requirements and len(lines) >= 2:
                before, requirements = "\n".join(lines[:-1]), collapse_spaces(lines[-1])
            activity = before
        else:
            output = collapse_spaces(text[m.end() : line_end])
            before, requirements = _split_input(text[: m.start()], text[line_end:], inputs)
            activity = before + text[line_end:]
        output = re.sub(r"\s+[-–—]$", "", output)  # a lone dash: an empty Keterangan
    elif minutes_unit:
        bare = next(iter(_BARE_NUMBER.finditer(text)), None)
        if bare:
            duration_raw = f"{bare.group(0)} {minutes_unit}"
            activity = text[: bare.start()] + text[bare.end() :]
    # the lines of a wrapped cell are one text; a flowchart mark printed among
    # them is a Pelaksana lane's, never a word of the Kegiatan
    activity = "".join(" " if c in SYMBOLS else c for c in activity)
    activity = collapse_spaces(_DECISION_WORDS.sub(" ", activity).replace("\n", " ")).strip(" ;")
    return Step(
        no=str(no),
        activity=activity,
        requirements=requirements,
        duration=parse_duration(duration_raw),
        output=output,
    )


#: Words a one-line Kegiatan keeps when a known Output is taken off its end: a
#: verb alone ("Memeriksa" of "Memeriksa Berkas Permohonan") is no Kegiatan.
MIN_KEGIATAN_WORDS = 2


def _split_input(before: str, after: str, inputs: Sequence[str]) -> tuple[str, str]:
    """The text before a row's Waktu, and the Kelengkapan at its end.

    Extraction prints a table row a line at a time: the first line of the
    Kegiatan, the lanes' marks, then the Kelengkapan, Waktu and Output cells,
    then the Kegiatan's other lines (or each cell on a line of its own).

    * Where the marks are characters ("□"), the Kelengkapan is the text between
      the last of them and the Waktu.
    * Where they were drawn (no character), a step's Kelengkapan is mostly an
      earlier step's Output (the visitors' book filled in one step is the input
      of the next): a known Output (``inputs``) ending the Waktu's line is the
      Kelengkapan, unless a Kegiatan of one line would keep a single word (a verb
      and its object: "Memeriksa Berkas Permohonan").
    """
    marked = max((k for k, c in enumerate(before) if c in SYMBOLS), default=-1)
    if marked >= 0 and before[marked + 1 :].strip():
        # the lanes' marks stand between the Kegiatan and the Mutu Baku cells
        return before[: marked + 1] + " ", _LEADING_LABELS.sub(
            "", collapse_spaces(before[marked + 1 :])
        )
    if not inputs:
        return before, ""
    start = before.rfind("\n") + 1
    line = before[start:]
    folded = collapse_spaces(line).casefold()
    for phrase in sorted(inputs, key=len, reverse=True):
        key = collapse_spaces(phrase).casefold()
        if folded.endswith(" " + key):
            words = len(key.split())
            parts = line.rstrip().split()
            if len(parts) - words < MIN_KEGIATAN_WORDS and not after.strip():
                continue  # "Menandatangani Surat Keterangan": a verb and its object
            kept, taken = " ".join(parts[:-words]), " ".join(parts[-words:])
            return before[:start] + kept + " ", taken
    return before, ""


def _table_inputs(steps: Sequence[Step]) -> list[str]:
    """The Outputs a table's steps print (words, not codes), as Kelengkapan to
    look for in other rows."""
    outputs = {s.output.rstrip(" -–—.,;:") for s in steps}  # an empty Keterangan: "-"
    return sorted(o for o in outputs if len(o) >= 4 and any(c.isalpha() for c in o))


# --- titles -----------------------------------------------------------------------------

_DOC_TYPE = re.compile(
    r"^\W*(?:standar\s+operasional\s+prosedur|standar\s+prosedur\s+operasi(?:onal)?|"
    r"standard?\s+operating\s+procedures?|prosedur|sop(?=\s))\b\s*(?:\(\s*sop\s*\))?\s*",
    re.I,
)
_PAGE_OR_ITEM_NO = re.compile(r"^\s*\(?\d{1,3}\s*[.)]?\s+")
_LETTERHEAD = re.compile(
    r"^\W*(?:pemerintah|kementerian|kantor|badan|dinas|kecamatan|kelurahan|desa|"
    r"universitas|jl\.?|jalan|telp|website|email)\b",
    re.I,
)


def _clean_title(raw: str) -> str:
    t = collapse_spaces(raw)
    t = _PAGE_OR_ITEM_NO.sub("", t)
    stripped = _DOC_TYPE.sub("", t)
    t = stripped if len(stripped.split()) >= 2 else t
    t = re.sub(r"\s+no\.?$", "", t, flags=re.I).strip(" :;-.")
    return t


def _title_before(text: str, header: Header, first_table: bool) -> str:
    """The title printed just before a step table: on the header's own line, or the
    line(s) above it."""
    line_start = line_start_of(text, header.start)
    prefix = _clean_title(text[max(line_start, header.start - 300) : header.start])
    if len(prefix.split()) >= 2 and len(prefix.split()) <= 20 and not find_labels(prefix):
        return prefix
    lines = text[max(0, line_start - 2000) : line_start].splitlines()
    picked: list[str] = []
    for raw in reversed(lines[-8:]):
        line = collapse_spaces(raw)
        if not line or re.fullmatch(r"[\d\W]*", line):
            if picked:
                break
            continue
        if find_labels(line) or len(column_words(line)) >= 2:
            break
        doc_type = bool(_DOC_TYPE.match(_PAGE_OR_ITEM_NO.sub("", line)))
        title_like = (
            first_table
            or doc_type
            or line.isupper()
            or bool(re.match(r"^\W*(?:\d+\s*[.)]\s*)?sop\b", line, re.I))
        )
        if not title_like or _LETTERHEAD.match(line):
            break
        picked.insert(0, line)
        if doc_type or not line.isupper() or len(picked) >= 3:
            break
    title = _clean_title(" ".join(picked))
    return title if re.search(r"[A-Za-z]{3,}", title) else ""


# --- the reader ----------------------------------------------------------------------------


@dataclass
class _Table:
    header: Header
    end: int
    title: str = ""
    steps: list[Step] = field(default_factory=list)
    ident: Identity = field(default_factory=Identity)


def _minutes_unit(text: str, header: Header) -> str:
    around = text[header.start : header.end + 60]
    m = re.search(r"waktu.{0,80}?\(\s*(menit|jam|hari)\s*\)?", around, re.I | re.S)
    return m.group(1).lower() if m else ""


def _first_header_label(text: str, start: int) -> int:
    for lab in find_labels(text):
        if lab.start >= start and lab.attr in ("number", "date_created", "title"):
            return lab.start
    return len(text)


def _read_tables(text: str, headers: list[Header]) -> list[_Table]:
    tables: list[_Table] = []
    for k, h in enumerate(headers):
        nxt = headers[k + 1].start if k + 1 < len(headers) else len(text)
        end = min(nxt, _first_header_label(text, h.end))
        prev_end = tables[-1].end if tables else 0
        ident_text = text[prev_end : h.start]
        ident = read_identity(ident_text)
        title = ident.fields.get("title", "") or _title_before(text, h, not tables)
        markers = find_markers(text, h.end, end)
        previous = tables[-1] if tables else None
        continues = (
            previous is not None
            and not title
            and previous.steps
            and any(m.number == int(previous.steps[-1].no) + 1 for m in markers[:3])
        )
        first = int(previous.steps[-1].no) + 1 if continues and previous else 1
        waktu = [
            d.start()
            for d in _DURATION.finditer(text, h.end, end)
            if looks_like_duration(d.group(0))
        ]
        seq = chain(markers, first, waktu)
        unit = _minutes_unit(text, h)
        rows = [
            text[m.end : (seq[i + 1].start if i + 1 < len(seq) else end)] for i, m in enumerate(seq)
        ]
        steps = [_step_from_text(m.number, row, unit) for m, row in zip(seq, rows, strict=True)]
        inputs = _table_inputs(steps)
        if inputs:
            steps = [
                _step_from_text(m.number, row, unit, inputs)
                for m, row in zip(seq, rows, strict=True)
            ]
        if not steps:  # steps lettered a., b., c. ...
            lettered = _lettered(text[h.end : end])
            if len(lettered) >= 2:
                steps = [_step_from_text(k + 1, x, unit) for k, x in enumerate(lettered)]
        if not steps and len(waktu) >= 2 and not markers:
            steps = _waktu_steps(text, h.end, end, unit)
        if not steps:
            steps = _paragraph_steps(text[h.end : end])
        if continues and previous is not None:
            previous.steps.extend(steps)
            previous.end = end
            continue
        tables.append(_Table(h, end, title, steps, ident))
    return tables


def _waktu_steps(text: str, start: int, end: int, unit: str) -> list[Step]:
    """Steps of a table whose rows lost their numbers: one row per Waktu value (each
    row has one), its text the words since the previous row's Waktu."""
    steps: list[Step] = []
    pos = start
    for d in _DURATION.finditer(text, start, end):
        if looks_like_duration(d.group(0)):
            steps.append(_step_from_text(len(steps) + 1, text[pos : d.end()], unit))
            pos = d.end()
    return steps


def _cut_short(steps: list[Step]) -> bool:
    """The last step lacks the Waktu every other step has: the text stops inside it."""
    return (
        len(steps) >= 2
        and steps[-1].duration.kind == "empty"
        and all(s.duration.kind != "empty" for s in steps[:-1])
    )


def _paragraph_steps(region: str) -> list[Step]:
    """Steps of a table whose numbers were lost: one sentence-like line each (a
    line of eight words or more, opening with a capital, not all in capitals,
    unless the whole table is typed in capitals); lines broken at a fixed width
    are joined first (:func:`~sopdata.ingest.service_standard.unwrapped`)."""
    lines = [collapse_spaces(x) for x in unwrapped(region.splitlines(), after_full_stop=False)]
    in_capitals = not any(c.islower() for c in region)
    rows = [
        x
        for x in lines
        if len(x.split()) >= 8 and x[:1].isupper() and (in_capitals or not x.isupper())
    ]
    if len(rows) < 3:
        return []
    return [
        Step(no=str(i + 1), activity=x, duration=parse_duration("")) for i, x in enumerate(rows)
    ]


def _sop(
    source_file: str,
    index: int,
    title: str,
    steps: list[Step],
    ident: Identity,
    office: tuple[str, str],
    kind: SOPKind = "sop_ap",
    warnings: list[str] | None = None,
) -> SOP:
    sop = SOP(
        source_file=source_file,
        title=smart_title(title) if title else untitled(index + 1),
        office=office[0] or office_from_title(title),
        kabupaten=office[1],
        steps=steps,
        warnings=list(warnings or []),
        title_raw=title,
        index_in_file=index,
        kind=kind,
    )
    for attr, value in ident.fields.items():
        if attr != "title":
            setattr(sop, attr, value)
    for attr, items in ident.lists.items():
        setattr(sop, attr, list(items))
    if not title:
        sop.warnings.append("judul SOP tidak ditemukan")
    return sop


def _title_after_header_labels(text: str) -> str:
    """The title of a block whose "Nama SOP" label was lost: the line after the
    last header label (Disahkan oleh is the row above Nama SOP on the form)."""
    labels = [lab for lab in find_labels(text) if lab.attr in ("approved_by", "date_effective")]
    if not labels:
        return ""
    after = text[labels[-1].end : labels[-1].end + 2000].splitlines()[1:4]
    for line in after:
        line = collapse_spaces(line)
        if not line:
            continue
        if line.isupper() and 1 <= len(line.split()) <= 12 and not find_labels(line):
            return line
        return ""
    return ""


_INDEX_HEADER = re.compile(r"^\W*no\.?\s+nama\s+sop\b", re.I | re.M)


def _index_titles(text: str) -> list[str]:
    """Titles of an index table "No | Nama SOP | Nomor SOP" flattened into a column of
    numbers and a column of names."""
    m = _INDEX_HEADER.search(text)
    if not m:
        return []
    numbers = 0
    titles: list[str] = []
    for raw in text[m.end() :].splitlines()[1:]:
        line = collapse_spaces(raw)
        if not line:
            continue
        if re.fullmatch(r"\d{1,3}\.?", line):
            if titles:
                break
            numbers += 1
            continue
        if not numbers or len(line.split()) > 15 or line.endswith(("!", ":", ".")):
            break
        titles.append(_PAGE_OR_ITEM_NO.sub("", line))
        if len(titles) == numbers:
            break
    return titles if numbers and len(titles) == numbers else []


def missing_parts(text: str) -> list[str]:
    """What makes a text an SOP and is not in it, in Indonesian (for the message
    of a document where no SOP was found: it never names what the text holds)."""
    labels = {lab.attr for lab in find_labels(text)}
    missing = []
    if not find_headers(text):
        missing.append("tabel langkah (No, Kegiatan, Pelaksana, Mutu Baku)")
    if "title" not in labels:
        missing.append("'Nama SOP'")
    if not labels & _HEADER_ATTRS:
        missing.append("blok identitas (Nomor SOP, Tanggal Pembuatan, Disahkan oleh)")
    if not longest_chain(find_markers(text)):
        missing.append("langkah bernomor (1, 2, 3 ...)")
    return missing


def no_sop_message(text: str, opening: str = "Tidak ditemukan SOP") -> str:
    """ "Tidak ditemukan SOP: tidak ada ..." naming only what the text lacks."""
    missing = missing_parts(text)
    if not missing:
        return f"{opening}: label SOP ada, tetapi judul dan langkahnya tidak terbaca."
    listed = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} maupun {missing[-1]}"
    return f"{opening}: tidak ada {listed}."


def parse_flattened(text: str, source_file: str) -> list[SOP]:
    """SOPs of a flattened SOP AP text (or a Puskesmas SOP, a worksheet, an index);
    [] when the text holds none of them."""
    if is_ocr_book(text):
        return []  # the scanned-book layout of parse_ocr ("URAIAN PROSEDUR <judul>")
    text = strip_markup(text)  # fragments of markup left in a page's text
    if is_puskesmas(text):
        return parse_puskesmas(text, source_file)
    office = find_office(text[:20000])
    headers = find_headers(text)
    index = _index_titles(text)
    sops: list[SOP] = []
    if headers:
        for t in _read_tables(text, headers):
            if not t.steps and not t.title:
                continue
            ident = t.ident
            warnings = [FLATTENED_WARNING]
            if t.steps and t.end >= len(text.rstrip()) and _cut_short(t.steps):
                warnings.append(
                    f"tabel langkah terpotong setelah langkah {t.steps[-2].no}: "
                    f"teks dokumen berhenti di tengah langkah {t.steps[-1].no}"
                )
            title = without_office_suffix(t.title, office[0])
            sops.append(
                _sop(source_file, len(sops), title, t.steps, ident, office, warnings=warnings)
            )
        if sops:
            return sops
    worksheet = parse_worksheet(text, source_file, office)
    if worksheet:
        return worksheet
    ident = read_identity(text)
    title = ident.fields.get("title", "") or _title_after_header_labels(text)
    if index:
        for k, name in enumerate(index):
            same = title and normalise_title_key(name).endswith(normalise_title_key(title))
            sops.append(
                _sop(
                    source_file,
                    k,
                    name,
                    [],
                    ident if same else Identity(),
                    office,
                    warnings=["judul dari daftar SOP; isi SOP tidak ada di dokumen"],
                )
            )
        return sops
    if title or ident.header_labels >= 3:
        return [_sop(source_file, 0, title, [], ident, office)]
    flow = parse_flowchart(text, source_file, office)
    return flow


# --- Puskesmas accreditation SOPs ----------------------------------------------------------

_NO_DOKUMEN = re.compile(r"^\W*no\.?\s*dokumen\b", re.I | re.M)
_PKM_NAMES = (
    r"(?P<name>pengertian|tujuan|kebijakan|referensi|alat|bahan|prosedur|langkah|bagan|hal|unit|"
    r"dokumen|rekaman)\w*(?:\s*-\s*(?:langkah)?)?"
)
# A section label of the accreditation form, numbered ("3. Kebijakan") ...
_PKM_SECTION = re.compile(r"(?:^|(?<=\s))\(?\d{1,2}\s*[.)]\s*" + _PKM_NAMES, re.I)
# ... or, in a form without numbers (a Word table), opening a line and ending its
# cell: a tab, a colon or the line's end within a few words ("Kebijakan<TAB>SK ...").
_PKM_CELL = re.compile(
    r"^[ \t]*(?!halaman)" + _PKM_NAMES + r"(?:[^\t:\n]{0,30}?[ \t]*:|(?=[^\t:\n]{0,30}(?:\t|$)))",
    re.I | re.M,
)
#: The section names that make a Puskesmas SOP (two at least).
_PKM_CORE = {"pengertian", "tujuan", "kebijakan", "referensi"}


def _pkm_sections(text: str) -> list[re.Match[str]]:
    """The form's section labels: the numbered ones, or the unnumbered cells
    when fewer than two core sections are numbered."""
    numbered = list(_PKM_SECTION.finditer(text))
    if len({m.group("name").lower() for m in numbered} & _PKM_CORE) >= 2:
        return numbered
    return list(_PKM_CELL.finditer(text))


_PKM_HEADING = re.compile(r"^\W*(?:prosedur|sop|standar\s+operasional\s+prosedur|spo)\W*$", re.I)


def is_puskesmas(text: str) -> bool:
    """The accreditation layout: "No. Dokumen" and sections Pengertian, Tujuan,
    Kebijakan ... (two at least), numbered or each opening its own cell."""
    if not _NO_DOKUMEN.search(text):
        return False
    names = {m.group("name").lower() for m in _pkm_sections(text)}
    return len(names & _PKM_CORE) >= 2


def _pkm_title(lines: list[str], at: int, floor: int) -> tuple[str, int]:
    picked: list[str] = []
    start = at
    for i in range(at - 1, max(floor, at - 8) - 1, -1):
        line = collapse_spaces(lines[i])
        if not line:
            continue
        if _PKM_HEADING.match(line) or not line.isupper() or len(picked) >= 4:
            break
        picked.insert(0, line)
        start = i
    return collapse_spaces(" ".join(picked)), start


_LETTER = re.compile(r"(?:^|(?<=\s))([a-z])\s*[.)]\s+(?=[A-Za-z])")
_CAPITAL_LETTER = re.compile(r"(?:^|(?<=\s))([A-Z])\s*[.)]\s+(?=[A-Z])")


def _letter_marks(text: str) -> tuple[re.Pattern[str], str]:
    """The pattern of lettered items and the first letter: a., b. ... or, in a
    text typed in capitals, A., B. ..."""
    if any(c.islower() for c in text):
        return _LETTER, "a"
    return _CAPITAL_LETTER, "A"


def _lettered(text: str) -> list[str]:
    """Items a., b., c. ... in order (A., B., C. in a text typed in capitals)."""
    out: list[str] = []
    pattern, expected = _letter_marks(text)
    pos = 0
    starts: list[tuple[int, int]] = []
    for m in pattern.finditer(text):
        if m.start() >= pos and m.group(1) == expected:
            starts.append((m.start(), m.end()))
            expected = chr(ord(expected) + 1)
            pos = m.end()
    for k, (_s, e) in enumerate(starts):
        nxt = starts[k + 1][0] if k + 1 < len(starts) else len(text)
        out.append(collapse_spaces(text[e:nxt]))
    return out


def _pkm_steps(block: str) -> list[Step]:
    sections = _pkm_sections(block)
    langkah = next(
        (k for k, s in enumerate(sections) if s.group("name").lower() == "langkah"), None
    )
    if langkah is None:
        langkah = next(
            (k for k, s in enumerate(sections) if s.group("name").lower() == "prosedur"), None
        )
    if langkah is None:
        return []
    start = sections[langkah - 1].end() if langkah > 0 else sections[langkah].end()
    end = sections[langkah + 1].start() if langkah + 1 < len(sections) else len(block)
    label = sections[langkah]
    after = block[label.end() : end]
    # the steps follow their label, or (columns interleaved) the label sits among them
    opens = find_markers(after[:40].lstrip())
    region = after if opens and opens[0].number == 1 else block[start : label.start()] + " " + after
    seq = longest_chain(find_markers(region))
    items = [
        region[m.end : (seq[i + 1].start if i + 1 < len(seq) else len(region))]
        for i, m in enumerate(seq)
    ]
    texts: list[str] = []
    for item in items:
        subs = _lettered(item)
        first_letter = _letter_marks(item)[0].search(item)
        head = item[: first_letter.start()] if subs and first_letter else item
        if subs and len(collapse_spaces(head).split()) <= 3:
            texts.extend(subs)
        else:
            texts.append(collapse_spaces(item))
    return [
        Step(no=str(i + 1), activity=t, duration=parse_duration("")) for i, t in enumerate(texts)
    ]


# The header of an accreditation SOP: its labels and the fields of the form they fill
# (the date it is issued is the date it takes effect).
_PKM_FIELDS = (
    ("number", re.compile(r"no\.?\s*dokumen\s*:?[ \t]*([^\n]*)", re.I)),
    ("date_effective", re.compile(r"tanggal\s+terbit\s*:?[ \t]*([^\n]*)", re.I)),
)
_PKM_WORD = re.compile(r"\bPUSKESMAS\b")
# The form's labels and the signer's NIP end the name where columns interleave
# ("SAPE Halaman :", "PERHENTIAN RAJA NIP. 19780908 ...").
_PKM_LABEL = re.compile(r"\b(?:NIP|HALAMAN|NO|NOMOR|TANGGAL|REVISI|SOP|DISAHKAN)\b.*|:.*", re.I)
# A signer's name, printed between the office's lines in the header: it opens
# with an academic or religious title ("dr. MHD. IKHSAN", "Hj. Ika").
_PKM_PERSON = re.compile(r"^\W*(?:dr|drg|ns|hj|h|apt|bd)\.\s", re.I)


def puskesmas_name(block: str) -> str:
    """The name of the Puskesmas an accreditation SOP's header prints, title-cased
    ("Perhentian Raja"), or "".

    The header is a table whose columns PDF extraction interleaves: the name
    follows "PUSKESMAS" on its line or on one of the next three, past labels
    ("No. Revisi :"), the signer's name and the NIP.
    """
    lines = [collapse_spaces(x) for x in block.splitlines()]
    for i, line in enumerate(lines):
        found = _PKM_WORD.search(line)
        if not found:
            continue
        for cand in [line[found.end() :], *lines[i + 1 : i + 4]]:
            if _PKM_PERSON.match(cand):
                continue
            name = _PKM_LABEL.sub("", cand).strip(" .,;-")
            words = name.split()
            if 1 <= len(words) <= 4 and all(w.isalpha() and w.isupper() for w in words):
                return " ".join(w.title() for w in words)
    return ""


def parse_puskesmas(text: str, source_file: str) -> list[SOP]:
    lines = text.splitlines()
    starts = [i for i, x in enumerate(lines) if _NO_DOKUMEN.match(x)]
    blocks: list[tuple[str, int]] = []
    floor = 0
    for i in starts:
        title, first = _pkm_title(lines, i, floor)
        blocks.append((title, first))
        floor = i + 1
    sops: list[SOP] = []
    for k, (title, first) in enumerate(blocks):
        last = blocks[k + 1][1] if k + 1 < len(blocks) else len(lines)
        block = "\n".join(lines[first:last])
        steps = _pkm_steps(block)
        name = puskesmas_name(block)
        office = (f"Puskesmas {name}" if name else "", "")
        ident = Identity()
        for attr, pattern in _PKM_FIELDS:
            found = pattern.search(block)
            value = collapse_spaces(found.group(1)).strip(" :") if found else ""
            if re.search(r"\d", value) and len(value.split()) <= 6:
                ident.fields[attr] = value
        sops.append(_sop(source_file, k, title, steps, ident, office, kind="sop_puskesmas"))
    return sops


# --- the Permenpan "Identifikasi Langkah" worksheet -------------------------------------------

_IDENT_LANGKAH = re.compile(r"identifikasi\s*langkah", re.I)
_GROUP = re.compile(r"\blangkah\s+(awal|utama|akhir)\b", re.I)


def parse_worksheet(text: str, source_file: str, office: tuple[str, str]) -> list[SOP]:
    """The worksheet that drafts an SOP: steps listed under Langkah Awal, Langkah
    Utama and Langkah Akhir (numbered from 1 in each group, or one sentence)."""
    if not _IDENT_LANGKAH.search(text):
        return []
    titles = [lab for lab in find_labels(text) if lab.attr == "title"]
    if not titles:
        return []
    sops: list[SOP] = []
    for k, lab in enumerate(titles):
        end = titles[k + 1].start if k + 1 < len(titles) else len(text)
        block = text[lab.start : end]
        nxt = titles[k + 1].start if k + 1 < len(titles) else len(text)
        title = plausible_title(_value(text, lab, nxt))
        steps: list[Step] = []
        m = _IDENT_LANGKAH.search(block)
        if m:
            region = block[m.end() :]
            groups = list(_GROUP.finditer(region))
            for g, gm in enumerate(groups):
                gend = groups[g + 1].start() if g + 1 < len(groups) else len(region)
                part = region[gm.end() : gend]
                markers = find_markers(part)
                seq = chain(markers, markers[0].number) if markers else []
                if seq:
                    for i, mk in enumerate(seq):
                        body = part[mk.end : (seq[i + 1].start if i + 1 < len(seq) else len(part))]
                        steps.append(_step_from_text(len(steps) + 1, body, ""))
                else:
                    para = next((p for p in re.split(r"\n\s*\n", part) if p.strip()), "")
                    if len(para.split()) >= 3 and not para.strip().isupper():
                        steps.append(_step_from_text(len(steps) + 1, para, ""))
        warnings = [FLATTENED_WARNING] if steps else []
        sops.append(_sop(source_file, k, title, steps, Identity(), office, warnings=warnings))
    return sops


# --- a flowchart transcribed box by box ------------------------------------------------------

_MULAI = re.compile(r"^\W*mulai\W*$", re.I | re.M)
_SELESAI = re.compile(r"^\W*selesai\W*$", re.I | re.M)


def parse_flowchart(text: str, source_file: str, office: tuple[str, str]) -> list[SOP]:
    """A flowchart transcribed box by box between "Mulai" and "Selesai": each box's
    name is a short paragraph opening line; its numbered sub-actions are its text.
    Without blank lines between the boxes, each line is a paragraph."""
    start, stop = _MULAI.search(text), _SELESAI.search(text)
    if not start or not stop or stop.start() < start.end():
        return []
    title = collapse_spaces(next((x for x in text[: start.start()].splitlines() if x.strip()), ""))
    region = text[start.end() : stop.start()]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", region)]
    if sum(1 for p in paragraphs if p) <= 1:  # no blank lines (a Word or HTML copy): a box a line
        paragraphs = region.splitlines()
    steps: list[Step] = []
    for p in paragraphs:
        if not p:
            continue
        first = collapse_spaces(p.splitlines()[0])
        if first.endswith(".") or re.match(r"^\d", first) or len(first.split()) > 8:
            if steps:
                steps[-1].activity = collapse_spaces(f"{steps[-1].activity} {p}")
            continue
        steps.append(Step(no=str(len(steps) + 1), activity=first, duration=parse_duration("")))
    if len(steps) < 2:
        return []
    return [
        _sop(
            source_file,
            0,
            plausible_title(title) if len(title.split()) <= 20 else "",
            steps,
            Identity(),
            office,
            kind="prosedur",
            warnings=["bagan alir yang ditulis ulang: langkah dibaca dari nama kotak"],
        )
    ]
