"""The reviewer's view: corrections in place of the parse, and groups from matches,
decisions and hand moves (pure functions of the parsed corpus and the saved work)."""

from __future__ import annotations

import copy

import pytest

from sopdata.matching.pairs import PairMatch
from sopdata.records import SOP, sop_from_dict
from sopdata.review.workspace import (
    NO_GROUP,
    apply_corrections,
    build_groups,
    fingerprint,
    group_id,
)
from sopdata.text.durations import parse_duration
from tests.support.builders import small_sop

#: Four SOPs of "surat keluar": two of Kecamatan A (two files), one each of B and C.
SOPS = [
    SOP(source_file="a.txt", title="Pengelolaan Surat Keluar", office="Kecamatan A"),
    SOP(source_file="b.txt", title="Surat Keluar", office="Kecamatan B"),
    SOP(source_file="c.txt", title="Penanganan Surat Keluar", office="Kecamatan C"),
    SOP(source_file="a2.txt", title="Surat Keluar Dinas", office="Kecamatan A"),
]
A, B, C, A2 = (s.key for s in SOPS)
BY_KEY = {s.key: s for s in SOPS}


def match(a: str, b: str, score: float, relation: str = "equivalent") -> PairMatch:
    return PairMatch(BY_KEY[a], BY_KEY[b], score, relation, {})  # type: ignore[arg-type]


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def keys(groups) -> list[list[str]]:
    return [sorted(s.key for s in g.sops) for g in groups]


# ------------------------------------------------------------------ fingerprint


def test_fingerprint_is_a_short_stable_hash_of_the_content() -> None:
    sops = [small_sop("Kecamatan A", [("Menerima surat", "Agendaris", "5 menit")])]
    same = copy.deepcopy(sops)
    assert fingerprint(sops) == fingerprint(same)
    assert len(fingerprint(sops)) == 20 and int(fingerprint(sops), 16) >= 0


@pytest.mark.parametrize(
    "change",
    [
        lambda s: setattr(s.steps[0], "activity", "Menerima surat masuk"),
        lambda s: setattr(s, "office", "Kecamatan B"),
        lambda s: setattr(s, "index_in_file", 1),
        lambda s: s.legal_basis.append("Peraturan Bupati Nomor 16 Tahun 2010"),
    ],
    ids=["step", "office", "position", "legal-basis"],
)
def test_fingerprint_changes_with_any_field(change) -> None:
    sops = [small_sop("Kecamatan A", [("Menerima surat", "Agendaris", "5 menit")])]
    changed = copy.deepcopy(sops)
    change(changed[0])
    assert fingerprint(changed) != fingerprint(sops)


def test_fingerprint_depends_on_order() -> None:
    assert fingerprint(SOPS[:2]) != fingerprint(SOPS[1::-1])
    assert fingerprint([]) == fingerprint([])


# ------------------------------------------------------------------ corrections


def test_correction_replaces_the_parse_but_keeps_its_key() -> None:
    parsed = small_sop("Kecamatan A", [("Menerima surat", "Agendaris", "1 Harl")])
    parsed.index_in_file = 2
    fixed = copy.deepcopy(parsed)
    fixed.steps[0].duration = parse_duration("1 hari")
    fixed.title = "Pengelolaan Surat Keluar Kecamatan"
    saved = fixed.to_dict() | {"source_file": "elsewhere.txt", "index_in_file": 9}
    other = SOPS[1]

    out = apply_corrections([parsed, other], {parsed.key: saved})

    assert [s.key for s in out] == [parsed.key, other.key]
    assert out[0].title == "Pengelolaan Surat Keluar Kecamatan"
    assert out[0].steps[0].duration.raw == "1 hari"
    assert out[1] is other  # untouched SOPs are passed through
    assert parsed.title == "Pengelolaan Surat Keluar"  # the parse itself is not changed


def test_corrections_for_unknown_keys_are_ignored() -> None:
    out = apply_corrections(SOPS, {"hilang.txt#0": SOPS[0].to_dict()})
    assert all(a is b for a, b in zip(out, SOPS, strict=True))


# ------------------------------------------------------------------ groups


@pytest.mark.parametrize(
    "matches,decisions,expected",
    [
        ([(A, B, 0.9)], {}, [[A, B]]),
        # only related: no group, unless the reviewer confirms the pair
        ([(A, B, 0.6, "related")], {}, []),
        ([(A, B, 0.6, "related")], {pair(A, B): "confirmed"}, [[A, B]]),
        # confirmed without any match at all
        ([], {pair(B, C): "confirmed"}, [[B, C]]),
        # a rejected pair is never joined
        ([(A, B, 0.9)], {pair(A, B): "rejected"}, []),
        # chains across three offices
        ([(A, B, 0.9), (B, C, 0.8)], {}, [[A, B, C]]),
        # one SOP per office: the best match wins B, Kecamatan A's other SOP stays out
        ([(A, B, 0.8), (A2, B, 0.95)], {}, [[A2, B]]),
        # ... unless the reviewer confirmed the weaker pair, which is joined first
        ([(A, B, 0.8), (A2, B, 0.95)], {pair(A, B): "confirmed"}, [[A, B]]),
        # two groups, the bigger first
        ([(A2, B, 0.9), (A, C, 0.9), (C, B, 0.1, "different")], {}, [[A2, B], [A, C]]),
    ],
    ids=[
        "equivalent",
        "related",
        "related-confirmed",
        "confirmed-only",
        "rejected",
        "chain",
        "one-per-office",
        "confirmed-first",
        "two-groups",
    ],
)
def test_groups_from_matches_and_decisions(matches, decisions, expected) -> None:
    groups = build_groups(SOPS, [match(*m) for m in matches], decisions)
    assert sorted(keys(groups)) == sorted(sorted(k) for k in expected)
    for group in groups:
        assert group.id == group_id(group.sops) == "g:" + min(s.key for s in group.sops)
        assert group.moved_in == []


def test_group_title_is_the_most_confident_shortest() -> None:
    sops = copy.deepcopy(SOPS)
    sops[0].confidence = 0.5
    groups = build_groups(sops, [PairMatch(sops[0], sops[1], 0.9, "equivalent", {})])
    assert groups[0].title == "Surat Keluar"
    assert groups[0].offices == ["Kecamatan A", "Kecamatan B"]


def test_offices_fall_back_to_the_file() -> None:
    sops = [
        SOP(source_file="x.txt", title="Surat Keluar"),
        SOP(source_file="y.txt", title="Surat Keluar"),
    ]
    groups = build_groups(sops, [PairMatch(sops[0], sops[1], 0.9, "equivalent", {})])
    # no office known: the files stand in, so two files of unknown offices may group
    assert groups[0].offices == ["x.txt", "y.txt"]


# ------------------------------------------------------------------ hand moves

THREE = [(A, B, 0.9), (B, C, 0.8)]


@pytest.mark.parametrize(
    "matches,overrides,expected,moved_in",
    [
        # out of a group of three: two stay
        (THREE, {C: NO_GROUP}, [[A, B]], []),
        # out of a pair: nothing is left to group
        ([(A, B, 0.9)], {B: NO_GROUP}, [], []),
        # into an existing group
        ([(A, B, 0.9)], {C: "g:" + A}, [[A, B, C]], [C]),
        # next to an SOP that is alone: the move forms the group
        ([], {C: "g:" + B}, [[B, C]], [C]),
        # from one group to another
        ([(A, B, 0.9), (A2, C, 0.9)], {C: "g:" + A}, [[A, B, C]], [C]),
        # unknown SOP, unknown anchor, or next to itself: nothing changes
        ([(A, B, 0.9)], {"hilang.txt#0": "g:" + A}, [[A, B]], []),
        ([(A, B, 0.9)], {C: "g:hilang.txt#0"}, [[A, B]], []),
        ([], {C: "g:" + C}, [], []),
        # moved where it already is: no change, not counted as moved in
        ([(A, B, 0.9)], {B: "g:" + A}, [[A, B]], []),
    ],
    ids=[
        "out-of-three",
        "out-of-pair",
        "into-group",
        "forms-group",
        "between-groups",
        "unknown-sop",
        "unknown-anchor",
        "next-to-itself",
        "already-there",
    ],
)
def test_hand_moves(matches, overrides, expected, moved_in) -> None:
    groups = build_groups(SOPS, [match(*m) for m in matches], {}, overrides)
    assert keys(groups) == [sorted(k) for k in expected]
    assert [k for g in groups for k in g.moved_in] == moved_in


def test_a_move_overrides_the_matcher_but_keeps_the_group_id() -> None:
    groups = build_groups(SOPS, [match(A, B, 0.9), match(B, C, 0.8)], {}, {A: NO_GROUP})
    assert keys(groups) == [sorted([B, C])]
    # the id was taken when the group was formed (its first member A), so drafts stay attached
    assert groups[0].id == "g:" + min(A, B, C)


def test_a_document_read_by_hand_joins_the_corpus_only_once_saved():
    from sopdata.review.workspace import LoadedDocument, manual_sop, rescued_sops

    unread = LoadedDocument("notulen.txt", "ab" * 32, [], error="Tidak ditemukan SOP")
    read = LoadedDocument("ot.txt", "cd" * 32, [SOP(source_file="ot.txt", title="OT")])
    blank = manual_sop(unread)
    assert blank.key == "ab" * 6 + "#0" and blank.title == ""
    assert rescued_sops([unread, read], {}) == []
    saved = {blank.key: {"title": "Piket Kantor", "steps": []}}
    (rescued,) = rescued_sops([unread, read], saved)
    assert rescued.key == blank.key
    fixed = apply_corrections([rescued], saved)[0]
    assert fixed.title == "Piket Kantor" and fixed.source_file == "notulen.txt"


def test_editing_a_decision_keeps_its_ya_tidak_targets():
    from sopdata.review.workspace import rows_to_sop, steps_to_rows

    sop = small_sop("Kecamatan A", [("Menerima", "Agendaris", ""), ("Memeriksa", "Sekcam", "")])
    sop.steps[1].marks = {"Sekcam": "◇"}
    sop.steps[1].yes_to, sop.steps[1].no_to = "3", "1"
    rows = steps_to_rows(sop)
    rows[1]["Kegiatan"] = "Memeriksa berkas"
    edited = rows_to_sop(sop, rows)
    assert (edited.steps[1].yes_to, edited.steps[1].no_to) == ("3", "1")
    rows[1]["Keputusan"] = False  # no longer a decision: no branches
    assert rows_to_sop(sop, rows).steps[1].yes_to == ""


def test_the_reviewer_edits_a_decisions_ya_tidak_targets():
    from sopdata.review.workspace import BRANCH_COLUMN, rows_to_sop, steps_to_rows

    sop = small_sop(
        "Kecamatan A",
        [("Menerima", "Agendaris", ""), ("Memeriksa", "Sekcam", ""), ("Mengirim", "Agendaris", "")],
    )
    sop.steps[1].marks = {"Sekcam": "◇"}
    sop.steps[1].yes_to, sop.steps[1].no_to = "3", "1"
    rows = steps_to_rows(sop)
    assert [r[BRANCH_COLUMN] for r in rows] == ["", "3 / 1", ""]
    rows[1][BRANCH_COLUMN] = "Ya 3, Tidak 2"
    rows[0][BRANCH_COLUMN] = "2 / 1"  # not a decision: no branches
    edited = rows_to_sop(sop, rows)
    assert (edited.steps[1].yes_to, edited.steps[1].no_to) == ("3", "2")
    assert (edited.steps[0].yes_to, edited.steps[0].no_to) == ("", "")
    rows[1][BRANCH_COLUMN] = None  # cleared in the editor: the flowchart's defaults apply
    assert (rows_to_sop(sop, rows).steps[1].yes_to, rows_to_sop(sop, rows).steps[1].no_to) == (
        "",
        "",
    )
    # the edited targets survive the round trip through the saved JSON
    assert sop_from_dict(edited.to_dict()).steps[1].no_to == "2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 / 2", ("5", "2")),
        ("5/2", ("5", "2")),
        ("5", ("5", "")),
        ("/ 2", ("", "2")),
        ("Ya 5, Tidak 2", ("5", "2")),
        ("Ya → 5; Tidak → 2", ("5", "2")),
        ("jika ya ke 4 / jika tidak ke 1", ("4", "1")),
        ("", ("", "")),
    ],
)
def test_parse_branches(text, expected):
    from sopdata.review.workspace import parse_branches

    assert parse_branches(text) == expected
