"""Waktu (the time column of Mutu Baku) normalised to working minutes.

A Waktu cell is short text such as "5 Menit", "1 - 2 Hari", "1 jam 30 menit",
"2 minggu sebelum cuti" or, in scanned books, OCR noise such as "Smenit",
"15 Mandt" or "Lharl". :func:`parse_duration` reads it into a :class:`Duration`
that keeps the printed text beside the minutes; :func:`looks_like_duration` is a
strict test used to find the Waktu column in a table row; :func:`format_minutes`
writes minutes back as Indonesian text ("1 jam 30 menit", "2 hari").

Decisions (documented here because reviewers will ask):

* Days, weeks, months and years are *working* time (see :class:`DurationSettings`);
  "hari" and "hari kerja" are the same unit.
* "1 x 24 jam" is the Indonesian idiom for "within one day" and reads as 1 hari.
* "paling lambat 3 hari" / "maksimal 3 hari" is the time standard of the step:
  a duration of 3 days (note "batas waktu").
* A deadline relative to an event ("2 minggu sebelum cuti", "H-3",
  "3 hari setelah berkas lengkap") is kind "lead_time": it says *when*, not *how
  long*, so ``minutes`` is None and the offset goes to ``lead_minutes``.
* A frequency alone ("setiap bulan", "2 kali sehari", "bulanan") is not a time
  a step takes: kind "unknown" with a note. A duration with a period or an item
  ("15 menit per hari", "5 menit/berkas") is that duration once, with a note.
* Two unrelated values in one cell ("5 menit 10 menit") are "unknown": picking
  one would hide an OCR merge from the reviewer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from sopdata.text.fuzzy import ocr_distance

DurationKind = Literal["duration", "lead_time", "unknown", "empty"]


@dataclass(frozen=True)
class DurationSettings:
    """How calendar words turn into working minutes (documented settings).

    Attributes:
        hours_per_working_day: 7.5 h. Indonesian civil servants (ASN) work
            37.5 hours a week (Keppres 68/1995, restated in Perpres 21/2023 on
            ASN working days and hours); over a five-day week that is 7.5 h a
            day. A Kecamatan that counts 8 h days can say so here.
        working_days_per_week: 5 (Monday to Friday).
        working_days_per_month: 22. A month averages 21.7 weekdays
            (5 x 52.14 / 12), rounded up; SOP times are nominal, so public
            holidays are not subtracted.
    """

    hours_per_working_day: float = 7.5
    working_days_per_week: int = 5
    working_days_per_month: int = 22

    @property
    def minutes_per_day(self) -> float:
        return self.hours_per_working_day * 60


#: The documented defaults (7.5 h days): what a Waktu is read with unless the
#: reviewer's settings say otherwise.
STANDARD_DURATION_SETTINGS = DurationSettings()


@dataclass(frozen=True)
class Duration:
    """A Waktu cell: the text as printed and what it means in minutes.

    ``minutes`` is the lower (or only) value, ``minutes_max`` the upper value of a
    range ("1-2 hari"); both None when the text is not a duration. ``kind`` is
    "lead_time" for texts like "2 minggu sebelum cuti" (a deadline, not a
    duration), "unknown" for unreadable text, "empty" for a blank cell.

    ``unit`` is the largest unit read ("jam" for "1 jam 30 menit"),
    ``lead_minutes`` the offset of a deadline ("2 minggu" of "2 minggu sebelum
    cuti"), ``note`` an Indonesian remark for the reviewer (OCR correction,
    frequency, "batas waktu" ...).

    ``settings`` are the settings the text was read with (how long "1 hari"
    is): totals and formatting of these minutes use them. They are not part of
    equality or repr: two cells with the same minutes are the same value.
    """

    raw: str
    minutes: float | None = None
    minutes_max: float | None = None
    kind: DurationKind = "empty"
    unit: str = ""
    lead_minutes: float | None = None
    note: str = ""
    settings: DurationSettings = field(
        default=STANDARD_DURATION_SETTINGS, compare=False, repr=False
    )

    @property
    def is_range(self) -> bool:
        return self.minutes is not None and self.minutes_max != self.minutes

    @property
    def warning(self) -> str | None:
        """The reviewer warning for an unreadable cell (None when readable)."""
        if self.kind != "unknown":
            return None
        if self.note.startswith("frekuensi"):
            return f"waktu berupa frekuensi, bukan lama waktu: {self.raw.strip()!r}"
        return f"waktu tidak terbaca: {self.raw.strip()!r}"


# --- the table of units ------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One time unit.

    ``words`` are full spellings that OCR noise is fuzzy-matched against
    ("Mandt" -> menit); ``short`` are abbreviations, matched exactly only (a
    two-letter token is too easy to hit by chance); ``misread`` are OCR
    misreadings seen in the scans, matched exactly and flagged as corrected.
    """

    name: str
    words: tuple[str, ...]
    short: tuple[str, ...]
    minutes: Callable[[DurationSettings], float]
    misread: tuple[str, ...] = ()


UNITS: tuple[Unit, ...] = (
    Unit("detik", ("detik",), ("dtk",), lambda s: 1 / 60),
    Unit("menit", ("menit",), ("mnt", "mnit", "mt", "min"), lambda s: 1.0),
    # "1fam", "1Tiam": how the scanned Jogoroto book prints "1jam".
    Unit("jam", ("jam",), ("jm",), lambda s: 60.0, misread=("fam", "tiam")),
    # "hari kerja" is the same unit: the word "kerja" is read as a qualifier.
    Unit("hari", ("hari",), ("hr", "hri", "hk"), lambda s: s.minutes_per_day),
    Unit(
        "minggu",
        ("minggu", "pekan"),
        ("mgg", "mggu"),
        lambda s: s.minutes_per_day * s.working_days_per_week,
    ),
    Unit("bulan", ("bulan",), ("bln",), lambda s: s.minutes_per_day * s.working_days_per_month),
    Unit(
        "tahun", ("tahun",), ("thn",), lambda s: s.minutes_per_day * s.working_days_per_month * 12
    ),
)

_UNIT_BY_NAME = {u.name: u for u in UNITS}
_EXACT_UNIT = {sp: u.name for u in UNITS for sp in (*u.words, *u.short)}
_MISREAD_UNIT = {sp: u.name for u in UNITS for sp in u.misread}
_FUZZY_WORDS = tuple((w, u.name) for u in UNITS for w in u.words if len(w) >= 4)

# Digit look-alikes in scanned numbers ("Smenit" = 5 menit, "Lharl" = 1 hari).
_LOOKALIKE_DIGITS = {"S": "5", "O": "0", "o": "0", "I": "1", "l": "1", "L": "1", "B": "8"}
# Look-alikes trusted with no real digit beside them: one letter glued to a unit.
_LONE_LOOKALIKES = frozenset("SIlL")

_NUMBER_WORDS = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
    "seratus": 100,
}
_FRACTION_WORDS = {"setengah": 0.5, "seperempat": 0.25, "tigaperempat": 0.75}
_NUMBER_MODIFIERS = frozenset({"belas", "puluh", "ratus"})

_LEAD_MARKERS = frozenset({"sebelum", "sesudah", "setelah", "sejak"})
_PERIOD_INTRODUCERS = frozenset({"per", "tiap", "setiap", "/"})
_FREQUENCY_WORDS = frozenset(
    {"sekali", "kali", "harian", "mingguan", "bulanan", "tahunan", "triwulan", "triwulanan"}
)
_LIMIT_WORDS = frozenset({"maks", "maksimal", "maksimum", "max", "lambat", "selambat", "lama"})
# Words that may surround a value without making the cell a sentence.
_QUALIFIERS = frozenset(
    {
        "kurang",
        "lebih",
        "kurleb",
        "sekitar",
        "kira",
        "paling",
        "lambatnya",
        "cepat",
        "minimal",
        "kerja",
        "efektif",
        "dalam",
        "waktu",
        "selama",
        "dan",
        "atau",
        "kalender",
        "x",
    }
    | _LIMIT_WORDS
)
_VARIABLE_WORDS = frozenset({"menyesuaikan", "situasional", "kondisional", "tentatif", "relatif"})
_EMPTY_RE = re.compile(r"[\s\-–—_.…|'\"`~*/\\]*")
_MAX_LEAD_EVENT_WORDS = 4


# --- tokens ------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: Literal["num", "lone", "unit", "word", "range", "plus", "slash", "sym"]
    text: str
    value: float = 0.0
    unit: str = ""
    ocr: bool = False  # read through a look-alike digit or a fuzzy unit
    se: bool = False  # the "1" of "sehari", "sebulan"


# Atomic items, one way to split a run: linear on a run of 100,000 digits.
_TOKEN_RE = re.compile(r"(?>[A-Za-z]|\d++(?:[.,]\d+)?)+|[-~+/]|\S")
_NUMERIC_RE = re.compile(r"\d{1,9}(?:[.,]\d{1,4})?")
_LOOKALIKE_NUM_RE = re.compile(r"[0-9SOoIlLB]{1,6}(?:[.,][0-9SOoIlLB]{1,4})?")


def match_unit(token: str) -> tuple[str, bool] | None:
    """The unit a word names, and whether it took a fuzzy (OCR) match.

    Fuzzy matching is conservative: only full unit words of four letters or
    more, the same first letter (so "Benit" is not "menit"), a length within one,
    and at most one weighted edit.
    """
    t = token.lower().rstrip(".")
    if not t:
        return None
    if t in _EXACT_UNIT:
        return _EXACT_UNIT[t], False
    t = t.replace("rn", "m")  # "rn" is how OCR prints "m"
    if t in _EXACT_UNIT:
        return _EXACT_UNIT[t], True
    if t in _MISREAD_UNIT:
        return _MISREAD_UNIT[t], True
    if len(t) < 4:
        return None
    best: tuple[float, str] | None = None
    for word, name in _FUZZY_WORDS:
        if t[0] != word[0] or abs(len(t) - len(word)) > 1:
            continue
        d = ocr_distance(t, word)
        if d <= 1.0 and (best is None or d < best[0]):
            best = (d, name)
    return (best[1], True) if best else None


def _to_float(text: str) -> float:
    return float(text.replace(",", "."))


def _lookalike_value(prefix: str) -> float | None:
    """The number a digit-ish prefix stands for ("S" -> 5, "1O" -> 10)."""
    if not _LOOKALIKE_NUM_RE.fullmatch(prefix):
        return None
    # B and O alone are too often letters; only a single S/I/l/L glued to a unit.
    if not any(c.isdigit() for c in prefix) and prefix not in _LONE_LOOKALIKES:
        return None
    return _to_float("".join(_LOOKALIKE_DIGITS.get(c, c) for c in prefix))


def _word_tokens(word: str) -> list[_Tok]:
    """Tokens of one alphanumeric run, undoing glued units and look-alike digits."""
    low = word.lower()
    if _NUMERIC_RE.fullmatch(word):
        return [_Tok("num", word, _to_float(word))]
    if word.isdigit():  # absurdly long number: not a Waktu value
        return [_Tok("word", low)]
    if low in _NUMBER_WORDS:
        return [_Tok("num", low, float(_NUMBER_WORDS[low]))]
    if low in _FRACTION_WORDS:
        return [_Tok("num", low, _FRACTION_WORDS[low])]
    if len(word) == 1 and word in _LONE_LOOKALIKES:
        return [_Tok("lone", word, float(_LOOKALIKE_DIGITS[word]))]
    unit = match_unit(word)
    if unit:
        return [_Tok("unit", low, unit=unit[0], ocr=unit[1])]
    if low.startswith("se") and len(low) > 4:  # "sehari", "sejam", "sebulan"
        unit = match_unit(low[2:])
        if unit:
            return [
                _Tok("num", "se", 1.0, se=True),
                _Tok("unit", low[2:], unit=unit[0], ocr=unit[1]),
            ]

    # A number glued to a unit: longest digit-ish prefix whose rest is a unit.
    for k in range(min(len(word) - 1, 11), 0, -1):
        value = _lookalike_value(word[:k])
        if value is None:
            continue
        unit = match_unit(word[k:])
        # a lone look-alike takes a unit word, not an abbreviation ("Smt" stays a word)
        if unit and (len(word) - k >= 3 or any(c.isdigit() for c in word[:k])):
            ocr = unit[1] or not word[:k].replace(",", "").replace(".", "").isdigit()
            return [
                _Tok("num", word[:k], value, ocr=ocr),
                _Tok("unit", word[k:].lower(), unit=unit[0], ocr=unit[1]),
            ]
    lookalike = _lookalike_value(word)
    if lookalike is not None and any(c.isdigit() for c in word):
        return [_Tok("num", word, lookalike, ocr=True)]  # "1O" -> 10
    runs = re.findall(r"\d+(?:[.,]\d+)?|[A-Za-z]+", word)
    if len(runs) > 1:  # "2x24", "10menitan": letters and digits apart
        return [tok for run in runs for tok in _word_tokens(run)]
    return [_Tok("word", low)]


def _merge_number_words(toks: list[_Tok]) -> list[_Tok]:
    """Fold "dua puluh lima", "satu setengah" and "1 setengah" into one number."""
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind != "num" or t.se:
            out.append(t)
            i += 1
            continue
        total, current, j = 0.0, t.value, i + 1
        while j < len(toks):
            w = toks[j]
            if w.kind == "word" and w.text in _NUMBER_MODIFIERS:
                if w.text == "belas":
                    current += 10
                else:
                    total += current * (10 if w.text == "puluh" else 100)
                    current = 0.0
            elif w.kind == "num" and (
                w.text in _FRACTION_WORDS
                or (w.text in _NUMBER_WORDS and not t.text[0].isdigit())  # not "2 tiga"
            ):
                current += w.value
            else:
                break
            j += 1
        out.append(_Tok("num", " ".join(x.text for x in toks[i:j]), total + current, ocr=t.ocr))
        i = j
    return out


_RANGE_WORDS_RE = re.compile(
    r"\bs\s*[./]\s*d\b\.?|\bsd\b|\bsampai(?:\s+dengan)?\b|\bhingga\b|\bsampe\b", re.IGNORECASE
)
_NUMBER_WORD_ALT = "|".join([*_NUMBER_WORDS, *_FRACTION_WORDS, *_NUMBER_MODIFIERS])
_PAREN_NUMBER_WORDS_RE = re.compile(
    rf"\(\s*(?:{_NUMBER_WORD_ALT})(?:\s+(?:{_NUMBER_WORD_ALT}))*\s*\)", re.IGNORECASE
)
_H_MINUS_RE = re.compile(r"\b[Hh]\s*([-+−–])\s*(\d{1,3})\b")
_FRACTION_CHARS = {"½": 0.5, "¼": 0.25, "¾": 0.75}


# "1/2 jam", "1 1/2 jam": a typed fraction (not "per", not a range "10/15").
_TYPED_FRACTION_RE = re.compile(r"(?:(\d{1,4})\s+)?\b([13])\s*/\s*([24])\b(?!\s*\d)")
# 15' (minutes) and 30" (seconds): the prime marks of a hand-typed schedule.
_PRIME_MINUTES_RE = re.compile(r"(\d)\s*['′’](?!['′’\w])")
_PRIME_SECONDS_RE = re.compile(r"(\d)\s*(?:[\"″”]|'')(?!\w)")


def _typed_fraction(m: re.Match[str]) -> str:
    whole, num, den = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
    if num >= den:
        return m.group(0)
    return f"{whole + num / den:g}".replace(".", ",")


#: Invisible characters a copy from a web page or a PDF leaves inside a number.
_ZERO_WIDTH_RE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
#: Full-width forms (CJK input methods) as their ASCII letters and digits.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
#: A number written with thousands separators. Indonesian writes "1.000" for a
#: thousand and "1,5" for one and a half, so a dot before exactly three digits
#: groups thousands ("1.000", "2.500.000", "1.000,5"), unless the number starts
#: with 0 ("0.500 jam" is half an hour). A comma groups thousands only where
#: it cannot be the decimal comma: two or more groups ("2,500,000") or a dot
#: decimal after it ("1,000.5"); a lone "2,500" stays two and a half. The
#: lookbehind allows one start per run of digits and the possessive groups
#: never backtrack, so the pattern stays linear on long input.
_THOUSANDS_RE = re.compile(
    r"(?<![\d.,])(?P<lead>[1-9]\d{0,2}+)"
    r"(?:(?P<dots>(?:\.\d{3})++)(?:,(?P<dot_dec>\d{1,4}+))?"
    r"|(?P<commas>(?:,\d{3}){2,}+|(?:,\d{3})++(?=\.\d))(?:\.(?P<comma_dec>\d{1,4}+))?)"
    r"(?![\d]|[.,]\d)"
)


def _ungroup(m: re.Match[str]) -> str:
    """A grouped number without its separators, its decimal part kept."""
    groups = m.group("dots") or m.group("commas")
    decimal = m.group("dot_dec") or m.group("comma_dec")
    whole = m.group("lead") + groups.replace(groups[0], "")
    return f"{whole},{decimal}" if decimal else whole


def normalise_number_text(text: str) -> str:
    """Zero-width characters dropped, full-width digits and letters made ASCII,
    thousands separators removed from a grouped number ("1.000" is 1000)."""
    text = _ZERO_WIDTH_RE.sub("", text).translate(_FULL_WIDTH)
    return _THOUSANDS_RE.sub(_ungroup, text)


def _prepare(text: str) -> str:
    """Spell the text the way the tokenizer expects (ranges as "~", dashes as "-")."""
    text = normalise_number_text(text)
    text = _TYPED_FRACTION_RE.sub(_typed_fraction, text)
    text = _PRIME_SECONDS_RE.sub(r"\1 detik", text)
    text = _PRIME_MINUTES_RE.sub(r"\1 menit", text)
    for ch, val in _FRACTION_CHARS.items():
        for m in reversed(list(re.finditer(rf"(\d{{1,6}})\s*{ch}", text))):  # "1½" -> 1.5
            text = f"{text[: m.start()]}{int(m.group(1)) + val}{text[m.end() :]}"
        text = text.replace(ch, f" {val} ")
    text = re.sub(r"[–—−‐]", "-", text)
    text = text.replace("+/-", " ± ")
    text = _PAREN_NUMBER_WORDS_RE.sub(" ", text)  # "1 (satu) hari"
    text = re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", " ", text)  # "kira-kira", "selambat-lambatnya"
    return _RANGE_WORDS_RE.sub(" ~ ", text)


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN_RE.finditer(text):
        s = m.group()
        if s in ("-", "~"):
            toks.append(_Tok("range", s))
        elif s == "+":
            toks.append(_Tok("plus", s))
        elif s == "/":
            toks.append(_Tok("slash", s))
        elif s[0].isalnum():
            toks.extend(_word_tokens(s))
        else:
            toks.append(_Tok("sym", s))
    return _merge_number_words(toks)


# --- spans: one value with its unit(s) --------------------------------------


@dataclass(frozen=True)
class _Span:
    low: float
    high: float
    unit: str  # the largest unit in it
    start: int
    end: int  # token index after the span
    ocr: bool
    note: str = ""


def _is_last(toks: list[_Tok], i: int) -> bool:
    """Only symbols from token i on (no slice copied: this runs once per word)."""
    return all(toks[k].kind == "sym" for k in range(i, len(toks)))


def _unit_at(toks: list[_Tok], j: int, after_number: bool) -> tuple[str, bool] | None:
    """The unit at token j; a truncated "Me" counts only as the cell's last word."""
    if j >= len(toks):
        return None
    t = toks[j]
    if t.kind == "unit":
        return t.unit, t.ocr
    if t.kind == "word" and after_number and len(t.text) >= 2 and _is_last(toks, j + 1):
        for u in UNITS:
            if any(len(w) >= 5 and w.startswith(t.text) for w in u.words):
                return u.name, True
    return None


def _is_number(toks: list[_Tok], i: int) -> bool:
    if i >= len(toks):
        return False
    t = toks[i]
    # a lone "S"/"I" is a digit only right before a unit ("S menit")
    return t.kind == "num" or (t.kind == "lone" and _unit_at(toks, i + 1, False) is not None)


def _read_term(toks: list[_Tok], i: int) -> tuple[float, float, str, int, bool, str] | None:
    """number [range number | x number] unit -> (low, high, unit, end, ocr, note)."""
    if not _is_number(toks, i):
        return None
    low = high = toks[i].value
    ocr = toks[i].ocr or toks[i].kind == "lone"
    note = ""
    j = i + 1
    if j + 1 < len(toks) and toks[j].kind == "range" and _is_number(toks, j + 1):
        high = toks[j + 1].value
        ocr = ocr or toks[j + 1].ocr
        j += 2
    elif (
        j + 2 < len(toks)
        and toks[j].kind == "word"
        and toks[j].text in ("x", "kali")
        and not toks[i].se
        and toks[j + 1].kind == "num"
        and not toks[j + 1].se
        and (times_unit := _unit_at(toks, j + 2, True))
    ):
        # "1 x 24 jam": the idiom for "within a day"
        factor = toks[j + 1].value
        if factor == 24 and times_unit[0] == "jam":
            unit_name = "hari"
            note = f"{low:g} x 24 jam dibaca {low:g} hari kerja"
        else:
            unit_name = times_unit[0]
            low = high = low * factor
        return low, high, unit_name, j + 3, ocr or times_unit[1], note
    unit = _unit_at(toks, j, True)
    if unit is None:
        return None
    end = j + 1
    if end < len(toks) and toks[end].kind == "word" and toks[end].text in ("kerja", "kalender"):
        end += 1
    return min(low, high), max(low, high), unit[0], end, ocr or unit[1], note


def _read_compound(toks: list[_Tok], i: int, settings: DurationSettings) -> _Span | None:
    """Terms of strictly falling units ("1 jam 30 menit"), summed."""
    term = _read_term(toks, i)
    if term is None:
        return None
    low_m, high_m, unit, end, ocr, note = term
    factor = _UNIT_BY_NAME[unit].minutes(settings)
    low, high = low_m * factor, high_m * factor
    last_factor = factor
    while True:
        j = end
        if j < len(toks) and (toks[j].kind == "plus" or toks[j].text == "dan"):
            j += 1
        nxt = _read_term(toks, j)
        if nxt is None:
            break
        f = _UNIT_BY_NAME[nxt[2]].minutes(settings)
        if f >= last_factor:
            break
        low, high = low + nxt[0] * f, high + nxt[1] * f
        last_factor, end, ocr = f, nxt[3], ocr or nxt[4]
    return _Span(low, high, unit, i, end, ocr, note)


def _read_span(toks: list[_Tok], i: int, settings: DurationSettings) -> _Span | None:
    """A compound, optionally followed by "- <compound>" ("30 menit - 1 jam")."""
    first = _read_compound(toks, i, settings)
    if first is None:
        return None
    j = first.end
    if j < len(toks) and toks[j].kind == "range":
        second = _read_compound(toks, j + 1, settings)
        if second is not None:
            return _Span(
                min(first.low, second.low),
                max(first.high, second.high),
                max(first.unit, second.unit, key=_unit_rank),
                i,
                second.end,
                first.ocr or second.ocr,
                first.note or second.note,
            )
    return first


def _unit_rank(name: str) -> int:
    return [u.name for u in UNITS].index(name)


# --- analysis ----------------------------------------------------------------


@dataclass(frozen=True)
class _Analysis:
    duration: Duration
    unexplained: int  # words and numbers that are not part of a Waktu value


_COUNTING_WORDS = frozenset({"kali", "x", "sekali"})


def _mark_periods(toks: list[_Tok]) -> tuple[set[int], list[str], list[str]]:
    """Tokens naming a period or an item rather than a time taken.

    Returns the marked indices, the periods ("setiap bulan", "kali sehari",
    "sebulan sekali") and the items ("per berkas").
    """
    marked: set[int] = set()
    periods: list[str] = []
    items: list[str] = []

    def kind(k: int) -> str:
        return toks[k].kind if 0 <= k < len(toks) else ""

    for i, t in enumerate(toks):
        if t.se and kind(i + 1) == kind(i + 2) == "unit" and toks[i + 1].unit == toks[i + 2].unit:
            marked |= {i, i + 1, i + 2}  # "sehari-hari": every day
            periods.append(_join(toks[i : i + 3]))
            continue
        word = t.text if t.kind in ("word", "slash") else ""
        counting = word in _COUNTING_WORDS
        if counting and kind(i - 1) == "unit" and kind(i - 2) == "num":
            marked |= {i - 2, i - 1, i}  # "sebulan sekali", "2 minggu sekali"
            periods.append(_join(toks[i - 2 : i + 1]))
            continue
        if not (counting or word in _PERIOD_INTRODUCERS):
            continue
        j = i + 1
        # a number after "setiap"/"per" ("setiap 2 minggu"), only "se" after "kali"
        if kind(j) == "num" and kind(j + 1) == "unit":
            if toks[j].se or word in ("per", "tiap", "setiap"):
                marked |= {i, j, j + 1}
                periods.append(_join(toks[i : j + 2]))
        elif kind(j) == "unit" and not counting:
            marked |= {i, j}
            periods.append(f"{word} {toks[j].text}")
        elif kind(j) == "word" and word in ("per", "/"):
            marked |= {i, j}  # "per berkas", "/pemohon": the time is per item
            items.append(f"per {toks[j].text}")
    return marked, periods, items


def _join(toks: list[_Tok]) -> str:
    """Tokens back to text, "se" glued to its unit ("sehari")."""
    out = ""
    for t in toks:
        out += t.text if out.endswith("se") and out[-3:-2] in ("", " ") else f" {t.text}"
    return out.strip()


def _find_spans(toks: list[_Tok], settings: DurationSettings) -> list[_Span]:
    spans: list[_Span] = []
    i = 0
    while i < len(toks):
        span = _read_span(toks, i, settings)
        if span:
            spans.append(span)
            i = span.end
        else:
            i += 1
    return spans


_LEAD_RE = re.compile(r"\b(?:sebelum|sesudah|setelah|sejak)\b.*", re.IGNORECASE | re.DOTALL)


def _lead_event(text: str, h: re.Match[str] | None) -> str:
    """The deadline as printed ("sebelum TMT", "H-3") for the note."""
    m = _LEAD_RE.search(text)
    if m:
        return " ".join(m.group().split()).rstrip(" )]}.,;")
    return re.sub(r"\s+", "", h.group()) if h else ""


def _analyse(raw: str, settings: DurationSettings) -> _Analysis:
    text = raw or ""
    if _EMPTY_RE.fullmatch(text):
        return _Analysis(Duration(raw=text, kind="empty"), 0)

    h = _H_MINUS_RE.search(text)  # "H-3": three (working) days before the event
    h_lead = int(h.group(2)) * settings.minutes_per_day if h else None
    rest = text[: h.start()] + " " + text[h.end() :] if h else text

    toks = _tokenize(_prepare(rest))
    period_idx, periods, items = _mark_periods(toks)
    # period tokens ("per hari") are hidden from the value reader
    spans = _find_spans(
        [_Tok("sym", t.text) if i in period_idx else t for i, t in enumerate(toks)], settings
    )
    words = [t.text for t in toks if t.kind == "word"]
    lead_at = next(
        (k for k, t in enumerate(toks) if t.kind == "word" and t.text in _LEAD_MARKERS), None
    )

    explained = set(period_idx).union(*(range(s.start, s.end) for s in spans))
    explained |= {
        k
        for k, t in enumerate(toks)
        if t.kind == "word"
        and (t.text in _QUALIFIERS or t.text in _FREQUENCY_WORDS or len(t.text) < 2)
    }
    lead_span: _Span | None = None
    if lead_at is not None:
        event_words = [k for k in range(lead_at + 1, len(toks)) if toks[k].kind in ("word", "num")]
        explained |= {lead_at, *event_words[:_MAX_LEAD_EVENT_WORDS]}
        before = [s for s in spans if s.end <= lead_at]
        if before:  # the value right before "sebelum" is the offset, not a duration
            lead_span = before[-1]
            spans.remove(lead_span)
    if len({(s.low, s.high) for s in spans}) == 1:
        spans = spans[:1]  # "2 Jam (dua jam)": the same value restated
    unexplained = sum(
        1 for k, t in enumerate(toks) if t.kind in ("word", "num") and k not in explained
    )

    notes: list[str] = []
    if any(s.ocr for s in spans) or (lead_span and lead_span.ocr):
        notes.append("dibaca dengan koreksi OCR")
    notes.extend(s.note for s in spans if s.note)
    if periods or items:
        notes.append(", ".join([*periods, *items]))
    if any(w in _LIMIT_WORDS for w in words):
        notes.append("batas waktu")
    is_lead = lead_at is not None or h is not None
    if is_lead:
        notes.append(f"tenggat: {_lead_event(text, h)}")
    lead_minutes = lead_span.low if lead_span else h_lead

    if len(spans) > 1:
        values = "; ".join(_join(toks[s.start : s.end]) for s in spans)
        duration = Duration(raw=raw, kind="unknown", note=f"beberapa nilai waktu: {values}")
    elif spans:
        s = spans[0]
        duration = Duration(
            raw=raw,
            minutes=s.low,
            minutes_max=s.high,
            kind="duration",
            unit=s.unit,
            lead_minutes=lead_minutes,
            note="; ".join(notes),
        )
    elif is_lead:
        unit = lead_span.unit if lead_span else ("hari" if h else "")
        duration = Duration(
            raw=raw, kind="lead_time", unit=unit, lead_minutes=lead_minutes, note="; ".join(notes)
        )
    elif periods or any(w in _FREQUENCY_WORDS for w in words):
        what = ", ".join(periods) or ", ".join(w for w in words if w in _FREQUENCY_WORDS)
        duration = Duration(raw=raw, kind="unknown", note=f"frekuensi ({what})")
    elif any(w in _VARIABLE_WORDS for w in words):
        duration = Duration(raw=raw, kind="unknown", note="waktu tidak tetap")
    else:
        duration = Duration(raw=raw, kind="unknown")
    return _Analysis(duration, unexplained)


# --- public API --------------------------------------------------------------


def parse_duration(raw: str, settings: DurationSettings = STANDARD_DURATION_SETTINGS) -> Duration:
    """Read a Waktu cell. Never raises; unreadable text comes back as kind "unknown".

    The parsers read with the standard settings; the reviewer's settings re-read
    the cells later (``sopdata.review.settings.with_durations``). The Duration
    keeps the settings it was read with.

    Lenient on surrounding text (an OCR cell may carry words of the next column);
    use :func:`looks_like_duration` to decide whether a cell *is* a Waktu value.
    """
    duration = _analyse(raw, settings).duration
    return (
        duration if settings == STANDARD_DURATION_SETTINGS else replace(duration, settings=settings)
    )


def looks_like_duration(text: str) -> bool:
    """True when a cell reads as a Waktu value (used to find the Waktu column).

    Strict: a value with its unit and at most one stray word ("15 Menit
    informasi" from an OCR merge), or a deadline with an offset and a short
    event ("6 bulan sebelum TMT"). A Kegiatan sentence that happens to contain
    "1 hari" is not, nor a bare "sebelum TMT".
    """
    a = _analyse(text, STANDARD_DURATION_SETTINGS)
    d = a.duration
    readable = d.kind == "duration" or (d.kind == "lead_time" and d.lead_minutes is not None)
    return readable and a.unexplained <= 1


def format_minutes(minutes: float, settings: DurationSettings) -> str:
    """Minutes as readable Indonesian working time: "1 jam 30 menit", "2 hari", "1 bulan".

    ``settings`` is required: how long a day is must come from the data (a
    Duration's or an SOP's ``time_settings``), never from a silent default.

    Uses bulan, hari, jam and menit (weeks and years read more easily as days and
    months in totals); below one minute, detik. The result parses back to the
    same number of (rounded) minutes with the same settings.
    """
    if not math.isfinite(minutes):
        raise ValueError(f"not a finite number of minutes: {minutes!r}")
    if minutes < 0:
        return "-" + format_minutes(-minutes, settings)
    if 0 < minutes < 1:
        return f"{round(minutes * 60)} detik"
    rest = round(minutes)
    if rest == 0:
        return "0 menit"
    parts: list[str] = []
    for name in ("bulan", "hari", "jam", "menit"):
        size = round(_UNIT_BY_NAME[name].minutes(settings))
        if size <= 0:
            continue
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count} {name}")
    return " ".join(parts)


#: Words that, in the text of a step, make a Waktu of a week or more a lead time
#: ("2 minggu" in the Waktu column, "... sebelum cuti" spilled into Kegiatan by OCR).
_LEAD_CONTEXT = re.compile(
    r"\b(?:sebelum(?:nya)?|paling\s+lambat|selambat-lambatnya|sebelum\s+tmt)\b", re.IGNORECASE
)
#: Units of a Waktu that a lead-time word in the step's text turns into a lead time.
_LEAD_CONTEXT_UNITS = frozenset({"minggu", "bulan", "tahun"})


def step_work_minutes(duration: Duration, context: str = "") -> float | None:
    """Minutes a step takes, for totals, medians, findings and charts; None when
    its Waktu is not a duration.

    A lead time ("2 minggu sebelum cuti", kind "lead_time") is never a duration.
    Neither is a Waktu of weeks, months or years whose step text (``context``:
    its Kegiatan and Keterangan) says "sebelum" or "paling lambat": a scanned
    table often splits "2 minggu | sebelum cuti" across cells, and no step of
    an SOP takes two weeks of work while the applicant waits.
    """
    if duration.kind != "duration" or duration.minutes is None:
        return None
    if duration.unit in _LEAD_CONTEXT_UNITS and _LEAD_CONTEXT.search(context):
        return None
    return duration.minutes


def is_lead_in_context(duration: Duration, context: str = "") -> bool:
    """A lead time, written as such or as a long Waktu next to "sebelum ..." (see
    :func:`step_work_minutes`)."""
    if duration.kind == "lead_time":
        return True
    return duration.kind == "duration" and step_work_minutes(duration, context) is None
