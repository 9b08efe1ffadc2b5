"""Every regex-using reader finishes in linear time on its worst input (issue 15).

Each case feeds a function 100,000 characters shaped to make an ambiguous or
nested quantifier backtrack; a quadratic version takes tens of seconds, a
linear one well under a second. The bound (2 s) is generous: it measures complexity,
not speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from sopdata.ingest.identity import _letterhead_unit
from sopdata.ingest.ocr_columns import split_line
from sopdata.ingest.parse_ocr import parse_ocr
from sopdata.ingest.parse_text import parse_tables
from sopdata.legal_basis import regulation_key
from sopdata.text.durations import looks_like_duration, parse_duration
from sopdata.text.textclean import strip_markup

N = 100_000
#: Generous: a linear reader takes 0.01-0.6 s here, a quadratic one over 20 s.
LIMIT_S = 2.0
HEADER = "No\tKegiatan\tPelaksana\tKelengkapan\tWaktu\tOutput\n"

CASES: list[tuple[str, Callable[[str], object], str]] = [
    # durations._TOKEN_RE: a digit run tried as "digits[.,]digits" from every position
    ("waktu-digits", parse_duration, "9" * N + " menit"),
    ("waktu-digits-dot", parse_duration, "1." * (N // 2)),
    # durations._is_last: a slice copied per word token
    # durations._THOUSANDS_RE: thousands groups that fail at the very end
    ("waktu-thousands-dots", parse_duration, "1" + ".000" * (N // 4) + ".5 menit"),
    ("waktu-thousands-commas", parse_duration, "1" + ",000" * (N // 4) + ",5 menit"),
    ("waktu-words", parse_duration, "1 " + "Me " * (N // 3)),
    ("waktu-looks", looks_like_duration, "1 " + "- " * (N // 2)),
    # textclean._TAG: an unclosed tag scanned to the end from every "<"
    ("tag-unclosed", strip_markup, "<a " * (N // 3)),
    ("tag-spaces", strip_markup, "<" + " " * N),
    # identity._UNIT_LABEL: \W* across lines, \s*[:\t]\s* over a run of spaces
    ("unit-label-lines", _letterhead_unit, "-\n" * (N // 2)),
    ("unit-label-spaces", _letterhead_unit, "unit kerja" + " \t" * (N // 2) + "x"),
    # parse_text._STEP_NO / _STANDAR_HEADING: two \s* around an optional part
    (
        "step-no",
        lambda t: parse_tables(t, "uji.txt"),
        HEADER + "1" + " " * N + "x\tA\tB\tC\tD\tE\n",
    ),
    (
        "standar-heading",
        lambda t: parse_tables(t, "uji.txt"),
        "standar operasional prosedur" + " " * N + "x\n",
    ),
    # legal_basis._NUMBER: \s*:?\s* after "nomor"
    ("legal-number", regulation_key, "Peraturan Bupati nomor" + " " * N + "x"),
    # parse_ocr._LINE_NO: \s*[punct]?\s* after the line number
    ("ocr-line-no", lambda t: parse_ocr(t, "uji.txt"), "Nama SOP: Uji\n1" + " " * N + "9\n"),
    (
        "ocr-waktu-digits",
        lambda t: parse_ocr(t, "uji.txt"),
        "Nama SOP: Uji\n1 Menerima " + "9" * N + " menit\n",
    ),
    # ocr_columns.split_line: a Waktu looked for at every token of a long line
    ("ocr-columns-numbers", split_line, "Menerima surat " + "1 " * (N // 2)),
    ("ocr-columns-waktu-words", split_line, "Menerima Ng " + "1 ab " * (N // 5)),
    ("ocr-columns-spaces", split_line, "Menerima Ng 1" + " " * N + "- 2 menit"),
    # an OCR step table found by its header words and symbol debris, row after row
    (
        "ocr-table-rows",
        lambda t: parse_ocr(t, "uji.txt"),
        "Nama SOP: Uji\nKegiatan Pelaksana Mutu Baku\n"
        + "1 Menerima surat Ng NN berkas 5 menit surat diterima\n" * (N // 55),
    ),
]


@pytest.mark.parametrize("fn,text", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_worst_case_input_finishes_in_linear_time(fn, text):
    started = time.perf_counter()
    fn(text)
    elapsed = time.perf_counter() - started
    assert elapsed < LIMIT_S, f"{elapsed:.2f} s on {len(text):,} characters"
