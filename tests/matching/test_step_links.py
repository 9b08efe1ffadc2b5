"""A reviewer's step links: one verdict per step pair whatever side it was made
from, and the step index edits they make between two real SOPs of the corpus."""

from __future__ import annotations

import copy

import pytest

from sopdata.ingest.loaders import load_path
from sopdata.matching.step_links import (
    StepEdits,
    StepLink,
    edits_between,
    links_among,
    names_one_step,
)
from sopdata.records import SOP
from tests.support.paths import ROOT

SETDA = ROOT / "corpus" / "setda-bagian-organisasi-sop.txt"
JOGOROTO = ROOT / "corpus" / "jombang-kec-jogoroto-buku-sop-ocr.txt"
REALDOCS = ROOT / "tests" / "data" / "realdocs" / "docs"


@pytest.fixture(scope="module")
def setda() -> list[SOP]:
    return load_path(SETDA).sops


@pytest.fixture(scope="module")
def other() -> SOP:
    return load_path(JOGOROTO).sops[3]  # Pengelolaan Surat Keluar, another office


# ----------------------------------------------------------------------------- StepLink.of


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        # already in key order: kept
        (("a.txt#0", "3", "b.txt#0", "4"), ("a.txt#0", "3", "b.txt#0", "4")),
        # the other way round: the SOPs swap and each step follows its SOP
        (("b.txt#0", "3", "a.txt#0", "4"), ("a.txt#0", "4", "b.txt#0", "3")),
        # two SOPs of one document
        (
            ("a289a41808ba#1", "2", "a289a41808ba#0", "5"),
            ("a289a41808ba#0", "5", "a289a41808ba#1", "2"),
        ),
        # text order of the keys, not number order: "#10" sorts before "#9"
        (("doc#9", "1", "doc#10", "7"), ("doc#10", "7", "doc#9", "1")),
        # a step number as printed stays as printed
        (("b#0", "2.", "a#0", "12"), ("a#0", "12", "b#0", "2.")),
    ],
)
def test_of_orders_the_sops_and_keeps_each_step_with_its_sop(
    given: tuple[str, str, str, str], stored: tuple[str, str, str, str]
) -> None:
    link = StepLink.of(
        *given, linked=True, author="ani", created_at="2026-11-29T10:00:00.000+00:00"
    )
    assert link.steps == stored
    assert link.key_a < link.key_b
    assert (link.linked, link.author, link.created_at) == (
        True,
        "ani",
        "2026-11-29T10:00:00.000+00:00",
    )
    # made from either side, it is the same verdict
    ka, sa, kb, sb = given
    assert StepLink.of(kb, sb, ka, sa, True, "ani", "2026-11-29T10:00:00.000+00:00") == link


@pytest.mark.parametrize(
    ("step_a", "step_b", "linked", "expected"),
    [
        (3, 4, 1, ("3", "4", True)),  # numbers become text, truthy becomes True
        ("1", "1", 0, ("1", "1", False)),
        ("7", "2", False, ("7", "2", False)),
    ],
)
def test_of_normalises_steps_and_verdict(
    step_a: object, step_b: object, linked: object, expected: tuple[str, str, bool]
) -> None:
    link = StepLink.of("a#0", step_a, "b#0", step_b, linked)  # type: ignore[arg-type]
    assert (link.step_a, link.step_b, link.linked) == expected
    assert type(link.linked) is bool


def test_of_refuses_one_sop_twice() -> None:
    with pytest.raises(ValueError, match="two different SOPs"):
        StepLink.of("a#0", "1", "a#0", "2", True)


# ----------------------------------------------------------------------------- edits_between


def _links(first: SOP, second: SOP, third: SOP) -> dict[str, list[StepLink]]:
    a, b, c = first.key, second.key, third.key
    return {
        "none": [],
        "linked": [StepLink.of(a, "3", b, "4", True)],
        "linked from the other side": [StepLink.of(b, "4", a, "3", True)],
        "not linked": [StepLink.of(a, "1", b, "6", False)],
        "both kinds": [StepLink.of(a, "3", b, "4", True), StepLink.of(a, "1", b, "6", False)],
        # second has 6 steps: its step 9 no longer exists, the link is skipped
        "missing step": [StepLink.of(a, "3", b, "9", True), StepLink.of(a, "0", b, "1", False)],
        "another pair": [StepLink.of(a, "3", c, "4", True), StepLink.of(b, "2", c, "2", False)],
        # a pair said linked and not linked (raw verdicts, not the store's latest): linked wins
        "conflict": [StepLink.of(a, "2", b, "2", False), StepLink.of(a, "2", b, "2", True)],
    }


@pytest.mark.parametrize(
    ("case", "linked", "unlinked"),
    [
        ("none", set(), set()),
        ("linked", {(2, 3)}, set()),
        ("linked from the other side", {(2, 3)}, set()),
        ("not linked", set(), {(0, 5)}),
        ("both kinds", {(2, 3)}, {(0, 5)}),
        ("missing step", set(), set()),
        ("another pair", set(), set()),
        ("conflict", {(1, 1)}, set()),
    ],
)
def test_edits_between_two_real_sops(
    setda: list[SOP],
    other: SOP,
    case: str,
    linked: set[tuple[int, int]],
    unlinked: set[tuple[int, int]],
) -> None:
    first, second = setda[0], setda[1]  # 8 and 6 steps, numbered 1..n
    assert [s.no for s in second.steps] == ["1", "2", "3", "4", "5", "6"]
    links = _links(first, second, other)[case]
    edits = edits_between(links, first, second)
    assert edits == StepEdits(frozenset(linked), frozenset(unlinked))
    assert bool(edits) == bool(linked or unlinked)
    # asked the other way round, the same edits with the indices swapped
    back = edits_between(links, second, first)
    assert back.linked == {(j, i) for i, j in linked}
    assert back.unlinked == {(j, i) for i, j in unlinked}


def test_a_step_number_printed_twice_resolves_to_its_first_step(setda: list[SOP]) -> None:
    first = copy.deepcopy(setda[0])
    second = setda[1]
    first.steps[4].no = "4"  # printed "4" twice (steps 4 and 5); "5" is gone
    links = [
        StepLink.of(first.key, "4", second.key, "2", True),
        StepLink.of(first.key, "5", second.key, "3", True),
    ]
    assert edits_between(links, first, second) == StepEdits(linked=frozenset({(3, 1)}))


def test_edits_between_reads_the_sops_keys(setda: list[SOP]) -> None:
    """A link is found by SOP key: the same steps under other keys change nothing."""
    first, second, third = setda[0], setda[1], setda[2]
    link = StepLink.of(first.key, "1", third.key, "1", True)
    assert not edits_between([link], first, second)
    assert edits_between([link], third, first).linked == {(0, 0)}


# ----------------------------------------------------------------------------- links_among


def test_links_among_keeps_links_inside_the_group_in_a_stable_order(
    setda: list[SOP], other: SOP
) -> None:
    first, second, third = setda[0], setda[1], setda[2]
    inside = [
        StepLink.of(second.key, "2", first.key, "8", False),
        StepLink.of(first.key, "3", second.key, "4", True),
        StepLink.of(third.key, "1", first.key, "1", True),
    ]
    outside = [
        StepLink.of(first.key, "3", other.key, "4", True),
        StepLink.of(other.key, "1", third.key, "1", False),
    ]
    mixed = [outside[0], *inside, outside[1]]
    among = links_among(mixed, [first, second, third])
    assert among == sorted(inside, key=lambda x: x.steps)
    assert [x.steps for x in among] == [
        (first.key, "1", third.key, "1"),
        (first.key, "3", second.key, "4"),
        (first.key, "8", second.key, "2"),
    ]
    # the order does not depend on the order given
    assert links_among(list(reversed(mixed)), [third, first, second]) == among
    assert links_among(mixed, [first, second]) == [inside[1], inside[0]]
    assert links_among(mixed, [first]) == []
    assert links_among([], setda) == []


# ----------------------------------------------------------------------------- names_one_step


@pytest.mark.parametrize(
    ("document", "index", "expected"),
    [
        # Universitas Lampung's Surat Masuk prints 5 and 6 twice (a second branch)
        ("007_unila_upt_perpustakaan_administrasi_surat_masuk.txt", 4, False),
        ("007_unila_upt_perpustakaan_administrasi_surat_masuk.txt", 6, False),
        ("007_unila_upt_perpustakaan_administrasi_surat_masuk.txt", 3, True),
        # BPS's Arsip Aktif (the PDF) prints 5 twice
        ("026_bps_prov_bengkulu_pengelolaan_arsip_aktif.pdf", 5, False),
        ("026_bps_prov_bengkulu_pengelolaan_arsip_aktif.pdf", 0, True),
    ],
)
def test_a_correction_names_a_step_only_by_a_number_printed_once(
    document: str, index: int, expected: bool
) -> None:
    (sop,) = load_path(REALDOCS / document).sops
    assert names_one_step(sop, sop.steps[index]) is expected


def test_a_step_without_a_number_cannot_be_named(setda: list[SOP]) -> None:
    sop = copy.deepcopy(setda[0])
    sop.steps[0].no = " "
    assert not names_one_step(sop, sop.steps[0])
    assert names_one_step(sop, sop.steps[1])
