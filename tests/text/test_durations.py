from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sopdata.text.durations import (
    STANDARD_DURATION_SETTINGS,
    UNITS,
    Duration,
    DurationSettings,
    format_minutes,
    looks_like_duration,
    match_unit,
    normalise_number_text,
    parse_duration,
)

DAY = 7.5 * 60
WEEK = 5 * DAY
MONTH = 22 * DAY

# (cell as printed, minutes, minutes_max, kind). Cells from the seed corpus first.
CASES = [
    # clean Word/HTML tables (Lumajang, Setda Bagian Organisasi)
    ("5 Menit", 5, 5, "duration"),
    ("10 Menit", 10, 10, "duration"),
    ("30 Menit", 30, 30, "duration"),
    ("10 mnt", 10, 10, "duration"),
    ("15 menit", 15, 15, "duration"),
    ("2 Jam", 120, 120, "duration"),
    ("1 jam", 60, 60, "duration"),
    ("3 Hari", 3 * DAY, 3 * DAY, "duration"),
    ("1 hari", DAY, DAY, "duration"),
    ("10 hari", 10 * DAY, 10 * DAY, "duration"),
    ("1 bln", MONTH, MONTH, "duration"),
    ("1 Bln", MONTH, MONTH, "duration"),
    ("- 15 Menit", 15, 15, "duration"),  # a bullet, not a range
    ("15 Menit.", 15, 15, "duration"),
    # OCR of the scanned Jogoroto book
    ("Smenit", 5, 5, "duration"),
    ("S menit", 5, 5, "duration"),
    ("1jam", 60, 60, "duration"),
    ("3jam", 180, 180, "duration"),
    ("1hari", DAY, DAY, "duration"),
    ("13 Ment", 13, 13, "duration"),
    ("2 Harl", 2 * DAY, 2 * DAY, "duration"),
    ("1 Harl", DAY, DAY, "duration"),
    ("Lharl", DAY, DAY, "duration"),
    ("1 heari", DAY, DAY, "duration"),
    ("I hari", DAY, DAY, "duration"),
    ("3 mendt", 3, 3, "duration"),
    ("20 mendt", 20, 20, "duration"),
    ("15 Mandt", 15, 15, "duration"),
    ("15 Manit", 15, 15, "duration"),
    ("10 Me", 10, 10, "duration"),  # "Menit" cut at the line end
    ("2 menii", 2, 2, "duration"),
    ("Imenil", 1, 1, "duration"),
    ("1fam", 60, 60, "duration"),
    ("1Tiam", 60, 60, "duration"),
    ("1O menit", 10, 10, "duration"),
    ("Tiam", None, None, "unknown"),  # "jam" without its number
    ("45 Bkeridt", None, None, "unknown"),
    ("5 Benit", None, None, "unknown"),  # B is not M: unreadable, not guessed
    ("3 ann", None, None, "unknown"),
    # ranges
    ("1-2 hari", DAY, 2 * DAY, "duration"),
    ("1 - 2 Hari", DAY, 2 * DAY, "duration"),
    ("1 s/d 2 hari", DAY, 2 * DAY, "duration"),
    ("1 s.d. 2 hari", DAY, 2 * DAY, "duration"),
    ("1 sampai 2 hari", DAY, 2 * DAY, "duration"),
    ("1 sampai dengan 2 hari", DAY, 2 * DAY, "duration"),
    ("10-15 menit", 10, 15, "duration"),
    ("10 – 15 menit", 10, 15, "duration"),
    ("30 menit - 1 jam", 30, 60, "duration"),
    ("1 hari - 2 hari", DAY, 2 * DAY, "duration"),
    ("2 - 1 hari", DAY, 2 * DAY, "duration"),
    # compounds, decimals, words
    ("1 jam 30 menit", 90, 90, "duration"),
    ("1 jam dan 30 menit", 90, 90, "duration"),
    ("2 hari 3 jam", 2 * DAY + 180, 2 * DAY + 180, "duration"),
    ("1,5 jam", 90, 90, "duration"),
    ("1.5 jam", 90, 90, "duration"),
    ("satu hari", DAY, DAY, "duration"),
    ("setengah jam", 30, 30, "duration"),
    ("satu setengah jam", 90, 90, "duration"),
    ("½ hari", DAY / 2, DAY / 2, "duration"),
    ("1½ jam", 90, 90, "duration"),
    ("lima belas menit", 15, 15, "duration"),
    ("dua puluh menit", 20, 20, "duration"),
    ("sehari", DAY, DAY, "duration"),
    ("1 (satu) Hari Kerja", DAY, DAY, "duration"),
    ("3 (tiga) hari kerja", 3 * DAY, 3 * DAY, "duration"),
    ("5 HK", 5 * DAY, 5 * DAY, "duration"),
    ("1 minggu", WEEK, WEEK, "duration"),
    ("2 pekan", 2 * WEEK, 2 * WEEK, "duration"),
    ("1 tahun", 12 * MONTH, 12 * MONTH, "duration"),
    ("30 detik", 0.5, 0.5, "duration"),
    ("± 15 menit", 15, 15, "duration"),
    ("+/- 15 menit", 15, 15, "duration"),
    ("kurang lebih 2 jam", 120, 120, "duration"),
    ("kira-kira 1 jam", 60, 60, "duration"),
    ("maksimal 3 hari", 3 * DAY, 3 * DAY, "duration"),
    ("paling lambat 3 hari", 3 * DAY, 3 * DAY, "duration"),
    ("1 x 24 jam", DAY, DAY, "duration"),
    ("2x24 jam", 2 * DAY, 2 * DAY, "duration"),
    ("2 Jam (dua jam)", 120, 120, "duration"),
    # frequencies and items: the time is counted once
    ("15 menit per hari", 15, 15, "duration"),
    ("5 menit/berkas", 5, 5, "duration"),
    ("setiap bulan", None, None, "unknown"),
    ("per hari", None, None, "unknown"),
    ("2 kali sehari", None, None, "unknown"),
    ("sebulan sekali", None, None, "unknown"),
    ("sehari-hari", None, None, "unknown"),
    ("bulanan", None, None, "unknown"),
    # lead times (deadlines, not durations)
    ("2 minggu sebelum cuti", None, None, "lead_time"),
    ("6 bulan sebelum TMT", None, None, "lead_time"),
    ("H-3", None, None, "lead_time"),
    ("H - 7", None, None, "lead_time"),
    ("paling lambat 3 hari sebelum pelaksanaan", None, None, "lead_time"),
    ("3 hari setelah berkas lengkap", None, None, "lead_time"),
    ("sebelum TMT", None, None, "lead_time"),
    # empty and unreadable
    ("", None, None, "empty"),
    ("-", None, None, "empty"),
    ("--", None, None, "empty"),
    ("…", None, None, "empty"),
    ("   ", None, None, "empty"),
    ("Menyampaikan surat", None, None, "unknown"),
    ("1", None, None, "unknown"),
    ("14 Juli 2025", None, None, "unknown"),
    ("08.00 - 12.00", None, None, "unknown"),
    ("5 menit 10 menit", None, None, "unknown"),  # two values merged by OCR
    ("3 jam 2 hari", None, None, "unknown"),
    ("menyesuaikan", None, None, "unknown"),
    # typed fractions: half an hour, not 2 hours
    ("1/2 jam", 30, 30, "duration"),
    ("1/2 hari", DAY / 2, DAY / 2, "duration"),
    ("1 1/2 jam", 90, 90, "duration"),
    ("3/4 jam", 45, 45, "duration"),
    ("1/2 hari kerja", DAY / 2, DAY / 2, "duration"),
    ("1/2", None, None, "unknown"),
    # prime marks of a hand-typed schedule
    ("15'", 15, 15, "duration"),
    ("15 ’", 15, 15, "duration"),
    ("5' - 10'", 5, 10, "duration"),
    ('30"', 0.5, 0.5, "duration"),
]


@pytest.mark.parametrize(("raw", "minutes", "minutes_max", "kind"), CASES)
def test_parse_duration(
    raw: str, minutes: float | None, minutes_max: float | None, kind: str
) -> None:
    d = parse_duration(raw)
    assert (d.kind, d.raw) == (kind, raw)
    if minutes is None:
        assert d.minutes is None and d.minutes_max is None
    else:
        assert d.minutes == pytest.approx(minutes)
        assert d.minutes_max == pytest.approx(minutes_max)


# Waktu as typed or pasted: thousands separators, zero-width characters left by
# a copy from a web page or PDF, full-width digits of a CJK input method.
# (cell, normalised text, minutes)
NUMBER_CASES = [
    # Indonesian: a dot groups thousands, a comma is the decimal comma
    ("1.000 menit", "1000 menit", 1000),
    ("10.000 menit", "10000 menit", 10000),
    ("2.500 menit", "2500 menit", 2500),
    ("3.000 detik", "3000 detik", 50),
    ("1.000.000 hari", "1000000 hari", 1_000_000 * DAY),
    ("1.000,5 menit", "1000,5 menit", 1000.5),
    ("1,5 jam", "1,5 jam", 90),
    ("2,500 menit", "2,500 menit", 2.5),  # a lone comma group is the decimal comma
    # a dot before one, two or four digits is a decimal point, as is 0.xxx
    ("2.5 jam", "2.5 jam", 150),
    ("1.25 jam", "1.25 jam", 75),
    ("0.500 jam", "0.500 jam", 30),
    # English grouping where it cannot be a decimal comma
    ("2,500,000 menit", "2500000 menit", 2_500_000),
    ("1,000.5 menit", "1000,5 menit", 1000.5),  # decimal written the Indonesian way
    # zero-width characters and soft hyphens inside a number
    ("1\u200b0 Menit", "10 Menit", 10),
    ("1.\u200b000 menit", "1000 menit", 1000),
    ("1\ufeff5 menit", "15 menit", 15),
    ("1\u00ad5 menit", "15 menit", 15),
    ("1\u2060.000 menit", "1000 menit", 1000),
    # full-width digits, separators and letters
    ("１５ menit", "15 menit", 15),
    ("１\u200b５ Ｍｅｎｉｔ", "15 Menit", 15),
    ("１．０００ menit", "1000 menit", 1000),
    ("１，５ jam", "1,5 jam", 90),
    # times of day keep their dots and stay unread
    ("08.00 - 12.00", "08.00 - 12.00", None),
]


@pytest.mark.parametrize(("raw", "normalised", "minutes"), NUMBER_CASES)
def test_numbers_in_waktu_are_normalised(raw: str, normalised: str, minutes: float | None) -> None:
    assert normalise_number_text(raw) == normalised
    d = parse_duration(raw)
    assert d.raw == raw
    if minutes is None:
        assert d.minutes is None
    else:
        assert d.minutes == pytest.approx(minutes)
        assert d.minutes_max == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("raw", "lead_minutes", "note_part"),
    [
        ("2 minggu sebelum cuti", 2 * WEEK, "sebelum cuti"),
        ("6 bulan sebelum TMT", 6 * MONTH, "sebelum TMT"),
        ("H-3", 3 * DAY, "H-3"),
        ("paling lambat 3 hari sebelum pelaksanaan", 3 * DAY, "sebelum pelaksanaan"),
        ("sebelum TMT", None, "sebelum TMT"),
    ],
)
def test_lead_time_keeps_its_offset(raw: str, lead_minutes: float | None, note_part: str) -> None:
    d = parse_duration(raw)
    assert d.lead_minutes == (pytest.approx(lead_minutes) if lead_minutes else None)
    assert note_part in d.note


def test_duration_with_a_deadline_remark_is_still_a_duration() -> None:
    d = parse_duration("1 hari (6 bulan sebelum TMT)")
    assert (d.kind, d.minutes, d.lead_minutes) == ("duration", DAY, 6 * MONTH)


@pytest.mark.parametrize(
    ("raw", "unit", "note_part"),
    [
        ("1 jam 30 menit", "jam", ""),
        ("30 menit - 1 jam", "jam", ""),
        ("15 Mandt", "menit", "koreksi OCR"),
        ("Lharl", "hari", "koreksi OCR"),
        ("1fam", "jam", "koreksi OCR"),
        ("5 menit/berkas", "menit", "per berkas"),
        ("15 menit per hari", "menit", "per hari"),
        ("maksimal 3 hari", "hari", "batas waktu"),
        ("1 x 24 jam", "hari", "24 jam"),
        ("setiap bulan", "", "frekuensi"),
        ("5 menit 10 menit", "", "beberapa nilai"),
    ],
)
def test_unit_and_note(raw: str, unit: str, note_part: str) -> None:
    d = parse_duration(raw)
    assert d.unit == unit
    assert note_part in d.note


@pytest.mark.parametrize(
    ("raw", "warning"),
    [
        ("5 Benit", "waktu tidak terbaca: '5 Benit'"),
        (" 45 Bkeridt ", "waktu tidak terbaca: '45 Bkeridt'"),
        ("setiap bulan", "waktu berupa frekuensi, bukan lama waktu: 'setiap bulan'"),
        ("5 Menit", None),
        ("-", None),
        ("H-3", None),
    ],
)
def test_warning(raw: str, warning: str | None) -> None:
    assert parse_duration(raw).warning == warning


@pytest.mark.parametrize(
    ("settings", "raw", "minutes"),
    [
        (DurationSettings(hours_per_working_day=8), "1 hari", 480),
        (DurationSettings(hours_per_working_day=8), "1 jam", 60),
        (DurationSettings(hours_per_working_day=8), "1 minggu", 5 * 480),
        (DurationSettings(working_days_per_week=6), "1 minggu", 6 * DAY),
        (DurationSettings(working_days_per_month=20), "1 bulan", 20 * DAY),
        (DurationSettings(working_days_per_month=20), "1 tahun", 240 * DAY),
        (STANDARD_DURATION_SETTINGS, "1 hari", 450),
    ],
)
def test_settings_change_calendar_units(
    settings: DurationSettings, raw: str, minutes: float
) -> None:
    assert parse_duration(raw, settings).minutes == pytest.approx(minutes)


def test_one_table_of_units_covers_the_brief() -> None:
    spellings = {s for u in UNITS for s in (*u.words, *u.short, *u.misread)}
    assert {"menit", "mnt", "mnit", "mt", "jam", "jm", "hari", "hr", "hk"} <= spellings
    assert {"minggu", "mgg", "pekan", "bulan", "bln", "tahun", "thn", "detik"} <= spellings


@pytest.mark.parametrize(
    ("token", "unit"),
    [
        ("Menit", "menit"),
        ("Mandt", "menit"),
        ("rnenit", "menit"),
        ("Harl", "hari"),
        ("heari", "hari"),
        ("HK", "hari"),
        ("Benit", None),
        ("Bkeridt", None),
        ("mesin", None),
        ("hal", None),
        ("surat", None),
        ("", None),
    ],
)
def test_match_unit_is_conservative(token: str, unit: str | None) -> None:
    found = match_unit(token)
    assert (found[0] if found else None) == unit


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("5 Menit", True),
        ("1 bln", True),
        ("1 - 2 Hari", True),
        ("15 Mandt", True),
        ("6 bulan sebelum TMT", True),
        ("15 Menit informasisudah", True),  # one stray word from an OCR merge
        ("Menyampaikan surat", False),
        ("Mengirimkan Surat Pengantar cuti ke BKD 1 hari", False),
        ("Pegawai mengajukan cuti paling lambat 2 minggu sebelum cuti", False),
        ("Dokumen Laporan Kinerja", False),
        ("sebelum TMT", False),  # a deadline with no offset is a remark, not a Waktu
        ("setiap bulan", False),
        ("1", False),
        ("-", False),
        ("", False),
        ("Ya", False),
        ("□", False),
    ],
)
def test_looks_like_duration_is_strict(cell: str, expected: bool) -> None:
    assert looks_like_duration(cell) is expected


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 menit"),
        (5, "5 menit"),
        (60, "1 jam"),
        (90, "1 jam 30 menit"),
        (DAY, "1 hari"),
        (2 * DAY, "2 hari"),
        (MONTH, "1 bulan"),
        (MONTH + DAY + 90, "1 bulan 1 hari 1 jam 30 menit"),
        (WEEK, "5 hari"),
        (0.5, "30 detik"),
        (89.6, "1 jam 30 menit"),
        (-30, "-30 menit"),
    ],
)
def test_format_minutes(minutes: float, text: str) -> None:
    assert format_minutes(minutes, STANDARD_DURATION_SETTINGS) == text


@pytest.mark.parametrize(
    "raw", ["5 Menit", "1 jam 30 menit", "3 Hari", "1 bln", "2 minggu", "1 tahun", "30 detik"]
)
def test_format_minutes_round_trips_cells(raw: str) -> None:
    minutes = parse_duration(raw).minutes
    assert minutes is not None
    assert parse_duration(
        format_minutes(minutes, STANDARD_DURATION_SETTINGS)
    ).minutes == pytest.approx(minutes)


def test_format_minutes_uses_the_settings() -> None:
    eight = DurationSettings(hours_per_working_day=8)
    assert format_minutes(480, eight) == "1 hari"
    assert format_minutes(480, STANDARD_DURATION_SETTINGS) == "1 hari 30 menit"


def test_format_minutes_rejects_infinity() -> None:
    with pytest.raises(ValueError):
        format_minutes(float("inf"), STANDARD_DURATION_SETTINGS)


@given(st.integers(min_value=0, max_value=50 * int(MONTH)))
def test_format_minutes_round_trips(minutes: int) -> None:
    assert parse_duration(
        format_minutes(minutes, STANDARD_DURATION_SETTINGS)
    ).minutes == pytest.approx(minutes)


# Text drawn from the characters Waktu cells are made of, plus anything at all.
_WAKTU_ALPHABET = "0123456789 .,-–/+±()½SIlLOBmenitjahrbulgkdspxHs"


@given(st.one_of(st.text(), st.text(alphabet=_WAKTU_ALPHABET, max_size=40)))
def test_parse_duration_never_raises(text: str) -> None:
    d = parse_duration(text)
    assert isinstance(d, Duration)
    assert d.raw == text
    if d.minutes is not None and d.minutes_max is not None:
        assert d.minutes <= d.minutes_max
    if d.kind != "duration":
        assert d.minutes is None and d.minutes_max is None
    assert isinstance(looks_like_duration(text), bool)


def test_a_duration_keeps_the_settings_it_was_read_with() -> None:
    eight = DurationSettings(hours_per_working_day=8)
    d = parse_duration("1 hari", eight)
    assert d.settings == eight and d.minutes == 480
    assert format_minutes(d.minutes, d.settings) == "1 hari"
    assert parse_duration("1 hari").settings == STANDARD_DURATION_SETTINGS
    # the same value read with other settings is still the same value
    assert parse_duration("5 menit", eight) == parse_duration("5 menit")
