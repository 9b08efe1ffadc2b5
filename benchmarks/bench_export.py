"""Findings, harmonisation and Excel export for a group of 10 SOPs.

Run: python -m benchmarks.bench_export [--offices 10] [--repeat 10]
Target (issue #4): the workbook of a 10-SOP group written in under a second.

The group is built from a real seed SOP (Setda "Surat Keluar", a clean table):
each office's copy gets its own Waktu, an actor renamed in some offices and a
step dropped in others, so every rule of the findings has work to do. Steps are
aligned with the lexical encoder so that the timing covers findings and
harmonisation as well, without the e5 model's load time.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time

from embeddings.lexical import TfidfEncoder
from sopdata.export.excel import WorkbookParts, export_workbook
from sopdata.findings import find_differences
from sopdata.harmonise import harmonise
from sopdata.ingest.loaders import load_path
from sopdata.matching.compare import compare_group
from sopdata.records import SOP
from sopdata.resources import CORPUS_DIR
from sopdata.text.durations import parse_duration


def synthetic_group(n: int) -> list[SOP]:
    base = next(
        s
        for s in load_path(CORPUS_DIR / "setda-bagian-organisasi-sop.txt").sops
        if s.title == "Surat Keluar"
    )
    group = []
    for k in range(n):
        sop = copy.deepcopy(base)
        sop.office = f"Kecamatan Uji {k + 1:02d}"
        for i, step in enumerate(sop.steps):
            minutes = 5 * (1 + (i + k) % 4)
            step.duration = parse_duration(f"{minutes} menit" if (i + k) % 7 else "1 hari")
        if k % 3 == 1:
            sop.steps = sop.steps[:2] + sop.steps[3:]
        if k % 2:
            for step in sop.steps:
                step.actors = ["Sekretaris Camat" if a == "Kabag" else a for a in step.actors]
        group.append(sop)
    return group


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offices", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    group = synthetic_group(args.offices)
    encoder = TfidfEncoder()
    phases: dict[str, list[float]] = {"compare": [], "findings": [], "harmonise": [], "export": []}
    size = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        comparison = compare_group(group, encoder)
        t1 = time.perf_counter()
        found = find_differences(comparison)
        t2 = time.perf_counter()
        draft = harmonise(comparison)
        t3 = time.perf_counter()
        size = len(
            export_workbook(draft.sop, parts=WorkbookParts(comparison, found, draft.choices))
        )
        t4 = time.perf_counter()
        for name, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            phases[name].append(dt)
    print(
        f"group: {args.offices} SOPs, {sum(len(s.steps) for s in group)} steps, "
        f"{len(comparison.rows)} aligned rows, {len(found.findings)} findings; workbook {size / 1024:.0f} KB"
    )
    for name, times in phases.items():
        print(
            f"{name:<10} median {statistics.median(times) * 1000:7.1f} ms   best {min(times) * 1000:7.1f} ms"
        )
    export = statistics.median(phases["export"])
    print(f"target: export < 1 s: {'OK' if export < 1 else 'MISSED'} ({export * 1000:.0f} ms)")
    print("RESULT " + json.dumps({"bench": "export", "export_10_sops_s": round(export, 3)}))


if __name__ == "__main__":
    main()
