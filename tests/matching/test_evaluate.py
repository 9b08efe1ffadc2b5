"""Evaluation and calibration against the hand-made seed labels (../shared/eval)."""

from __future__ import annotations

import dataclasses

import pytest

from sopdata.evaluate import (
    _labelled_pairs,
    _pair,
    _sop_key,
    evaluate,
    leave_one_office_out,
    listed_in_groups,
    seed_alignment_set,
    thresholds_from,
    without_items,
)
from sopdata.matching.groups import group_matches
from sopdata.matching.match import match_profiles
from sopdata.matching.pairs import PairMatch
from sopdata.matching.profiles import build_profiles
from sopdata.records import SOP
from sopdata.text.items import activity_items
from tests.support.paths import EVAL_DIR, SEED_TO_CORPUS, read_eval


def _match(a: str, b: str, score: float) -> PairMatch:
    return PairMatch(SOP(source_file=a, title=a), SOP(source_file=b, title=b), score, "related", {})


def test_equivalent_threshold_sits_halfway_in_the_gap():
    pairs = [
        _match("a", "b", 0.9),
        _match("c", "d", 0.7),
        _match("e", "f", 0.5),
        _match("g", "h", 0.45),
    ]
    expected = {_pair(("a", "a"), ("b", "b")), _pair(("c", "c"), ("d", "d"))}
    related = {_pair(("g", "g"), ("h", "h"))}
    cut = thresholds_from(pairs, expected, related)
    assert cut["equivalent"] == pytest.approx((0.7 + 0.5) / 2)
    assert cut["related"] == pytest.approx(0.44)


@pytest.fixture(scope="module")
def university_admission():  # type: ignore[no-untyped-def]
    """The University Admission set (PMMC 2015) as the evaluation reads it; the
    tests that need it skip where the shared labels are not present."""
    from sopdata.evaluate import ACTIVITY_SET_DIR, load_activity_set

    if not (ACTIVITY_SET_DIR / "gold.csv").exists():
        pytest.skip("University Admission set not present")
    return load_activity_set(ACTIVITY_SET_DIR)


@pytest.fixture(scope="module")
def seed_profiles(corpus_sops, e5_encoder):
    read_eval("seed_equivalences.csv")  # skips without the labels
    return build_profiles(corpus_sops, e5_encoder)


@pytest.mark.slow
def test_seed_labels_are_met(corpus_sops, seed_profiles):
    """Regression guard on the seeds: every labelled twin found, nothing else
    proposed, no related pair above a true one, and every step link proposed is a
    labelled one. No cell of the OCR-damaged Jogoroto pairs reaches the
    threshold calibrated on University Admission; the weaker tier (mutual best
    by a margin, in the order of the confirmed links, and filling the short
    blocks between them along that order), on the OCR-cleaned text with
    hub-corrected cosines and among the acts a Setda step lists, finds 8 of the
    10 links with the torch backend here (9 with the onnx one the app runs) and
    nothing else (issue 14; the README lists the links the text gives no
    evidence for)."""
    matches = match_profiles(seed_profiles)
    report = evaluate(corpus_sops, matches, EVAL_DIR, SEED_TO_CORPUS)
    assert report.unresolved_labels == []
    assert (report.pairs.precision, report.pairs.recall) == (1.0, 1.0), report.lines()
    assert report.related_above_true == []
    assert report.alignment.precision >= 0.9 and report.alignment.true_positives >= 8, (
        report.lines()
    )
    lakip = next(
        g for g in group_matches(corpus_sops, matches) if any("LAKIP" in s.title for s in g)
    )
    assert {s.title for s in lakip} == {
        "Penyusunan LAKIP (Laporan Akuntabilitas Kinerja Instansi Pemerintahan)",
        "Pengumpulan Data Kinerja",
        "Laporan Kinerja",
    }


@pytest.mark.slow
def test_leave_one_office_out_finds_the_held_out_twins(seed_profiles):
    """Thresholds calibrated without an office's labels, tried on its pairs.

    Jogoroto's and Bagian Organisasi's twins are all found. Candipuro's two
    (Pengumpulan Data Kinerja with LAKIP and with Laporan Kinerja) are the two
    weakest true pairs of the corpus, so a cut placed between the other
    offices' true pairs and the pairs below them stays above them: they are
    missed (since the OCR rows of the Jogoroto book read cleaner, 2026-11-29,
    its true pairs score 0.01-0.03 higher and the cut moved up with them).
    Without Jogoroto's labels only one true pair is left to calibrate on, and
    one of Jogoroto's related pairs is proposed."""
    folds = {f.office: f for f in leave_one_office_out(seed_profiles, EVAL_DIR, SEED_TO_CORPUS)}
    assert len(folds) == 4
    assert sum(f.expected for f in folds.values()) == 18
    for office in ("Kecamatan Jogoroto", "Sekretariat Daerah (Bagian Organisasi)"):
        assert folds[office].found == folds[office].expected == 8, folds[office].line()
    assert sum(f.wrong for f in folds.values()) <= 1, [f.line() for f in folds.values()]
    candipuro = folds["Kecamatan Candipuro"]
    if candipuro.found < candipuro.expected:
        # missed only because they are the weakest true pairs of all
        matches = match_profiles(seed_profiles, keep="different")
        expected, _ = _labelled_pairs(EVAL_DIR, SEED_TO_CORPUS)
        true_scores = sorted(
            (m.score, m.a.office == "Kecamatan Candipuro" or m.b.office == "Kecamatan Candipuro")
            for m in matches
            if _pair(_sop_key(m.a), _sop_key(m.b)) in expected
        )
        assert [held for _, held in true_scores[:2]] == [True, True], true_scores


def test_tfidf_uses_its_own_scale_and_finds_the_seed_twins(corpus_sops):
    """TF-IDF cosines of unrelated titles sit near 0, not near e5's 0.8: on e5's
    scale it found none of the labelled twins; on its own it finds them all."""
    from embeddings import TfidfEncoder
    from sopdata.matching.settings import MatchSettings

    read_eval("seed_equivalences.csv")  # skips without the labels
    profiles = build_profiles(corpus_sops, TfidfEncoder())
    assert MatchSettings.load(encoder="tfidf").background < 0.2
    report = evaluate(corpus_sops, match_profiles(profiles), EVAL_DIR, SEED_TO_CORPUS)
    assert report.pairs.recall == 1.0, report.lines()
    assert report.pairs.precision >= 0.85, report.lines()


def test_university_admission_scores_and_leave_one_process_out(university_admission):
    from embeddings import TfidfEncoder
    from sopdata.evaluate import (
        activity_profiles,
        activity_set_lines,
        leave_one_process_out,
        score_activity_set,
    )
    from sopdata.matching.steps import alignment_settings

    data = university_admission
    assert len(data.sops) == 9 and len(data.cases) == 36 and len(data.gold) == 232
    encoder = TfidfEncoder()
    profiles = activity_profiles(data, encoder)
    settings = alignment_settings(encoder.name)
    scores = score_activity_set(data, profiles, settings)
    assert scores.f1 > 0.45 and scores.expected == 232
    pooled, folds = leave_one_process_out(data, profiles, settings)
    assert len(folds) == 9 and pooled.f1 > 0.4
    lines = activity_set_lines(data, profiles, settings)
    assert "P=" in lines[0] and "leave one process out" in lines[1]


@pytest.mark.slow
def test_alignment_calibration_picks_the_best_threshold_and_saves_it(
    tmp_path, university_admission
):
    """``evaluate --calibrate``'s alignment path on the University Admission set
    (TF-IDF: no model needed): the threshold has the best micro F1 of the grid,
    and saving it changes only the encoder's ``alignment`` entry."""
    import dataclasses
    import json

    from embeddings import TfidfEncoder
    from sopdata.evaluate import (
        ALIGN_THRESHOLDS,
        activity_profiles,
        calibrate_alignment,
        save_alignment_settings,
        score_activity_set,
    )
    from sopdata.matching.settings import read_thresholds
    from sopdata.matching.steps import alignment_settings, alignment_settings_from

    data = university_admission
    encoder = TfidfEncoder()
    profiles = activity_profiles(data, encoder)
    base = alignment_settings(encoder.name)
    threshold = calibrate_alignment(data, profiles, base)
    assert threshold in ALIGN_THRESHOLDS

    def f1(t: float) -> float:
        return score_activity_set(data, profiles, dataclasses.replace(base, threshold=t)).f1

    best = f1(threshold)
    assert best > 0.5
    assert all(f1(t) <= best for t in (ALIGN_THRESHOLDS[0], 0.5, ALIGN_THRESHOLDS[-1]))

    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({"e5": {"equivalent": 0.5}, "tfidf": {"equivalent": 0.33}}))
    tuned = dataclasses.replace(base, threshold=threshold)
    save_alignment_settings(tuned, encoder.name, data.name, path)
    entries = read_thresholds(path)
    assert entries["tfidf"]["equivalent"] == 0.33 and entries["e5"] == {"equivalent": 0.5}
    assert entries["tfidf"]["alignment"]["calibrated_on"] == data.name
    assert alignment_settings_from(entries, encoder.name) == tuned
    # an encoder without its own entry takes e5's (here: none, so the defaults)
    assert alignment_settings_from(entries, "e5") == type(base)()


def test_equivalences_of_labelled_documents(tmp_path):
    """Pairs among labelled SOPs only; a pair equivalent in one group is not a
    related one in another; a label finds its SOP by a close title, or as the
    file's only SOP."""
    from sopdata.evaluate import evaluate_equivalences, label_sop

    a = SOP(source_file="a.txt", title="Pengurusan Surat Masuk")
    b = SOP(source_file="b.txt", title="Administrasi Surat Masuk")
    c = SOP(source_file="c.txt", title="Penerimaan Surat dari Satpam")
    d1 = SOP(source_file="d.txt", title="Perencanaan Anggaran")
    d2 = SOP(source_file="d.txt", title="Penyusunan Daftar Isian Pelaksanaan Anggaran")
    other = SOP(source_file="x.txt", title="Surat Masuk")
    labels = tmp_path / "equivalences.csv"
    labels.write_text(
        "group,relation,file,title\n"
        "masuk,equivalent,a.txt,PENGURUSAN SURAT MASUK\n"
        "masuk,equivalent,b.txt,Administrasi Surat Masuk.\n"
        "masuk,related,c.txt,(no title printed)\n"
        "masuk,related,a.txt,Pengurusan Surat Masuk\n"
        "masuk,related,b.txt,Administrasi Surat Masuk\n"
        "dipa,related,d.txt,Perencanaan Anggaran\n"
        "dipa,related,d.txt,Penyusunan Daftar Isian Pelaksanaan Anggaran (DIPA)\n"
        "hilang,equivalent,e.txt,Tidak Ada\n",
        encoding="utf-8",
    )
    sops = [a, b, c, d1, d2, other]
    assert label_sop(sops, "c.txt", "(no title printed)") is c
    assert label_sop(sops, "d.txt", "Judul lain sama sekali") is None
    cases = [
        # (proposed equivalent pairs, scores of the others) -> (tp, predicted, expected, related above)
        ([(a, b)], [((a, c), 0.4)], (1, 1, 1, 0)),
        ([(a, b), (a, c)], [], (1, 2, 1, 0)),
        ([(a, other)], [((a, b), 0.5), ((b, c), 0.6)], (0, 0, 1, 1)),
    ]
    for equivalent, others, (tp, predicted, expected, above) in cases:
        matches = [PairMatch(x, y, 0.8, "equivalent", {}) for x, y in equivalent]
        matches += [PairMatch(x, y, sc, "related", {}) for (x, y), sc in others]
        report = evaluate_equivalences(sops, matches, labels)
        got = (report.pairs.true_positives, report.pairs.predicted, report.pairs.expected)
        assert got == (tp, predicted, expected), (equivalent, report.lines())
        assert len(report.related_above_true) == above, report.lines()
        assert report.unresolved_labels == ["e.txt: Tidak Ada"]
        assert report.lines()[0].startswith("equivalent pairs, realdocs: P=")


@pytest.mark.slow
def test_realdocs_equivalences_figure():
    """The figure ``evaluate`` prints for ../shared/realdocs: the labelled
    documents are read and (all but at most one) labels found."""
    from sopdata.evaluate import REALDOCS_DIR, evaluate_equivalences, load_labelled_docs
    from sopdata.matching.match import match_corpus

    labels = REALDOCS_DIR / "equivalences.csv"
    if not labels.exists():
        pytest.skip("realdocs labels not present")
    from embeddings import get_encoder

    sops = load_labelled_docs(REALDOCS_DIR)
    matches, _ = match_corpus(sops, get_encoder("e5"))
    report = evaluate_equivalences(sops, matches, labels)
    assert report.pairs.expected == 32 and len(report.unresolved_labels) <= 1, report.lines()
    assert report.pairs.recall >= 0.3 and report.pairs.precision >= 0.5, report.lines()


@pytest.mark.slow
def test_e5_alignment_on_university_admission_keeps_above_the_published_best(
    e5_encoder, university_admission
):
    """The weaker tier that lifts the seed links must not cost University
    Admission its figure: micro F1 and leave-one-process-out stay above .70."""
    from sopdata.evaluate import (
        activity_profiles,
        leave_one_process_out,
        score_activity_set,
    )
    from sopdata.matching.steps import alignment_settings

    data = university_admission
    profiles = activity_profiles(data, e5_encoder)
    settings = alignment_settings(e5_encoder.name)
    assert settings.second_tier
    scores = score_activity_set(data, profiles, settings)
    assert scores.f1 > 0.70, scores
    pooled, _ = leave_one_process_out(data, profiles, settings)
    assert pooled.f1 > 0.70, pooled


@pytest.mark.slow
def test_weak_tier_calibration_on_both_labelled_sets(corpus_sops, e5_encoder, university_admission):
    """The seed step labels read as an activity set (2 pairs, 10 links); the
    weaker tier lifts the seeds and the margins a macro F1 picks, and those of
    leave one set out, come from the grid and are scored on the held-out set."""
    from sopdata.evaluate import (
        WEAK_TIER_GRID,
        LabelledSet,
        activity_profiles,
        calibrate_weak_tier,
        leave_one_set_out,
        seed_alignment_set,
        weak_tier_lines,
    )
    from sopdata.matching.steps import alignment_settings

    read_eval("seed_step_alignments.csv")  # skips without the labels
    seed = seed_alignment_set(corpus_sops, EVAL_DIR, SEED_TO_CORPUS)
    assert len(seed.cases) == 2 and len(seed.gold) == 10 and len(seed.sops) == 4
    sets = [
        LabelledSet.of(d, activity_profiles(d, e5_encoder)) for d in (seed, university_admission)
    ]
    base = alignment_settings(e5_encoder.name)
    off = dataclasses.replace(base, second_tier=False)
    assert sets[0].score(base).f1 > sets[0].score(off).f1
    best, macro = calibrate_weak_tier(sets, base)
    assert (best.tier_margin, best.block_margin) in WEAK_TIER_GRID and best.second_tier
    assert macro == pytest.approx(sum(s.score(best).f1 for s in sets) / 2)
    folds = leave_one_set_out(sets, base)
    assert [name for name, _, _ in folds] == ["seed", "activity-matching-university-admission"]
    assert folds[0][2] == sets[0].score(folds[0][1])
    assert "leave one set out" in weak_tier_lines(sets, base)[-1]


@pytest.mark.slow
def test_fill_along_the_chain_on_the_labelled_sets(corpus_sops, e5_encoder, university_admission):
    """The fill along the chain (``fill_span``) adds right seed links (measured:
    6 of 10 without it, 8 with it on this backend, none wrong) and none on
    University Admission with the threshold lifted, whose pairs reorder their
    steps: there the reordering check keeps it off (without the check it added
    8 links, all wrong)."""
    from sopdata.evaluate import LabelledSet, activity_profiles, lifted, seed_alignment_set
    from sopdata.matching.steps import alignment_settings

    read_eval("seed_step_alignments.csv")  # skips without the labels
    seed = seed_alignment_set(corpus_sops, EVAL_DIR, SEED_TO_CORPUS)
    base = alignment_settings(e5_encoder.name)
    assert base.fill_span > 0
    off = dataclasses.replace(base, fill_span=0)
    seeds = LabelledSet.of(seed, activity_profiles(seed, e5_encoder))
    filled, plain = seeds.score(base), seeds.score(off)
    assert filled.true_positives > plain.true_positives and filled.precision == 1.0, (filled, plain)
    ua = LabelledSet.of(university_admission, activity_profiles(university_admission, e5_encoder))
    assert ua.score(lifted(base)) == ua.score(lifted(off))


def test_listed_in_groups_moves_the_gold_into_the_listed_steps(university_admission):
    listed = listed_in_groups(university_admission, 2)
    case, a, b = listed.cases[0]
    source = university_admission.sops[university_admission.cases[0][2]]
    model = listed.sops[b]
    assert b.endswith("(listed)") and len(model.steps) == (len(source.steps) + 1) // 2
    assert model.steps[0].activity.split("\n") == [s.activity for s in source.steps[:2]]
    assert activity_items(model.steps[0].activity) or len(source.steps) < 2
    by_no = {s.no: k // 2 + 1 for k, s in enumerate(source.steps)}
    expected = {(c, x, str(by_no[y])) for c, x, y in university_admission.gold if c == case}
    assert {g for g in listed.gold if g[0] == case} == expected


@pytest.mark.slow
def test_listed_steps_align_through_their_items(e5_encoder, university_admission):
    """University Admission with every two steps of the second model listed in
    one step: the items' links find most of the moved gold, the steps as
    wholes far less (0.585 against 0.363 when measured)."""
    from sopdata.evaluate import activity_profiles, score_activity_set
    from sopdata.matching.steps import alignment_settings

    listed = listed_in_groups(university_admission, 2)
    profiles = activity_profiles(listed, e5_encoder)
    settings = alignment_settings(e5_encoder.name)
    items = score_activity_set(listed, profiles, settings)
    wholes = score_activity_set(listed, without_items(profiles), settings)
    assert items.f1 > 0.52 and items.f1 > wholes.f1 + 0.15, (items, wholes)


@pytest.mark.slow
def test_team_step_labels_read_and_score(corpus_sops, e5_encoder):
    """The team's step labels for seven more seed pairs resolve to corpus SOPs;
    the listed acts' links add right links there (measured: F1 0.478 against
    0.341 with the onnx backend the app runs, 0.280 against 0.222 with the
    torch one of these tests; the fill along the chain adds one link the labels
    leave out, Permohonan Cuti 4 = Surat Ijin Cuti 2, on both)."""
    from sopdata.evaluate import TEAM_STEP_LABELS, LabelledSet, activity_profiles
    from sopdata.matching.steps import alignment_settings

    team = seed_alignment_set(corpus_sops, EVAL_DIR, SEED_TO_CORPUS, TEAM_STEP_LABELS, "team")
    assert len(team.cases) == 7 and len(team.gold) == 30
    profiles = activity_profiles(team, e5_encoder)
    settings = alignment_settings(e5_encoder.name)
    scores = LabelledSet.of(team, profiles).score(settings)
    wholes = LabelledSet.of(team, without_items(profiles)).score(settings)
    assert scores.true_positives > wholes.true_positives, (scores, wholes)
    assert scores.f1 > 0.25 and scores.precision >= 0.35, scores
