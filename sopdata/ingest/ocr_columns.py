"""Separate the Kegiatan from the other columns on a line of an OCR'd step table.

Tesseract writes a row of a scanned SOP AP step table left to right, one visual
line at a time: a fragment of the Kegiatan, then what the Pelaksana columns hold
(the flowchart symbols, read as debris such as "Ng", "K—", "(0)", "|", "NN NN",
a lone letter, or the step number printed inside a box), then fragments of
Kelengkapan, the Waktu, and fragments of Output and Keterangan::

    4 Memeriksa dan verifikasi — K— PC/laptop, File draf 20 menit validasi portal pintar
    Sekretaris menyampalkan surat dinas kepada 4 Konsep Maskah Dinas 10 ekt Surat di

The Kegiatan column is the leftmost text column, so a line's Kegiatan ends at
the first separator after its first text run: a run of symbol debris, a lone
number (not "lembar 1", not "2 jam") or a Waktu token. What lies between that
separator and the Waktu is Kelengkapan, what follows the Waktu is Output (or
Keterangan). A line without a separator keeps all its words in the Kegiatan:
words that cannot be told apart are never dropped. A line that holds text of
the other columns only and opens with symbol debris ("(0) PC/laptop, lembar")
gives no Kegiatan; where no Waktu says which column its text is, it is left out.

Pure functions on strings; :mod:`sopdata.ingest.parse_ocr` applies them row by row.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from sopdata.ingest.identity import match_field
from sopdata.ingest.labels import COLUMN_WORDS, label_words
from sopdata.text.durations import match_unit, parse_duration
from sopdata.text.textclean import collapse_spaces

# Quotes and brackets around a token, stripped before it is judged.
_QUOTES = "\"'“”‘’«»„`"
# What a flowchart symbol or a ruling line reads as: a bar, a dash, a circle "(0)".
_SYMBOL = re.compile(
    r"^(?:[|—–_~{}\[\]\\]+|\(?[0oO]\)|\(0\)?|[A-Za-z]{1,3}[—–_]+|[—–_]+[A-Za-z]{1,3})$"
)
# A number on its own: a step number (in its box) or an enumerator ("1.", "2)").
_LONE_NUMBER = re.compile(r"^\d{1,2}[.)]?$")
# Words before a number that make it part of the text ("lembar 1", "rangkap 2").
_NUMBER_CONTEXT = re.compile(
    r"^(?:lembar|rangkap|nomor|no\.?|tahun|th\.?|ke|pasal|ayat|tanggal|tgl\.?|sebanyak|maksimal|minimal)$",
    re.I,
)
# A Waktu: a number (or a range) and a unit word, spaced or glued ("5menit", "3-5 Jam").
_WAKTU = re.compile(r"(?<![\w/.,-])(?:\d{1,3}\s*[-–—]\s*)?\d{1,3}\s*([A-Za-z]{2,7})\b")
# "DP3 2 tahun terakhir", "1 tahun anggaran": periods named inside a Kegiatan.
_NOT_WAKTU_AFTER = re.compile(
    r"\s*(terakhir|sebelum|sesudah|setelah|lalu|anggaran|mendatang|kedepan)\b", re.I
)
#: Tokens a Waktu and the word after it span at most ("1 - 20 Hari kerja").
_WAKTU_TOKENS = 6


@functools.lru_cache(maxsize=16384)
def is_debris(token: str) -> bool:
    """A token that is a flowchart symbol or a ruling line misread, not a word.

    A doubled capital ("NN", also an acronym: "KK") counts only in a run of debris,
    see :func:`split_line`.

    >>> [is_debris(t) for t in ("Ng", "K—", "(0)", "|", "i", "di", "NN", "PC/laptop", "Surat")]
    [True, True, True, True, True, False, False, False, False]
    """
    t = token.strip(_QUOTES)
    if not t:
        return bool(token)
    if _SYMBOL.match(t):
        return True
    if not any(c.isalnum() for c in t):
        return False  # ".", ",", ":" are punctuation of the text
    letters = re.sub(r"[^A-Za-z]", "", t)
    if letters != t.strip(".,:;!?"):
        return False  # mixed with digits or inner punctuation: a value ("PC/laptop", "e-ttd")
    if len(letters) == 1:
        return True  # no Indonesian word is one letter; a symbol or a bar read as "I"
    if len(letters) == 2:
        if letters.islower() and letters[0] != letters[1]:
            return False  # a short word or a word split by OCR ("is" of "isi")
        # "Ng", "Na", "Ka", "aa": an acronym is in capitals ("PC", "TU", "KK", "II")
        return not letters.isupper()
    return False


def _is_number_separator(tokens: list[str], i: int) -> bool:
    """A lone number between text runs that is a step or symbol number, not part
    of the text ("lembar 1") nor the number of a Waktu ("2 jam")."""
    if not _LONE_NUMBER.match(tokens[i]):
        return False
    if i and _NUMBER_CONTEXT.match(tokens[i - 1].strip(_QUOTES + ".,:")):
        return False
    return not _waktu_at_token(tokens, i)


def _waktu_at_token(tokens: list[str], i: int) -> bool:
    """A Waktu opens at token ``i`` (read from the few tokens it may span)."""
    return _waktu_at(" ".join(tokens[i : i + _WAKTU_TOKENS])) is not None


def _waktu_at(text: str) -> re.Match[str] | None:
    """The Waktu token that opens ``text``, if any."""
    if not text[:1].isdigit():
        return None
    m = _WAKTU.match(text)
    if m and _is_waktu(m, text):
        return m
    return None


def names_a_period(m: re.Match[str], text: str) -> bool:
    """A duration-like token ``m`` of ``text`` that is no step's Waktu: years never
    are here, and a period followed by "terakhir", "sebelum" ... belongs to the
    Kegiatan or Keterangan."""
    return bool(_NOT_WAKTU_AFTER.match(text, m.end())) or bool(
        re.search(r"ta?h(u|n)", m.group(0), re.I)
    )


def _is_waktu(m: re.Match[str], text: str) -> bool:
    if names_a_period(m, text) or match_unit(m.group(1)) is None:
        return False  # "1 ab" is no Waktu
    return parse_duration(m.group(0)).kind == "duration"


def find_waktu(text: str) -> re.Match[str] | None:
    """The first Waktu token of a line's text ("30 menit", "3-5 Jam", "5menit")."""
    for m in _WAKTU.finditer(text):
        if _is_waktu(m, text):
            return m
    return None


@dataclass(frozen=True)
class Cells:
    """A line's (or a row's) text by column: what could be told apart."""

    kegiatan: str = ""
    requirements: str = ""
    output: str = ""

    def __add__(self, other: Cells) -> Cells:
        def join(a: str, b: str) -> str:
            return f"{a} {b}".strip()

        return Cells(
            join(self.kegiatan, other.kegiatan),
            join(self.requirements, other.requirements),
            join(self.output, other.output),
        )


def _clean(tokens: list[str]) -> str:
    """Text of tokens without the symbol debris and stray punctuation."""
    kept = [
        t for i, t in enumerate(tokens) if any(c.isalnum() for c in t) and not _is_symbol(tokens, i)
    ]
    return collapse_spaces(" ".join(kept)).strip(" ,.;:|")


@functools.lru_cache(maxsize=16384)
def _is_word(token: str) -> bool:
    return sum(c.isalpha() for c in token) >= 3 and not is_debris(token)


def _kegiatan_start(tokens: list[str]) -> int | None:
    """Where a line's Kegiatan starts: after its row number and lead junk ("|", a lone
    letter, punctuation). None: no word on the line; ``-k - 1``: the line opens
    with symbol debris or a Waktu at token ``k``, the Kegiatan cell is empty there.
    """
    for i, t in enumerate(tokens):
        if _is_word(t):
            return i
        if _waktu_at_token(tokens, i):
            return -i - 1
        bare = t.strip(_QUOTES + ".,:;")
        if (i == 0 and _LONE_NUMBER.match(t)) or not bare or bare in ("|", "I"):
            continue
        if len(bare) == 1 or not is_debris(t):
            continue  # a stray letter, an unknown short token
        return -i - 1
    return None


def _doubled(token: str) -> bool:
    """A capital read twice ("NN"): an acronym ("KK") alone, a symbol in a run."""
    return len(token) == 2 and token.isupper() and token[0] == token[1]


def _is_separator(tokens: list[str], i: int) -> bool:
    """Token ``i`` ends a line's Kegiatan: symbol debris (a doubled capital next to
    more of it: "NN NN", "Ng NN"), a lone step number, or a Waktu."""
    if _is_symbol(tokens, i):
        return True
    return _is_number_separator(tokens, i) or _waktu_at_token(tokens, i)


def _is_symbol(tokens: list[str], i: int) -> bool:
    """Token ``i`` is symbol debris, a doubled capital counted only next to more."""
    t = tokens[i]
    if is_debris(t):
        return True
    if _doubled(t):
        around = tokens[max(0, i - 1) : i] + tokens[i + 1 : i + 2]
        return any(is_debris(x) or _doubled(x) for x in around)
    return False


def split_line(line: str) -> Cells:
    """The Kegiatan of one line of a step table's row, and the other columns' text
    found after a separator (Kelengkapan before the Waktu, Output after it).

    >>> split_line("4 Memeriksa dan verifikasi — K— PC/laptop, File draf 20 menit validasi portal")
    Cells(kegiatan='Memeriksa dan verifikasi', requirements='PC/laptop, File draf', output='validasi portal')
    """
    tokens = line.split()
    first = _kegiatan_start(tokens)
    if first is None:
        return Cells()
    if first < 0:  # a line of the other columns only
        return _other_columns(tokens[-first - 1 :])
    cut = len(tokens)
    for i in range(first + 1, len(tokens)):
        if _is_separator(tokens, i):
            cut = i
            break
    kegiatan = collapse_spaces(" ".join(tokens[first:cut]))
    return Cells(kegiatan) + _other_columns(tokens[cut:])


def _other_columns(tokens: list[str]) -> Cells:
    """Kelengkapan before a Waktu, Output after it; nothing where no Waktu tells which."""
    text = " ".join(tokens)
    m = find_waktu(text)
    if not m:
        return Cells()
    return Cells(
        requirements=_clean(text[: m.start()].split()), output=_clean(text[m.end() :].split())
    )


# The notice printed on every page of an electronically signed document (BSrE),
# under the table: not part of the last row.
_SIGNATURE_NOTICE = re.compile(
    r"ditandatangani\s+secara\s+elektronik|sertifikat\s+elektronik|pindai\s+kode", re.I
)


def is_signature_notice(line: str) -> bool:
    """A line of the electronic-signature notice under a scanned page's table."""
    return _SIGNATURE_NOTICE.search(line) is not None


def split_row(lines: list[str]) -> Cells:
    """A row's columns: the lines' separated texts joined in order."""
    cells = Cells()
    for line in lines:
        cells = cells + split_line(line)
    return cells


# --- a step table's header, for dumps without an "URAIAN PROSEDUR" heading --------------

# Section labels of the identity block, one of which names a column ("Kualifikasi Pelaksana").
_IDENTITY_LABEL = re.compile(r"kualifikasi|dasar\s+hukum|keterkaitan|peringatan|pencatatan", re.I)
_STEP_ONE = re.compile(r"^\W{0,3}1\s*[.)|]?\s+[A-Z][a-z]{3,}")


def _column_words(line: str) -> set[str]:
    """The columns a line's words name, glued words split ("MutuBaku")."""
    if len(line.split()) > 12:
        return set()  # a row of text, not a header cell
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", line)
    columns = {COLUMN_WORDS[w] for w in label_words(spaced)}
    if columns and (_IDENTITY_LABEL.search(line) or match_field(line)):
        return set()  # the identity block ("Kualifikasi Pelaksana")
    return columns


def header_lines(lines: list[str]) -> list[int]:
    """Lines of a step table's header: a line naming a column (Kegiatan, Pelaksana,
    Mutu Baku, Kelengkapan, Waktu, Output, Keterangan) with another column named on
    it or on the lines around it, or followed by step 1 ("1 Menyusun ...")."""
    named = [_column_words(line) for line in lines]
    found: list[int] = []
    for i, columns in enumerate(named):
        if not columns:
            continue
        around = set().union(*named[max(0, i - 2) : i + 3])
        # one column word alone, step 1 below: only words no title uses ("Keluar" is
        # read as a wrapped "Keluaran")
        step_one = columns & {"mutu", "pelaksana", "kelengkapan", "keterangan"} and any(
            _STEP_ONE.match(x) for x in lines[i + 1 : i + 8]
        )
        if len(around) >= 2 or step_one:
            found.append(i)
    return found


def symbol_lines(lines: list[str], enough: int | None = None) -> int:
    """Lines holding a run of symbol debris between two words: the flowchart columns
    of a scanned table, which no text layer holds (counted up to ``enough``)."""
    count = 0
    for line in lines:
        if count == enough:
            break
        if "\t" in line:
            continue  # cells of a text layer's table: OCR writes no tabs
        tokens = line.split()
        words = [i for i, t in enumerate(tokens) if _is_word(t)]
        if len(words) >= 2 and any(
            is_debris(tokens[i])
            and tokens[i].strip(_QUOTES) not in ("|", "I")
            and not tokens[i].endswith(".")  # "Ir.", "Dr."
            for i in range(words[0] + 1, words[-1])
        ):
            count += 1
    return count
