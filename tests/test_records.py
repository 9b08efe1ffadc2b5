"""SOP records: a saved SOP reloads with the working day it was read with."""

from __future__ import annotations

import pytest

from sopdata.form import SOP_KINDS, SOP_KINDS_SHORT
from sopdata.records import SOP, Step, is_untitled, sop_from_dict, untitled
from sopdata.text.durations import (
    STANDARD_DURATION_SETTINGS,
    DurationSettings,
    format_minutes,
    parse_duration,
)

EIGHT = DurationSettings(hours_per_working_day=8)


def _sop(settings: DurationSettings) -> SOP:
    return SOP(
        source_file="a.txt",
        title="Surat Keluar",
        steps=[
            Step(no="1", activity="Menerima berkas", duration=parse_duration("1 hari", settings)),
            Step(no="2", activity="Mengarsipkan", duration=parse_duration("", settings)),
        ],
    )


def test_an_eight_hour_day_survives_a_round_trip() -> None:
    sop = _sop(EIGHT)
    assert sop.time_settings == EIGHT and sop.total_minutes == 480
    saved = sop.to_dict()
    assert saved["hours_per_working_day"] == 8
    again = sop_from_dict(saved)
    assert again.steps[0].duration.minutes == 480  # not 450
    assert again.total_minutes == 480 and again.time_settings == EIGHT
    assert (
        format_minutes(again.total_minutes, again.time_settings) == "1 hari"
    )  # not "1 hari 30 menit"


def test_an_old_saved_dict_reads_at_the_standard_day_or_the_callers_settings() -> None:
    old = _sop(EIGHT).to_dict()
    del old["hours_per_working_day"]
    assert sop_from_dict(old).total_minutes == 450
    assert sop_from_dict(old).time_settings == STANDARD_DURATION_SETTINGS
    assert sop_from_dict(old, EIGHT).total_minutes == 480


def test_the_callers_settings_win_over_the_saved_ones() -> None:
    saved = _sop(EIGHT).to_dict()
    assert sop_from_dict(saved, STANDARD_DURATION_SETTINGS).total_minutes == 450
    saved["hours_per_working_day"] = "rusak"
    assert sop_from_dict(saved).total_minutes == 450


def test_an_sop_without_waktu_has_the_standard_settings() -> None:
    assert SOP(source_file="a.txt", title="x").time_settings == STANDARD_DURATION_SETTINGS


@pytest.mark.parametrize(
    "saved,kind",
    [
        ({"kind": "standar_pelayanan"}, "standar_pelayanan"),
        ({"kind": "prosedur"}, "prosedur"),
        ({}, "sop_ap"),  # saved before documents had a kind
        ({"kind": "brosur"}, "sop_ap"),  # an unknown kind is not trusted
    ],
)
def test_kind_survives_a_round_trip(saved, kind):
    sop = sop_from_dict({"source_file": "a.txt", "title": "Izin Cuti", **saved})
    assert sop.kind == kind
    assert sop_from_dict(sop.to_dict()).kind == kind


def test_decision_targets_round_trip_and_old_records_have_none():
    step = Step(no="2", activity="Memeriksa berkas", actors=["Sekcam"], marks={"Sekcam": "◇"})
    step.yes_to, step.no_to = "3", "1"
    sop = SOP(source_file="x.txt", title="Uji", steps=[step])
    data = sop.to_dict()
    assert (data["steps"][0]["yes_to"], data["steps"][0]["no_to"]) == ("3", "1")
    back = sop_from_dict(data)
    assert (back.steps[0].yes_to, back.steps[0].no_to) == ("3", "1")
    for key in ("yes_to", "no_to"):  # a record saved before the fields existed
        del data["steps"][0][key]
    old = sop_from_dict(data)
    assert (old.steps[0].yes_to, old.steps[0].no_to) == ("", "")


@pytest.mark.parametrize(
    ("title", "printed"),
    [
        (untitled(1), False),
        ("SOP tanpa judul #12", False),
        ("  ", False),
        ("", False),
        ("Surat Keluar", True),
        ("SOP tanpa judul", True),  # a title someone typed, not the placeholder
        ("SOP tanpa judul #1 Surat Keluar", True),
    ],
)
def test_the_untitled_placeholder_is_no_title(title, printed):
    assert is_untitled(title) is not printed
    assert SOP(source_file="a.txt", title=title).has_title is printed


def test_every_kind_has_a_short_name_for_the_corpus_table():
    assert SOP_KINDS_SHORT.keys() == SOP_KINDS.keys()
    assert all(len(short) <= 18 for short in SOP_KINDS_SHORT.values())
