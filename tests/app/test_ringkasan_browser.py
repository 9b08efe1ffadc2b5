"""Ringkasan read at 1366×768 in a real headless Chromium: every office of the
bundled corpus is a column inside the coverage grid (no sideways scrolling), the
heatmap is one tab away, and a reader's problem opens in full, wrapped, in its
document's expander. A screenshot goes to $SOP_HARMONI_SCREENSHOTS (default: the
test's temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sopdata.review.store import WorkStore
from tests.support.e2e_support import (
    EXCEPTION,
    PAGE_BY_LINK,
    app_server,
    find_chromium,
    full_page_screenshot,
    launch_chromium,
    open_page,
)

CHROMIUM = find_chromium()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium binary found: apt-get install chromium, "
        "or set SOP_HARMONI_CHROMIUM to one",
    ),
]

#: The end of the longest detail of the OCR document (Penyusunan Rencana Kerja).
LONG_DETAIL = "waktu kosong pada langkah 1, 4, 6, 8, 11, 12, 13, 14"


def test_ringkasan_reads_at_1366(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    data = tmp_path / "data"
    with WorkStore.in_dir(data) as ws:
        ws.set_setting("encoder", "tfidf")  # fast matching: this test is about the page
    shots = Path(os.environ.get("SOP_HARMONI_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    assert CHROMIUM is not None
    with app_server(data, log_dir=tmp_path) as server, sync_playwright() as pw:
        browser = launch_chromium(pw, CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.set_default_timeout(120_000)  # a busy machine answers slowly
            page.set_default_navigation_timeout(300_000)
            open_page(page, server, PAGE_BY_LINK["Ringkasan"], 300_000)
            expect(page.locator(EXCEPTION)).to_have_count(0)
            # no upload asked for: the bundled corpus is loaded
            expect(page.get_by_text("Unggah SOP")).to_have_count(0)
            # the coverage grid: its columns are as wide as the grid, no sideways scroll
            grid = page.get_by_test_id("stDataFrame").first
            grid.scroll_into_view_if_needed()
            width = grid.evaluate(
                "e => { const s = e.querySelector('.dvn-scroller');"
                " return s ? [s.scrollWidth, s.clientWidth] : null; }"
            )
            assert width is not None and width[0] <= width[1] + 1, width
            # the heatmap, one tab away
            page.get_by_role("tab", name="Peta").click()
            chart = page.get_by_test_id("stVegaLiteChart").first
            expect(chart.locator("canvas, svg").first).to_be_visible()
            # a problem's details in full, wrapped inside the page's width
            page.get_by_text("jombang-kec-jogoroto-buku-sop-ocr.txt — Kecamatan Jogoroto").click()
            detail = page.get_by_text(LONG_DETAIL).first
            expect(detail).to_be_visible()
            box = detail.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1366
            full_page_screenshot(page, shots / "ringkasan-1366.png")
        finally:
            browser.close()
