"""Saved-work store: write throughput (one writer, several processes) and read latency.

Every write is one whole SOP (``SOP.to_dict()`` of a real seed SOP, ~10 KB of
JSON) saved as a draft version in its own transaction, as the app saves it.

Run: python -m benchmarks.bench_store [--writes 400] [--procs 4] [--records 1000] [--dir DIR]
The database goes to a temporary folder (or DIR: use the disk the app's data
folder is on, since fsync cost depends on it).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from sopdata.ingest.loaders import load_path
from sopdata.review.store import Synchronous, WorkStore
from tests.support.paths import ROOT

SAMPLE = ROOT / "corpus" / "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt"


def writer(
    path: str, sync: Synchronous, worker: int, n: int, base: dict[str, Any], barrier: Any
) -> None:
    store = WorkStore(path, synchronous=sync, check=False)
    barrier.wait(timeout=120)
    for i in range(n):
        # every process writes to the same 20 groups, so they race for version numbers
        store.save_draft(f"grup-{i % 20}", dict(base, title=f"{worker}/{i}"), f"w{worker}")


def single_writer(path: Path, sync: Synchronous, n: int, base: dict[str, Any]) -> float:
    store = WorkStore(path, synchronous=sync)
    t0 = time.perf_counter()
    for i in range(n):
        store.save_draft(f"grup-{i % 20}", dict(base, title=str(i)), "bench")
    return n / (time.perf_counter() - t0)


def concurrent_writers(
    path: Path, sync: Synchronous, procs: int, n: int, base: dict[str, Any]
) -> tuple[float, list[str]]:
    """Writes/s of ``procs`` processes saving drafts at once, and what :func:`verify` found wrong."""
    WorkStore(path, synchronous=sync)  # schema created before the race
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(procs + 1)
    each = n // procs
    workers = [
        ctx.Process(target=writer, args=(str(path), sync, w, each, base, barrier))
        for w in range(procs)
    ]
    for p in workers:
        p.start()
    barrier.wait(timeout=120)  # every process has started and opened the store (or one failed to)
    t0 = time.perf_counter()
    for p in workers:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"writer failed with exit code {p.exitcode}")
    rate = each * procs / (time.perf_counter() - t0)
    return rate, verify(path, procs, each)


def verify(path: Path, procs: int, each: int) -> list[str]:
    """What went wrong with the concurrent writes: every draft present once,
    versions of each group 1..n without gap, and SQLite's own integrity check."""
    problems: list[str] = []
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT group_id, version, sop_json FROM drafts").fetchall()
        check = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if check != ["ok"]:
        problems.append(f"integrity_check: {check[:3]}")
    titles = sorted(json.loads(r[2])["title"] for r in rows)
    expected = sorted(f"{w}/{i}" for w in range(procs) for i in range(each))
    if titles != expected:
        problems.append(
            f"{len(expected) - len(set(titles) & set(expected))} drafts missing, "
            f"{len(titles) - len(set(titles))} duplicated"
        )
    versions: dict[str, list[int]] = {}
    for group, version, _ in rows:
        versions.setdefault(group, []).append(version)
    gaps = [g for g, v in versions.items() if sorted(v) != list(range(1, len(v) + 1))]
    if gaps:
        problems.append(f"version gaps in {len(gaps)} groups")
    return problems


def median_ms(fn: Callable[[], object], repeat: int = 30) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def read_latency(path: Path, records: int, base: dict[str, Any]) -> list[tuple[str, float]]:
    store = WorkStore(path, synchronous="NORMAL")
    groups = max(1, records // 10)  # ten versions a group
    for i in range(records):
        d = dict(base, title=str(i))
        store.save_sop_correction(f"dok-{i}.txt#0", d, "bench")
        store.save_draft(f"grup-{i % groups}", d, "bench")
        store.set_match_decision(f"dok-{i}.txt#0", f"dok-{i + 1}.txt#0", "confirmed", "bench")
        store.move_sop_to_group(f"dok-{i}.txt#0", f"grup-{i % groups}", "bench")
    return [
        (f"latest_sop_corrections() ({records} SOPs)", median_ms(store.latest_sop_corrections)),
        (f"latest_drafts() ({groups} groups x 10)", median_ms(store.latest_drafts)),
        ("latest_draft(one group)", median_ms(lambda: store.latest_draft("grup-0"))),
        (
            "latest_sop_correction(one SOP)",
            median_ms(lambda: store.latest_sop_correction("dok-0.txt#0")),
        ),
        (f"match_decisions() ({records} pairs)", median_ms(store.match_decisions)),
        (f"group_overrides() ({records} SOPs)", median_ms(store.group_overrides)),
        ("get_setting(missing key)", median_ms(lambda: store.get_setting("x"))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=400, help="drafts saved per measurement")
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    base = load_path(SAMPLE).sops[0].to_dict()
    result: dict[str, float | str] = {"bench": "store"}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        print(
            f"one write = one draft of {len(json.dumps(base)) / 1024:.1f} KB of JSON in its own transaction"
        )
        print(
            f"{'synchronous':<12} {'1 writer (writes/s)':>20} {f'{args.procs} processes (writes/s)':>24}"
        )
        for sync in ("FULL", "NORMAL"):
            one = single_writer(folder / f"one-{sync}.sqlite3", sync, args.writes, base)
            many, found = concurrent_writers(
                folder / f"many-{sync}.sqlite3", sync, args.procs, args.writes, base
            )
            problems += found
            print(f"{sync:<12} {one:>20.0f} {many:>24.0f}")
            result[f"store_{sync.lower()}_1_writer_per_s"] = round(one)
            result[f"store_{sync.lower()}_{args.procs}_procs_per_s"] = round(many)
        print()
        print(f"{'read (median of 30)':<44} {'ms':>8}")
        reads = read_latency(folder / "read.sqlite3", args.records, base)
        for name, ms in reads:
            print(f"{name:<44} {ms:>8.2f}")
    each_run = args.writes // args.procs * args.procs
    print(
        f"concurrent writes checked ({each_run} drafts a run; every draft once, versions without gap, "
        f"integrity_check): {'; '.join(problems) or 'all intact'}"
    )
    result.update(
        {
            "store_read_latest_correction_ms": round(reads[3][1], 2),
            "store_read_all_corrections_ms": round(reads[0][1], 1),
            "store_problems": len(problems),
        }
    )
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
