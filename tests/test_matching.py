"""Matching on real SOPs: the lexical backend for speed, e5 (slow) for the real thing."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from embeddings.lexical import TfidfEncoder
from sopdata.matching import (
    build_profiles,
    group_matches,
    match_corpus,
    match_profiles,
    step_actions,
)
from sopdata.records import SOP, Step
from tests.conftest import CORPUS, ROOT


def _by_title(sops, title, prefix):
    return next(s for s in sops if s.title.lower() == title.lower() and s.source_file.startswith(prefix))


@pytest.mark.parametrize(
    "text,actions",
    [
        ("Penandatanganan surat keluar", {"sign"}),
        ("Camat menendatangeni Surat Pengantar", {"sign"}),  # OCR damage
        ("Subag Umum menyiapkan surat pengantar", {"draft"}),  # pengantar is not mengantar
        ("Mengirim surat ke BKD", {"send"}),
        ("Mendisposisi surat masuk", {"dispose"}),
    ],
)
def test_step_actions(text, actions):
    assert actions <= step_actions(text)


def test_identical_duplicates_and_degenerate_sops_do_not_crash(corpus_sops):
    sop = _by_title(corpus_sops, "Surat Keluar", "setda")
    twin = copy.deepcopy(sop)
    twin.office, twin.source_file = "Kecamatan Contoh", "contoh.txt"
    empty = SOP(source_file="kosong.txt", title="", office="Kantor A")
    single = SOP(source_file="satu.txt", title="Surat Keluar", office="Kantor B",
                 steps=[Step(no="1", activity="Penandatanganan surat keluar")])
    matches, groups = match_corpus([sop, twin, empty, single], TfidfEncoder())
    best = matches[0]
    assert {best.a.office, best.b.office} == {sop.office, "Kecamatan Contoh"}
    assert best.relation == "equivalent"
    assert [(p.a, p.b) for p in best.alignment] == [(i, i) for i in range(len(sop.steps))]
    assert any(sop in g and twin in g for g in groups)


def test_groups_hold_one_sop_per_office(corpus_sops):
    matches, groups = match_corpus(corpus_sops, TfidfEncoder())
    for group in groups:
        offices = [s.office for s in group]
        assert len(offices) == len(set(offices))


@pytest.mark.slow
def test_e5_finds_the_labelled_twins_with_reasons(corpus_sops, e5_encoder):
    profiles = build_profiles(corpus_sops, e5_encoder)
    matches = match_profiles(profiles)
    equivalent = {(m.a.title, m.b.title) for m in matches if m.relation == "equivalent"}
    for a, b in [
        ("Pengelolaan Surat Keluar", "Surat Keluar"),
        ("Pengusulan Pensiun Pegawai", "Pengajuan Pensiun PNS"),
        ("Penyusunan TAPKIN", "Perjanjian Kinerja"),
        ("Pengelolaan Surat Masuk", "Surat Masuk"),
    ]:
        assert (a, b) in equivalent or (b, a) in equivalent
    # a look-alike of a different subject is never proposed as equivalent
    assert ("Permohonan Cuti Pegawai", "Pengajuan Pensiun PNS") not in equivalent
    pension = next(m for m in matches if {m.a.title, m.b.title} == {"Pengusulan Pensiun Pegawai", "Pengajuan Pensiun PNS"})
    assert any("pensiun" in r for r in pension.reasons)
    jog, setda = (pension.a, pension.b) if pension.a.office == "Kecamatan Jogoroto" else (pension.b, pension.a)
    aligned = {
        (jog.steps[p.a].no, setda.steps[p.b].no) if pension.a is jog else (jog.steps[p.b].no, setda.steps[p.a].no)
        for p in pension.alignment if p.a is not None and p.b is not None
    }
    # hand-labelled correspondences (../shared/eval/seed_step_alignments.csv)
    assert {("3", "1"), ("5", "4")} <= aligned
    groups = group_matches(corpus_sops, matches)
    assert any({s.title for s in g} >= {"Penyusunan TAPKIN", "Perjanjian Kinerja"} for g in groups)


@pytest.mark.slow
def test_cli_match_json_contract():
    files = [str(CORPUS / "jombang-kec-jogoroto-buku-sop-ocr.txt"), str(CORPUS / "setda-bagian-organisasi-sop.txt")]
    proc = subprocess.run([sys.executable, "-m", "sopdata", "match", *files, "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-500:]
    data = json.loads(proc.stdout)
    assert set(data) == {"pairs", "groups"}
    pair = data["pairs"][0]
    assert {"a", "b", "score", "relation", "alignment"} <= set(pair)
    assert {"source_file", "title"} <= set(pair["a"])
    assert pair["relation"] in {"equivalent", "related", "different"}
    if pair["alignment"]:
        assert set(pair["alignment"][0]) == {"a_step", "b_step", "score"}
