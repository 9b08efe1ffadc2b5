"""Waktu (the time column of Mutu Baku) normalised to minutes.

INTERFACE ONLY - being completed (table of units, OCR noise, ranges, lead times).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

DurationKind = Literal["duration", "lead_time", "unknown", "empty"]


@dataclass(frozen=True)
class DurationSettings:
    """How calendar words turn into working minutes (documented settings)."""

    hours_per_working_day: float = 7.5
    working_days_per_week: int = 5
    working_days_per_month: int = 22


DEFAULT_SETTINGS = DurationSettings()


@dataclass(frozen=True)
class Duration:
    """A Waktu cell: the text as printed and what it means in minutes.

    ``minutes`` is the lower (or only) value, ``minutes_max`` the upper value of a
    range ("1-2 hari"); both None when the text is not a duration. ``kind`` is
    "lead_time" for texts like "2 minggu sebelum cuti" (a deadline, not a
    duration), "unknown" for unreadable text, "empty" for a blank cell.
    """

    raw: str
    minutes: float | None = None
    minutes_max: float | None = None
    kind: DurationKind = "empty"


_SIMPLE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(menit|mnt|jam|hari|minggu|bulan|bln)", re.I)
_FACTORS = {"menit": 1.0, "mnt": 1.0, "jam": 60.0}


def parse_duration(raw: str, settings: DurationSettings = DEFAULT_SETTINGS) -> Duration:
    text = (raw or "").strip()
    if not text or text in {"-", "--"}:
        return Duration(raw=raw or "", kind="empty")
    m = _SIMPLE.search(text)
    if not m:
        return Duration(raw=raw, kind="unknown")
    value = float(m.group(1).replace(",", "."))
    unit = m.group(2).lower()
    day = settings.hours_per_working_day * 60
    factor = _FACTORS.get(unit) or {
        "hari": day,
        "minggu": day * settings.working_days_per_week,
        "bulan": day * settings.working_days_per_month,
        "bln": day * settings.working_days_per_month,
    }[unit]
    return Duration(raw=raw, minutes=value * factor, minutes_max=value * factor, kind="duration")


def looks_like_duration(text: str) -> bool:
    """True when a cell reads as a Waktu value (used to find the Waktu column)."""
    return parse_duration(text).kind in ("duration", "lead_time")
