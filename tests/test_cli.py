"""The command line with the hours of a working day (--jam-kerja)."""

from __future__ import annotations

import json

import pytest

from sopdata.cli import main
from sopdata.text.durations import DurationSettings, format_minutes
from tests.support.paths import CORPUS

KINERJA = str(
    CORPUS / "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt"
)  # 3 Hari, 2 Hari, 1 Hari


def _parse(capsys, *args: str):
    assert main(["parse", KINERJA, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)[0]


def test_parse_reads_days_with_jam_kerja(capsys):
    standard = _parse(capsys)
    eight = _parse(capsys, "--jam-kerja", "8")
    assert standard["hours_per_working_day"] == 7.5 and eight["hours_per_working_day"] == 8
    one_day = next(s for s in eight["steps"] if s["duration_raw"] == "1 Hari")
    assert one_day["duration_minutes"] == 480
    assert eight["total_minutes"] == standard["total_minutes"] + 6 * 30  # six days in all
    assert main(["parse", KINERJA, "--jam-kerja", "8"]) == 0
    table = capsys.readouterr().out
    assert (
        format_minutes(eight["total_minutes"], DurationSettings(hours_per_working_day=8)) in table
    )


@pytest.mark.parametrize("bad", ["0", "25", "delapan"])
def test_jam_kerja_must_be_hours_in_a_day(bad, capsys):
    with pytest.raises(SystemExit):
        main(["parse", KINERJA, "--jam-kerja", bad])
    assert "jam" in capsys.readouterr().err


def test_harmonise_with_jam_kerja(capsys):
    files = sorted(str(p) for p in CORPUS.glob("*.txt"))
    assert (
        main(
            [
                "harmonise",
                *files,
                "--query",
                "surat keluar",
                "--encoder",
                "tfidf",
                "--json",
                "--jam-kerja",
                "8",
            ]
        )
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["harmonised"]["hours_per_working_day"] == 8
    jogoroto = next(v for v in payload["total"]["values"] if v["office"] == "Kecamatan Jogoroto")
    # its "1 Harl" is 480 minutes; the total is written with the same 8-hour day
    assert jogoroto == {
        "office": "Kecamatan Jogoroto",
        "minutes": 615.0,
        "raw": "1 hari 2 jam 15 menit",
    }
