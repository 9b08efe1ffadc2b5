"""Hostile and broken input in the app (issue 15): a failed document never blocks a
page and stays removed; nothing from a document or a reviewer renders as Markdown;
the reviewer's name is the session's; a store that cannot save is a message."""

from __future__ import annotations

import json
import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from app_pages._state import plain
from sopdata.review.store import MIGRATIONS, StoreError, WorkStore
from tests.support.paths import CORPUS, ROOT

APP = str(ROOT / "app.py")
PAGES = [
    "app_pages/korpus.py",
    "app_pages/ringkasan.py",
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


def _app(page: str = "app_pages/korpus.py") -> AppTest:
    return _run(AppTest.from_file(APP, default_timeout=300).switch_page(page))


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


# --- 4. nothing from a document or a reviewer renders as Markdown ----------------------------

HOSTILE = " [tautan](http://jahat.example) ![g](http://jahat.example/g.png) :material/home: :smile: $x^2$ <b>tebal</b>"


def _rendered(at: AppTest) -> list[str]:
    """Every string Streamlit renders as Markdown on the page: text, captions,
    messages, headings, and the help tooltips of the dataframes' columns."""
    out: list[str] = []
    for kind in (
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "subheader",
        "title",
    ):
        out.extend(str(e.value) for e in getattr(at, kind))
    for frame in at.dataframe:  # column labels show as text; a help tooltip is Markdown
        config = json.loads(frame.proto.columns or "{}")
        out.extend(str(c["help"]) for c in config.values() if isinstance(c, dict) and "help" in c)
    return out


def _assert_escaped(texts: list[str]) -> int:
    hits = 0
    for text in texts:
        if "jahat" not in text and "tebal" not in text:
            continue
        hits += 1
        for raw in ("](", "![", ":material/", ":smile:", "<b>"):
            assert raw not in text, (raw, text)
        assert all(text[k - 1] == "\\" for k, ch in enumerate(text) if ch == "$"), text
    return hits


def test_hostile_titles_offices_and_names_render_as_text_on_every_page(data_dir):
    from sopdata.ingest.corpus import load_corpus

    with WorkStore.in_dir(data_dir) as ws:
        for sop in load_corpus():
            fixed = sop.to_dict()
            fixed["title"] += HOSTILE
            fixed["office"] += HOSTILE
            if fixed["steps"]:
                fixed["steps"][0]["note"] = HOSTILE
            ws.save_sop_correction(sop.key, fixed, "penyerang" + HOSTILE)
        ws.add_glossary_entry("actor", "Kasi" + HOSTILE, "Kepala Seksi" + HOSTILE, "x")
    at = _app()
    _run(at.text_input(key="reviewer_name").input("Budi" + HOSTILE))
    at = _run(at.switch_page("app_pages/pencocokan.py"))
    _run(at.button(key="match_confirm").click())  # a decision "oleh <name>"
    _run(at.button(key="move_go").click())  # a move: the "Dipindah peninjau" line
    hits = _assert_escaped(_rendered(at))
    for page in PAGES:
        hits += _assert_escaped(_rendered(_run(at.switch_page(page))))
    _run(at.switch_page("app_pages/harmonisasi.py"))
    _run(at.text_input(key=f"h_note_{at.selectbox(key='harm_group').value}").input("c" + HOSTILE))
    at.button[[b.label for b in at.button].index("Simpan rancangan")].click().run()
    hits += _assert_escaped(_rendered(_run(at)))
    at = _run(at.switch_page("app_pages/ringkasan.py"))  # a status "oleh <name>", with a note
    _run(
        at.text_input(key=f"status_note_{at.selectbox(key='status_group').value}").input(
            "n" + HOSTILE
        )
    )
    status_hits = _assert_escaped(_rendered(_run(at.button(key="status_save").click())))
    assert status_hits >= 1  # the status history line names the reviewer and the note
    assert hits >= 8  # the hostile text was shown, escaped, on the pages


def test_plain_neutralises_every_markdown_feature():
    from app_pages._state import plain

    text = plain("a [b](c) ![d](e) :material/home: :red[x] :smile: $y$ <i>z</i> **w**\n# h")
    for raw in ("](", "![", ":material/", ":red[", ":smile:", "<i>", "**", "\n"):
        assert raw not in text
    assert "\\$y\\$" in text


# --- 5. the reviewer's name belongs to the browser session -----------------------------------


def test_two_sessions_record_two_authors(data_dir):
    ani, budi = _app(), _app()
    _run(ani.text_input(key="reviewer_name").input("Ani"))
    _run(budi.text_input(key="reviewer_name").input("Budi"))  # typed last
    for at in (ani, budi, ani):
        at.selectbox(key="korpus_sop").select(1).run()
        key = next(k for k in at.session_state if str(k).startswith("note_"))[len("note_") :]
        at.text_input(key=f"id_{key}_title").input(
            f"Judul oleh {at.session_state['reviewer_name']}"
        )
        _run(at.button[[b.label for b in at.button].index("Simpan koreksi")].click())
    with WorkStore.in_dir(data_dir) as ws:
        history = ws.sop_history(key)
        assert [h.author for h in history] == ["Ani", "Budi", "Ani"]
        assert ws.get_setting("reviewer") == "Budi"  # the default of a new session
    assert _app().session_state["reviewer_name"] == "Budi"


# --- 7. a store that cannot save is a message, and what was typed stays ----------------------

DISK_FULL = (
    "Disk penuh: basis data kerja tidak dapat ditulis. Kosongkan ruang disk lalu simpan lagi."
)


def _full_disk(monkeypatch) -> None:
    def full(self, fn):
        raise StoreError(DISK_FULL, "database or disk is full")

    monkeypatch.setattr(WorkStore, "_write", full)


def _shows_disk_full(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value == DISK_FULL for e in at.error), [e.value for e in at.error]


def test_a_full_disk_on_every_save_is_a_message_and_keeps_the_input(data_dir, monkeypatch):
    at = _app()
    _full_disk(monkeypatch)
    # the reviewer's name: kept in the session
    at.text_input(key="reviewer_name").input("Citra").run()
    _shows_disk_full(at)
    assert at.session_state["reviewer_name"] == "Citra"
    # a glossary entry: what was typed comes back
    at.text_input[[t.label for t in at.text_input].index("Tertulis")].input("Kasi Pem")
    at.text_input[[t.label for t in at.text_input].index("Artinya")].input("Kepala Seksi")
    at.button[[b.label for b in at.button].index("Tambah")].click().run()
    _shows_disk_full(at)
    assert [t.value for t in at.text_input if t.label in ("Tertulis", "Artinya")] == [
        "Kasi Pem",
        "Kepala Seksi",
    ]
    # a correction: the form keeps the new title
    key = next(k for k in at.session_state if str(k).startswith("note_"))[len("note_") :]
    at.text_input(key=f"id_{key}_title").input("Judul baru")
    at.button[[b.label for b in at.button].index("Simpan koreksi")].click().run()
    _shows_disk_full(at)
    assert at.text_input(key=f"id_{key}_title").value == "Judul baru"
    # an upload: refused with the message, the file stays in the uploader
    seed = (CORPUS / "setda-bagian-organisasi-sop.txt").read_bytes() + b"\n\n"
    at.file_uploader(key="uploads_0").upload("baru.txt", seed, "text/plain")
    at.run()
    assert not at.exception and any(DISK_FULL in e.value for e in at.error), [
        e.value for e in at.error
    ]
    # a decision and a draft
    at.switch_page("app_pages/pencocokan.py").run()
    at.button(key="match_confirm").click().run()
    _shows_disk_full(at)
    at.switch_page("app_pages/harmonisasi.py").run()
    gid = at.selectbox(key="harm_group").value
    at.text_input(key=f"h_note_{gid}").input("catatan saya")
    at.button[[b.label for b in at.button].index("Simpan rancangan")].click().run()
    _shows_disk_full(at)
    assert at.text_input(key=f"h_note_{gid}").value == "catatan saya"
