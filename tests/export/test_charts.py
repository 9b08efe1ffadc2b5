"""Chart specs keep their own plot height: Streamlit's default autosize ("fit")
counts axes and legends inside the height and squashed these charts' rows."""

from __future__ import annotations

import pandas as pd
import pytest

from sopdata.export.charts import (
    similarity_frame,
    similarity_heatmap,
    time_axis,
    timing_chart,
    total_chart,
)
from sopdata.ingest.corpus import load_corpus
from sopdata.matching.pairs import PairMatch


def _labels(n: int) -> list[str]:
    return [f"Kecamatan {i} · Pengelolaan Surat Masuk dan Keluar Nomor {i}" for i in range(n)]


def test_heatmap_rows_keep_their_height() -> None:
    names = _labels(30)
    frame = pd.DataFrame(
        {
            "SOP": names,
            "Pembanding": names[::-1],
            "Skor": 0.7,
            "Relasi": "setara",
            "Kantor": "x",
            "SOP lengkap": names,
            "Pembanding lengkap": names[::-1],
        }
    )
    spec = similarity_heatmap(frame).to_dict()
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert spec["height"] == 20 * 30


def test_timing_and_total_charts_fit_width_only() -> None:
    timing = pd.DataFrame(
        {
            "Langkah": _labels(4) * 2,
            "Baris": [1, 2, 3, 4] * 2,
            "Kantor": ["A"] * 4 + ["B"] * 4,
            "Menit": [5.0, 60.0, 480.0, 15.0] * 2,
            "Waktu tertulis": "x",
        }
    )
    total = pd.DataFrame(
        {"Kantor": ["A", "B"], "Menit": [560.0, 9000.0], "Langkah tanpa Waktu": [0, 1]}
    )
    for chart in (timing_chart(timing), total_chart(total)):
        spec = chart.to_dict()
        assert spec["autosize"]["type"] == "fit-x"
    assert timing_chart(timing).to_dict()["height"] == 200  # at least 200 px, 22 px per bar beyond
    assert total_chart(total).to_dict()["height"] == 80


@pytest.mark.parametrize(
    ("max_minutes", "per_day", "labels"),
    [
        (12, 450, ["0", "2 menit", "4 menit", "6 menit", "8 menit", "10 menit", "12 menit"]),
        (45, 450, ["0", "10 menit", "20 menit", "30 menit", "40 menit", "50 menit"]),
        (100, 450, ["0", "20 menit", "40 menit", "1 jam", "1 jam 20 menit", "1 jam 40 menit"]),
        (150, 450, ["0", "30 menit", "1 jam", "1,5 jam", "2 jam", "2,5 jam"]),
        (300, 450, ["0", "1 jam", "2 jam", "3 jam", "4 jam", "5 jam"]),
        (1200, 450, ["0", "1 hari", "2 hari", "3 hari"]),
        (1200, 480, ["0", "1 hari", "2 hari", "3 hari"]),
        (4500, 450, ["0", "2 hari", "4 hari", "6 hari", "8 hari", "10 hari"]),
        (0, 450, ["0", "1 menit"]),
    ],
)
def test_time_axis_ticks_in_indonesian(
    max_minutes: float, per_day: float, labels: list[str]
) -> None:
    axis = time_axis(max_minutes, per_day)
    assert list(axis.labels) == labels
    assert axis.values[0] == 0 and axis.top >= max_minutes  # the longest bar fits
    steps = {b - a for a, b in zip(axis.values, axis.values[1:], strict=False)}
    assert len(steps) == 1  # linear: evenly spaced ticks


def test_timing_chart_is_linear_with_the_ticks_labelled() -> None:
    timing = pd.DataFrame(
        {
            "Langkah": ["1. Terima", "1. Terima", "2. Periksa"],
            "Baris": [1, 1, 2],
            "Kantor": ["A", "B", "A"],
            "Menit": [30.0, 120.0, 45.0],
            "Waktu tertulis": "x",
        }
    )
    x = timing_chart(timing).to_dict()["encoding"]["x"]
    assert x["scale"].get("type") in (None, "linear") and x["scale"]["domain"] == [0, 120.0]
    assert x["axis"]["values"] == [0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0]
    assert "'20 menit'" in x["axis"]["labelExpr"] and "'2 jam'" in x["axis"]["labelExpr"]
    totals = pd.DataFrame(
        {"Kantor": ["A", "B"], "Menit": [4500.0, 900.0], "Langkah tanpa Waktu": 0}
    )
    assert "'10 hari'" in total_chart(totals).to_dict()["encoding"]["x"]["axis"]["labelExpr"]


def test_heatmap_labels_are_short_and_distinct_with_full_names_in_the_tooltip() -> None:
    sops = load_corpus()
    # Every SOP of the corpus matched with the next one: long office names and
    # several SOPs of one office.
    matches = [
        PairMatch(a, b, 0.8, "equivalent", {}, ["uji"])
        for a, b in zip(sops, sops[1:], strict=False)
    ]
    frame = similarity_frame(sops, matches)
    labels = set(frame["SOP"])
    assert len(labels) == len({s.key for s in sops})  # one distinct label per SOP
    assert all(len(label) <= 48 for label in labels)
    full = dict(zip(frame["SOP"], frame["SOP lengkap"], strict=True))
    for sop in sops:
        assert f"{sop.title} · {sop.label}" in full.values()
    for short, long in full.items():
        assert long.startswith(short.split(" (")[0].rstrip("…"))
    tooltip = similarity_heatmap(frame).to_dict()["encoding"]["tooltip"]
    assert {t["field"] for t in tooltip} >= {"SOP lengkap", "Pembanding lengkap"}
