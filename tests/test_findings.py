"""Findings on real seed groups and on small hand-built groups."""

from __future__ import annotations

import copy

import pytest

from embeddings.lexical import TfidfEncoder
from sopdata.findings import compliance, find_differences
from sopdata.legal_basis import legal_basis_union
from sopdata.matching.alignment import AlignedPair
from sopdata.matching.compare import compare_group, merge_alignments
from sopdata.records import SOP
from sopdata.text.durations import parse_duration
from tests.support.builders import gold_group, letters_at_eight_hours, small_sop


def test_surat_keluar_sending_time_is_an_outlier(sops_by_file):
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    found = find_differences(merge_alignments(sops, 1, alignments))
    sending = [f for f in found.findings if f.category == "timing" and "1 Harl" in f.message]
    assert len(sending) == 1
    assert sending[0].severity == "high"
    assert "20 menit" in sending[0].message
    spread = next(t for t in found.timing if t.row == sending[0].row)
    assert (spread.minimum.minutes, spread.minimum.raw) == (20, "20 menit")
    assert (spread.maximum.minutes, spread.maximum.raw) == (450, "1 Harl")
    assert len(spread.outliers) == 2  # with two offices, each is far from the other


def test_surat_keluar_signing_time_once_the_reviewer_reads_the_scan(sops_by_file):
    """The OCR prints the signing step's Waktu as "10 et": unreadable, so the step is
    reported without Waktu; once the reviewer types "10 menit" the 10 vs 5 menit
    difference appears."""
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    jogoroto = sops[0]
    assert jogoroto.steps[2].duration.minutes is None
    before = find_differences(merge_alignments(sops, 1, alignments))
    assert not [
        f for f in before.findings if f.category == "timing" and "Penandatanganan" in f.message
    ]
    assert any(
        f.category == "compliance"
        and "Waktu" in f.message
        and "Kecamatan Jogoroto langkah 3" in f.steps
        for f in before.findings
    )

    jogoroto.steps[2].duration = parse_duration("10 menit")
    after = find_differences(merge_alignments(sops, 1, alignments))
    signing = [
        f for f in after.findings if f.category == "timing" and "Penandatanganan" in f.message
    ]
    assert len(signing) == 1
    assert "10 menit (Kecamatan Jogoroto)" in signing[0].message
    assert "5 menit (Sekretariat Daerah" in signing[0].message
    assert signing[0].severity == "medium"  # twice as long, but 5 minutes is no outlier
    assert "Kecamatan Jogoroto langkah 3" in signing[0].steps


def test_surat_keluar_group_level_findings(sops_by_file):
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    found = find_differences(merge_alignments(sops, 1, alignments))
    categories = {f.category for f in found.findings}
    assert {"timing", "total_time", "identity", "compliance"} <= categories
    # Setda's Surat Keluar names no legal basis; Jogoroto cites a Perbup.
    assert any(
        f.category == "identity" and f.message.startswith("Dasar Hukum tidak diisi di Sekretariat")
        for f in found.findings
    )
    severities = [f.severity for f in found.findings]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)
    for f in found.findings:
        assert f.message.endswith(".") and f.offices


def _diagonal(n: int) -> dict[int, list[AlignedPair]]:
    return {0: [AlignedPair(i, i, 1.0) for i in range(n)]}


@pytest.mark.parametrize(
    "times,severity,outliers",
    [
        (("1 hari", "20 menit"), "high", 2),
        (("10 menit", "5 menit"), "medium", 0),
        (("12 menit", "10 menit"), "low", 0),
        (("2 jam", "1 jam"), "medium", 0),  # 60 minutes apart, but only twice as long
        (("1 jam", "1 jam"), None, 0),
    ],
)
def test_timing_severity(times, severity, outliers):
    a = small_sop("Kecamatan A", [("Mengirim surat", "Caraka", times[0])])
    b = small_sop("Kecamatan B", [("Mengirim surat", "Caraka", times[1])])
    found = find_differences(merge_alignments([a, b], 1, _diagonal(1)), include_compliance=False)
    timing = [f for f in found.findings if f.category == "timing"]
    if severity is None:
        assert not timing
    else:
        assert [f.severity for f in timing] == [severity]
    assert len(found.timing[0].outliers) == outliers


def test_outlier_among_three_offices_is_the_odd_one():
    offices = [("A", "15 menit"), ("B", "20 menit"), ("C", "2 hari")]
    sops = [small_sop(f"Kecamatan {o}", [("Mengirim surat", "Caraka", t)]) for o, t in offices]
    comparison = merge_alignments(
        sops, 0, {1: [AlignedPair(0, 0, 1.0)], 2: [AlignedPair(0, 0, 1.0)]}
    )
    spread = find_differences(comparison).timing[0]
    assert [spread.values[i].office for i in spread.outliers] == ["Kecamatan C"]
    assert spread.median_minutes == 20


def test_actor_difference_and_missing_control_step():
    a = small_sop(
        "Kecamatan A",
        [
            ("Menyusun konsep surat", "Kasubag Umum", "1 jam"),
            ("Memeriksa dan memaraf konsep", "Sekretaris Camat", "10 menit"),
            ("Menandatangani surat", "Camat", "5 menit"),
        ],
    )
    b = small_sop(
        "Kecamatan B",
        [("Menyusun konsep surat", "Staf", "1 jam"), ("Menandatangani surat", "Camat", "5 menit")],
    )
    comparison = merge_alignments([a, b], 0, {1: [AlignedPair(0, 0, 1.0), AlignedPair(2, 1, 1.0)]})
    found = find_differences(comparison, include_compliance=False)
    actor = [f for f in found.findings if f.category == "actor"]
    assert len(actor) == 1 and "Kasubag Umum" in actor[0].message and "Staf" in actor[0].message
    missing = [f for f in found.findings if f.category == "missing_step"]
    assert len(missing) == 1
    assert missing[0].severity == "high"  # a check step carries accountability
    assert "tidak ada di Kecamatan B" in missing[0].message


def test_step_done_at_another_point_is_an_order_difference():
    a = small_sop(
        "Kecamatan A",
        [
            ("Menerima berkas permohonan cuti", "Staf", ""),
            ("Memverifikasi kelengkapan berkas permohonan cuti", "Kasubag", ""),
            ("Menandatangani surat cuti", "Camat", ""),
            ("Mengirim surat cuti ke BKD", "Caraka", ""),
        ],
    )
    b = small_sop(
        "Kecamatan B",
        [
            ("Menerima berkas permohonan cuti", "Staf", ""),
            ("Menandatangani surat cuti", "Camat", ""),
            ("Mengirim surat cuti ke BKD", "Caraka", ""),
            ("Memverifikasi kelengkapan berkas permohonan cuti", "Kasubag", ""),
        ],
    )
    comparison = compare_group([a, b], TfidfEncoder(), pivot=0)
    found = find_differences(comparison, include_compliance=False)
    order = [f for f in found.findings if f.category == "order"]
    assert len(order) == 1, [f.message for f in found.findings]
    assert "Memverifikasi" in order[0].message and "Kecamatan B" in order[0].message
    assert not [f for f in found.findings if f.category == "missing_step"]


def test_requirements_and_outputs_that_share_nothing():
    a = small_sop("Kecamatan A", [("Mengagendakan surat", "Agendaris", "5 menit")])
    b = small_sop("Kecamatan B", [("Mengagendakan surat", "Agendaris", "5 menit")])
    a.steps[0].requirements, b.steps[0].requirements = "Buku agenda", "Aplikasi SRIKANDI"
    a.steps[0].output, b.steps[0].output = "Nomor agenda surat", "Nomor agenda"
    found = find_differences(merge_alignments([a, b], 1, _diagonal(1)), include_compliance=False)
    assert [f.category for f in found.findings if f.category in ("requirements", "output")] == [
        "requirements"
    ]


def test_legal_bases_cited_by_only_some_offices():
    law = "Undang-Undang Nomor 5 Tahun 2014 tentang Aparatur Sipil Negara"
    perbup = "Peraturan Bupati Nomor 96 Tahun 2019 tentang Kedudukan"
    a = small_sop(
        "Kecamatan A", [("Mengirim surat", "Caraka", "5 menit")], legal_basis=[law, perbup]
    )
    b = small_sop(
        "Kecamatan B", [("Mengirim surat", "Caraka", "5 menit")], legal_basis=["UU No. 5 Th. 2014"]
    )
    found = find_differences(merge_alignments([a, b], 1, _diagonal(1)))
    legal = [f for f in found.findings if f.category == "legal_basis"]
    assert len(legal) == 1 and "Peraturan Bupati/Wali Kota Nomor 96 Tahun 2019" in legal[0].message
    union = legal_basis_union([a, b])
    assert [text for text, _ in union] == [law, perbup]  # UU before Perbup, fullest wording kept
    assert union[0][1] == [0, 1]


def test_compliance_of_odd_sops():
    empty = SOP(source_file="x.txt", title="", office="Kecamatan X")
    findings = compliance(empty)
    assert any(f.severity == "high" and "tabel langkah" in f.message for f in findings)
    assert any("Nama SOP" in f.message for f in findings)
    one = small_sop("Kecamatan A", [("Mengirim surat", "", "")])
    messages = " ".join(f.message for f in compliance(one))
    assert (
        "tanpa Pelaksana" in messages and "tanpa Waktu" in messages and "tanpa Output" in messages
    )


def test_odd_groups_never_crash():
    lone = small_sop("Kecamatan A", [("Mengirim surat", "Caraka", "5 menit")])
    empty = SOP(source_file="y.txt", title="Surat Keluar", office="Kecamatan B")
    for group in (
        [lone],
        [lone, empty],
        [empty, lone],
        [empty, copy.deepcopy(empty)],
        [lone, copy.deepcopy(lone)],
    ):
        comparison = compare_group(group, TfidfEncoder())
        found = find_differences(comparison)
        assert found.to_dict()["sops"]
    assert compare_group([], TfidfEncoder()).rows == []


def test_totals_are_written_with_the_working_day_of_the_sops():
    """With 8-hour days a 480-minute total is "1 hari" (not "1 hari 30 menit")."""
    found = find_differences(letters_at_eight_hours(("1 jam", "1 jam")))
    assert found.total is not None
    assert [(v.minutes, v.raw) for v in found.total.values] == [(480, "1 hari"), (120, "2 jam")]
    message = next(f.message for f in found.findings if f.category == "total_time")
    assert "1 hari (Kecamatan A)" in message and "30 menit" not in message
