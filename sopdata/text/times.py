"""Times for Indonesian readers: the store's UTC times shown in WIB (Asia/Jakarta, UTC+7).

WIB has no daylight saving, so a fixed offset gives the same result as the
``Asia/Jakarta`` zone without needing the tz database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
LONG_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def to_wib(moment: str | datetime) -> datetime:
    """An ISO 8601 time (the store's ``utc_now()``) or a datetime, in WIB.

    A time without an offset is read as UTC (as the store writes it).

    Raises:
        ValueError: the text is not an ISO 8601 time.
    """
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(WIB)


def format_wib(moment: str | datetime | None, empty: str = "-") -> str:
    """ "29 Nov 2026 14:35 WIB"; ``empty`` for no time or one that cannot be read."""
    if moment is None or moment == "":
        return empty
    try:
        t = to_wib(moment)
    except ValueError:
        return empty
    return f"{t.day} {MONTHS[t.month - 1]} {t.year} {t:%H:%M} WIB"


def long_date(moment: datetime) -> str:
    """ "29 November 2026" (the date as written in a letter)."""
    return f"{moment.day} {LONG_MONTHS[moment.month - 1]} {moment.year}"
