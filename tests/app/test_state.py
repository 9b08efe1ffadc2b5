"""The shared helpers of the pages: times in WIB, progress lines."""

from __future__ import annotations

import pytest

from app_pages._state import PREPARING, encoding_text, preparation_text, wib
from sopdata.review.store import utc_now


@pytest.mark.parametrize(
    ("saved_at", "shown"),
    [
        ("2026-11-29T07:35:00.123+00:00", "29 Nov 2026 14:35 WIB"),
        ("2026-11-29T07:35:59+00:00", "29 Nov 2026 14:35 WIB"),
        # past midnight in Jakarta: the next day, month and year
        ("2026-12-31T17:05:00+00:00", "1 Jan 2027 00:05 WIB"),
        ("2026-08-16T20:00:00+00:00", "17 Agu 2026 03:00 WIB"),
        # a time without a zone is the store's UTC
        ("2026-05-01T01:00:00", "1 Mei 2026 08:00 WIB"),
        # a time in another zone is converted, not relabelled
        ("2026-10-03T09:00:00+09:00", "3 Okt 2026 07:00 WIB"),
        # not a time: shown as it is, never an error
        ("", ""),
        ("kemarin", "kemarin"),
    ],
)
def test_wib(saved_at: str, shown: str) -> None:
    assert wib(saved_at) == shown


def test_wib_with_seconds_and_of_the_stores_own_times() -> None:
    assert wib("2026-11-29T07:35:09.5+00:00", seconds=True) == "29 Nov 2026 14:35:09 WIB"
    assert wib(utc_now()).endswith(" WIB")


@pytest.mark.parametrize(
    ("done", "total", "line"),
    [
        (0, 450, "Mengodekan 0 dari 450 teks (judul dan langkah SOP) …"),
        (120, 450, "Mengodekan 120 dari 450 teks (judul dan langkah SOP) …"),
        (1200, 4500, "Mengodekan 1.200 dari 4.500 teks (judul dan langkah SOP) …"),
    ],
)
def test_encoding_progress_line(done: int, total: int, line: str) -> None:
    assert encoding_text(done, total) == line


def test_preparation_line_says_once_and_how_far() -> None:
    line = preparation_text("Mengekspor model ke ONNX …", 0.42)
    assert line.startswith(PREPARING) and "sekali saja" in line and line.endswith("(42%)")


def test_preparation_line_before_the_first_step() -> None:
    assert preparation_text("Menunggu …", 0.0) == f"{PREPARING} memulai … (0%)"
