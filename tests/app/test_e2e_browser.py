"""The review flow in a real headless Chromium against a real Streamlit server.

Korpus → Pencocokan (confirm a match) → Bandingkan → Harmonisasi (edit, save,
download the workbook); then the saved work is read back from the SQLite store,
and a restarted server shows it again at the page's own address.

Streamlit's tables are canvas grids, so their cells are not read here: what a
table holds is checked in the store and in the downloaded workbook instead;
that every column of a grid is on screen (no sideways scrolling) is checked on
the grid's scroller. After the flow every page is opened again at 1366×768 and
1920×1080: each finding on Bandingkan must be in the page in full and visible,
not clipped. Full-page screenshots of each page go to $SOP_HARMONI_SCREENSHOTS
(default: the test's temporary folder).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from openpyxl import load_workbook

from embeddings import get_encoder
from sopdata.findings import find_differences
from sopdata.ingest.corpus import load_corpus
from sopdata.matching.compare import compare_group
from sopdata.matching.match import match_corpus
from sopdata.review.settings import ReviewSettings
from sopdata.review.store import WorkStore
from sopdata.review.workspace import apply_settings, build_groups
from tests.support.e2e_support import (
    EXCEPTION,
    PAGE_BY_LINK,
    PAGES,
    VIEWPORT,
    app_server,
    find_chromium,
    full_page_screenshot,
    launch_chromium,
    open_page,
    switch_page,
    wait_for_page,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.support.e2e_support import AppServer

CHROMIUM = find_chromium()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium binary found: apt-get install chromium, "
        "or set SOP_HARMONI_CHROMIUM to one",
    ),
]

# The first page that needs matches may build the embedding model (~20 s) and
# match the corpus on a cold machine; every later step takes seconds.
FIRST_MATCH_MS = 300_000
STEP_MS = 60_000

REVIEWER = "Rina Peninjau"
VERSION_NOTE = "Uji peramban: nama diselaraskan"

T = TypeVar("T")


def from_store(data_dir: Path, read: Callable[[WorkStore], T]) -> T:
    with WorkStore.in_dir(data_dir, check=False) as ws:
        return read(ws)


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = STEP_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def no_errors(page: Page) -> None:
    from playwright.sync_api import expect

    expect(page.locator(EXCEPTION)).to_have_count(0)


def switch(page: Page, link: str, timeout_ms: float = STEP_MS) -> None:
    switch_page(page, PAGE_BY_LINK[link], timeout_ms)
    no_errors(page)


def settle(page: Page, link: str) -> None:
    """After a click on the page: wait until its new run is drawn completely."""
    wait_for_page(page, PAGE_BY_LINK[link], STEP_MS)
    no_errors(page)


#: The screens a reviewer works on: a 14" laptop and a full-HD monitor.
SCREENS = ({"width": 1366, "height": 768}, {"width": 1920, "height": 1080})

#: Every grid drawn on the page, as (columns' width, visible width) of its scroller.
GRID_WIDTHS = """() => [...document.querySelectorAll('[data-testid=stDataFrame] .dvn-scroller')]
    .map(s => [s.scrollWidth, s.clientWidth])"""

#: Each finding on Bandingkan: its text, whether it or anything in it is clipped
#: sideways, and whether it ends inside the main block.
FINDINGS = """() => {
    const main = document.querySelector('[data-testid=stMain]').getBoundingClientRect();
    return [...document.querySelectorAll('[class*="st-key-finding_"]')].map(el => {
        const parts = [el, ...el.querySelectorAll('*')];
        return {
            key: [...el.classList].find(c => c.startsWith('st-key-finding_')),
            text: el.innerText,
            clipped: parts.some(p => p.scrollWidth > p.clientWidth + 1),
            inside: el.getBoundingClientRect().right <= main.right + 1,
        };
    });
}"""


def normalise(text: str) -> str:
    """Text as compared with the page's: no zero-width spaces, single spaces."""
    return " ".join(text.replace("\u200b", "").split())


def expected_findings(data_dir: Path) -> list[str]:
    """The findings of the group Bandingkan opens first, as the domain code finds
    them from the bundled corpus and the reviewer's saved decisions."""
    with WorkStore.in_dir(data_dir, check=False) as ws:
        conf = ReviewSettings.from_saved(ws.all_settings())
        decisions = {pair: d.decision for pair, d in ws.match_decisions().items()}
        overrides, drafts = ws.group_overrides(), set(ws.latest_drafts())
    sops = apply_settings(load_corpus(), conf.durations)
    encoder = get_encoder(conf.encoder)
    matches, _ = match_corpus(sops, encoder)
    group = build_groups(sops, matches, decisions, overrides, drafts)[0]
    return [f.message for f in find_differences(compare_group(group.sops, encoder)).findings]


def every_page_on_every_screen(
    browser: Browser, server: AppServer, screenshots: Path, findings: list[str]
) -> None:
    """Each page at each screen size: no grid scrolls sideways, every finding is
    there in full and visible; a full-page screenshot of each."""
    from playwright.sync_api import expect

    for screen in SCREENS:
        context = browser.new_context(viewport=screen)  # type: ignore[arg-type]
        context.set_default_timeout(STEP_MS)
        page = context.new_page()
        open_page(page, server, PAGES[0], STEP_MS)
        size = f"{screen['width']}x{screen['height']}"
        for n, app_page in enumerate(PAGES, start=1):
            if n > 1:
                switch(page, app_page.link)
            for scrolled, visible in page.evaluate(GRID_WIDTHS):
                assert scrolled <= visible + 1, (size, app_page.link, scrolled, visible)
            if app_page.link == "Bandingkan":
                shown = page.evaluate(FINDINGS)
                assert len(shown) == len(findings) > 0
                in_order = sorted(shown, key=lambda e: int(e["key"].rsplit("_", 1)[1]))
                for k, (message, element) in enumerate(zip(findings, in_order, strict=True)):
                    assert element["key"] == f"st-key-finding_{k}"
                    assert normalise(message) in normalise(element["text"]), (size, k)
                    assert not element["clipped"] and element["inside"], (size, element)
                    expect(page.locator(f".st-key-finding_{k}")).to_be_visible()
            full_page_screenshot(page, screenshots / f"{size}-{n}-{app_page.link.lower()}.png")
        context.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SOP_HARMONI_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_review_flow_in_a_browser(tmp_path: Path, screenshots: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    # A shared, busy machine: every expectation may wait as long as a step may take.
    expect.set_options(timeout=STEP_MS)
    data_dir = tmp_path / "data"
    with sync_playwright() as pw:
        assert CHROMIUM is not None
        browser = launch_chromium(pw, CHROMIUM)
        try:
            with app_server(data_dir, log_dir=tmp_path) as server:
                context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
                context.set_default_timeout(STEP_MS)
                page = context.new_page()

                # Korpus: the bundled corpus in the table; the reviewer gives a name.
                open_page(page, server, PAGE_BY_LINK["Korpus"], FIRST_MATCH_MS)
                no_errors(page)
                expect(page.get_by_text("42 SOP dari 5 dokumen")).to_be_visible()
                expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
                name_box = page.get_by_role("textbox", name="Nama peninjau")
                name_box.fill(REVIEWER)
                name_box.press("Enter")
                wait_until(
                    lambda: (
                        from_store(data_dir, lambda ws: ws.all_settings().get("reviewer"))
                        == REVIEWER
                    ),
                    "the reviewer's name in the store",
                )
                chooser = page.get_by_role("combobox", name="Buka SOP")
                chooser.click()
                chooser.fill("Pengarsipan")
                page.get_by_role("option", name="Pengarsipan Surat Masuk/Keluar").first.click()
                expect(
                    page.get_by_role("heading", name="Pengarsipan Surat Masuk/Keluar", exact=True)
                ).to_be_visible()
                settle(page, "Korpus")
                full_page_screenshot(page, screenshots / "1-korpus.png")
                # the uploader speaks Indonesian: its English size/type line is hidden
                page.get_by_text("Unggah dokumen SOP").click()
                expect(page.get_by_test_id("stFileUploaderDropzone")).to_be_visible()
                expect(page.get_by_test_id("stFileUploaderDropzoneInstructions")).to_be_hidden()
                full_page_screenshot(page, screenshots / "1-korpus-unggah.png")

                # Pencocokan: confirm the pair proposed first.
                switch(page, "Pencocokan", FIRST_MATCH_MS)
                expect(page.get_by_role("heading", name="kelompok prosedur")).to_be_visible()
                expect(page.get_by_text("Keputusan: belum diputuskan.")).to_be_visible()
                page.get_by_role("button", name="Konfirmasi setara").click()
                # feedback: a toast, the decision, and the pair's group marked in the list
                expect(page.get_by_test_id("stToast").first).to_contain_text(
                    "Pasangan dikonfirmasi setara"
                )
                expect(page.get_by_text(f"Keputusan: dikonfirmasi oleh {REVIEWER}")).to_be_visible()
                expect(page.get_by_text("— baru berubah")).to_have_count(1)
                settle(page, "Pencocokan")
                full_page_screenshot(page, screenshots / "2-pencocokan.png")

                # Bandingkan: the aligned table, both charts drawn, the findings.
                switch(page, "Bandingkan")
                expect(page.get_by_text("Kuning: berbeda antarkantor")).to_be_visible()
                expect(page.get_by_test_id("stDataFrame")).to_have_count(1)  # aligned steps
                expect(page.locator(".st-key-finding_0")).to_be_visible()  # findings: text
                expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2)  # drawn: see PAGES
                full_page_screenshot(page, screenshots / "3-bandingkan.png")

                # Harmonisasi: edit the proposal, save it as version 1, download it.
                switch(page, "Harmonisasi")
                expect(page.get_by_text("Usulan otomatis dari")).to_be_visible()
                title_box = page.get_by_role("textbox", name="Nama SOP")
                new_title = f"{title_box.input_value()} (rancangan bersama)"
                title_box.fill(new_title)
                note_box = page.get_by_role("textbox", name="Catatan versi (opsional)")
                note_box.fill(VERSION_NOTE)
                page.get_by_role("button", name="Simpan rancangan").click()
                expect(
                    page.get_by_text(f"Rancangan versi 1, disimpan oleh {REVIEWER}")
                ).to_be_visible()
                settle(page, "Harmonisasi")
                expect(title_box).to_have_value(new_title)
                expect(note_box).to_have_value("")  # the next version gets its own note

                with page.expect_download() as download_info:
                    page.get_by_role(
                        "button", name="Unduh Excel (format Permenpan RB 35/2012)"
                    ).click()
                download = download_info.value
                assert download.suggested_filename.endswith(".xlsx")
                saved_as = tmp_path / download.suggested_filename
                download.save_as(saved_as)
                workbook = load_workbook(saved_as)
                assert {"Identitas", "Prosedur"} <= set(workbook.sheetnames)
                cells = {
                    str(v)
                    for row in workbook["Identitas"].iter_rows(values_only=True)
                    for v in row
                    if v
                }
                assert new_title in cells
                settle(page, "Harmonisasi")
                page.get_by_role("tab", name="Riwayat versi").click()
                expect(page.get_by_role("tabpanel").get_by_test_id("stDataFrame")).to_be_visible()
                full_page_screenshot(page, screenshots / "4-harmonisasi.png")
                context.close()

                # Every page after the review flow, on a laptop and on a large screen.
                every_page_on_every_screen(
                    browser, server, screenshots, expected_findings(data_dir)
                )

            # The work is in the store as the app wrote it.
            drafts = from_store(data_dir, lambda ws: ws.latest_drafts())
            assert len(drafts) == 1
            (draft,) = drafts.values()
            assert (draft.version, draft.author, draft.note) == (1, REVIEWER, VERSION_NOTE)
            assert draft.sop_dict["title"] == new_title and draft.sop_dict["steps"]
            decisions = from_store(data_dir, lambda ws: ws.match_decisions())
            assert [(d.decision, d.author) for d in decisions.values()] == [("confirmed", REVIEWER)]

            # A new server on the same data folder, opened at the page's own address
            # (a bookmark, or a tab that reconnects): the draft is there, in the app's frame.
            with app_server(data_dir, log_dir=tmp_path) as server:
                context = browser.new_context(viewport=VIEWPORT)
                context.set_default_timeout(STEP_MS)
                page = context.new_page()
                open_page(page, server, PAGE_BY_LINK["Harmonisasi"], FIRST_MATCH_MS)
                no_errors(page)
                expect(
                    page.get_by_text(f"Rancangan versi 1, disimpan oleh {REVIEWER}")
                ).to_be_visible()
                expect(page.get_by_text(VERSION_NOTE)).to_be_visible()
                expect(page.get_by_role("textbox", name="Nama SOP")).to_have_value(new_title)
                expect(page.get_by_role("textbox", name="Nama peninjau")).to_have_value(REVIEWER)
                nav = page.get_by_test_id("stSidebarNav")
                expect(nav.get_by_role("link")).to_have_count(
                    5
                )  # the router's pages, not the files
                for label in ("Ringkasan", "Korpus", "Pencocokan", "Bandingkan", "Harmonisasi"):
                    expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
                full_page_screenshot(page, screenshots / "5-harmonisasi-setelah-restart.png")
                context.close()
        finally:
            browser.close()
