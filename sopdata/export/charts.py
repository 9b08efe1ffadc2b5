"""Altair charts of the corpus, a group's timings and its similarity (no Streamlit here)."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from sopdata.findings import GroupFindings, row_label
from sopdata.matching.compare import GroupComparison
from sopdata.matching.pairs import PairMatch
from sopdata.records import SOP

RELATION_LABEL = {"equivalent": "setara", "related": "terkait", "different": "berbeda"}

#: Fit the width to the page but keep ``height`` as the plot's own height.
#: Streamlit's default (``fit``) counts axes and legends inside ``height``, which
#: squashed the rows of these charts to a few pixels under long rotated labels.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
#: Numbers as an Indonesian reader writes them: 20.000 and 0,5 (not 20,000 and 0.5).
NUMBER_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}


def similarity_frame(
    sops: Sequence[SOP], matches: Sequence[PairMatch], limit: int = 120
) -> pd.DataFrame:
    """SOP-to-SOP scores as long-form rows, SOPs ordered by office then title.

    Only SOPs that take part in a match are shown, at most ``limit`` of them: a
    heatmap of thousands of rows says nothing a table does not.
    """
    involved = {m.a.key for m in matches} | {m.b.key for m in matches}
    shown = sorted((s for s in sops if s.key in involved), key=lambda s: (s.office, s.title))[
        :limit
    ]
    label = {s.key: f"{s.label} · {s.title}"[:70] for s in shown}
    rows = []
    for m in matches:
        if m.a.key in label and m.b.key in label:
            for x, y in ((m.a, m.b), (m.b, m.a)):
                rows.append(
                    {
                        "SOP": label[x.key],
                        "Pembanding": label[y.key],
                        "Skor": round(m.score, 3),
                        "Relasi": RELATION_LABEL[m.relation],
                        "Kantor": x.office,
                    }
                )
    return pd.DataFrame(rows, columns=["SOP", "Pembanding", "Skor", "Relasi", "Kantor"])


def similarity_heatmap(frame: pd.DataFrame) -> alt.Chart:
    order = sorted(set(frame["SOP"]), key=str) if len(frame) else []
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X(
                "Pembanding:N",
                sort=order,
                axis=alt.Axis(labelLimit=220, labelAngle=-90, title=None),
            ),
            y=alt.Y("SOP:N", sort=order, axis=alt.Axis(labelLimit=260, title=None)),
            color=alt.Color("Skor:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="Skor"),
            tooltip=["SOP", "Pembanding", "Skor", "Relasi"],
        )
        .properties(height=max(240, 20 * len(order)), autosize=FIT_WIDTH)
        .configure(locale={"number": NUMBER_LOCALE})
    )


def timing_frame(comparison: GroupComparison) -> pd.DataFrame:
    """Waktu (minutes) per aligned row per office, long form; unreadable Waktu left out."""
    rows = []
    for r, row in enumerate(comparison.rows):
        label = f"{r + 1}. {row_label(comparison, row, width=40)}"
        for m in row.present():
            steps = comparison.steps(row, m)
            minutes = [w for s in steps if (w := s.work_minutes) is not None]  # no lead times
            if minutes:
                rows.append(
                    {
                        "Langkah": label,
                        "Baris": r + 1,
                        "Kantor": comparison.offices[m],
                        "Menit": float(sum(minutes)),
                        "Waktu tertulis": " + ".join(
                            s.duration.raw for s in steps if s.duration.raw
                        ),
                    }
                )
    return pd.DataFrame(rows, columns=["Langkah", "Baris", "Kantor", "Menit", "Waktu tertulis"])


def timing_chart(frame: pd.DataFrame) -> alt.Chart:
    """Grouped bars: one group per aligned step, one bar per office (log scale: menit to hari)."""
    order = list(dict.fromkeys(frame.sort_values("Baris")["Langkah"])) if len(frame) else []
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("Langkah:N", sort=order, axis=alt.Axis(labelLimit=320, title=None)),
            yOffset="Kantor:N",
            x=alt.X("Menit:Q", scale=alt.Scale(type="symlog"), title="Waktu (menit, skala log)"),
            color=alt.Color(
                "Kantor:N", legend=alt.Legend(orient="bottom", columns=1, labelLimit=400)
            ),
            tooltip=["Langkah", "Kantor", "Menit", "Waktu tertulis"],
        )
        .properties(height=max(200, 22 * len(frame)), autosize=FIT_WIDTH)
        .configure(locale={"number": NUMBER_LOCALE})
    )


def total_frame(findings: GroupFindings) -> pd.DataFrame:
    comparison = findings.comparison
    return pd.DataFrame(
        [
            {
                "Kantor": comparison.offices[m],
                "Menit": s.total_minutes,
                "Langkah tanpa Waktu": sum(1 for st in s.steps if st.work_minutes is None),
            }
            for m, s in enumerate(comparison.sops)
        ],
        columns=["Kantor", "Menit", "Langkah tanpa Waktu"],
    )


def total_chart(frame: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("Kantor:N", axis=alt.Axis(labelLimit=320, title=None)),
            x=alt.X("Menit:Q", title="Total waktu (menit)"),
            color=alt.Color("Kantor:N", legend=None),
            tooltip=["Kantor", "Menit", "Langkah tanpa Waktu"],
        )
        .properties(height=max(80, 36 * len(frame)), autosize=FIT_WIDTH)
        .configure(locale={"number": NUMBER_LOCALE})
    )
