"""Read a Standar Pelayanan (service standard) as an SOP record of its own kind.

A Standar Pelayanan (Permenpan RB 15/2014) describes a service by components:
Dasar Hukum, Persyaratan, Sistem/Mekanisme dan Prosedur, Jangka Waktu,
Biaya/Tarif, Produk Pelayanan, Penanganan Pengaduan, and the service-delivery
components that follow (Sarana, Kompetensi Pelaksana, ...). Offices publish it

* with labelled components: "Persyaratan:", "1. Persyaratan Pelayanan",
  "A.PERSYARATAN", a table flattened to one cell a line, or a pipe table
  (``NO | KOMPONEN | URAIAN``);
* unlabelled, in the fixed order of the SIPPN pages: a title, the persyaratan
  list, the steps list, the time, the fee, the product, the complaint channels.

The procedure component gives the steps (:mod:`sopdata.ingest.listing`);
Persyaratan, Jangka Waktu, Biaya and Produk are kept on the SOP
(``requirements``, ``completion_time``, ``fee``, ``product``), the
requirements also as the first step's Kelengkapan and the product as the last
step's Output. The complaint-handling list is never read as steps.

Labels are matched tolerantly by construction: case, spacing, punctuation and
glued words are ignored (``A.PERSYARATAN``), and a label a few OCR slips away
(:func:`~sopdata.text.fuzzy.ocr_distance`) still matches. Documents that hold
an SOP AP identity block or step table are left to the SOP AP readers.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sopdata.ingest.identity import find_office
from sopdata.ingest.listing import (
    BARE_MARKER,
    group_steps,
    make_steps,
    opening_actors,
    split_marker,
)
from sopdata.records import SOP, Actor, SOPKind, untitled
from sopdata.text.durations import looks_like_duration
from sopdata.text.fuzzy import ocr_distance
from sopdata.text.glossary import default_glossary
from sopdata.text.textclean import SMALL_WORDS, collapse_spaces, smart_title

# --- component labels ---------------------------------------------------------

#: Component -> its labels as offices print them (matched without case, spaces
#: or punctuation; "&" reads as "dan"). ``other`` components end the one above
#: them and are not read further.
COMPONENT_LABELS: dict[str, tuple[str, ...]] = {
    "legal_basis": ("dasar hukum", "landasan hukum", "dasar"),
    "requirements": (
        "persyaratan",
        "persyaratan pelayanan",
        "persyaratan layanan",
        "persyaratan administrasi",
        "persyaratan permohonan",
        "syarat",
        "syarat syarat",
        "persyaratan dan dokumen",
    ),
    "procedure": (
        "sistem mekanisme dan prosedur",
        "sistem mekanisme prosedur",
        "mekanisme dan prosedur",
        "mekanisme prosedur",
        "mekanisme",
        "prosedur",
        "prosedur pelayanan",
        "prosedur layanan",
        "alur pelayanan",
        "alur layanan",
        "alur",
        "tata cara",
        "tata cara pelayanan",
        "langkah langkah",
        "uraian prosedur",
        "proses pengurusan",
        "proses pelayanan",
        "proses permohonan",
    ),
    "time": (
        "jangka waktu penyelesaian",
        "jangka waktu pelayanan",
        "jangka waktu penyelesaian pelayanan",
        "waktu penyelesaian",
        "jangka waktu",
        "waktu pelayanan",
        "waktu penyelesaian pelayanan",
        "lama pelayanan",
    ),
    "fee": (
        "biaya tarif",
        "biaya",
        "tarif",
        "biaya pelayanan",
        "biaya layanan",
        "dasar tarif biaya",
    ),
    "product": ("produk pelayanan", "produk layanan", "produk", "hasil pelayanan", "output"),
    "complaints": (
        "penanganan pengaduan saran dan masukan",
        "penanganan pengaduan",
        "pengelolaan pengaduan",
        "pengaduan",
        "pengaduan dan informasi",
        "pengaduan saran dan masukan",
    ),
    "title": ("jenis pelayanan", "nama pelayanan", "jenis layanan", "nama layanan"),
    "other": (
        "sarana prasarana dan atau fasilitas",
        "sarana dan prasarana dan atau fasilitas",
        "sarana prasarana",
        "sarana dan prasarana",
        "sarana dan prasaran dan atau fasilitas",
        "sarana dan prasaran atau fasilitas",
        "kompetensi pelaksana",
        "komposisi pelaksana",
        "pengawasan internal",
        "jumlah pelaksana",
        "jaminan pelayanan",
        "jaminan keamanan dan keselamatan pelayanan",
        "jaminan keamanan pelayanan",
        "evaluasi kinerja pelaksana",
        "pelaksana",
        "visi",
        "misi",
        "tugas pokok dan fungsi",
        "tujuan",
        "ruang lingkup",
        "ruang lingkup dan unit terkait",
        "standar mutu terkait",
        "definisi",
        "pengertian",
        "referensi",
        "dokumen terkait",
        "catatan mutu",
        "format surat",
        "deskripsi",
    ),
}
# "Standar Pelayanan" alone, after a component, heads the steps of a tabbed page.
_WEAK_PROCEDURE = "standarpelayanan"
_TABLE_HEADER = {"no", "komponen", "uraian", "nokomponenuraian"}
# Lines that name the document type, never the procedure.
_GENERIC_TITLES = {
    "standarpelayanan",
    "standartpelayanan",
    "standaroperasionalprosedur",
    "standaroperatingprocedure",
    "standarprosedur operasi".replace(" ", ""),
    "sop",
    "prosedur",
    "informasi",
    "foto",
    "komponen",
}
_OFFICE_LINE = re.compile(
    r"^\W*(?:(?:pemerintah|kantor|dinas|badan|kecamatan|kelurahan|desa|puskesmas|"
    r"smp|sma|smk|mts|sd|sekretariat|kementerian)\b|uptd?\b)",
    re.I,
)
_DATE_LINE = re.compile(
    r"\b(?:\d{1,2}\s+(?:jan|feb|mar|apr|mei|may|jun|jul|agu|aug|sep|okt|oct|nov|des|dec)[a-z]*,?\s+\d{4}|"
    r"(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu),)",
    re.I,
)
_SP_DECLINE = (
    re.compile(r"\bnama\s*sop\b", re.I),
    re.compile(r"\bnomor\s*sop\b", re.I),
    re.compile(r"\bno\.?\s*dokumen\b.*?\btanggal\s*terbit\b", re.I | re.S),
    re.compile(r"\bidentifikasi\s*kegiatan\b", re.I),
)
_STEP_TABLE_WORDS = (r"\bkegiatan\b", r"\bpelaksana\b", r"\bmutu\s*baku\b", r"\bkelengkapan\b")

# The header of a Permenpan RB 15/2014 component table: "NO | KOMPONEN | URAIAN".
_COMPONENT_TABLE = re.compile(r"\bkomponen\b\W{0,12}uraian\b", re.I)
_SERVICE_STANDARD = re.compile(r"standart?\s*pelayanan", re.I)
_COMPLAINT = re.compile(r"\b(pengaduan|aduan|keluhan)\b", re.I)
_FEE_WORDS = re.compile(r"\b(biaya|gratis|tarif|rp\.?|rupiah|dipungut)\b", re.I)
_DOCUMENT_WORDS = re.compile(
    r"\b(surat|fotocopy|fotokopi|foto\s*copy|fc\.?|ktp|kk|akta|akte|pengantar|formulir|blangko|"
    r"foto|copy|asli|salinan|bukti|dokumen|berkas|sertifikat|ijazah|paspor|kartu|pas\s*photo|sk)\b",
    re.I,
)


def _key(text: str) -> str:
    t = text.lower().replace("&", " dan ")
    return re.sub(r"[^0-9a-z]+", "", t)


def _tolerance(n: int) -> float:
    return 0.0 if n < 5 else (1.0 if n < 10 else 2.0)


@dataclass(frozen=True)
class _Label:
    component: str
    key: str
    words: int


_LABELS: tuple[_Label, ...] = tuple(
    sorted(
        (
            _Label(c, _key(label), len(label.split()))
            for c, labels in COMPONENT_LABELS.items()
            for label in labels
        ),
        key=lambda lab: -len(lab.key),
    )
)


_BAGS: dict[str, Counter[str]] = {lab.key: Counter(lab.key) for lab in _LABELS}


def _key_offsets(text: str) -> list[int]:
    """For each character of ``_key(text)``, its index in ``text`` (for cutting the label off)."""
    out: list[int] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        if low == "&":
            out.extend([i, i, i])  # "dan"
        elif re.match(r"[0-9a-z]", low):
            out.append(i)
    return out


@dataclass(frozen=True)
class LabelMatch:
    component: str
    rest: str  # the text after the label on the same line ("" when none)
    colon: bool  # the label was followed by ":" (a "Label: value" line)
    numbered: bool  # the label carried a component number/letter ("3.", "A.")


@functools.lru_cache(maxsize=4096)
def match_label(line: str, *, partial: bool = True) -> LabelMatch | None:
    """The component a line labels, with the text after the label, or None.

    Accepted forms: the label alone (numbered, lettered, glued or with a
    colon), "Label: value", and "Label value" where the label has two or more
    words or the line is a short heading. ``partial``: a line holding the first
    words of a long label (a table cell wrapped: "Sistem, Mekanisme dan").
    """
    s = line.strip().strip("|").strip()
    if not s or len(s) > 160 or _LEADER.search(s):
        return None
    family, _marker, body = split_marker(s)
    numbered = family in ("number", "letter", "roman")
    if family == "bullet":
        body = body.strip()
    body = body.strip()
    key = _key(body)
    if len(key) < 4 or not key[0].isalpha():
        return None
    offsets: list[int] | None = None
    fuzzy = len(key) <= 90
    for lab in _LABELS:
        n = len(lab.key)
        if key == lab.key:
            return LabelMatch(lab.component, "", False, numbered)
        cuts: list[int] = []
        if key.startswith(lab.key):
            # one letter more may still be the label ("Biaya/ tariff")
            cuts = [n] + ([n + 1] if n >= 8 and _within(key[: n + 1], lab.key, 1.0) else [])
        elif (
            fuzzy
            and n >= 8
            and len(key) >= n - 1
            and key[:2] == lab.key[:2]
            and _near(key[: n + 1], lab)
        ):
            # a short label only as the whole line ("Pengajuan ..." is no "Pengaduan")
            tol = _tolerance(n)
            lengths = (n, n - 1, n + 1) if n >= 12 else (len(key),)
            cuts = [m for m in lengths if abs(m - n) <= 1 and _within(key[:m], lab.key, tol)]
        if not cuts:
            continue
        if len(key) in cuts:
            return LabelMatch(lab.component, "", False, numbered)
        if offsets is None:
            offsets = _key_offsets(body)
        after = None
        for cut in cuts:
            if cut - 1 >= len(offsets):
                continue
            end = offsets[cut - 1]
            tail = body[end + 1 :]
            # the label must not end inside a word ("Prosedurnya", "Biayanya")
            if not (tail and tail[0].isalnum() and not _glued(body, end)):
                after = tail
                break
        if after is None:
            continue
        rest = after.strip()
        colon = rest.startswith(":")
        rest = rest.lstrip(":|").strip()
        if colon or numbered or (lab.words >= 2 and body[0].isupper()):
            return LabelMatch(lab.component, rest, colon, numbered)
        if _is_heading(body) and body[0].isupper() and _title_cased(rest):
            return LabelMatch(lab.component, rest, colon, numbered)
    if partial and family != "bullet":
        for lab in _LABELS:
            if lab.words >= 3 and len(key) >= 10 and lab.key.startswith(key):
                return LabelMatch(lab.component, "", False, numbered)
    return None


def _within(a: str, b: str, tol: float) -> bool:
    """``ocr_distance(a, b) <= tol`` (giving up as soon as it exceeds ``tol``)."""
    return ocr_distance(a, b, tol) <= tol


def _near(prefix: str, lab: _Label) -> bool:
    """A cheap lower bound first: letters that differ between the two bags of
    letters cost at least half an edit each (OCR look-alikes) in :func:`ocr_distance`."""
    a, b = Counter(prefix), _BAGS[lab.key]
    missing = sum((b - a).values())
    return missing / 2 <= _tolerance(len(lab.key))


_LEADER = re.compile(r"\.{5,}|…{2,}")  # a table of contents line ("BAB II ....... 9")


def _title_cased(text: str) -> bool:
    """Half or more of the words capitalised (a heading's words, not a sentence's)."""
    words = [w for w in re.findall(r"[A-Za-z(][\w()/-]*", text) if w.lower() not in SMALL_WORDS]
    caps = sum(1 for w in words if w.lstrip("(")[:1].isupper())
    return bool(words) and caps * 2 >= len(words)


def _glued(body: str, i: int) -> bool:
    """An upper-case letter right after the label's last letter: glued words ("PersyaratanFormat")."""
    return i + 1 < len(body) and body[i].islower() and body[i + 1].isupper()


def _is_heading(text: str) -> bool:
    """A short line that reads as a heading, not a sentence."""
    words = text.split()
    return 1 <= len(words) <= 12 and not text.rstrip().endswith((".", ";", ","))


# --- lines --------------------------------------------------------------------


#: Lines read by the text-layout readers: a service-standard booklet of some
#: fifty services fits; a longer text is cut (its label matching is per line).
MAX_LINES = 5000


#: A text is hard-wrapped when its lines stop at a width this long ...
MIN_WRAP_WIDTH, MAX_WRAP_WIDTH = 60, 120
#: ... and at least this many lines (and this share of them) come within
#: :data:`WRAP_SLACK` characters of it: a PDF's or an e-mail's fixed width.
MIN_FULL_LINES = 5
MIN_FULL_SHARE = 0.15
WRAP_SLACK = 15
#: Lines longer than this many times the length 90 % of the lines do not pass
#: are left out of the width.
WIDTH_QUANTILE, OUTLIER_FACTOR = 0.9, 1.3
#: Characters a forced break may leave unused before a line that opens in lower
#: case (a PDF's proportional letters, an indented item): such a line goes on
#: a sentence. A line that opens with a capital or a digit may be a field of
#: its own ("10 Menit", "Tidak dipungut biaya"): it may leave only the
#: indentation a PDF's text drops (an item indented two spaces).
WRAP_TOLERANCE = 10
INDENT_TOLERANCE = 2
_TABLE_CELLS = re.compile(r"[|\t]")


def unwrapped(lines: list[str], after_full_stop: bool = True) -> list[str]:
    """Lines broken at a fixed width (a PDF's column, an e-mail) joined back
    into the lines the author wrote.

    Only a hard-wrapped text is touched (:data:`MIN_WRAP_WIDTH`,
    :data:`MIN_FULL_LINES`): a short list's lines are as long as its items.
    There a line continues the one above when the break was forced: the
    line's first word would not have fitted on the line above (with
    :data:`WRAP_TOLERANCE` for a line in lower case, :data:`INDENT_TOLERANCE`
    otherwise), judged on the line above as printed. A line that opens with a
    list marker or a component label, a line under one that ends a clause of
    a list ("; :"), a blank line, and table rows (pipes, tabs) always break;
    without ``after_full_stop`` (rows of a table, a sentence each), so does a
    line under one that ends a sentence.
    """
    plain = [x.rstrip() for x in lines if x.strip() and not _TABLE_CELLS.search(x)]
    if not plain:
        return lines
    # the longest line, leaving out the few far longer than most (a URL, a PDF
    # reader's line joined at a hyphen)
    lengths = sorted(len(x) for x in plain)
    usual = lengths[int(WIDTH_QUANTILE * (len(lengths) - 1))]
    width = max(n for n in lengths if n <= usual * OUTLIER_FACTOR)
    full = sum(width - WRAP_SLACK <= n <= width for n in lengths)
    if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH or full < max(
        MIN_FULL_LINES, MIN_FULL_SHARE * len(plain)
    ):
        return lines
    out: list[str] = []
    above = ""  # the line above as printed (not as joined so far)
    for line in lines:
        if (
            out
            and above
            and line.strip()
            and not _TABLE_CELLS.search(line + above)
            and split_marker(line)[0] == "plain"
            # a label heads its component in capitals ("Persyaratan"); in lower
            # case the word goes on the sentence above ("... pengecekan / persyaratan.")
            and (line.strip()[:1].islower() or match_label(line, partial=False) is None)
            and not above.endswith((";", ":") if after_full_stop else (";", ":", "."))
            and len(above) <= width
            and _forced_break(above, line.strip(), width)
        ):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
        above = line.rstrip()
    return out


def _forced_break(above: str, line: str, width: int) -> bool:
    """Whether ``line``'s first word would not have fitted on ``above``."""
    room = width - len(above) - 1
    slack = WRAP_TOLERANCE if line[:1].islower() else INDENT_TOLERANCE
    return len(line.split()[0]) > room - slack


def document_lines(text: str) -> list[str]:
    """The text as lines: hard-wrapped lines joined (:func:`unwrapped`), table
    rows (cells between pipes, or between tabs as a Word table saved as text
    has them) split into one cell a line, blank and whitespace-only lines
    dropped, a bare row/item marker joined to the text below it (or dropped
    before a component label)."""
    out: list[str] = []
    for raw in unwrapped(text.splitlines()[:MAX_LINES]):
        cells = _TABLE_CELLS.split(raw)
        for cell in cells:
            c = collapse_spaces(cell.replace("\xa0", " "))
            if c:
                out.append(c)
    merged: list[str] = []
    k = 0
    while k < len(out):
        line = out[k]
        if BARE_MARKER.match(line) and k + 1 < len(out):
            nxt = out[k + 1]
            if (
                match_label(nxt) is None
                and not BARE_MARKER.match(nxt)
                and not line.strip().isdigit()
            ):
                merged.append(f"{line.strip()} {nxt}")
                k += 2
                continue
            k += 1  # a table row number before its component label
            continue
        if BARE_MARKER.match(line) and line.strip().rstrip(".").isdigit():
            k += 1
            continue
        merged.append(line)
        k += 1
    return merged


# --- components -----------------------------------------------------------------


@dataclass
class Component:
    name: str
    lines: list[str] = field(default_factory=list)
    heading: str = ""  # the label line's own words after the label ("Prosedur Penerbitan SKTM")


@dataclass
class Service:
    """One service's components, with the heading lines printed before them."""

    heading_lines: list[str] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    #: the first heading line of each component ("Prosedur Penerbitan SKTM"), by component
    headings: dict[str, str] = field(default_factory=dict)
    #: the service starts at a component table header of its own (No / Komponen / Uraian)
    from_table: bool = False

    def get(self, name: str) -> Component | None:
        return next((c for c in self.components if c.name == name), None)

    @property
    def names(self) -> set[str]:
        return {c.name for c in self.components}


def _has_items(comp: Component) -> bool:
    return any(line.strip() for line in comp.lines)


def segment(lines: list[str]) -> tuple[list[str], list[Service]]:
    """The lines before the first component, and the services with their components.

    A component of a kind the service already holds with content starts a new
    service; a table header (No / Komponen / Uraian) starts a new service
    block, the title-like lines just above it being its heading.
    """
    preamble: list[str] = []
    services: list[Service] = []
    current: Component | None = None
    k = 0
    while k < len(lines):
        line = lines[k]
        key = _key(line)
        if key in _TABLE_HEADER:
            # a table starts: the heading lines above it (inside the last component) are its title
            j = k
            while j + 1 < len(lines) and _key(lines[j + 1]) in _TABLE_HEADER:
                j += 1
            if services and current is not None:
                heading = _pop_heading(current.lines)
                services.append(Service(heading_lines=heading, from_table=True))
                current = None
            k = j + 1
            continue
        m = match_label(line)
        if m is None and key == _WEAK_PROCEDURE and services:
            m = LabelMatch("procedure", "", False, False)
        if m is None:
            if current is None:
                if services:
                    services[-1].heading_lines.append(line)
                else:
                    preamble.append(line)
            else:
                current.lines.append(line)
            k += 1
            continue
        if m.component in ("procedure", "requirements") and _COMPLAINT.search(line):
            m = LabelMatch("complaints", m.rest, m.colon, m.numbered)
        if current is not None and m.component == current.name and not m.colon:
            # the label again inside its component: a wrapped label cell or a sub-heading
            k += 1
            continue
        if not services:
            services.append(Service(heading_lines=[]))
        service = services[-1]
        existing = service.get(m.component)
        if existing is not None and m.component not in ("other", "title"):
            if _has_items(existing) and m.component in ("requirements", "procedure"):
                services.append(Service(heading_lines=[]))
                service = services[-1]
            elif _has_items(existing):
                # "Waktu Pelayanan" (opening hours) after "Jangka Waktu Penyelesaian": the first stays
                m = LabelMatch("other", m.rest, m.colon, m.numbered)
            else:
                service.components.remove(existing)
        value = bool(m.rest) and (
            m.colon or m.component in ("time", "fee", "product", "title") or not _is_heading(m.rest)
        )
        current = Component(m.component)
        if value:
            current.lines.append(m.rest)
        elif m.rest:
            current.heading = line.strip() if not m.numbered else _strip_marker(line)[1]
        if current.heading:
            service.headings.setdefault(m.component, current.heading)
        service.components.append(current)
        k += 1
    return preamble, services


def _pop_heading(lines: list[str]) -> list[str]:
    """Title-like lines at the end of a component: the heading of the next table."""
    out: list[str] = []
    while lines and _title_like(lines[-1]) and len(out) < 1:
        out.insert(0, lines.pop())
    return out


# --- titles ---------------------------------------------------------------------


def _strip_marker(line: str) -> tuple[bool, str]:
    family, _m, body = split_marker(line)
    return family in ("number", "letter", "roman"), body.strip() if family != "plain" else line


def _title_like(line: str, lower_ok: bool = False) -> bool:
    s = line.strip()
    _n, body = _strip_marker(s)
    words = body.split()
    if not (1 <= len(words) <= 16) or len(body) < 4:
        return False
    if body.endswith((".", ":", ";", ",")) and not body.endswith(".)"):
        return False
    if not (body[0].isupper() or body[0].isdigit() or lower_ok):
        return False
    if _DATE_LINE.search(body) or re.search(r"\bno\.?\s*sk\b|\bkomponen\b", body, re.I):
        return False
    if len(re.findall(r"[a-z][A-Z]", body)) >= 2:  # tabs glued: "DeskripsiPersyaratanFormat"
        return False
    if sum(ch.isdigit() for ch in body) > len(body) / 3:
        return False
    return _key(body) not in _GENERIC_TITLES


def _clean_title(line: str) -> str:
    _n, body = _strip_marker(line.strip())
    body = re.sub(r"^(?:jenis|nama)\s+(?:pelayanan|layanan)\s*:?\s*", "", body, flags=re.I)
    return collapse_spaces(body).strip(" :-|")


_DEFINITION = re.compile(
    r"^([A-Z][A-Za-z/\-]*(?:\s+(?:[A-Z][A-Za-z/\-]*|\([A-Za-z ]{2,12}\)|dan|di|ke|dari)){1,9})"
    r"\s+(?i:adalah|merupakan|digunakan|ialah|yaitu)\b"
)


def definition_subject(lines: Iterable[str]) -> str:
    """The subject of the first defining sentence ("Surat Keterangan Domisili adalah ...")."""
    for line in lines:
        m = _DEFINITION.match(line.strip())
        if m:
            return m.group(1).strip()
    return ""


def pick_title(candidates: list[str], fallbacks: Iterable[str] = ()) -> str:
    """The first unnumbered title-like line, else the first numbered one, else a fallback."""
    like = [
        c
        for k, c in enumerate(candidates)
        if _title_like(c, lower_ok=k == 0) and not _OFFICE_LINE.match(_strip_marker(c)[1])
    ]
    unnumbered = [c for c in like if not _strip_marker(c)[0]]
    if unnumbered:
        return _clean_title(unnumbered[0])
    if like:  # numbered headings ("A. Standar Pelayanan Kecamatan", "1. Surat ..."): the innermost
        return _clean_title(like[-1])
    for f in fallbacks:
        if f and f.strip():
            return collapse_spaces(f).strip(" :-|")
    return ""


# --- the reader -----------------------------------------------------------------


def declines(text: str) -> bool:
    """An SOP AP document (identity block, step table) or a Puskesmas SOP form:
    left to the SOP AP readers."""
    if any(p.search(text) for p in _SP_DECLINE):
        return True
    head = text[:20000].lower()
    return sum(1 for w in _STEP_TABLE_WORDS if re.search(w, head)) >= 3


def _component_items(comp: Component | None) -> list[str]:
    if comp is None:
        return []
    return [i.full_text for i in group_steps(comp.lines)]


def _first_value(comp: Component | None) -> str:
    if comp is None:
        return ""
    return collapse_spaces(" ".join(comp.lines[:3]))[:300]


def _time_value(service: Service) -> str:
    comp = service.get("time")
    if comp is None:
        return ""
    text = _first_value(comp)
    return text if looks_like_duration(text) or re.search(r"\d", text) else text


def build_sop(
    source_file: str,
    title: str,
    kind: SOPKind,
    step_lines: list[str],
    requirements: list[str],
    completion_time: str = "",
    fee: str = "",
    product: str = "",
    legal_basis: list[str] | None = None,
) -> SOP:
    """An SOP record of a procedure read from text: steps, actors read from the
    step sentences, the service components kept."""
    steps = make_steps(group_steps(step_lines))
    sop = SOP(source_file=source_file, title=title, title_raw=title, kind=kind, steps=steps)
    sop.requirements = requirements
    sop.completion_time = completion_time
    sop.fee = fee
    sop.product = product
    sop.legal_basis = list(legal_basis or [])
    if steps and requirements:
        steps[0].requirements = "; ".join(requirements)
    if steps and product:
        steps[-1].output = product
    sop.actors = [Actor(raw=name) for name in opening_actors(steps)]
    return sop


@functools.lru_cache(maxsize=1)
def title_acronyms() -> frozenset[str]:
    return frozenset(default_glossary().acronym_words())


def _is_service_standard(service: Service, text: str) -> bool:
    """A Standar Pelayanan rather than another written procedure: service
    components beside the steps, a component table, or the name printed."""
    delivery = {"time", "fee", "product", "complaints"} & service.names
    return (
        len(delivery) >= 2
        or (bool(delivery) and "requirements" in service.names)
        or bool(_COMPONENT_TABLE.search(text[:5000]))
        or bool(_SERVICE_STANDARD.search(text[:3000]))
    )


def _is_procedure_service(service: Service, text: str) -> bool:
    """Enough of a service standard or a procedure to be an SOP record.

    Steps (two or more) with another component or a heading; or, without
    steps, a Persyaratan list with two other service components, or with the
    document calling itself a Standar Pelayanan (a page cut before its
    procedure); or a component table of its own under a heading (one service
    of a multi-service page, cut short).
    """
    filled = {
        c.name
        for c in service.components
        if c.name not in ("other", "title", "complaints") and _has_items(c)
    }
    steps = len(_component_items(service.get("procedure")))
    if steps >= 2:
        return len(filled) >= 2 or bool(service.headings.get("procedure") or service.heading_lines)
    if service.from_table and service.heading_lines and filled:
        return True
    if "requirements" not in filled:
        return False
    others = filled - {"requirements", "procedure", "legal_basis"}
    return len(others) >= 2 or (
        bool(service.heading_lines or "legal_basis" in filled)
        and bool(_SERVICE_STANDARD.search(text[:3000]))
    )


def _without_letterhead(lines: list[str]) -> list[str]:
    """Procedure lines without an office's name in capitals ("KECAMATAN
    PRAMBANAN" under a heading read as the procedure's label): no step."""
    return [x for x in lines if not (_OFFICE_LINE.match(x) and x.isupper() and len(x.split()) <= 6)]


def read_labelled(text: str, source_file: str, lines: list[str]) -> list[SOP]:
    """SOPs of a document whose components are labelled; [] when it has too few."""
    preamble, services = segment(lines)
    services = [s for s in services if s.components]
    if not services:
        return []
    if preamble and not services[0].heading_lines:
        services[0].heading_lines = list(preamble)
        preamble = []
    found = [s for s in services if _is_procedure_service(s, text)]
    if not found:
        return []
    sops: list[SOP] = []
    for n, service in enumerate(found):
        head = (preamble if n == 0 else []) + service.heading_lines
        title_comp = service.get("title")
        proc = service.get("procedure")
        reqs = service.get("requirements")
        product = _first_value(service.get("product"))
        explicit = title_comp.lines[0] if title_comp and title_comp.lines else ""
        title = _clean_title(explicit) if explicit else ""
        title = title or pick_title(
            head,
            [
                service.headings.get("procedure", ""),
                definition_subject(lines[:60]) if n == 0 else "",
                service.headings.get("requirements", ""),
                product,
            ],
        )
        kind: SOPKind = "standar_pelayanan" if _is_service_standard(service, text) else "prosedur"
        sop = build_sop(
            source_file,
            smart_title(title, title_acronyms()) if title else untitled(n + 1),
            kind,
            _without_letterhead(proc.lines) if proc else [],
            _component_items(reqs),
            _time_value(service),
            _first_value(service.get("fee")),
            product,
            _component_items(service.get("legal_basis")),
        )
        sop.title_raw = title
        sops.append(sop)
    return sops


#: An unmarked line inside a numbered list (a wrapped item's next sentence)
#: keeps the list going when the next number follows within this many lines.
LIST_RESUMES_WITHIN = 2


def _numbered_soon(lines: list[str], family: str, label: str) -> bool:
    return any(split_marker(x)[:2] == (family, label) for x in lines)


#: The first ordinal of a list of each family: a list restarts there.
_LIST_START = {"number": "1", "letter": "a"}


def _numbered_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each numbered (or lettered: a., b. ...) list that restarts
    at 1 (a), over the lines; an unmarked line that starts with a capital ends
    a list unless the list's next number follows it closely
    (:data:`LIST_RESUMES_WITHIN`). The first list's family is the document's."""
    blocks: list[tuple[int, int]] = []
    start = None
    expected = ""
    family_of_lists = ""
    for k, line in enumerate(lines):
        family, label, _t = split_marker(line)
        if family in _LIST_START and not family_of_lists and label == _LIST_START[family]:
            family_of_lists = family
        if family_of_lists and family == family_of_lists and label == _LIST_START[family]:
            if start is not None:
                blocks.append((start, k))
            start, expected = k, _next_label(family, label)
        elif family == family_of_lists and start is not None and label == expected:
            expected = _next_label(family, label)
        elif (
            start is not None
            and family == "plain"
            and expected not in ("2", "b")  # the list has two items or more
            and not line[:1].islower()
            and not _numbered_soon(
                lines[k + 1 : k + 1 + LIST_RESUMES_WITHIN], family_of_lists, expected
            )
        ):
            blocks.append((start, k))
            start = None
    if start is not None:
        blocks.append((start, len(lines)))
    return blocks


def _next_label(family: str, label: str) -> str:
    return str(int(label) + 1) if family == "number" else chr(ord(label) + 1)


def read_unlabelled(source_file: str, lines: list[str]) -> list[SOP]:
    """The SIPPN layout: title, persyaratan list, steps list, then one line each
    for the time, the fee and the product, then the complaint channels."""
    blocks = _numbered_blocks(lines)
    if len(blocks) < 2:
        return []
    (a0, a1), (b0, b1) = blocks[0], blocks[1]
    req_lines, step_lines = lines[a0:a1], lines[b0:b1]
    reqs = [i.full_text for i in group_steps(req_lines)]
    if not reqs or sum(1 for r in reqs if _DOCUMENT_WORDS.search(r)) < len(reqs) / 2:
        return []
    between = [x for x in lines[a1:b0]]
    if len(between) > 2:
        return []
    after = lines[b1:]
    slots = after[:3]
    time = fee = product = ""
    if slots and _FEE_WORDS.search(slots[0]) and not looks_like_duration(slots[0]):
        slots = ["", *slots[:2]]
    if slots:
        time = slots[0]
    if len(slots) > 1:
        fee = slots[1]
    if len(slots) > 2:
        product = slots[2]
    if not (time and looks_like_duration(time)) and not _FEE_WORDS.search(fee) and after:
        return []
    head = [x for x in lines[:a0] if not re.match(r"^no\.?\s*sk\b", x, re.I)]
    title = pick_title(head, [definition_subject(head), product])
    sop = build_sop(
        source_file,
        title,
        "standar_pelayanan",
        step_lines,
        reqs,
        time if time.strip(" .-") else "",
        fee,
        product,
    )
    return [sop]


_BULLET_ITEM = re.compile(r"^([ \t]*)[-–•●▪◦*]\s+(?=\S)")


def bullet_lists_numbered(text: str) -> str:
    """A text without numbered items whose lists are bulleted ("• KTP"), each
    list numbered from 1: the SIPPN layout tells its requirements list from its
    steps list only by where numbering restarts, and a list's blank lines or
    unbulleted lines end it. A text with numbered items is returned as it is."""
    lines = text.split("\n")
    if any(split_marker(x)[0] in ("number", "letter") for x in lines if x.strip()):
        return text
    out, k = [], 0
    for line in lines:
        m = _BULLET_ITEM.match(line)
        k = k + 1 if m else 0
        out.append(f"{m.group(1)}{k}. {line[m.end() :]}" if m else line)
    return "\n".join(out)


def read_service_standard(text: str, source_file: str) -> list[SOP]:
    """The Standar Pelayanan (or labelled procedure) SOPs of a document's text;
    [] when it holds none or is an SOP AP document."""
    if declines(text):
        return []
    lines = document_lines(text)
    if not lines:
        return []
    sops = read_labelled(text, source_file, lines) or read_unlabelled(source_file, lines)
    if not sops and (numbered := bullet_lists_numbered(text)) != text:
        sops = read_unlabelled(source_file, document_lines(numbered))
    office, kab = find_office(text) if sops else ("", "")
    for i, sop in enumerate(sops):
        sop.index_in_file = i
        sop.office = sop.office or office
        sop.kabupaten = sop.kabupaten or kab
    return sops
