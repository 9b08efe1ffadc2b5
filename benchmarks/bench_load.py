"""Many reviewers at once: page times under concurrent headless-Chromium sessions.

One ``streamlit run app.py`` server (empty data folder, the TF-IDF model so that
the model load does not dominate, or ``--encoder e5``); for each load level,
that many sessions start together, each in its own thread with its own
Chromium: open Korpus, then visit every page ``--rounds`` times through the
sidebar. Reported per level: p50/p95/max of the page times (click to page
complete) over all sessions, the server's peak resident memory (the
Streamlit process and its children, sampled every 0.2 s from /proc), the
server's CPU time per page view (user + system of the server and its
children, from /proc: how much of a page time is the app's own work), and
the load average before and after (the browsers share the machine's CPUs
with the server, so on a small machine the page times measure them too).

Run: python -m benchmarks.bench_load [--sessions 10 25] [--rounds 2] [--encoder tfidf]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from sopdata.review.store import WorkStore
from tests.support.e2e_support import (
    PAGES,
    VIEWPORT,
    app_server,
    find_chromium,
    launch_chromium,
    open_page,
    switch_page,
)

TIMEOUT_MS = 600_000


def _rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants (kB), from /proc."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fp:
                total += next(int(x.split()[1]) for x in fp if x.startswith("VmRSS:"))
            with open(f"/proc/{p}/task/{p}/children") as fp:
                todo.extend(int(c) for c in fp.read().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def _cpu_s(pid: int) -> float:
    """CPU time (user + system, seconds) of a process and its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as fp:
                fields = fp.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            with open(f"/proc/{p}/task/{p}/children") as fp:
                todo.extend(int(c) for c in fp.read().split())
        except (OSError, IndexError, ValueError):
            continue
    return total


def _loadavg() -> str:
    with open("/proc/loadavg") as fp:
        return " ".join(fp.read().split()[:3])


class _PeakRss(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss_kb(self.pid))
            time.sleep(0.2)


def _session(url_server, chromium: str, rounds: int, times: list[float], errors: list[str]) -> None:
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw, chromium)
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_navigation_timeout(TIMEOUT_MS)  # 25 Chromiums starting at once
            t0 = time.perf_counter()
            open_page(page, url_server, PAGES[0], TIMEOUT_MS)
            times.append(time.perf_counter() - t0)
            for _ in range(rounds):
                for app_page in [*PAGES[1:], PAGES[0]]:
                    t0 = time.perf_counter()
                    switch_page(page, app_page, TIMEOUT_MS)
                    times.append(time.perf_counter() - t0)
            browser.close()
    except Exception as exc:  # a session that fails is counted, not fatal
        errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 25])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--encoder", default="tfidf")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: apt-get install chromium, or set SOP_HARMONI_CHROMIUM")
    result: dict[str, float | str] = {"bench": "load"}
    print(f"Concurrent sessions against one server ({os.cpu_count()} CPUs), encoder {args.encoder}")
    print(
        "| sessions | pages | p50 (s) | p95 (s) | max (s) | failed | server peak RSS (MB) "
        "| server CPU per page (s) | load average before → after |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        with WorkStore.in_dir(work / "data") as ws:
            ws.set_setting("encoder", args.encoder)
        with app_server(work / "data", log_dir=work) as server:
            # one session first: caches filled, so the levels measure load, not warm-up
            _session(server, chromium, 1, [], [])
            for n in args.sessions:
                sampler = _PeakRss(server.process.pid)
                sampler.start()
                load_before, cpu_before = _loadavg(), _cpu_s(server.process.pid)
                times: list[float] = []
                errors: list[str] = []
                threads = [
                    threading.Thread(
                        target=_session, args=(server, chromium, args.rounds, times, errors)
                    )
                    for _ in range(n)
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                sampler.running = False
                sampler.join()
                cpu_per_page = (_cpu_s(server.process.pid) - cpu_before) / max(len(times), 1)
                p50, p95 = statistics.median(times), _percentile(times, 0.95)
                peak_mb = sampler.peak / 1024
                print(
                    f"| {n} | {len(times)} | {p50:.2f} | {p95:.2f} | {max(times):.2f} | "
                    f"{len(errors)} | {peak_mb:.0f} | {cpu_per_page:.2f} | "
                    f"{load_before} → {_loadavg()} |",
                    flush=True,
                )
                for e in errors[:3]:
                    print(f"  failed session: {e}")
                result[f"sessions_{n}_p50_s"] = round(p50, 3)
                result[f"sessions_{n}_p95_s"] = round(p95, 3)
                result[f"sessions_{n}_failed"] = len(errors)
                result[f"sessions_{n}_server_rss_mb"] = round(peak_mb)
                result[f"sessions_{n}_server_cpu_s_per_page"] = round(cpu_per_page, 3)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
