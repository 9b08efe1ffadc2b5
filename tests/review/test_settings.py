"""The reviewer's typed settings, and Waktu re-read with them."""

from __future__ import annotations

import math

import pytest

from sopdata.records import SOP, Step
from sopdata.review.settings import ReviewSettings, with_durations
from sopdata.review.workspace import apply_settings
from sopdata.text.durations import STANDARD_DURATION_SETTINGS, DurationSettings, parse_duration


def test_defaults() -> None:
    s = ReviewSettings.from_saved({})
    assert s == ReviewSettings()
    assert (
        s.hours_per_working_day == 7.5
        and s.waktu_rule == "median"
        and s.encoder == "e5"
        and s.reviewer == ""
    )
    assert s.durations == STANDARD_DURATION_SETTINGS


def test_saved_round_trip() -> None:
    s = ReviewSettings(
        hours_per_working_day=8.0,
        waktu_rule="max",
        encoder="tfidf",
        reviewer="Sari",
        authority="Pemerintah Kabupaten Lumajang, Bagian Organisasi Sekretariat Daerah",
    )
    assert ReviewSettings.from_saved(s.to_saved()) == s
    assert s.durations == DurationSettings(hours_per_working_day=8)


@pytest.mark.parametrize(
    "saved",
    [
        {"hours_per_working_day": "delapan"},
        {"hours_per_working_day": None},
        {"hours_per_working_day": math.nan},
        {"hours_per_working_day": 0},
        {"hours_per_working_day": 40},
        {"hours_per_working_day": True},
        {"hours_per_working_day": [8]},
        {"waktu_rule": "rata-rata"},
        {"encoder": ""},
        {"encoder": 5},
        {"reviewer": 12},
        {"authority": 12},
        {"authority": None},
    ],
)
def test_bad_saved_values_fall_back_to_the_defaults(saved: dict[str, object]) -> None:
    assert ReviewSettings.from_saved(saved) == ReviewSettings()


def test_a_number_saved_as_text_is_read() -> None:
    assert ReviewSettings.from_saved({"hours_per_working_day": "8"}).hours_per_working_day == 8.0


def _sop() -> SOP:
    return SOP(
        source_file="a.txt",
        title="x",
        steps=[Step(no="1", activity="a", duration=parse_duration("1 hari"))],
    )


def test_with_durations_rereads_copies_and_leaves_the_input() -> None:
    sop = _sop()
    eight = ReviewSettings(hours_per_working_day=8).durations
    [again] = with_durations([sop], eight)
    assert again is not sop and again.total_minutes == 480 and again.time_settings == eight
    assert sop.total_minutes == 450
    assert with_durations([again], eight)[0] is again  # already read with them: no copy
    # back to the standard day (a correction saved at 8 h, the setting now 7.5 h)
    assert with_durations([again], STANDARD_DURATION_SETTINGS)[0].total_minutes == 450


def test_apply_settings_uses_the_review_settings() -> None:
    sop = _sop()
    [eight] = apply_settings([sop], ReviewSettings(hours_per_working_day=8).durations)
    assert eight.total_minutes == 480 and sop.total_minutes == 450
    assert apply_settings([sop], STANDARD_DURATION_SETTINGS) == [sop]
