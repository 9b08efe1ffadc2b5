"""The saved-work store: round trips, versions, restarts, corruption, concurrency, crashes."""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sopdata.ingest.loaders import load_path
from sopdata.records import SOP, sop_from_dict
from sopdata.review.store import (
    DB_FILENAME,
    SCHEMA_VERSION,
    StaleWriteError,
    StoreError,
    WorkStore,
    default_data_dir,
    pair_key,
)
from sopdata.text.glossary import normalise_actor, with_entries
from tests.support.db import rows
from tests.support.paths import ROOT

SAMPLE = ROOT / "corpus" / "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt"


@pytest.fixture(scope="module")
def sop() -> SOP:
    return load_path(SAMPLE).sops[0]


@pytest.fixture
def store(tmp_path: Path) -> WorkStore:
    return WorkStore(tmp_path / "work.sqlite3")


def edited(sop: SOP, title: str) -> dict[str, Any]:
    d = sop.to_dict()
    d["title"] = title
    d["steps"][0]["activity"] += " (dikoreksi)"
    return d


# ----------------------------------------------------------------------------- round trips


def test_new_store_is_wal_with_current_schema(tmp_path: Path) -> None:
    WorkStore.in_dir(tmp_path / "data")
    path = tmp_path / "data" / DB_FILENAME
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_default_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SOP_HARMONI_DATA", raising=False)
    assert default_data_dir() == ROOT / "data"
    monkeypatch.setenv("SOP_HARMONI_DATA", str(tmp_path))
    assert default_data_dir() == tmp_path


def test_sop_corrections_keep_every_version(store: WorkStore, sop: SOP) -> None:
    first, second = edited(sop, "Rekrutmen v1"), edited(sop, "Rekrutmen v2")
    assert store.save_sop_correction(sop.key, first, "ani", base_version=0) == 1
    assert store.save_sop_correction(sop.key, second, "budi", base_version=1, note="judul") == 2
    assert store.latest_sop_corrections() == {sop.key: second}
    history = store.sop_history(sop.key)
    assert [(h.version, h.author, h.sop_dict["title"]) for h in history] == [
        (1, "ani", "Rekrutmen v1"),
        (2, "budi", "Rekrutmen v2"),
    ]
    assert history[1].note == "judul" and history[1].created_at.endswith("+00:00")
    latest = store.latest_sop_correction(sop.key)
    assert latest is not None and latest.version == 2
    assert store.latest_sop_correction("tidak-ada#0") is None
    assert sop_from_dict(latest.sop_dict).to_dict() == second  # a real SOP again


def test_stale_base_version_is_refused(store: WorkStore, sop: SOP) -> None:
    store.save_sop_correction(sop.key, edited(sop, "tab 1"), "ani", base_version=0)
    # a second tab opened version 0 too and saves later
    with pytest.raises(StaleWriteError) as info:
        store.save_sop_correction(sop.key, edited(sop, "tab 2"), "ani", base_version=0)
    assert (info.value.base_version, info.value.latest_version) == (0, 1)
    assert "Muat ulang" in info.value.message
    assert isinstance(info.value, StoreError)
    assert store.latest_sop_corrections()[sop.key]["title"] == "tab 1"  # not overwritten
    # saving without a base version appends
    assert store.save_sop_correction(sop.key, edited(sop, "tab 2"), "ani") == 2


def test_drafts_are_versioned(store: WorkStore, sop: SOP) -> None:
    assert store.latest_draft("g1") is None
    d1 = store.save_draft("g1", edited(sop, "Draf 1"), "ani", note="awal", base_version=0)
    d2 = store.save_draft("g1", edited(sop, "Draf 2"), "budi", base_version=1)
    assert (d1.group_id, d1.version, d1.author, d1.note) == ("g1", 1, "ani", "awal")
    assert store.latest_draft("g1") == d2
    assert store.draft_history("g1") == [d1, d2]
    assert store.draft_version("g1", 1) == d1
    assert store.draft_version("g1", 3) is None
    assert store.latest_drafts() == {"g1": d2}
    with pytest.raises(StaleWriteError):
        store.save_draft("g1", edited(sop, "Draf lama"), "ani", base_version=1)
    assert store.save_draft("g2", sop.to_dict(), "ani").version == 1


def test_saved_record_is_a_copy(store: WorkStore, sop: SOP) -> None:
    d = sop.to_dict()
    record = store.save_draft("g1", d, "ani")
    d["title"] = "diubah setelah disimpan"
    assert record.sop_dict["title"] == sop.title
    assert store.draft_version("g1", 1) == record


def test_documents_are_content_addressed(store: WorkStore) -> None:
    data = SAMPLE.read_bytes()
    doc = store.add_document(SAMPLE.name, data, "ani")
    assert doc.size == len(data) and len(doc.sha256) == 64
    again = store.add_document("salinan.txt", data, "budi")
    assert again == doc  # idempotent: the first name and uploader stay
    assert store.list_documents() == [doc]
    assert store.document_bytes(doc.sha256) == data
    assert store.document_bytes("0" * 64) is None
    other = store.add_document("b.txt", b"lain", "ani")
    assert [d.name for d in store.list_documents()] == [SAMPLE.name, "b.txt"]
    assert store.remove_document(other.sha256, "ani")
    assert not store.remove_document(other.sha256, "ani")
    assert store.list_documents() == [doc]
    removed = store.list_documents(include_removed=True)[1]
    assert removed.removed_at is not None
    assert store.document_bytes(other.sha256) == b"lain"  # soft delete
    assert store.add_document("b.txt", b"lain", "ani").removed_at is None  # restored


def test_match_decisions_ignore_pair_order(store: WorkStore) -> None:
    store.set_match_decision("b.txt#0", "a.txt#1", "confirmed", "ani", note="sama")
    store.set_match_decision("a.txt#2", "c.txt#0", "rejected", "budi")
    decisions = store.match_decisions()
    assert set(decisions) == {("a.txt#1", "b.txt#0"), ("a.txt#2", "c.txt#0")}
    d = decisions[pair_key("b.txt#0", "a.txt#1")]
    assert (d.decision, d.author, d.note) == ("confirmed", "ani", "sama")
    store.set_match_decision("a.txt#1", "b.txt#0", "rejected", "budi")
    assert store.match_decisions()[("a.txt#1", "b.txt#0")].decision == "rejected"
    store.set_match_decision("b.txt#0", "a.txt#1", None, "budi")  # cleared
    assert set(store.match_decisions()) == {("a.txt#2", "c.txt#0")}
    with pytest.raises(ValueError):
        store.set_match_decision("a#0", "a#0", "confirmed", "ani")
    with pytest.raises(ValueError):
        store.set_match_decision("a#0", "b#0", "maybe", "ani")  # type: ignore[arg-type]


def test_group_overrides(store: WorkStore) -> None:
    store.move_sop_to_group("a.txt#0", "grup-7", "ani")
    store.move_sop_to_group("b.txt#0", "grup-7", "ani")
    store.move_sop_to_group("a.txt#0", "grup-9", "budi")
    assert store.group_overrides() == {"a.txt#0": "grup-9", "b.txt#0": "grup-7"}
    store.move_sop_to_group("b.txt#0", None, "budi")  # back to its computed group
    assert store.group_overrides() == {"a.txt#0": "grup-9"}


def test_settings_are_json(store: WorkStore) -> None:
    assert store.get_setting("model", "tfidf") == "tfidf"
    store.set_setting("model", "e5", author="ani")
    store.set_setting("thresholds", {"equivalent": 0.62, "related": [0.4, None]})
    store.set_setting("model", "tfidf")
    assert store.get_setting("model") == "tfidf"
    assert store.all_settings() == {
        "model": "tfidf",
        "thresholds": {"equivalent": 0.62, "related": [0.4, None]},
    }
    with pytest.raises(TypeError):
        store.set_setting("bad", object())
    with pytest.raises(ValueError):
        store.set_setting("bad", float("nan"))


def test_glossary_entries_merge_into_the_glossary(store: WorkStore) -> None:
    store.add_glossary_entry("actor", "Kasi Pelum", "Kasi Pelayanan Umum", "ani")
    store.add_glossary_entry("actor", "Juru Tulis", "Carik", "ani")
    store.add_glossary_entry("actor", " Juru Tulis ", "Juru Tulis Desa", "budi")  # replaces
    store.add_glossary_entry("acronym", "SPM", "Standar Pelayanan Minimal", "ani")
    assert [(e.alias, e.canonical) for e in store.glossary_entries("actor")] == [
        ("Kasi Pelum", "Kasi Pelayanan Umum"),
        ("Juru Tulis", "Juru Tulis Desa"),
    ]
    assert [e.kind for e in store.glossary_entries()] == ["actor", "actor", "acronym"]
    g = with_entries(store.glossary_entries())
    assert normalise_actor("Kasi Pelum", g) == (
        "Kasi Pelayanan Umum",
        "Kepala Seksi Pelayanan Umum",
    )
    assert normalise_actor("juru tulis", g)[0] == "Juru Tulis Desa"
    assert store.remove_glossary_entry("actor", "Kasi Pelum", "budi")
    assert not store.remove_glossary_entry("actor", "Kasi Pelum", "budi")
    assert [e.alias for e in store.glossary_entries("actor")] == ["Juru Tulis"]
    with pytest.raises(ValueError):
        store.add_glossary_entry("actor", " ", "x", "ani")
    # the history stays in the table
    assert len(rows(store.path, "SELECT * FROM glossary_entries")) == 4


def test_everything_survives_a_restart(tmp_path: Path, sop: SOP) -> None:
    path = tmp_path / "work.sqlite3"
    store = WorkStore(path)
    store.add_document(SAMPLE.name, SAMPLE.read_bytes(), "ani")
    store.save_sop_correction(sop.key, edited(sop, "koreksi"), "ani")
    store.set_match_decision(sop.key, "x.txt#0", "confirmed", "ani")
    store.move_sop_to_group(sop.key, "grup-1", "ani")
    draft = store.save_draft("grup-1", edited(sop, "draf"), "ani")
    store.set_setting("encoder", "e5")
    store.add_glossary_entry("acronym", "SKM", "Survei Kepuasan Masyarakat", "ani")
    store.close()
    store.close()  # idempotent
    assert not path.with_name(path.name + "-wal").exists()  # last one out checkpoints

    again = WorkStore(path)
    assert [d.name for d in again.list_documents()] == [SAMPLE.name]
    assert again.latest_sop_corrections()[sop.key]["title"] == "koreksi"
    assert list(again.match_decisions()) == [pair_key(sop.key, "x.txt#0")]
    assert again.group_overrides() == {sop.key: "grup-1"}
    assert again.latest_draft("grup-1") == draft
    assert again.get_setting("encoder") == "e5"
    assert [e.alias for e in again.glossary_entries("acronym")] == ["SKM"]


def test_backup_copies_everything(store: WorkStore, sop: SOP, tmp_path: Path) -> None:
    store.save_draft("g1", sop.to_dict(), "ani")  # still in the WAL: the app is running
    with WorkStore(store.backup(tmp_path / "cadangan" / "salinan.sqlite3")) as copy:
        assert copy.latest_draft("g1") == store.latest_draft("g1")


# ----------------------------------------------------------------------------- errors


def test_garbage_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "work.sqlite3"
    path.write_bytes(b"bukan basis data " * 500)
    with pytest.raises(StoreError, match="Basis data kerja rusak"):
        WorkStore(path)


def test_damaged_pages_are_a_store_error(tmp_path: Path, sop: SOP) -> None:
    path = tmp_path / "work.sqlite3"
    store = WorkStore(path)
    for i in range(30):
        store.save_sop_correction(f"{sop.key}-{i}", sop.to_dict(), "ani")
    page = rows(path, "PRAGMA page_size")[0][0]
    with path.open("r+b") as fh:  # overwrite pages 2-4 (table roots)
        fh.seek(page)
        fh.write(b"\xa5" * page * 3)
    with pytest.raises(StoreError, match="Basis data kerja rusak"):
        WorkStore(path)


def test_unwritable_folder_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="tidak dapat ditulis"):
        WorkStore(blocker / "work.sqlite3")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "work.sqlite3"
    WorkStore(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="versi SOP Harmoni yang lebih baru"):
        WorkStore(path)


# ----------------------------------------------------------------------------- concurrency


def test_threads_saving_at_once_lose_nothing(store: WorkStore, sop: SOP) -> None:
    """Streamlit runs each tab's script in its own thread; one store is shared."""
    base = sop.to_dict()

    def save(i: int) -> int:
        d = dict(base, title=f"thread {i}")
        return store.save_draft("g", d, f"tab-{i % 4}").version

    with ThreadPoolExecutor(8) as pool:
        versions = list(pool.map(save, range(80)))
    assert sorted(versions) == list(range(1, 81))
    assert sorted(d.sop_dict["title"] for d in store.draft_history("g")) == sorted(
        f"thread {i}" for i in range(80)
    )


def payload(base: dict[str, Any], worker: int, i: int) -> dict[str, Any]:
    d = dict(base, title=f"w{worker} n{i} – Rekrutmen “kontrak”")
    d["steps"] = [dict(s, note=f"{worker}/{i}") for s in base["steps"]]
    return d


def save_many(
    path: str, worker: int, m: int, base: dict[str, Any], barrier: Any, results: Any
) -> None:
    """One process of the concurrency test: M of each kind of write, all at once."""
    store = WorkStore(path, check=False)
    barrier.wait(timeout=120)
    stale = 0
    for i in range(m):
        d = payload(base, worker, i)
        store.save_sop_correction("bersama.txt#0", d, f"w{worker}", note=f"{worker}:{i}")
        store.set_match_decision(f"w{worker}.txt#{i}", f"x.txt#{i}", "confirmed", f"w{worker}")
        while True:  # a reviewer who reloads after a conflict and saves again
            latest = store.latest_draft("grup")
            try:
                store.save_draft(
                    "grup",
                    d,
                    f"w{worker}",
                    note=f"{worker}:{i}",
                    base_version=latest.version if latest else 0,
                )
                break
            except StaleWriteError:
                stale += 1
    results.put((worker, stale))


@pytest.mark.slow
def test_processes_saving_at_once_lose_nothing(tmp_path: Path, sop: SOP) -> None:
    n, m = 6, 50
    path = tmp_path / "work.sqlite3"
    base = sop.to_dict()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [
        ctx.Process(target=save_many, args=(str(path), w, m, base, barrier, results))
        for w in range(n)
    ]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    stale = dict(results.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    elapsed = time.perf_counter() - t0

    store = WorkStore(path)
    expected = {f"{w}:{i}": payload(base, w, i) for w in range(n) for i in range(m)}
    corrections = store.sop_history("bersama.txt#0")
    drafts = store.draft_history("grup")
    for history in (corrections, drafts):
        assert [h.version for h in history] == list(range(1, n * m + 1))  # no gap, no clash
        assert {h.note: h.sop_dict for h in history} == expected  # every record as written
    assert len(store.match_decisions()) == n * m
    for (raw,) in rows(
        path, "SELECT sop_json FROM sop_corrections UNION ALL SELECT sop_json FROM drafts"
    ):
        json.loads(raw)
    assert store.integrity_problems() == []
    print(f"\n{n} processes x {m} x 3 writes in {elapsed:.1f} s; stale drafts retried: {stale}")


# ----------------------------------------------------------------------------- crashes


class _DiesBeforeCommit:
    """A connection whose process dies when asked to commit."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql == "COMMIT":
            os._exit(17)
        return self._conn.execute(sql, *args)


def crash_mid_save(path: str, sop_dict: dict[str, Any]) -> None:
    store = WorkStore(path, check=False)
    plain = store._connect

    @contextlib.contextmanager
    def dying() -> Iterator[Any]:
        with plain() as conn:
            yield _DiesBeforeCommit(conn)

    store._connect = dying  # type: ignore[method-assign]
    # a large document spills uncommitted pages into the WAL before the crash
    store.add_document("besar.pdf", os.urandom(6_000_000), "ani")
    store.save_draft("g1", dict(sop_dict, title="tidak pernah disimpan"), "ani")


@pytest.mark.slow
def test_crash_before_commit_keeps_previous_data(tmp_path: Path, sop: SOP) -> None:
    path = tmp_path / "work.sqlite3"
    store = WorkStore(path)
    saved = store.save_draft("g1", sop.to_dict(), "ani")
    store.add_document(SAMPLE.name, SAMPLE.read_bytes(), "ani")

    ctx = mp.get_context("spawn")
    child = ctx.Process(target=crash_mid_save, args=(str(path), sop.to_dict()))
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 17  # died inside the transaction

    again = WorkStore(path)
    assert again.draft_history("g1") == [saved]
    assert [d.name for d in again.list_documents()] == [SAMPLE.name]
    assert again.integrity_problems() == []
    assert again.save_draft("g1", sop.to_dict(), "ani", base_version=1).version == 2


def save_forever(path: str, sop_dict: dict[str, Any]) -> None:
    store = WorkStore(path, check=False)
    i = 0
    while True:
        i += 1
        store.save_draft("g", dict(sop_dict, title=f"simpan {i}"), "ani", note=str(i))
        store.add_document(f"{i}.txt", os.urandom(200_000), "ani")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_writer_leaves_a_sound_database(tmp_path: Path, sop: SOP) -> None:
    path = tmp_path / "work.sqlite3"
    WorkStore(path)
    ctx = mp.get_context("spawn")
    for round_ in range(3):
        child = ctx.Process(target=save_forever, args=(str(path), sop.to_dict()))
        child.start()
        deadline = time.monotonic() + 60
        start = len(rows(path, "SELECT version FROM drafts"))
        while len(rows(path, "SELECT version FROM drafts")) < start + 10 + round_ * 7:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(timeout=30)
        assert child.exitcode == -signal.SIGKILL

    store = WorkStore(path)
    history = store.draft_history("g")
    assert [h.version for h in history] == list(range(1, len(history) + 1))
    assert all(h.sop_dict["title"].startswith("simpan ") for h in history)
    for doc in store.list_documents():
        assert len(store.document_bytes(doc.sha256) or b"") == doc.size == 200_000
    assert store.integrity_problems() == []
    assert store.save_draft("g", sop.to_dict(), "ani").version == len(history) + 1


def test_store_is_usable_from_a_fresh_thread(store: WorkStore) -> None:
    """Each Streamlit rerun is a new thread: no connection may be tied to the first one."""
    store.set_setting("a", 1)
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append(store.get_setting("a")))
    t.start()
    t.join()
    assert out == [1]


def test_rename_sop_keys_moves_all_saved_work(store: WorkStore, sop: SOP) -> None:
    """Work saved under the old "<file>#<index>" keys hangs on the new keys after
    the rename: corrections (with their history), decisions, moves and drafts."""
    old_a, old_b, old_c = "a.txt#0", "b.txt#1", "c.txt#0"
    new = {old_a: "0123456789ab#0", old_b: "ba9876543210#1"}
    store.save_sop_correction(old_a, edited(sop, "v1"), "ani")
    store.save_sop_correction(old_a, edited(sop, "v2"), "budi")
    store.set_match_decision(old_a, old_b, "confirmed", "ani")
    store.set_match_decision(old_b, old_c, "rejected", "ani")
    store.move_sop_to_group(old_c, f"g:{old_a}", "ani")
    store.save_draft(f"g:{old_a}", edited(sop, "draf"), "ani")

    assert store.rename_sop_keys(new) > 0
    assert {k: v["title"] for k, v in store.latest_sop_corrections().items()} == {new[old_a]: "v2"}
    assert [c.author for c in store.sop_history(new[old_a])] == ["ani", "budi"]
    assert {p: d.decision for p, d in store.match_decisions().items()} == {
        pair_key(new[old_a], new[old_b]): "confirmed",
        pair_key(new[old_b], old_c): "rejected",  # c.txt was not renamed
    }
    assert store.group_overrides() == {old_c: f"g:{new[old_a]}"}
    draft = store.latest_draft(f"g:{new[old_a]}")
    assert draft is not None and draft.sop_dict["title"] == "draf"
    assert store.rename_sop_keys(new) == 0  # done once; nothing left under the old keys
    # A version the new key already has is never overwritten.
    store.save_sop_correction("d.txt#0", edited(sop, "lama"), "ani")
    store.save_sop_correction("dddddddddddd#0", edited(sop, "baru"), "ani")
    store.rename_sop_keys({"d.txt#0": "dddddddddddd#0"})
    assert store.latest_sop_corrections()["dddddddddddd#0"]["title"] == "baru"
