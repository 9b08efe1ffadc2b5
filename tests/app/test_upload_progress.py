"""Issue 18: a scan uploaded on Korpus is read under a progress bar that counts
its pages ("Membaca … halaman 2 dari 3"), in the capped worker, once."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from sopdata.review.store import WorkStore
from tests.support.paths import ROOT
from tests.support.sopfiles import scanned_pdf

APP = str(ROOT / "app.py")


class _Bar:
    """Stands in for ``st.progress``'s element: records every update."""

    def __init__(self, seen: list[tuple[float, str]], value: float, text: str) -> None:
        self.seen = seen
        self.emptied = False
        seen.append((value, text))

    def progress(self, value: float, text: str = "") -> None:
        self.seen.append((value, text))

    def empty(self) -> None:
        self.emptied = True


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_scan_upload_shows_page_progress(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("SOP_HARMONI_DATA", str(folder))
    with WorkStore.in_dir(folder) as ws:
        ws.set_setting("encoder", "tfidf")
    seen: list[tuple[float, str]] = []
    bars: list[_Bar] = []

    def progress(value: float, text: str = "") -> _Bar:
        bars.append(_Bar(seen, value, text))
        return bars[-1]

    monkeypatch.setattr("streamlit.progress", progress)
    at = AppTest.from_file(APP, default_timeout=300).switch_page("app_pages/korpus.py").run()
    assert not at.exception
    at.file_uploader(key="uploads_0").upload("pindaian.pdf", scanned_pdf(3), "application/pdf")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(bars) == 1 and bars[0].emptied  # one bar, gone once the document is read
    texts = [text for _, text in seen]
    assert texts == [
        "Membaca pindaian\\.pdf …",
        "Membaca pindaian\\.pdf: halaman 1 dari 3 (OCR) …",
        "Membaca pindaian\\.pdf: halaman 2 dari 3 (OCR) …",
        "Membaca pindaian\\.pdf: halaman 3 dari 3 (OCR) …",
        "Membaca pindaian\\.pdf: 3 halaman terbaca, menyusun SOP …",
    ]
    values = [value for value, _ in seen]
    assert values == sorted(values) and values[-1] == 1.0
    # the document was read once, kept with its outcome, and reported
    with WorkStore.in_dir(folder) as ws:
        (record,) = ws.list_documents()
    assert record.name == "pindaian.pdf" and record.parsed_at is not None
    assert at.success or at.error
