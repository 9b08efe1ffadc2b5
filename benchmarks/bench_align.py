"""Step alignment of the 36 University Admission pairs through ``align --pairs``.

Run: python -m benchmarks.bench_align [--repeat 1] [--encoder e5]
Target (issue 14): ``python -m sopdata align --pairs`` over the 36 pairs in
under 30 s, warm (the encoder's cache already holds the texts). The command is
run in-process (``sopdata.cli.main``) so that the timing is the alignment and
the JSON, not the interpreter's start; the first round warms the encoder.
Also prints the micro P/R/F1 of the alignments against the set's gold.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import statistics
import tempfile
import time
from pathlib import Path

from sopdata.cli import main as cli_main
from sopdata.evaluate import ACTIVITY_SET_DIR, Scores, load_activity_set


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--encoder", default="e5")
    args = parser.parse_args()
    data = load_activity_set(ACTIVITY_SET_DIR)
    models = ACTIVITY_SET_DIR / "models"
    with tempfile.TemporaryDirectory() as tmp:
        pairs = Path(tmp) / "pairs.csv"
        with pairs.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["a", "b"])
            for _, a, b in data.cases:
                writer.writerow([models / f"{a}.json", models / f"{b}.json"])
        command = ["align", "--pairs", str(pairs), "--json", "--encoder", args.encoder]
        times, out = [], ""
        for k in range(args.repeat + 1):  # round 0 warms the encoder and its cache
            buffer = io.StringIO()
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(buffer):
                code = cli_main(command)
            if code:
                raise SystemExit(f"align --pairs failed ({code})")
            if k:
                times.append(time.perf_counter() - t0)
            out = buffer.getvalue()
    got = set()
    for (case, _, _), line in zip(data.cases, out.splitlines(), strict=True):
        for c in json.loads(line)["correspondences"]:
            got |= {(case, x, y) for x in c["a_steps"] for y in c["b_steps"]}
    s = Scores.of(got, data.gold)
    warm = statistics.median(times)
    print(f"{len(data.cases)} pairs aligned, warm: median {warm:.2f} s")
    print(
        f"micro P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} ({s.true_positives}/{s.expected})"
    )
    print(f"target: align --pairs < 30 s: {'OK' if warm < 30 else 'MISSED'} ({warm:.2f} s)")
    print(
        "RESULT "
        + json.dumps(
            {
                "bench": "align",
                "align_36_pairs_s": round(warm, 3),
                "ua_precision": round(s.precision, 4),
                "ua_recall": round(s.recall, 4),
                "ua_f1": round(s.f1, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
