"""Hostile and broken input in the app (issue 15): a failed document never blocks a
page and stays removed; nothing from a document or a reviewer renders as Markdown;
the reviewer's name is the session's; a store that cannot save is a message."""

from __future__ import annotations

import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from app_pages._state import plain
from sopdata.review.store import MIGRATIONS, WorkStore
from tests.support.paths import CORPUS, ROOT

APP = str(ROOT / "app.py")
PAGES = [
    "app_pages/korpus.py",
    "app_pages/pencocokan.py",
    "app_pages/bandingkan.py",
    "app_pages/harmonisasi.py",
]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("SOP_HARMONI_DATA", str(folder))
    with WorkStore.in_dir(folder) as ws:
        ws.set_setting("encoder", "tfidf")  # a fast model: these tests are not about matching
    return folder


def _run(at) -> AppTest:  # an AppTest, or a widget (its run() reruns the app)
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _app(page: str | None = None) -> AppTest:
    at = _run(AppTest.from_file(APP, default_timeout=300))
    if page:
        _run(at.switch_page(page))
    return at


# --- 2. parse before keeping; a failed document never blocks a page ---------------------------


def test_failed_upload_is_recorded_once_and_stays_removed(data_dir, monkeypatch):
    at = _app()
    at.file_uploader(key="uploads_0").upload("rusak.docx", b"PK\x03\x04 bukan word", "x/y")
    _run(at)
    assert any(e.value.startswith(plain("rusak.docx") + ": ") for e in at.error)
    with WorkStore.in_dir(data_dir) as ws:
        (record,) = ws.list_documents()
    assert record.failed and record.parse_error
    # the uploader was emptied: the next run adds nothing and reads nothing again
    calls: list[str] = []
    monkeypatch.setattr(
        "sopdata.review.workspace.load_isolated",
        lambda data, name: calls.append(name),  # type: ignore[func-returns-value]
    )
    for page in PAGES:  # every page survives the failed document
        _run(at.switch_page(page))
    assert calls == []
    _run(at.switch_page(PAGES[0]))
    removes = [b for b in at.button if b.label == "Hapus"]
    assert len(removes) == 1
    _run(removes[0].click())
    with WorkStore.in_dir(data_dir) as ws:
        assert ws.list_documents() == []
    _run(at)  # no re-add from the uploader on the next run
    restarted = _app()
    assert not [b for b in restarted.button if b.label == "Hapus"]
    with WorkStore.in_dir(data_dir) as ws:
        assert ws.list_documents() == []


def test_a_reader_that_raises_anything_is_a_message_on_every_page(data_dir, monkeypatch):
    good = (CORPUS / "setda-bagian-organisasi-sop.txt").read_bytes() + b"\n"
    with WorkStore.in_dir(data_dir) as ws:  # kept before outcomes were recorded
        ws.add_document("lama.txt", good, "ani", parsed=False)

    def broken(data: bytes, name: str):
        raise MemoryError

    monkeypatch.setattr("sopdata.review.workspace.load_isolated", broken)
    monkeypatch.setattr("app_pages._state.parsed_document", _uncached_parse)
    for page in PAGES:
        _app(page)
    with WorkStore.in_dir(data_dir) as ws:
        (record,) = ws.list_documents()
    assert record.failed and record.parse_error.startswith("Dokumen terlalu berat")


def _uncached_parse(name: str, sha256: str, data: bytes):
    from sopdata.review.workspace import load_documents

    return load_documents([(name, sha256, data)])[0]


def test_a_store_from_before_parse_outcomes_is_migrated(tmp_path):
    path = tmp_path / "lama.sqlite3"
    conn = sqlite3.connect(path)
    for sql in MIGRATIONS[0]:
        conn.execute(sql)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO documents (sha256, name, size, uploaded_by, created_at, data) "
        "VALUES ('abc', 'a.txt', 1, 'ani', '2025-01-01', x'41')"
    )
    conn.commit()
    conn.close()
    with WorkStore(path) as ws:
        (record,) = ws.list_documents()
        assert record.parsed_at is None and not record.failed
        ws.set_document_outcome("abc", "rusak")
        assert ws.list_documents()[0].failed
        again = ws.add_document("a.txt", b"A", "budi", parse_error=None)
        assert not again.failed  # uploaded again and read this time
