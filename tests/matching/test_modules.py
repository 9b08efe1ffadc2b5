"""Pure functions of the matching modules, table-driven."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sopdata.matching.candidates import candidate_pairs
from sopdata.matching.decide import decide
from sopdata.matching.groups import merge_groups
from sopdata.matching.profiles import SOPProfile, office_key
from sopdata.matching.reasons import reasons_for
from sopdata.matching.scoring import SIGNALS, WEIGHTS, ScoredPairs, combined_scores
from sopdata.matching.settings import MatchSettings, encoder_family, read_thresholds
from sopdata.matching.steps import gram_similarity, position_prior, step_similarity
from sopdata.records import SOP, Step


@pytest.mark.parametrize(
    "name,family",
    [("", "e5"), ("e5-small", "e5"), ("tfidf:abc", "tfidf"), ("acme/model-x", "acme")],
)
def test_encoder_family(name, family):
    assert encoder_family(name) == family


@pytest.mark.parametrize(
    "settings,expected",
    [
        (MatchSettings(background=0.8, ceiling=0.95), 0.9),  # e5: the former QUERY_MIN_COSINE
        (MatchSettings(background=0.05, ceiling=0.7), 0.4833),
        (MatchSettings(background=0.0, ceiling=1.0), 0.6667),
    ],
)
def test_query_min_cosine_follows_the_encoder_scale(settings, expected):
    assert settings.query_min_cosine == expected


def test_saved_settings_per_encoder(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {
                "e5": {"equivalent": 0.5, "calibrated_on": "x"},
                "tfidf": {"equivalent": 0.3, "background": 0.05},
            }
        )
    )
    assert MatchSettings.load(path, "tfidf") == MatchSettings(equivalent=0.3, background=0.05)
    assert MatchSettings.load(path, "other").equivalent == 0.5  # e5's entry stands in
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"equivalent": 0.6}))
    assert read_thresholds(flat) == {"e5": {"equivalent": 0.6}}
    assert read_thresholds(tmp_path / "none.json") == {}


@pytest.mark.parametrize(
    "n,m,expected",
    [
        (1, 1, [[1.0]]),
        (2, 2, [[1.0, -1.0], [-1.0, 1.0]]),
        (3, 2, [[1.0, -1.0], [0.0, 0.0], [-1.0, 1.0]]),
    ],
)
def test_position_prior(n, m, expected):
    assert position_prior(n, m).tolist() == expected


@pytest.mark.parametrize(
    "a,b,expected",
    [
        ([{"ab", "cd"}], [{"ab", "cd"}], [[1.0]]),
        ([{"ab", "cd"}], [{"ab"}, set()], [[2 / 3, 0.0]]),
        ([set()], [{"x"}], [[0.0]]),
    ],
)
def test_gram_similarity(a, b, expected):
    assert gram_similarity(a, b) == pytest.approx(np.array(expected))


def test_office_key_falls_back_to_the_file():
    assert office_key(SOP(source_file="a.docx", title="", office="Kec. A")) == "Kec. A"
    assert office_key(SOP(source_file="a.docx", title="")) == "berkas:a.docx"


@pytest.mark.parametrize(
    "offices,edges,roots,joins",
    [
        (["a", "b", "c"], [(0, 1), (1, 2)], [0, 0, 0], [(0, 1, 0), (0, 2, 1)]),
        (["a", "b", "a"], [(0, 1), (1, 2)], [0, 0, 2], [(0, 1, 0)]),
        # the group with more offices is kept
        (["a", "b", "c"], [(1, 2), (0, 1)], [1, 1, 1], [(1, 2, 0), (1, 0, 1)]),
    ],
)
def test_merge_groups(offices, edges, roots, joins):
    assert merge_groups(len(offices), offices, edges) == (roots, joins)


def test_combined_score_leaves_out_signals_without_evidence():
    features = np.array([[1.0, 0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
    available = np.array([[True, False, False, False, False], [True] * 5])
    assert combined_scores(features, available).tolist() == pytest.approx([1.0, 1.0])
    assert sum(WEIGHTS[s] for s in SIGNALS) == pytest.approx(1.0)


def _profile(title, office, vecs, terms, acts):
    v = np.array(vecs, np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    sop = SOP(
        source_file=f"{title}.txt",
        title=title,
        office=office,
        steps=[Step(no=str(k + 1), activity=title) for k in range(len(v))],
    )
    return SOPProfile(
        sop=sop,
        office=office,
        title_vec=v[0],
        step_vecs=v,
        title_terms=set(terms),
        actor_roles={"camat"},
        content_terms=set(terms),
        step_grams=[set() for _ in v],
        step_actions=acts,
    )


def test_step_similarity_weighs_the_kind_of_act():
    pa = _profile("A", "X", [[1, 0], [0, 1]], {"arsip"}, [{"sign"}, {"send"}])
    pb = _profile("B", "Y", [[1, 0], [0, 1]], {"arsip"}, [{"sign"}, set()])
    sim = step_similarity(pa, pb)
    assert sim.shape == (2, 2)
    assert sim[0, 0] > sim[1, 1] > sim[0, 1]


@pytest.mark.parametrize(
    "acts_a,acts_b,actors,total",
    [
        # embedding + letter n-grams only: neither the lexicon nor Pelaksana on both sides
        ([{"sign"}, set()], [set(), set()], False, 1.3),
        ([{"sign"}, set()], [{"sign"}, set()], False, 2.3),
        ([{"sign"}, set()], [{"sign"}, set()], True, 2.8),
        ([set(), set()], [set(), set()], True, 1.8),
    ],
)
def test_step_evidence_counts_only_the_signals_both_sops_show(acts_a, acts_b, actors, total):
    from sopdata.matching.steps import STEP_WEIGHTS, step_evidence

    assert sum(STEP_WEIGHTS) == pytest.approx(3.0)
    pa = _profile("A", "X", [[1, 0], [0, 1]], set(), acts_a)
    pb = _profile("B", "Y", [[1, 0], [0, 1]], set(), acts_b)
    if actors:
        for p in (pa, pb):
            p.sop.steps[0].actors = ["Camat"]
    evidence = step_evidence(pa, pb)
    assert evidence == pytest.approx(step_similarity(pa, pb) / total)
    assert evidence.min() >= 0.0 and evidence.max() <= 1.0


def test_reasons_are_indonesian_and_name_what_agrees():
    pa = _profile("Arsip Surat", "X", [[1, 0]], {"arsip"}, [set()])
    pb = _profile("Arsip Dokumen", "Y", [[1, 0]], {"arsip", "dokumen"}, [set()])
    features = dict.fromkeys(SIGNALS, 0.5)
    out = reasons_for(pa, pb, features, pa.step_vecs @ pb.step_vecs.T, MatchSettings())
    assert out[0] == "kemiripan judul 50%"
    assert "istilah kunci sama: arsip" in out
    assert "1 dari 1 langkah punya padanan dekat" in out
    assert "pelaksana sama: camat" in out


@pytest.mark.parametrize(
    "title_b,title,close_cos,relation,has,lacks",
    [
        # look-alike titles on a pair judged apart: no near-100% figure
        ("Arsip Surat Keluar", 1.0, 1.0, "related", "judul mirip tetapi tidak sama", "100%"),
        ("Arsip Surat", 0.95, 1.0, "different", "judul sama, tetapi", "kemiripan judul"),
        ("Arsip Surat Keluar", 1.0, 1.0, "equivalent", "kemiripan judul 100%", "tetapi"),
        ("Arsip Surat Keluar", 0.6, 1.0, "different", "kemiripan judul 60%", "tetapi"),
        # an equivalent pair without a close step says what the decision rests on
        ("Arsip Surat", 1.0, 0.0, "equivalent", "setara menurut judul dan isi", "0 dari"),
        ("Arsip Surat", 1.0, 0.0, "different", "0 dari 1 langkah punya padanan dekat", "setara"),
    ],
)
def test_a_reason_never_contradicts_its_decision(title_b, title, close_cos, relation, has, lacks):
    pa = _profile("Arsip Surat", "X", [[1, 0]], {"arsip"}, [set()])
    pb = _profile(title_b, "Y", [[close_cos, 1 - close_cos]], {"arsip"}, [set()])
    features = {**dict.fromkeys(SIGNALS, 0.5), "title": title}
    sim = pa.step_vecs @ pb.step_vecs.T
    out = " | ".join(reasons_for(pa, pb, features, sim, MatchSettings(), relation=relation))
    assert has in out and lacks not in out, out


def test_candidates_cross_offices_only():
    ps = [_profile(t, o, [[1, 0]], set(), [set()]) for t, o in [("A", "X"), ("B", "X"), ("C", "Y")]]
    first, second = candidate_pairs(ps)
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 2), (1, 2)]


@pytest.mark.parametrize(
    "score,terms,relation",
    [
        (0.8, 0.5, "equivalent"),
        (0.8, 0.0, "related"),  # off topic: a look-alike
        (0.45, 0.5, "related"),
        (0.2, 0.5, "different"),
    ],
)
def test_decide_thresholds(score, terms, relation):
    features = np.zeros((1, len(SIGNALS)))
    features[0, SIGNALS.index("terms")] = terms
    scored = ScoredPairs(
        np.array([0]), np.array([1]), features, np.ones((1, len(SIGNALS)), bool), np.array([score])
    )
    out = decide(scored, np.array([0, 1]), MatchSettings(equivalent=0.5, related=0.4))
    assert ("equivalent", "related", "different")[int(out.relation[0])] == relation
