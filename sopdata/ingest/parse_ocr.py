"""Parse SOPs out of OCR text of scanned documents.

OCR of a scanned SOP table loses every cell boundary: a row's Kegiatan is
broken over several lines, its step number sits on the line at the row's
vertical centre (or inside the flowchart box, mid-line), and the other columns'
words are interleaved. Recovery therefore works on signals that survive OCR:

* SOP boundaries: the "Nama SOP" (or "Judul SOP") field and the "URAIAN
  PROSEDUR <judul>" table heading (spelled "URALAN PROSEDLR" and the like); in
  a dump of one SOP AP page without that heading, the step table's header rows
  (column words) above rows showing the flowchart columns as symbol debris;
* step rows: step numbers at a line start (an increasing sequence 1, 2, 3 ...),
  numbers inside the flowchart column, and lines that open with an actor and a
  verb ("Camat menandatangani ...", "Kasubag Umum melakukan ...");
* Waktu: the first duration-like token of the row ("1-20 Hari" a range);
* columns: each line's Kegiatan ends at its first separator (a run of symbol
  debris, a lone step number, a Waktu), see :mod:`sopdata.ingest.ocr_columns`.

Everything recovered this way carries a lower confidence and warnings.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from sopdata.ingest.identity import find_office, match_field, match_section
from sopdata.ingest.labels import label_words
from sopdata.ingest.ocr_columns import (
    header_lines,
    is_signature_notice,
    names_a_period,
    split_row,
    symbol_lines,
)
from sopdata.records import SOP, Step, untitled
from sopdata.text.durations import parse_duration
from sopdata.text.glossary import default_glossary
from sopdata.text.textclean import collapse_spaces, normalise_key, smart_title

_HEADING = re.compile(r"^\W*[A-Z]?U[A-Z]{3,5}\s+PROS[A-Z]{2,6}\s+(.{4,})$")
_NAMA = re.compile(r"\b(?:Nama|Judul)\s+SOP\b", re.I)
_NOMOR = re.compile(r"^\W*Nomor\s+SOP\b", re.I)
_PEMKAB = re.compile(r"^\W*PEMERINTAH\s+KABUPATEN\b", re.I)
_STOP_TITLE = re.compile(r"^\W*(dasar\s+hukum|kualifikasi|penerimaan|keterkaitan)\b", re.I)
_ADDRESS = re.compile(
    r"(jln|jl\.|telp|nip|disahkan|tgl|nomor|kecamatan|pemerintah|kabupaten|pembina)", re.I
)
_CONNECTORS = {"kepada", "untuk", "dan", "di", "pada", "dengan", "pegawai", "masyarakat"}
# The column words of the step table's header (misread spellings are recognised by
# :func:`label_word`, not listed).
_HEADER_VOCABULARY = (
    "kegiatan",
    "kelengkapan",
    "waktu",
    "output",
    "keterangan",
    "pelaksana",
    "mutu",
    "baku",
)
# A row number at the start of a line: "1 |Menerima", "2 Humas", "& |bersangkutan" (& = 6).
_LINE_NO = re.compile(r"^[\s|{\[(]*+(\d{1,2}|&)\s*+(?:[|\[{(.,]\s*+)?(?=[A-Za-z\"'])")
_MID_NO = re.compile(r"(?<=\s)(\d{1,2})(?=\s)")
_UNIT_AFTER = re.compile(r"^\s*(menit|mnt|jam|hari|harl|bulan|bln|minggu|tahun|th)\b", re.I)
_NO_CONTEXT_BEFORE = re.compile(r"(lembar|rangkap|nomor|no\.?|tahun|th\.?|ke)\s*$", re.I)
_VERB = re.compile(r"^(me|di|ber|ter)[a-z]{3,}", re.I)
# Words that open a role phrase but head no actor of the glossary: "Setiap pegawai",
# "Masing-masing bidang", "Kasubbag Umum", "Seksi Pelayanan".
_ROLE_LEADS = ("setiap", "masing", "kasubbag", "seksi")
_DURATION_TOKEN = re.compile(r"(\d{1,3}|[SIl])\s*-?\s*([A-Za-z]{2,7})\b")


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, normalise_key(a), normalise_key(b)).ratio()


def _is_role_word(word: str) -> bool:
    return _is_role_key(re.sub(r"[^a-z]", "", word.lower()))


@functools.cache
def _role_words() -> tuple[str, ...]:
    """The first word of every actor of the glossary (data/actors.csv), and the leads."""
    words: dict[str, None] = {}
    for actor in default_glossary().actors:
        first = (
            re.sub(r"[^a-z]", "", actor.pattern.lower().split()[0]) if actor.pattern.split() else ""
        )
        if first:
            words[first] = None
    return (*words, *_ROLE_LEADS)


@functools.lru_cache(maxsize=8192)
def _is_role_key(w: str) -> bool:
    if len(w) < 3:
        return False
    return any(
        w == r or (len(w) >= 5 and SequenceMatcher(None, w, r).ratio() >= 0.7)
        for r in _role_words()
    )


# OCR debris before a row's first word: "| ", "i |", "£ ", a stray letter.
_LEAD_JUNK = re.compile(r"^(?:[^A-Za-z]+|[a-z£]\s*[|\[{(]\s*|[A-Za-z£€¥&]\s+(?=[A-Z]))+")
# Indonesian active/passive verb forms, with OCR's e->a ("mamberikan", "manyampaikan").
_VERB_FORM = re.compile(r"^(m[aeo][a-z]{4,}|di[a-z]{4,}|ber[a-z]{3,}|ter[a-z]{3,})$")


def _strip_lead(line: str) -> str:
    return _LEAD_JUNK.sub("", line.strip())


def is_subject_verb_line(line: str, next_line: str = "") -> bool:
    """A line that opens a Kegiatan: "<actor> <me-verb> ..." or a capitalised me-verb.

    The actor may fill the whole line with its verb on the next one
    ("Bendahara Pengeluaran" / "menyampaikan data ...").
    """
    words = _strip_lead(line).split()
    if 1 <= len(words) <= 3 and next_line:
        words = words + next_line.split()[:2]
    if not words or (words[0].endswith(")") and "(" not in words[0]):
        return False  # "Tim/Bagian) menjadi ...": the end of a bracket goes on a row
    if re.match(r"^M[ae](?:m|n|l|r|w|y)(?:[a-z]{3,}|[a-z]{0,2}-[a-z]{3,})$", words[0]):
        # me-/mem-/men-/meng-/meny- verbs, a loanword hyphenated ("Meng-upload")
        return True
    if not _is_role_word(words[0]) or not (words[0][:1].isupper() or len(words[0]) >= 5):
        return False
    if (
        len(words) >= 2
        and re.match(r"^[A-Z][a-z]{3,}$", words[0])
        and re.match(r"^[A-Z][a-z]{4,}$", words[1])
    ):
        # A two-word actor ("Bendahara Pengeluaran", "Camat Selaku ...") opening the line.
        return True
    return any(_VERB_FORM.match(w.lower()) and w[:1].islower() for w in words[1:5])


def is_weak_start_line(line: str) -> bool:
    """A capitalised word opening a line of three or more: how garbled rows still begin."""
    words = _strip_lead(line).split()
    return len(words) >= 3 and re.match(r"^[A-Z][a-z]{3,}$", words[0]) is not None


@dataclass
class _Anchor:
    line: int
    number: int
    at_start: bool


# A number at a line start followed by a period: an enumerator ("1. Arsip").
_DOTTED = re.compile(r"^[\s|{\[(]*\d{1,2}\.\s")
#: Bare line-start row numbers that make "1." line starts list items, not rows.
_BARE_ROWS = 3


def _find_anchors(lines: list[str]) -> list[_Anchor]:
    """Step numbers, kept only where they form an increasing sequence from 1."""
    candidates: list[_Anchor] = []
    dotted: set[int] = set()
    for i, line in enumerate(lines):
        m = _LINE_NO.match(line)
        if m and not _UNIT_AFTER.match(line[m.end() :]):
            token = m.group(1)
            candidates.append(_Anchor(i, int(token) if token.isdigit() else -6, True))
            if _DOTTED.match(line):
                dotted.add(i)
            continue
        for mm in _MID_NO.finditer(line):
            if _UNIT_AFTER.match(line[mm.end() :]) or _NO_CONTEXT_BEFORE.search(line[: mm.start()]):
                continue
            candidates.append(_Anchor(i, int(mm.group(1)), False))
    if dotted:
        # "1. Filling cabinet", "2. Folder": a list of a Mutu Baku cell on lines whose
        # Kegiatan is empty, where the rows' own numbers are printed bare ("1 Menyiapkan").
        bare = _best_chain([c for c in candidates if c.line not in dotted])
        if sum(a.at_start for a in bare) >= _BARE_ROWS:
            return bare
    return _best_chain(candidates)


#: The longest jump in the numbering after the best chain that still continues it.
_TAIL_GAP = 4


def _best_chain(candidates: list[_Anchor]) -> list[_Anchor]:
    """The best increasing run of step numbers (1, 2, 3 ...; one gap allowed).

    Numbers at a line start weigh more than numbers found mid-line; "&" (an
    OCR'd 6) fits only where a 6 is expected.
    """
    n = len(candidates)
    score = [0.0] * n
    prev = [-1] * n
    numbers = [6 if c.number == -6 else c.number for c in candidates]
    for i, c in enumerate(candidates):
        weight = 1.0 if c.at_start else 0.6
        if numbers[i] <= 2:
            score[i] = weight
        for j in range(i):
            if candidates[j].line >= c.line or score[j] == 0:
                continue
            gap = numbers[i] - numbers[j]
            if 1 <= gap <= 2 and score[j] + weight - 0.3 * (gap - 1) > score[i]:
                score[i] = score[j] + weight - 0.3 * (gap - 1)
                prev[i] = j
    if not n or max(score) == 0:
        return []
    k = max(range(n), key=lambda i: score[i])
    chain = []
    while k != -1:
        c = candidates[k]
        chain.append(_Anchor(c.line, numbers[k], c.at_start))
        k = prev[k]
    chain.reverse()
    # A run of numbers at line starts that goes on after the chain across a longer
    # gap (7 -> 10, 11: rows whose numbers OCR lost in between); one number alone
    # after such a gap is not taken ("5 Agendaris" after 2).
    tail = [(c.line, c.number) for c in candidates if c.at_start and c.number > 0]
    for k, (line, number) in enumerate(tail):
        last = chain[-1]
        if line <= last.line or not 1 <= number - last.number <= _TAIL_GAP:
            continue
        run_on = any(ln > line and 1 <= nb - number <= 2 for ln, nb in tail[k + 1 :])
        if number - last.number <= 2 or run_on:
            chain.append(_Anchor(line, number, True))
    return chain


def is_header_line(line: str) -> bool:
    """A repeated table header row: several header words, or one on a short line."""
    hits = len(label_words(line, _HEADER_VOCABULARY))
    return hits >= 2 or (hits == 1 and len(line.split()) <= 3)


def _header_end(lines: list[str]) -> int:
    """Index of the first line after the table's header rows.

    Header words are only looked for above the first sign of a row (step 1's
    number or an actor+verb line): "Surat keterangan ..." further down is a row.
    """
    first_row = next(
        (
            i
            for i, x in enumerate(lines)
            if is_subject_verb_line(x, lines[i + 1] if i + 1 < len(lines) else "")
            or re.match(r"^[\s|{\[(]*1\s*[|\[{(.]?\s*[A-Za-z]", x)
        ),
        len(lines),
    )
    last = -1
    for i, line in enumerate(lines[: min(first_row, 14)]):
        if label_words(line, _HEADER_VOCABULARY):
            last = i
    end = last + 1
    # Short fragments of wrapped header cells ("Kepegawa", "ian", "n").
    while (
        end < len(lines)
        and len(lines[end].split()) <= 2
        and not _LINE_NO.match(lines[end])
        and not _is_role_word(_strip_lead(lines[end]).split()[0] if _strip_lead(lines[end]) else "")
    ):
        end += 1
    return end


def segment_rows(lines: list[str]) -> list[tuple[list[str], int | None]]:
    """Split the body lines of an OCR step table into rows (lines, printed number)."""
    anchors = _find_anchors(lines)
    sv = [
        i
        for i, line in enumerate(lines)
        if is_subject_verb_line(line, lines[i + 1] if i + 1 < len(lines) else "")
    ]
    starts: dict[int, int | None] = {}
    if anchors:
        prev_line = -1
        for k, a in enumerate(anchors):
            lo = prev_line + 1 if k else 0
            if a.at_start and not any(lo <= s < a.line for s in sv):
                start = a.line if k == 0 else max(lo, a.line - (a.line - lo) // 2)
            else:
                # The row starts at its first actor+verb line above the number, if any.
                between = [s for s in sv if lo <= s <= a.line]
                start = between[0] if between else (a.line if k else 0)
            if k == 0 and start > 0:
                # Lines above the first row: step 1 itself if its number was lost,
                # part of this row if few, header fragments ("Carmat") if short.
                if a.number > 1 and any(len(x.split()) >= 3 for x in lines[:start]):
                    starts[0] = None
                elif start <= 2 and any(len(x.split()) >= 3 for x in lines[:start]):
                    start = 0
            starts[start] = a.number
            prev_line = a.line
        # A jump of two in the numbering (2 -> 4) over a long stretch of text means
        # a row lost its number: open it at the first capitalised line after the
        # earlier number, else midway.
        for a, b in zip(anchors, anchors[1:], strict=False):
            if b.number - a.number != 2:
                continue
            b_start = min((st for st, n in starts.items() if n == b.number), default=b.line)
            if any(a.line < st < b_start for st in starts):
                continue
            inner = list(range(a.line + 1, b_start))
            if len(inner) < 5:  # too little text for a whole lost row
                continue
            capital = [
                i for i in inner[1:] if re.match(r"^[A-Z][a-z]{2,}\s+\S", _strip_lead(lines[i]))
            ]
            starts[capital[0] if capital else inner[len(inner) // 2]] = a.number + 1
        # Actor+verb lines far from any anchor open rows the numbering missed.
        anchored = sorted(starts)
        for s in sv:
            if s in starts:
                continue
            nxt = [x for x in anchored if x > s]
            prv = [x for x in anchored if x < s]
            if (
                prv
                and nxt
                and s - prv[-1] >= 2
                and nxt[0] - s >= 2
                or prv
                and not nxt
                and s - prv[-1] >= 2
            ):
                starts[s] = None
    else:
        for s in sv:
            starts[s] = None
        if sv and sv[0] > 0:
            starts[0] = None
    weak = [i for i, line in enumerate(lines) if is_weak_start_line(line) and i not in starts]
    if weak and len(starts) < max(3, len(lines) / 8):
        # Too few strong signals: a badly garbled table; let weak row starts in.
        for w in weak:
            if all(abs(w - s) >= 2 for s in starts):
                starts[w] = None
    ordered = sorted(starts)
    rows: list[tuple[list[str], int | None]] = []
    for k, s in enumerate(ordered):
        e = ordered[k + 1] if k + 1 < len(ordered) else len(lines)
        chunk = [x for x in lines[s:e] if x.strip()]
        if chunk:
            rows.append((chunk, starts[s]))
    return rows


# The lower bound of a range before a duration token: "1-" of "1-20 Hari".
_RANGE_LOWER = re.compile(r"(?<![\w.,/])(\d{1,3})\s*[-–—]\s*$")


def _row_duration(text: str) -> tuple[str, str]:
    """(raw Waktu, text without it) for the first duration-like token of a row.

    Years are never a step's Waktu here, and a period followed by "terakhir",
    "sebelum" ... belongs to the Kegiatan or Keterangan, not to Waktu.
    """
    for m in _DURATION_TOKEN.finditer(text):
        candidate = m.group(0)
        if names_a_period(m, text):
            continue
        if parse_duration(candidate).kind == "duration":
            start = m.start()
            lower = _RANGE_LOWER.search(text[:start])
            if lower and parse_duration(f"{lower.group(1)}-{candidate}").kind == "duration":
                # "1-20 Hari", "1— 20 Hari": a range, its lower bound first
                candidate, start = f"{lower.group(1)}-{candidate}", lower.start()
            return candidate, (text[:start] + text[m.end() :])
    return "", text


def _clean_activity(lines: list[str]) -> str:
    text = " ".join(lines)
    text = _LINE_NO.sub("", text, count=1)
    text = re.sub(r"[|{}\[\]]+", " ", text)
    return collapse_spaces(text)


def rows_to_steps(rows: list[tuple[list[str], int | None]]) -> list[Step]:
    """Steps numbered by position: OCR'd step numbers only help to find the rows,
    they are too often misread ("&" for 6, the flowchart box's number) to print.

    Each line's Kegiatan is separated from the other columns where the line shows
    a separator (:func:`sopdata.ingest.ocr_columns.split_line`)."""
    steps: list[Step] = []
    for position, (lines, _number) in enumerate(rows, start=1):
        raw_waktu, _rest = _row_duration(" ".join(lines))
        cells = split_row(lines)
        kegiatan = cells.kegiatan
        if any(c.isdigit() for c in kegiatan):  # a Waktu on a line without a separator
            kegiatan = _row_duration(kegiatan)[1]
        steps.append(
            Step(
                no=str(position),
                activity=_clean_activity([kegiatan]),
                requirements=cells.requirements,
                duration=parse_duration(raw_waktu),
                output=cells.output,
            )
        )
    return steps


# ----------------------------------------------------------------------------- SOP level


def _title_lines_after(lines: list[str], i: int) -> list[str]:
    m = _NAMA.search(lines[i])
    rest = lines[i][m.end() :] if m else ""
    out = [rest] if rest.strip() else []
    j = i + 1
    while j < len(lines) and len(out) < 4:
        line = lines[j].strip()
        j += 1
        if not line:
            continue
        if _STOP_TITLE.match(line) or match_field(line) or match_section(line):
            break
        if len(line.split()) > 6:
            break
        out.append(line)
    return out


def _previous_text_line(lines: list[str], i: int) -> str:
    for j in range(i - 1, max(i - 4, -1), -1):
        if lines[j].strip():
            return lines[j].strip()
    return ""


def nama_sop_value(lines: list[str], i: int) -> str:
    """The Nama SOP value around line i, whose label may split the title in two."""
    after = _title_lines_after(lines, i)
    after_text = collapse_spaces(" ".join(after))
    first = after_text.split(" ", 1)[0].lower() if after_text else ""
    before = _previous_text_line(lines, i)
    before_ok = (
        before
        and not _ADDRESS.search(before)
        and not re.search(r"\d", before)
        and 1 <= len(before.split()) <= 5
        and sum(c.isalpha() for c in before) >= 0.8 * len(before.replace(" ", ""))
    )
    if before_ok and (
        not after_text
        or after_text.startswith("(")
        or first in _CONNECTORS
        or len(after_text.split()) == 1
    ):
        after_text = f"{before} {after_text}".strip()
    # Drop a leading enumerator such as "1 . PENGUSULAN".
    return re.sub(r"^\W*\d+\s*[.)]\s*", "", after_text).strip(" .:")


@dataclass
class _Table:
    heading_lines: list[int]
    title: str


def _headings(lines: list[str]) -> list[tuple[int, str]]:
    out = []
    for i, line in enumerate(lines):
        m = _HEADING.match(line.strip())
        if m:
            out.append((i, collapse_spaces(m.group(1))))
    return out


#: Lines after a step table's header searched for the flowchart columns' debris.
_SYMBOL_WINDOW = 60
#: Lines with symbol debris that make a header an OCR'd step table's.
_SYMBOL_LINES = 2
#: Share of a text's step-table headers with symbol debris under them that makes
#: it an OCR'd text.
OCR_TABLE_SHARE = 0.5
#: Flowchart symbols as characters: a text layer writes them (a Word or PDF table
#: flattened to text), OCR reads the drawn shapes as debris and never writes them.
_SYMBOL_CHARACTERS = re.compile(r"[□◇○◯⬭▭◻◊♢]")


def _table_starts(lines: list[str]) -> list[tuple[int, str]]:
    """Where the step tables start, with the title their heading prints.

    The "URAIAN PROSEDUR <judul>" headings of a scanned book; without them, the
    header rows of an OCR'd step table (column words, :func:`header_lines`) whose
    rows show the flowchart columns as symbol debris, which no text layer holds:
    [] unless at least :data:`OCR_TABLE_SHARE` of the text's tables show it."""
    headings = _headings(lines)
    if headings:
        return headings
    firsts: list[int] = []
    for i in header_lines(lines):
        if not firsts or i - firsts[-1] > 3:  # not the header's second line
            firsts.append(i)
    starts: list[tuple[int, str]] = []
    headers = 0
    for k, i in enumerate(firsts):
        if "\t" in lines[i]:
            continue  # cells of a text layer's table: OCR writes no tabs
        headers += 1
        # the table's own rows: up to the next table's header
        end = min(i + 1 + _SYMBOL_WINDOW, firsts[k + 1] if k + 1 < len(firsts) else len(lines))
        window = lines[i + 1 : end]
        if any(_SYMBOL_CHARACTERS.search(x) for x in window):
            continue  # the flowchart's symbols as characters: a text layer
        if symbol_lines(window, enough=_SYMBOL_LINES) >= _SYMBOL_LINES:
            starts.append((i, ""))
    # OCR puts debris under every table's header; a text layer only under a few,
    # by chance ("Ya", "Sk" in a book of many tables)
    return starts if len(starts) >= OCR_TABLE_SHARE * headers else []


@functools.lru_cache(maxsize=4)
def _text_table_starts(text: str) -> tuple[tuple[int, str], ...]:
    """:func:`_table_starts` of a text (asked by the flattened reader, then here)."""
    return tuple(_table_starts(text.splitlines()))


def is_ocr_book(text: str) -> bool:
    """The OCR layouts :func:`parse_ocr` reads: a scanned book's "URAIAN PROSEDUR
    <judul>" heading, or an OCR'd step table (header words, symbol debris)."""
    return bool(_text_table_starts(text))


def _document_vocabulary(text: str) -> Counter[str]:
    return Counter(re.findall(r"[A-Za-z]{2,}", text))


@dataclass
class Speller:
    """Word frequencies of one document, for :func:`correct_words`."""

    lower: Counter[str]
    forms: dict[str, Counter[str]]
    frequent: list[str]

    @classmethod
    def from_vocabulary(cls, vocab: Counter[str]) -> Speller:
        lower: Counter[str] = Counter()
        forms: dict[str, Counter[str]] = {}
        for word, n in vocab.items():
            lower[word.lower()] += n
            forms.setdefault(word.lower(), Counter())[word] += n
        return cls(lower, forms, [w for w, n in lower.items() if n >= 3])


def correct_words(title: str, speller: Speller) -> str:
    """Replace OCR-misspelt words by a frequent close spelling from the same document.

    A word seen fewer than three times in the document ("Cutl", "Pegawal",
    "engelolaan") is replaced by the closest word seen at least three times
    ("Cuti", "Pegawai", "pengelolaan"), written the way the document most often
    writes it ("UP", not "up").
    """
    out = []
    for i, word in enumerate(title.split()):
        core = re.sub(r"[^A-Za-z]", "", word)
        low = core.lower()
        if len(low) < 2 or speller.lower.get(low, 0) >= 3:
            out.append(word)
            continue
        best, best_r = low, 0.0
        for cand in speller.frequent:
            if abs(len(cand) - len(low)) > 2:
                continue
            matcher = SequenceMatcher(None, low, cand)
            if matcher.real_quick_ratio() < 0.8 or matcher.quick_ratio() < 0.8:
                continue
            r = matcher.ratio()
            if r > best_r:
                best, best_r = cand, r
        if best_r >= 0.8 and best != low:
            common = speller.forms[best].most_common(1)[0][0]
            if core.isupper() or common.isupper():
                fixed = common if common.isupper() else best.upper()
            elif core[:1].isupper() or i == 0:
                fixed = best.capitalize()
            else:
                fixed = best
            out.append(word.replace(core, fixed))
        else:
            out.append(word)
    return " ".join(out)


def parse_ocr(text: str, source_file: str, acronyms: frozenset[str] = frozenset()) -> list[SOP]:
    """Parse the SOPs of an OCR text; [] when it holds no recognisable SOP."""
    lines = text.splitlines()
    vocab = Speller.from_vocabulary(_document_vocabulary(text))
    headings = list(_text_table_starts(text))
    names = [i for i, x in enumerate(lines) if _NAMA.search(x)]
    starters = sorted(
        {i for i, x in enumerate(lines) if _NOMOR.match(x) or _PEMKAB.match(x)} | set(names)
    )
    if not headings and not names:
        return []
    doc_office, doc_kab = find_office(text)

    # Group headings into tables: a repeated heading with no Nama SOP between continues a table.
    tables: list[_Table] = []
    for idx, title in headings:
        if tables:
            prev = tables[-1]
            no_name_between = not any(prev.heading_lines[-1] < n < idx for n in names)
            if no_name_between and _similar(prev.title, title) >= 0.7:
                prev.heading_lines.append(idx)
                continue
        tables.append(_Table([idx], title))

    sops: list[SOP] = []
    prev_end = 0
    previous_titles: list[str] = []
    for t_index, table in enumerate(tables):
        h = table.heading_lines[0]
        nxt_h = tables[t_index + 1].heading_lines[0] if t_index + 1 < len(tables) else len(lines)
        name_line = max((n for n in names if prev_end <= n < h), default=None)
        ident_start = min((s for s in starters if prev_end <= s < h), default=h)
        end = min((s for s in starters if s > table.heading_lines[-1]), default=len(lines))
        end = min(end, nxt_h)
        warnings = [
            "teks hasil OCR: kolom tabel dipisahkan dari urutan kata, "
            "periksa langkah, Kegiatan dan Mutu Baku"
        ]

        # Title: Nama SOP unless it repeats another SOP's title while the heading does not.
        heading_title = correct_words(table.title, vocab)
        nama = (
            correct_words(nama_sop_value(lines, name_line), vocab) if name_line is not None else ""
        )
        title = nama or heading_title
        if nama and heading_title and _similar(nama, heading_title) < 0.75:
            repeats = any(_similar(nama, p) >= 0.85 for p in previous_titles)
            if repeats and not any(_similar(heading_title, p) >= 0.85 for p in previous_titles):
                title = heading_title
                warnings.append(
                    f"Nama SOP '{nama}' mengulang judul SOP sebelumnya; judul diambil dari "
                    f"URAIAN PROSEDUR: '{heading_title}'"
                )
            else:
                warnings.append(f"judul URAIAN PROSEDUR berbeda: '{heading_title}'")
        if not title:
            warnings.append("judul SOP tidak ditemukan")

        # Identity block (flattened two-column text).
        ident_lines = lines[ident_start:h]
        sop = SOP(
            source_file=source_file,
            title=smart_title(title, acronyms) or untitled(t_index + 1),
            title_raw=title,
            index_in_file=t_index,
            warnings=warnings,
        )
        _fill_identity(sop, ident_lines)
        office, kab = find_office("\n".join(ident_lines))
        sop.office = office or doc_office
        sop.kabupaten = kab or doc_kab

        # Steps: body lines of each page of the table, header rows skipped.
        body: list[str] = []
        bounds = [*table.heading_lines, end]
        for k in range(len(table.heading_lines)):
            page = [x for x in lines[bounds[k] + 1 : bounds[k + 1]] if x.strip()]
            # The electronic-signature notice printed under the table of every page.
            page = [x for x in page if not is_signature_notice(x)]
            page = page[_header_end(page) :]
            page = [
                x
                for x in page
                if not _NOMOR.match(x) and not _PEMKAB.match(x) and not is_header_line(x)
            ]
            body.extend(page)
        sop.steps = rows_to_steps(segment_rows(body))
        sops.append(sop)
        previous_titles.append(title)
        prev_end = end
    return sops


_LEGAL = re.compile(
    r"\b(peraturan|undang|keputusan|perda|perbup|permen|instruksi|surat\s+edaran)\b", re.I
)
_QUALIFICATION = re.compile(
    r"^(memahami|mampu|menguasai|mengerti|memiliki|pendidikan|bisa|sarjana|dapat)", re.I
)


def _items(lines: list[str]) -> list[str]:
    """Numbered items of a flattened section, continuation lines joined."""
    items: list[str] = []
    for line in lines:
        text = collapse_spaces(line)
        if not text or match_field(text):
            continue
        if re.match(r"^[\W]*(\d{1,2}|[il])?\s*[.,]\s+\S", text) or not items:
            items.append(re.sub(r"^[\W]*(\d{1,2}|[il])?\s*[.,]\s+", "", text))
        else:
            items[-1] = f"{items[-1]} {text}"
    return [i.strip(" -") for i in items if len(i.strip(" -")) > 2]


def _fill_identity(sop: SOP, lines: list[str]) -> None:
    """Identity fields and sections of an OCR identity block."""
    for line in lines:
        found = match_field(line)
        if not found:
            continue
        name, m = found
        value = collapse_spaces(line[m.end() :]).strip(" :|")
        if name in ("number", "date_created", "date_revised", "date_effective") and value:
            setattr(sop, name, value)
    # Sections: "DASAR HUKUM KUALIFIKASI PELAKSANA" headers with both columns' text below.
    section_at: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        low = line.lower()
        if "dasar hukum" in low:
            section_at.append((i, "legal"))
        elif re.search(r"keterkaitan|peralatan", low) and len(line.split()) <= 4:
            section_at.append((i, "related"))
        elif "peringatan" in low and len(line.split()) <= 6:
            section_at.append((i, "warning"))
    section_at.append((len(lines), "end"))
    for (i, kind), (j, _) in zip(section_at, section_at[1:], strict=False):
        chunk = [x for x in lines[i + 1 : j] if x.strip() and not match_section(x.strip())]
        chunk = [
            x for x in chunk if not re.match(r"^\W*(kualifikas|peralatan|pencatatan)", x, re.I)
        ]
        if kind == "legal":
            for item in _items(chunk):
                (sop.legal_basis if _LEGAL.search(item) else sop.qualifications).append(item)
        elif kind == "related":
            for item in _items(chunk):
                (sop.related_sops if item.upper().startswith("SOP") else sop.equipment).append(item)
        elif kind == "warning":
            text = collapse_spaces(" ".join(chunk))
            sentence = re.search(r"((jika|apabila|bila)\b.*?[.!])", text, re.I)
            if sentence:
                sop.warning = sentence.group(1)
                rest = (text[: sentence.start()] + text[sentence.end() :]).strip()
            else:
                rest = text
            sop.records = [r for r in _items([rest]) if r] if rest else []
