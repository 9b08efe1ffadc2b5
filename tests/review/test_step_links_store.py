"""A reviewer's step links in the store: an append-only log whose latest row per
step pair counts, kept across restarts, upgrades and renamed SOP keys."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sopdata.ingest.loaders import load_path
from sopdata.matching.step_links import StepEdits, StepLink, edits_between
from sopdata.records import SOP
from sopdata.review.store import MIGRATIONS, SCHEMA_VERSION, WorkStore, pair_key
from tests.support.db import rows
from tests.support.paths import ROOT

SETDA = ROOT / "corpus" / "setda-bagian-organisasi-sop.txt"
#: The schema before step links: the migration that creates their table brings a
#: database from this version to the next.
BEFORE_STEP_LINKS = next(
    i for i, m in enumerate(MIGRATIONS) if any("CREATE TABLE step_links" in sql for sql in m)
)


@pytest.fixture
def store(tmp_path: Path) -> WorkStore:
    return WorkStore(tmp_path / "work.sqlite3")


@pytest.fixture(scope="module")
def setda() -> list[SOP]:
    return load_path(SETDA).sops


def verdicts(store: WorkStore) -> list[tuple[str, str, str, str, bool, str]]:
    return [(*x.steps, x.linked, x.author) for x in store.step_links()]


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    "given",
    [
        ("a.txt#1", "4", "b.txt#0", "3"),
        ("b.txt#0", "3", "a.txt#1", "4"),  # the other way round: the same verdict
    ],
)
def test_a_link_round_trips_in_either_order(
    store: WorkStore, given: tuple[str, str, str, str]
) -> None:
    before = datetime.now().astimezone()
    store.set_step_link(*given, linked=True, author="ani")
    (link,) = store.step_links()
    assert link == StepLink("a.txt#1", "4", "b.txt#0", "3", True, "ani", link.created_at)
    saved_at = datetime.fromisoformat(link.created_at)
    assert saved_at.utcoffset() is not None and saved_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert (saved_at - before).total_seconds() >= -1  # saved now, in UTC
    assert rows(store.path, "SELECT key_a, step_a, key_b, step_b, linked FROM step_links") == [
        ("a.txt#1", "4", "b.txt#0", "3", 1)
    ]


def test_the_latest_verdict_counts_and_every_verdict_is_kept(store: WorkStore) -> None:
    store.set_step_link("a#0", "3", "b#0", "4", True, "ani")
    store.set_step_link("a#0", "1", "c#0", "1", False, "ani")
    store.set_step_link("b#0", "4", "a#0", "3", False, "budi")  # same pair, other side
    assert verdicts(store) == [
        ("a#0", "1", "c#0", "1", False, "ani"),
        ("a#0", "3", "b#0", "4", False, "budi"),
    ]
    store.set_step_link("a#0", "3", "b#0", "4", True, "ani")
    assert verdicts(store)[1] == ("a#0", "3", "b#0", "4", True, "ani")
    # other steps of the same two SOPs are other pairs
    store.set_step_link("a#0", "3", "b#0", "5", False, "ani")
    assert [x.steps for x in store.step_links()] == [
        ("a#0", "1", "c#0", "1"),
        ("a#0", "3", "b#0", "4"),
        ("a#0", "3", "b#0", "5"),
    ]
    # the table is the audit trail: every verdict with its author
    assert [r[0] for r in rows(store.path, "SELECT author FROM step_links ORDER BY id")] == [
        "ani",
        "ani",
        "budi",
        "ani",
        "ani",
    ]


def test_clearing_a_verdict_returns_the_pair_to_the_aligner(store: WorkStore) -> None:
    store.set_step_link("a#0", "3", "b#0", "4", True, "ani")
    store.set_step_link("a#0", "2", "b#0", "2", False, "ani")
    store.set_step_link("b#0", "4", "a#0", "3", None, "budi")
    assert verdicts(store) == [("a#0", "2", "b#0", "2", False, "ani")]
    store.set_step_link("a#0", "2", "b#0", "2", None, "budi")
    assert store.step_links() == []
    assert rows(store.path, "SELECT linked FROM step_links ORDER BY id") == [
        (1,),
        (0,),
        (None,),
        (None,),
    ]
    # a new verdict after clearing counts again
    store.set_step_link("a#0", "3", "b#0", "4", False, "ani")
    assert verdicts(store) == [("a#0", "3", "b#0", "4", False, "ani")]


@pytest.mark.parametrize(
    ("key_a", "step_a", "key_b", "step_b", "linked"),
    [
        ("a#0", "1", "a#0", "2", True),  # one SOP twice
        ("a#0", "", "b#0", "2", True),  # no step number
        ("a#0", "1", "b#0", " ", False),
        ("a#0", "1", "b#0", "2", 1),  # not a bool
        ("a#0", "1", "b#0", "2", "ya"),
    ],
)
def test_a_bad_link_is_refused_and_nothing_is_written(
    store: WorkStore, key_a: str, step_a: str, key_b: str, step_b: str, linked: Any
) -> None:
    with pytest.raises(ValueError):
        store.set_step_link(key_a, step_a, key_b, step_b, linked, "ani")
    assert rows(store.path, "SELECT COUNT(*) FROM step_links") == [(0,)]


@pytest.mark.parametrize(
    "sql",
    [
        # SOPs out of key order
        "INSERT INTO step_links (key_a, step_a, key_b, step_b, linked, author, created_at) "
        "VALUES ('b#0', '1', 'a#0', '1', 1, 'x', 't')",
        # a verdict that is neither 1, 0 nor NULL
        "INSERT INTO step_links (key_a, step_a, key_b, step_b, linked, author, created_at) "
        "VALUES ('a#0', '1', 'b#0', '1', 2, 'x', 't')",
        # no step number
        "INSERT INTO step_links (key_a, step_a, key_b, step_b, linked, author, created_at) "
        "VALUES ('a#0', NULL, 'b#0', '1', 1, 'x', 't')",
    ],
)
def test_the_table_refuses_rows_the_store_never_writes(store: WorkStore, sql: str) -> None:
    conn = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(sql)
    finally:
        conn.close()


def test_links_survive_a_restart_and_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "work.sqlite3"
    store = WorkStore(path)
    store.set_step_link("b#0", "3", "a#0", "4", True, "ani")
    store.set_step_link("a#0", "1", "c#0", "2", False, "budi")
    saved = store.step_links()
    assert [x.steps for x in saved] == [("a#0", "1", "c#0", "2"), ("a#0", "4", "b#0", "3")]
    store.close()
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed into the file

    again = WorkStore(path)
    assert again.step_links() == saved
    assert again.integrity_problems() == []
    again.set_step_link("a#0", "4", "b#0", "3", None, "ani")  # still an appendable log
    assert again.step_links() == saved[:1]
    with WorkStore(again.backup(tmp_path / "cadangan" / "salinan.sqlite3")) as copy:
        assert copy.step_links() == saved[:1]


def test_saved_links_become_step_edits_between_real_sops(
    store: WorkStore, setda: list[SOP]
) -> None:
    """What the comparison reads: a verdict saved from either side lands on the
    same step indices of the two SOPs."""
    first, second = setda[0], setda[1]
    store.set_step_link(second.key, second.steps[3].no, first.key, first.steps[2].no, True, "ani")
    store.set_step_link(first.key, first.steps[0].no, second.key, second.steps[5].no, False, "ani")
    edits = edits_between(store.step_links(), first, second)
    assert edits == StepEdits(linked=frozenset({(2, 3)}), unlinked=frozenset({(0, 5)}))


# ----------------------------------------------------------------------------- upgrade


def _before_step_links(path: Path) -> None:
    """A database as the app left it before step links existed."""
    conn = sqlite3.connect(path)
    try:
        for statements in MIGRATIONS[:BEFORE_STEP_LINKS]:
            for sql in statements:
                conn.execute(sql)
        conn.execute(f"PRAGMA user_version = {BEFORE_STEP_LINKS}")
        at = "'2026-11-01T02:00:00.000+00:00'"
        conn.execute(
            "INSERT INTO match_decisions (key_a, key_b, decision, author, note, created_at) "
            f"VALUES ('a#0', 'b#0', 'confirmed', 'Sari', 'sama', {at})"
        )
        conn.execute(
            "INSERT INTO drafts (group_id, version, author, note, created_at, sop_json) "
            f"VALUES ('g:a#0', 1, 'Sari', 'rapat 1', {at}, '{{\"title\": \"Surat Keluar\"}}')"
        )
        conn.execute(
            "INSERT INTO group_status (group_id, version, status, author, note, saved_at) "
            f"VALUES ('g:a#0', 1, 'dibahas', 'Sari', '', {at})"
        )
        conn.commit()
    finally:
        conn.close()


def test_a_database_from_before_step_links_is_upgraded_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lama.sqlite3"
    _before_step_links(path)
    assert rows(path, "SELECT name FROM sqlite_master WHERE name LIKE 'step_links%'") == []

    ws = WorkStore(path)
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert sorted(rows(path, "SELECT name FROM sqlite_master WHERE name LIKE 'step_links%'")) == [
        ("step_links",),
        ("step_links_pair",),
    ]
    # the earlier work is all there
    assert {p: d.decision for p, d in ws.match_decisions().items()} == {
        pair_key("a#0", "b#0"): "confirmed"
    }
    draft = ws.latest_draft("g:a#0")
    assert draft is not None and draft.sop_dict == {"title": "Surat Keluar"}
    assert ws.group_statuses()["g:a#0"].status == "dibahas"
    assert ws.step_links() == []
    ws.set_step_link("b#0", "2", "a#0", "1", True, "Sari")
    assert ws.integrity_problems() == []
    ws.close()

    # opened again: nothing migrates twice, the link is there
    again = WorkStore(path)
    assert verdicts(again) == [("a#0", "1", "b#0", "2", True, "Sari")]
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


# ----------------------------------------------------------------------------- SOP keys


def test_saved_sop_keys_include_both_sides_of_a_link(store: WorkStore) -> None:
    store.set_step_link("z#0", "1", "m#0", "2", True, "ani")
    store.set_step_link("m#0", "3", "q#0", "3", None, "ani")  # a cleared one still hangs on keys
    assert store.saved_sop_keys() == {"m#0", "q#0", "z#0"}


def test_renamed_keys_carry_the_links(store: WorkStore) -> None:
    store.set_step_link("a.txt#0", "2", "m.txt#0", "5", True, "ani")
    store.set_step_link("a.txt#0", "1", "b.txt#0", "1", False, "ani")
    store.set_step_link("b.txt#0", "4", "c.txt#0", "4", True, "budi")
    store.set_step_link("c.txt#0", "6", "m.txt#0", "6", False, "budi")  # neither renamed

    renames = {"a.txt#0": "zzzz#0", "b.txt#0": "0000#0"}
    assert store.rename_sop_keys(renames) == 3
    assert verdicts(store) == [
        ("0000#0", "1", "zzzz#0", "1", False, "ani"),  # both renamed, order flipped
        ("0000#0", "4", "c.txt#0", "4", True, "budi"),  # one renamed, order kept
        ("c.txt#0", "6", "m.txt#0", "6", False, "budi"),
        ("m.txt#0", "5", "zzzz#0", "2", True, "ani"),  # order flipped: the steps follow
    ]
    assert store.saved_sop_keys() == {"0000#0", "zzzz#0", "c.txt#0", "m.txt#0"}
    assert store.rename_sop_keys(renames) == 0  # done once; nothing left under the old keys
    # later verdicts on the new keys replace the renamed ones
    store.set_step_link("zzzz#0", "2", "m.txt#0", "5", None, "ani")
    assert [x.steps for x in store.step_links()][-1] == ("c.txt#0", "6", "m.txt#0", "6")


def test_a_link_whose_two_sops_would_share_a_key_is_left_alone(store: WorkStore) -> None:
    store.set_step_link("a.txt#0", "1", "b.txt#0", "2", True, "ani")
    store.set_step_link("a.txt#0", "3", "c.txt#0", "3", True, "ani")
    assert store.rename_sop_keys({"a.txt#0": "x#0", "b.txt#0": "x#0"}) == 1
    assert verdicts(store) == [
        ("a.txt#0", "1", "b.txt#0", "2", True, "ani"),
        ("c.txt#0", "3", "x#0", "3", True, "ani"),
    ]
