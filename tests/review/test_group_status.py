"""Group review status in the store: versioned like drafts, the schema-2 upgrade keeps data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import sopdata.review.store as store_module
from sopdata.ingest.loaders import load_path
from sopdata.review.store import (
    GROUP_STATUS_LABEL,
    GROUP_STATUSES,
    MIGRATIONS,
    SCHEMA_VERSION,
    StaleWriteError,
    StoreError,
    WorkStore,
)
from tests.support.paths import ROOT

SAMPLE = ROOT / "corpus" / "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt"


@pytest.fixture
def store(tmp_path: Path) -> WorkStore:
    return WorkStore(tmp_path / "work.sqlite3")


def _schema_2(path: Path) -> None:
    """A database as the app left it before group statuses existed (schema 2)."""
    conn = sqlite3.connect(path)
    try:
        for statements in MIGRATIONS[:2]:
            for sql in statements:
                conn.execute(sql)
        conn.execute("PRAGMA user_version = 2")
        conn.execute(
            "INSERT INTO drafts (group_id, version, author, note, created_at, sop_json) "
            "VALUES ('g:abc#0', 1, 'Sari', 'rapat 1', '2026-11-01T02:00:00.000+00:00', "
            '\'{"title": "Surat Keluar"}\')'
        )
        conn.execute(
            "INSERT INTO settings (key, value_json, author, created_at) "
            "VALUES ('encoder', '\"tfidf\"', 'Sari', '2026-11-01T02:00:00.000+00:00')"
        )
        conn.commit()
    finally:
        conn.close()


def test_statuses_are_in_review_order_with_indonesian_labels() -> None:
    assert [GROUP_STATUS_LABEL[s] for s in GROUP_STATUSES] == [
        "Belum ditinjau",
        "Dibahas",
        "Disepakati",
        "Ditetapkan",
    ]


def test_schema_2_database_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "lama.sqlite3"
    _schema_2(path)
    ws = WorkStore(path)
    conn = sqlite3.connect(path)
    try:
        # brought to the current schema (group statuses came with version 3)
        assert SCHEMA_VERSION >= 3
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute(
            "SELECT name FROM sqlite_master WHERE name = 'group_status'"
        ).fetchall() == [("group_status",)]
    finally:
        conn.close()
    draft = ws.latest_draft("g:abc#0")
    assert (
        draft is not None and draft.author == "Sari" and draft.sop_dict["title"] == "Surat Keluar"
    )
    assert ws.get_setting("encoder") == "tfidf"
    assert ws.group_statuses() == {}
    ws.set_group_status("g:abc#0", "dibahas", "Sari")
    ws.close()
    # opened again: nothing migrates twice, the status is there
    again = WorkStore(path)
    assert again.group_statuses()["g:abc#0"].status == "dibahas"


def test_latest_status_counts_and_history_is_kept(store: WorkStore) -> None:
    store.set_group_status("g:a#0", "dibahas", "Sari", note="rapat pertama")
    store.set_group_status("g:b#0", "dibahas", "Budi")
    saved = store.set_group_status("g:a#0", "disepakati", "Budi", note="semua kantor setuju")
    latest = store.group_statuses()
    assert set(latest) == {"g:a#0", "g:b#0"}
    assert latest["g:a#0"] == saved
    assert latest["g:a#0"].label == "Disepakati" and latest["g:a#0"].agreed
    assert not latest["g:b#0"].agreed
    history = store.group_status_history("g:a#0")
    assert [(h.version, h.status, h.author, h.note) for h in history] == [
        (1, "dibahas", "Sari", "rapat pertama"),
        (2, "disepakati", "Budi", "semua kantor setuju"),
    ]
    assert latest["g:b#0"].version == 1
    assert history[0].saved_at <= history[1].saved_at and history[1].saved_at.endswith("+00:00")
    assert store.group_status_history("g:none#0") == []


@pytest.mark.parametrize(
    ("group_id", "status"),
    [("g:a#0", "selesai"), ("g:a#0", "Disepakati"), ("", "dibahas")],
)
def test_unknown_status_or_group_is_refused(store: WorkStore, group_id: str, status: str) -> None:
    with pytest.raises(ValueError):
        store.set_group_status(group_id, status, "Sari")  # type: ignore[arg-type]
    assert store.group_statuses() == {}


def test_status_survives_a_restart(tmp_path: Path) -> None:
    with WorkStore.in_dir(tmp_path) as ws:
        ws.set_group_status("g:a#0", "ditetapkan", "Sari")
    with WorkStore.in_dir(tmp_path) as ws:
        assert ws.group_statuses()["g:a#0"].status == "ditetapkan"


def test_a_locked_store_is_a_store_error(store: WorkStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.05)
    holder = sqlite3.connect(store.path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError) as caught:
            store.set_group_status("g:a#0", "dibahas", "Sari")
        assert "sedang dipakai" in caught.value.message
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.group_statuses() == {}


def test_renamed_keys_carry_the_status(store: WorkStore) -> None:
    sop = load_path(SAMPLE).sops[0]
    old = f"{sop.source_file}#0"
    store.set_group_status(f"g:{old}", "disepakati", "Sari")
    assert store.rename_sop_keys({old: sop.key}) == 1
    assert store.group_statuses()[f"g:{sop.key}"].status == "disepakati"


def test_a_status_based_on_an_old_version_is_refused(store: WorkStore) -> None:
    """Two reviewers saw version 1; the second to save is told, and nothing is overwritten."""
    store.set_group_status("g:a#0", "dibahas", "Sari", base_version=0)
    store.set_group_status("g:a#0", "disepakati", "Budi", base_version=1)
    with pytest.raises(StaleWriteError) as caught:
        store.set_group_status("g:a#0", "belum_ditinjau", "Ani", base_version=1)
    assert caught.value.latest_version == 2
    assert store.group_statuses()["g:a#0"].status == "disepakati"
    assert len(store.group_status_history("g:a#0")) == 2
