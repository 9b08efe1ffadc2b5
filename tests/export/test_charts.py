"""Chart specs keep their own plot height: Streamlit's default autosize ("fit")
counts axes and legends inside the height and squashed these charts' rows."""

from __future__ import annotations

import pandas as pd

from sopdata.export.charts import similarity_heatmap, timing_chart, total_chart


def _labels(n: int) -> list[str]:
    return [f"Kecamatan {i} · Pengelolaan Surat Masuk dan Keluar Nomor {i}" for i in range(n)]


def test_heatmap_rows_keep_their_height() -> None:
    names = _labels(30)
    frame = pd.DataFrame(
        {"SOP": names, "Pembanding": names[::-1], "Skor": 0.7, "Relasi": "setara", "Kantor": "x"}
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
