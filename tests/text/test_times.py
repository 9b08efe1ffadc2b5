"""The store's UTC times shown in WIB."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sopdata.review.store import utc_now
from sopdata.text.times import format_wib, long_date, to_wib


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-29T07:35:00.123+00:00", "29 Nov 2026 14:35 WIB"),
        ("2026-12-31T17:00:00+00:00", "1 Jan 2027 00:00 WIB"),  # the next day in Jakarta
        ("2026-08-17T02:05:00", "17 Agu 2026 09:05 WIB"),  # no offset: UTC, as stored
        ("2026-05-01T10:00:00+07:00", "1 Mei 2026 10:00 WIB"),
        (datetime(2026, 10, 3, 1, 0, tzinfo=UTC), "3 Okt 2026 08:00 WIB"),
        ("", "-"),
        (None, "-"),
        ("bukan waktu", "-"),
    ],
)
def test_format_wib(moment: str | datetime | None, expected: str) -> None:
    assert format_wib(moment) == expected


def test_the_store_time_reads_back() -> None:
    shown = format_wib(utc_now())
    assert shown.endswith(" WIB") and shown != "-"
    assert to_wib(utc_now()).utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]


def test_long_date() -> None:
    assert long_date(datetime(2026, 11, 29)) == "29 November 2026"
