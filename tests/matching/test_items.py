"""A step that lists several acts stands against the steps another office
writes for them: the Setda book's listed steps against an office that writes
each act as a step."""

from __future__ import annotations

import dataclasses

import pytest

from embeddings.lexical import TfidfEncoder
from sopdata.matching.profiles import build_profiles
from sopdata.matching.steps import align_profiles, item_evidence
from sopdata.records import SOP
from sopdata.text.items import activity_items

SETDA = "setda-bagian-organisasi-sop.txt"


def _each_act_a_step(sop: SOP) -> tuple[SOP, dict[int, tuple[int, ...]]]:
    """``sop`` written by an office that makes every listed act a step of its
    own (numbered anew), and for each step of ``sop`` the steps it became."""
    steps, became = [], {}
    for i, step in enumerate(sop.steps):
        start = len(steps)
        for act in activity_items(step.activity) or [step.activity]:
            steps.append(dataclasses.replace(step, no=str(len(steps) + 1), activity=act))
        became[i] = tuple(range(start, len(steps)))
    return dataclasses.replace(sop, steps=steps, office="Kecamatan Contoh"), became


@pytest.fixture(scope="module")
def surat_keluar(sops_by_file):
    return next(s for s in sops_by_file[SETDA] if s.title == "Surat Keluar")


def test_items_profile_keeps_each_steps_pelaksana(surat_keluar):
    other, became = _each_act_a_step(surat_keluar)
    pa, pb = build_profiles([surat_keluar, other], TfidfEncoder())
    assert pb.items is None  # one act a step: nothing listed
    assert pa.items is not None and len(pa.items.sop.steps) == len(other.steps)
    assert pa.item_step == tuple(i for i, b in sorted(became.items()) for _ in b)
    assert [s.activity for s in pa.items.sop.steps] == [s.activity for s in other.steps]
    assert pa.items.step_roles == [pa.step_roles[i] for i in pa.item_step]
    items = item_evidence(pa, pb)
    assert items is not None and items.evidence.shape == (len(other.steps), len(other.steps))
    assert item_evidence(pb, pb) is None


@pytest.mark.parametrize("encoder", ["tfidf", "e5"])
def test_a_listed_step_stands_against_the_steps_it_lists(surat_keluar, encoder, request):
    model = TfidfEncoder() if encoder == "tfidf" else request.getfixturevalue("e5_encoder")
    other, became = _each_act_a_step(surat_keluar)
    pa, pb = build_profiles([surat_keluar, other], model)
    listed = {i: b for i, b in became.items() if len(b) > 1}
    assert len(listed) >= 3
    got = {c.a: c.b for c in align_profiles(pa, pb)}
    # each listed step stands against two or more of its own acts (a branch
    # line, "Jika benar diteruskan ke Kasubag", has no act to match on)
    assert all(len(got.get((i,), ())) >= 2 for i in listed), got
    assert all(set(got.get((i,), ())) <= set(b) for i, b in listed.items()), got
    # the steps as wholes: the acts of a listed step stay mostly apart
    whole = dataclasses.replace(pa, items=None, item_step=())
    got_whole = {c.a: c.b for c in align_profiles(whole, pb)}
    merged = sum(len(got_whole.get((i,), ())) >= 2 for i in listed)
    assert merged < len(listed) // 2, got_whole


def test_where_no_act_reaches_the_threshold_the_weaker_tier_searches_the_acts(surat_keluar):
    """With the threshold above every cell (the regime of OCR rows), the acts'
    links come from the weaker tier: the identical acts stand out of their
    rows and columns, and each links back to the step that lists it."""
    from sopdata.matching.steps import alignment_settings, item_links

    other, became = _each_act_a_step(surat_keluar)
    pa, pb = build_profiles([surat_keluar, other], TfidfEncoder())
    lifted = dataclasses.replace(alignment_settings("e5"), threshold=2.0, second_tier=True)
    found = item_links(item_evidence(pa, pb), lifted)
    assert found is not None and not found.links
    owner = {j: i for i, b in became.items() for j in b}
    assert len(found.weak) >= len(other.steps) // 2
    assert all(owner[j] == i for i, j in found.weak), found.weak
    off = item_links(item_evidence(pa, pb), dataclasses.replace(lifted, second_tier=False))
    assert off is not None and not off.weak
