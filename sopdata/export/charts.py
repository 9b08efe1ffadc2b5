"""Altair charts of the corpus, a group's timings and its similarity (no Streamlit here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
#: A heatmap label's length: the title first (what tells SOPs apart), then the office.
LABEL_CHARS = 48
#: Minutes in a working day when the chart is not told (7.5 h: ASN working hours).
MINUTES_PER_DAY = 450.0
#: Tick steps of a time axis below a day, in minutes.
_MINUTE_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240)
#: Tick steps of a time axis from a day on, in working days.
_DAY_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


@dataclass(frozen=True)
class TimeAxis:
    """A linear time axis in minutes with Indonesian ticks ("30 menit", "2 jam", "1 hari").

    Attributes:
        values: the ticks, in minutes, from 0 to the top of the scale.
        labels: the tick label of each value.
    """

    values: tuple[float, ...]
    labels: tuple[str, ...]

    @property
    def top(self) -> float:
        return self.values[-1]

    def label_expr(self) -> str:
        """A Vega expression giving each tick its label (ticks are exactly ``values``)."""
        expr = "''"
        for value, label in reversed(list(zip(self.values, self.labels, strict=True))):
            expr = f"datum.value == {value:g} ? '{label}' : {expr}"
        return expr

    def axis(self, title: str) -> alt.Axis:
        return alt.Axis(values=list(self.values), labelExpr=self.label_expr(), title=title)


def _number(value: float) -> str:
    """1.5 as "1,5", 2.0 as "2" (an Indonesian reader's decimal comma)."""
    return f"{round(value, 2):g}".replace(".", ",")


def time_axis(
    max_minutes: float, minutes_per_day: float = MINUTES_PER_DAY, ticks: int = 6
) -> TimeAxis:
    """Ticks for a linear axis from 0 to ``max_minutes``: at most ``ticks`` steps of a
    round size (minutes, hours, or working days of ``minutes_per_day``), labelled
    in that unit."""
    top = max(float(max_minutes), 1.0)
    if top <= 2 * minutes_per_day:
        step = float(next((s for s in _MINUTE_STEPS if top / s <= ticks), _MINUTE_STEPS[-1]))
    else:
        step = minutes_per_day * next(
            (d for d in _DAY_STEPS if top / (d * minutes_per_day) <= ticks), _DAY_STEPS[-1]
        )
    count = max(1, -int(-round(top / step, 9) // 1))
    values = tuple(step * k for k in range(count + 1))

    def label(value: float) -> str:
        if value == 0:
            return "0"
        if step >= minutes_per_day:
            return f"{_number(value / minutes_per_day)} hari"
        if value < 60:
            return f"{_number(value)} menit"
        if value % 30 == 0:
            return f"{_number(value / 60)} jam"
        hours, minutes = divmod(value, 60)
        return f"{hours:g} jam {_number(minutes)} menit"

    return TimeAxis(values, tuple(label(v) for v in values))


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


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
    # Short labels start with the title (what tells the SOPs of one office apart);
    # two alike get their number; the full names are in the tooltip.
    label: dict[str, str] = {}
    full = {s.key: f"{s.title} · {s.label}" for s in shown}
    for s in shown:
        text = short_label(full[s.key])
        n = 2
        while text in label.values():
            text = f"{short_label(full[s.key], LABEL_CHARS - 4)} ({n})"
            n += 1
        label[s.key] = text
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
                        "SOP lengkap": full[x.key],
                        "Pembanding lengkap": full[y.key],
                    }
                )
    return pd.DataFrame(rows, columns=list(SIMILARITY_COLUMNS))


#: The columns of :func:`similarity_frame`.
SIMILARITY_COLUMNS = (
    "SOP",
    "Pembanding",
    "Skor",
    "Relasi",
    "Kantor",
    "SOP lengkap",
    "Pembanding lengkap",
)


def similarity_heatmap(frame: pd.DataFrame) -> alt.Chart:
    order = sorted(set(frame["SOP"]), key=str) if len(frame) else []
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X(
                "Pembanding:N",
                sort=order,
                axis=alt.Axis(labelLimit=300, labelAngle=-90, title=None),
            ),
            y=alt.Y("SOP:N", sort=order, axis=alt.Axis(labelLimit=320, title=None)),
            color=alt.Color("Skor:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="Skor"),
            tooltip=[
                alt.Tooltip("SOP lengkap:N", title="SOP"),
                alt.Tooltip("Pembanding lengkap:N", title="Pembanding"),
                "Skor",
                "Relasi",
            ],
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


def timing_chart(frame: pd.DataFrame, minutes_per_day: float = MINUTES_PER_DAY) -> alt.Chart:
    """Grouped bars: one group per aligned step, one bar per office, on a linear
    time axis with Indonesian ticks (menit, jam or hari)."""
    order = list(dict.fromkeys(frame.sort_values("Baris")["Langkah"])) if len(frame) else []
    axis = time_axis(float(frame["Menit"].max()) if len(frame) else 0.0, minutes_per_day)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("Langkah:N", sort=order, axis=alt.Axis(labelLimit=320, title=None)),
            yOffset="Kantor:N",
            x=alt.X(
                "Menit:Q",
                scale=alt.Scale(domain=[0, axis.top], nice=False),
                axis=axis.axis("Waktu"),
            ),
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


def total_chart(frame: pd.DataFrame, minutes_per_day: float = MINUTES_PER_DAY) -> alt.Chart:
    """One bar per office: the SOP's total Waktu, on a linear time axis."""
    top = float(frame["Menit"].max()) if len(frame) else 0.0
    axis = time_axis(top if top == top else 0.0, minutes_per_day)  # NaN: nothing read
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("Kantor:N", axis=alt.Axis(labelLimit=320, title=None)),
            x=alt.X(
                "Menit:Q",
                scale=alt.Scale(domain=[0, axis.top], nice=False),
                axis=axis.axis("Total waktu"),
            ),
            color=alt.Color("Kantor:N", legend=None),
            tooltip=["Kantor", "Menit", "Langkah tanpa Waktu"],
        )
        .properties(height=max(80, 36 * len(frame)), autosize=FIT_WIDTH)
        .configure(locale={"number": NUMBER_LOCALE})
    )
