"""The app as a reviewer gets it: a real Streamlit server and a headless Chromium.

Shared by the browser test (``tests/test_e2e_browser.py``) and the page-timing
benchmark (``benchmarks/bench_app.py``), so both start the server the same way.
Nothing here imports Streamlit: the server is a subprocess, the browser is
driven with Playwright's sync API.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.paths import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Playwright

APP = ROOT / "app.py"

#: Where a Chromium may be; $SOP_HARMONI_CHROMIUM comes first.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
#: Playwright launches Chromium with a new profile; the sandbox needs user
#: namespaces that containers (and CI running as root) do not give.
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1400, "height": 900}

#: The app element says whether a script run is going on.
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning'][data-test-connection-state='CONNECTED']"
#: Shown (after a short delay) while a run is going on.
RUNNING_WIDGET = "[data-testid='stStatusWidget']"
EXCEPTION = "[data-testid='stException']"


@dataclass(frozen=True)
class AppPage:
    """One page of the app as the browser finds it."""

    link: str  # its label in the sidebar
    path: str  # its address after the server's URL
    title: str  # its st.title
    #: What shows the page is complete: its last pieces of main content. Checked
    #: after the run has ended, since Streamlit draws some elements (grids, charts,
    #: the download button) a moment after it says the run is over.
    content: Callable[[Page], list[Locator]]


def _chart_drawn(page: Page, index: int) -> Locator:
    return page.get_by_test_id("stVegaLiteChart").nth(index).locator("canvas, svg").first


PAGES = (
    AppPage(
        "Korpus",
        "korpus",
        "Korpus SOP",
        lambda p: [
            p.get_by_test_id("stDataFrame").first,
            p.get_by_role("button", name="Simpan koreksi"),
            p.get_by_text("Waktu terbaca (menit)"),
        ],
    ),
    AppPage(
        "Pencocokan",
        "pencocokan",
        "Pencocokan SOP antarkantor",
        lambda p: [
            _chart_drawn(p, 0),
            p.get_by_role("button", name="Konfirmasi setara"),
            p.get_by_role("button", name="Pindahkan", exact=True),
        ],
    ),
    AppPage(
        "Bandingkan",
        "bandingkan",
        "Bandingkan langkah antarkantor",
        lambda p: [
            p.get_by_test_id("stDataFrame").first,
            _chart_drawn(p, 0),
            _chart_drawn(p, 1),
            p.get_by_role("heading", name="Temuan ("),
        ],
    ),
    AppPage(
        "Harmonisasi",
        "harmonisasi",
        "Harmonisasi SOP",
        lambda p: [
            p.get_by_role("button", name="Simpan rancangan"),
            p.get_by_role("button", name="Unduh Excel (format Permenpan RB 35/2012)"),
            p.get_by_role("tab", name="Riwayat versi"),
        ],
    ),
    # The home page (its address is the server's own); last, so that the timings of
    # the pages above keep their order.
    AppPage(
        "Ringkasan",
        "",
        "Ringkasan",
        lambda p: [
            p.get_by_test_id("stMetric").first,
            p.get_by_role("heading", name="Langkah berikutnya"),
            p.get_by_role("heading", name="Masalah pembacaan dokumen"),
        ],
    ),
)
PAGE_BY_LINK = {page.link: page for page in PAGES}


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary, or None when there is none."""
    candidates = [os.environ.get("SOP_HARMONI_CHROMIUM", ""), *CHROMIUM_CANDIDATES]
    candidates += [
        shutil.which(name) or "" for name in ("chromium", "chromium-browser", "google-chrome")
    ]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port() -> int:
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerError(RuntimeError):
    """The app server did not come up; the message ends with its log."""


@dataclass
class AppServer:
    """A running ``streamlit run app.py`` on the loopback interface."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    log_path: Path
    started_at: float  # time.perf_counter() just before the process was started

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page_url(self, path: str = "") -> str:
        return f"{self.url}/{path}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def server_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]


def wait_for_health(server: AppServer, timeout: float) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok``; fail early if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerError(
                f"server exited with {server.process.returncode}:\n{server.log()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200 and response.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise ServerError(f"no health answer within {timeout:.0f} s:\n{server.log()[-4000:]}")


@contextmanager
def app_server(
    data_dir: Path,
    *,
    log_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    health_timeout: float = 120.0,
) -> Iterator[AppServer]:
    """Start the app with ``$SOP_HARMONI_DATA=data_dir`` on a free port; stop it on exit.

    ``env`` adds to (or overrides) the current environment, e.g. a model cache
    folder. The server's output goes to ``streamlit-<port>.log`` in ``log_dir``
    (default: ``data_dir``'s parent) so a failure can show it.
    """
    port = free_port()
    log_path = (log_dir or data_dir.parent) / f"streamlit-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    full_env = {
        **os.environ,
        "SOP_HARMONI_DATA": str(data_dir),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            server_command(port),
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = AppServer(process, port, data_dir, log_path, started)
    try:
        wait_for_health(server, health_timeout)
        yield server
    finally:
        server.stop()


def launch_chromium(playwright: Playwright, executable: str) -> Browser:
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def wait_for_idle(page: Page, timeout_ms: float) -> None:
    """Wait until Streamlit has finished the current script run.

    Call it after something that shows the run has started (a new title, a
    message only the new run writes): right after a click the app may still
    say ``notRunning`` from before.
    """
    page.locator(APP_IDLE).wait_for(state="attached", timeout=timeout_ms)
    page.locator(RUNNING_WIDGET).wait_for(state="detached", timeout=timeout_ms)


def wait_for_page(page: Page, app_page: AppPage, timeout_ms: float) -> None:
    """Wait until ``app_page`` is complete: its title, the end of the run, its content."""
    page.get_by_role("heading", name=app_page.title, level=1).wait_for(timeout=timeout_ms)
    wait_for_idle(page, timeout_ms)
    for locator in app_page.content(page):
        locator.wait_for(state="visible", timeout=timeout_ms)


def open_page(page: Page, server: AppServer, app_page: AppPage, timeout_ms: float) -> None:
    """Load the page at its own address and wait until it is complete."""
    page.goto(server.page_url(app_page.path))
    wait_for_page(page, app_page, timeout_ms)


def switch_page(page: Page, app_page: AppPage, timeout_ms: float) -> None:
    """Click the page in the sidebar and wait until it is complete."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=app_page.link, exact=True).click()
    wait_for_page(page, app_page, timeout_ms)


def full_page_screenshot(page: Page, path: Path) -> Path:
    """Screenshot of the whole page.

    Streamlit scrolls inside its main block, not the document, so Playwright's
    ``full_page`` alone gives only the viewport: the viewport is made as tall
    as the main block for the shot, then set back.
    """
    size = page.viewport_size or VIEWPORT
    height = page.evaluate(
        "() => Math.max(...['stMain', 'stSidebarContent'].map("
        "id => document.querySelector(`[data-testid=${id}]`)?.scrollHeight ?? 0))"
    )
    page.set_viewport_size(
        {"width": size["width"], "height": max(size["height"], min(int(height) + 40, 16000))}
    )
    # Charts and the data grid re-lay themselves out after a resize.
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path
