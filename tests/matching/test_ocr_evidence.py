"""Step evidence on OCR text: cleaned text, Pelaksana read from the sentence,
hub-corrected cosines (issue 14)."""

from __future__ import annotations

import copy
import random
import re

import numpy as np
import pytest

from sopdata.matching.profiles import build_profiles, role_key, step_roles
from sopdata.matching.steps import align_profiles, hub_corrected
from sopdata.records import SOP, Actor, Step
from sopdata.text.readability import is_readable


@pytest.mark.parametrize(
    ("sim", "expected_best_of_row_0"),
    [
        # row 0 is closest to column 0, but column 0 is a hub (close to every
        # row); column 1 stands out more for row 0 once each step's typical
        # similarity is subtracted
        (np.array([[0.90, 0.88, 0.80], [0.89, 0.80, 0.80], [0.89, 0.80, 0.85]]), 1),
        # no hub: the best stays the best
        (np.array([[0.90, 0.80, 0.80], [0.80, 0.90, 0.80], [0.80, 0.80, 0.90]]), 0),
    ],
)
def test_hub_correction_demotes_a_step_close_to_everything(sim, expected_best_of_row_0):
    assert int(np.argmax(sim[0])) == 0
    assert int(np.argmax(hub_corrected(sim)[0])) == expected_best_of_row_0


@pytest.mark.parametrize("shape", [(0, 3), (1, 1), (1, 4), (4, 1)])
def test_hub_correction_leaves_a_single_row_or_column(shape):
    sim = np.full(shape, 0.5)
    assert np.array_equal(hub_corrected(sim), sim)


def _sop(office: str, activities: list[str], actors: list[list[str]] | None = None) -> SOP:
    names = sorted({a for row in actors or [] for a in row})
    return SOP(
        source_file=f"{office}.txt",
        office=office,
        title="Pengajuan Pensiun",
        actors=[Actor(raw=a, canonical=a) for a in names],
        steps=[
            Step(no=str(k + 1), activity=text, actors=list((actors or [[]] * len(activities))[k]))
            for k, text in enumerate(activities)
        ],
    )


def test_pelaksana_from_the_sentence_only_without_declared_columns():
    ocr = _sop(
        "A",
        ["Pegawai melengkapi berkas", "Kasubag Umum menyiapkan surat", "Camat menandatangani"],
    )
    assert step_roles(ocr) == [set(), set(), set()]  # not asked to infer
    assert step_roles(ocr, infer=True) == [
        {role_key("Pegawai")},
        {role_key("Kasubag Umum dan Kepegawaian")},
        {role_key("Camat")},
    ]
    declared = _sop("B", ["Camat menandatangani", "Mengirim berkas"], [["Kabag"], []])
    # declared Pelaksana win: nothing is read from the sentence
    assert step_roles(declared, infer=True) == [{role_key("Kabag")}, set()]


@pytest.mark.parametrize(("a", "b"), [("PNS", "Pegawai"), ("ASN", "PNS"), ("pegawai", "ASN")])
def test_civil_servant_names_fold_to_one_key(a, b):
    from sopdata.text.glossary import normalise_actor

    assert role_key(normalise_actor(a)[0]) == role_key(normalise_actor(b)[0])


def test_ocr_book_pensiun_reads_its_subjects(corpus_sops):
    """The scanned Jogoroto book lost its Pelaksana columns; the subjects that
    open its Kegiatan stand in, and the employee steps meet the PNS column of
    the Setda SOP."""
    ocr = next(s for s in corpus_sops if s.title == "Pengusulan Pensiun Pegawai")
    setda = next(s for s in corpus_sops if s.title == "Pengajuan Pensiun PNS")
    assert not any(s.actors for s in ocr.steps)
    roles = step_roles(ocr, infer=True)
    assert roles[2] == roles[7] == step_roles(setda)[0] == {role_key("PNS")}
    assert roles[4] == {role_key("Camat")}


# Substitutions OCR makes in scanned Indonesian text (rn/m, l/i, a/e, ...).
OCR_SLIPS = [("rn", "m"), ("m", "rn"), ("a", "e"), ("i", "l"), ("e", "c"), ("u", "n"), ("t", "l")]


def _corrupt(text: str, rng: random.Random, rate: float = 0.5) -> str:
    out = []
    for word in text.split():
        slips = [s for s in OCR_SLIPS if s[0] in word]
        if len(word) >= 4 and slips and rng.random() < rate:
            old, new = rng.choice(slips)
            at = rng.choice([m.start() for m in re.finditer(re.escape(old), word)])
            word = word[:at] + new + word[at + len(old) :]
        out.append(word)
    return " ".join(out)


@pytest.mark.slow
def test_cleaning_recovers_links_of_an_ocr_copy(corpus_sops, e5_encoder):
    """Clean SOPs of other offices than the seed pairs, each step corrupted with
    OCR slips and its Pelaksana dropped, aligned against the original: the gold
    is step i with step i. With the OCR cleaning more of them are found than
    without, and no wrong one."""
    originals = [
        s
        for s in corpus_sops
        if s.title in ("Pengumpulan Data Kinerja", "Rekrutmen Tenaga Kontrak")
        and "-ocr" not in s.source_file
    ]
    assert len(originals) == 2
    found = {False: 0, True: 0}
    wrong = {False: 0, True: 0}
    for original in originals:
        rng = random.Random(7)
        copy_ = copy.deepcopy(original)
        copy_.office = "Salinan hasil OCR"
        for step in copy_.steps:
            step.activity = _corrupt(step.activity, rng)
            step.actors = []
        assert sum(not is_readable(s.activity) for s in copy_.steps) >= len(copy_.steps) // 2
        gold = {(i, i) for i in range(len(original.steps))}
        for ocr in (False, True):
            pa, pb = build_profiles([copy_, original], e5_encoder, ocr_text=ocr)
            got = {
                (p.a, p.b)
                for p in align_profiles(pa, pb).pairs()
                if p.a is not None and p.b is not None
            }
            found[ocr] += len(got & gold)
            wrong[ocr] += len(got - gold)
    assert found[True] > found[False], found
    assert wrong[True] == 0, wrong


def _hand_profile(office: str, vecs: list[list[float]], roles: list[set[str]]):
    from sopdata.matching.profiles import SOPProfile

    v = np.array(vecs, np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    sop = SOP(
        source_file=f"{office}.txt",
        office=office,
        title="Surat Keluar",
        steps=[Step(no=str(k + 1), activity=f"langkah {k + 1}") for k in range(len(v))],
    )
    return SOPProfile(
        sop=sop,
        office=office,
        title_vec=v[0],
        step_vecs=v,
        title_terms=set(),
        actor_roles=set().union(*roles),
        content_terms=set(),
        step_grams=[set() for _ in v],
        step_actions=[set() for _ in v],
        step_roles=roles,
    )


VECS_A = [[1.0, 0.1, 0.0], [0.1, 1.0, 0.2], [0.0, 0.2, 1.0]]
VECS_B = [[1.0, 0.0, 0.1], [0.2, 1.0, 0.0], [0.0, 0.1, 1.0]]


@pytest.mark.parametrize(
    ("roles_a", "roles_b", "counts"),
    [
        # no role name in common: the Pelaksana show nothing and dilute nothing
        ([{"kasi"}, {"sekretaris"}, {"camat"}], [{"pengelola"}, {"kasubag"}, {"kabag"}], False),
        ([{"kasi"}, set(), set()], [set(), set(), set()], False),
        # a shared name: the signal counts (and lifts the pair that shares it)
        ([{"pns"}, {"sekretaris"}, {"camat"}], [{"pns"}, {"kasubag"}, {"kabag"}], True),
    ],
)
def test_pelaksana_count_only_when_the_two_sops_share_a_role(roles_a, roles_b, counts):
    from sopdata.matching.steps import step_evidence

    none = [set(), set(), set()]
    plain = step_evidence(_hand_profile("A", VECS_A, none), _hand_profile("B", VECS_B, none))
    got = step_evidence(_hand_profile("A", VECS_A, roles_a), _hand_profile("B", VECS_B, roles_b))
    if counts:
        # the pair sharing the name rises, the others weigh one signal more
        assert got[0, 0] > plain[0, 0] and got[1, 1] < plain[1, 1]
    else:
        assert np.allclose(got, plain)


def test_ocr_read_steps_get_alignment_vectors_and_pair_scoring_keeps_the_text_as_read(
    corpus_sops,
):
    """Only step alignment reads the cleaned text: the vectors pair scoring uses
    are those of the text as read, with or without the cleaning."""
    from embeddings import get_encoder

    ocr = next(s for s in corpus_sops if s.title == "Pengusulan Pensiun Pegawai")
    clean = next(s for s in corpus_sops if s.title == "Pengajuan Pensiun PNS")
    encoder = get_encoder("tfidf")
    on = build_profiles([ocr, clean], encoder, ocr_text=True)
    off = build_profiles([ocr, clean], encoder, ocr_text=False)
    # by default each encoder follows its calibrated setting: TF-IDF reads the text as read
    default = build_profiles([ocr, clean], encoder)
    assert default[0].align_vecs is None and not any(default[0].step_ocr)
    for a, b in zip(on, off, strict=True):
        assert np.allclose(a.step_vecs, b.step_vecs)
    assert on[1].align_vecs is None and not any(on[1].step_ocr)
    assert off[0].align_vecs is None and not any(off[0].step_ocr)
    read = on[0].step_ocr
    assert sum(read) >= 4
    assert on[0].align_vecs is not None
    for i, was_read in enumerate(read):
        same = np.allclose(on[0].align_vecs[i], on[0].step_vecs[i])
        assert same != was_read
