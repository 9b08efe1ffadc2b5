"""Page timings of the app in headless Chromium, against a real Streamlit server.

Cold start: from starting ``streamlit run app.py`` to the first page (Korpus)
complete, then the first Pencocokan (which loads the model and matches the
corpus), once with an empty model cache (the model is rebuilt) and once with
a warm one. Warm page switches: a click on a sidebar link until the page's
title and main content are visible and the run has ended, over every page,
``--rounds`` times; medians are reported. The server is started by the same
helper as the browser test (``tests/support/e2e_support.py``), each time with an
empty data folder.

Run: python -m benchmarks.bench_app [--rounds 7] [--cache DIR] [--no-cold-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from tests.support.e2e_support import (
    PAGE_BY_LINK,
    PAGES,
    VIEWPORT,
    app_server,
    find_chromium,
    launch_chromium,
    open_page,
    switch_page,
)
from tests.support.paths import ROOT

#: The start of the model preparation's progress line (app_pages._state.PREPARING).
PREPARING = "Menyiapkan model bahasa (sekali saja)"

TIMEOUT_MS = 600_000


def cold_start(browser: Browser, cache: Path, work: Path, progress: bool) -> dict[str, float]:
    """Seconds from server start to: health answer, Korpus complete, first Pencocokan complete;
    with ``progress``, also from opening the page to the first progress line
    visible, and to the model's preparation ("Menyiapkan model bahasa …") visible
    with its progress bar."""
    with app_server(
        work / "data",
        log_dir=work,
        env={"SOP_HARMONI_CACHE": str(cache)},
        health_timeout=TIMEOUT_MS / 1000,
    ) as server:
        healthy = time.perf_counter() - server.started_at
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        times: dict[str, float] = {}
        if progress:
            opened = time.perf_counter()
            page.goto(server.page_url(PAGE_BY_LINK["Korpus"].path), timeout=TIMEOUT_MS)
            page.get_by_test_id("stProgress").first.wait_for(timeout=TIMEOUT_MS)
            times["first_progress_visible"] = time.perf_counter() - opened
            page.get_by_test_id("stProgress").filter(has_text=PREPARING).first.wait_for(
                timeout=TIMEOUT_MS
            )
            times["progress_visible"] = time.perf_counter() - opened
        open_page(page, server, PAGE_BY_LINK["Korpus"], TIMEOUT_MS)
        first_page = time.perf_counter() - server.started_at
        t0 = time.perf_counter()
        switch_page(page, PAGE_BY_LINK["Pencocokan"], TIMEOUT_MS)
        matching = time.perf_counter() - t0
        context.close()
    return {"health": healthy, "korpus": first_page, "pencocokan": matching, **times}


def warm_switches(browser: Browser, cache: Path, work: Path, rounds: int) -> dict[str, list[float]]:
    """Seconds per sidebar click, by target page, after one warm-up pass."""
    times: dict[str, list[float]] = {p.link: [] for p in PAGES}
    with app_server(work / "data", log_dir=work, env={"SOP_HARMONI_CACHE": str(cache)}) as server:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        open_page(page, server, PAGES[0], TIMEOUT_MS)
        order = [*PAGES[1:], PAGES[0]]
        for app_page in order:  # warm-up: caches filled, every component's script loaded
            switch_page(page, app_page, TIMEOUT_MS)
        for _ in range(rounds):
            for app_page in order:
                t0 = time.perf_counter()
                switch_page(page, app_page, TIMEOUT_MS)
                times[app_page.link].append(time.perf_counter() - t0)
        context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("SOP_HARMONI_CACHE") or ROOT / ".cache"),
        help="warm model cache (default: $SOP_HARMONI_CACHE or .cache)",
    )
    parser.add_argument(
        "--no-cold-cache",
        action="store_true",
        help="skip the start with an empty model cache (~20 s model rebuild)",
    )
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: apt-get install chromium, or set SOP_HARMONI_CHROMIUM")

    with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        work = Path(tmp)
        browser = launch_chromium(pw, chromium)
        starts: dict[str, dict[str, float]] = {}
        if not args.no_cold_cache:
            starts["empty model cache"] = cold_start(
                browser, work / "empty-cache", work / "cold", progress=True
            )
        starts["warm model cache"] = cold_start(browser, args.cache, work / "warm", progress=False)
        switches = warm_switches(browser, args.cache, work / "switch", args.rounds)
        browser.close()

    print(f"\nCold start (s), from `streamlit run` ({os.cpu_count()} CPUs)")
    print(
        f"| {'model cache':<18} | health ok | Korpus complete | first Pencocokan (click → complete) |"
    )
    print(f"|{'-' * 20}|-----------|-----------------|-------------------------------------|")
    for name, t in starts.items():
        print(
            f"| {name:<18} | {t['health']:9.1f} | {t['korpus']:15.1f} | {t['pencocokan']:35.1f} |"
        )
    print(f"\nWarm page switch via the sidebar (s), {args.rounds} rounds")
    print(f"| {'page':<12} | median |  min  |  max  |")
    print(f"|{'-' * 14}|--------|-------|-------|")
    for link, values in switches.items():
        print(
            f"| {link:<12} | {statistics.median(values):6.2f} | {min(values):5.2f} | {max(values):5.2f} |"
        )
    every = [v for values in switches.values() for v in values]
    result: dict[str, float | str] = {
        "bench": "app",
        # The target is per page: the slowest page's median switch must stay under 1 s.
        "page_switch_s": round(max(statistics.median(v) for v in switches.values()), 3),
        "page_switch_all_median_s": round(statistics.median(every), 3),
        "page_switch_max_s": round(max(every), 3),
    }
    if "progress_visible" in starts.get("empty model cache", {}):
        empty = starts["empty model cache"]
        print(
            f"\nEmpty model cache, page opened → first progress line visible "
            f"{empty['first_progress_visible']:.2f} s, the model preparation's own "
            f'("{PREPARING} …") {empty["progress_visible"]:.2f} s (target < 2 s)'
        )
    for name, t in starts.items():
        key = "cold_empty_cache" if name.startswith("empty") else "cold_warm_cache"
        if "progress_visible" in t:
            result[f"{key}_first_progress_visible_s"] = round(t["first_progress_visible"], 2)
            result[f"{key}_progress_visible_s"] = round(t["progress_visible"], 2)
        result[f"{key}_korpus_s"] = round(t["korpus"], 2)
        result[f"{key}_first_pencocokan_s"] = round(t["pencocokan"], 2)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
