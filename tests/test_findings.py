"""Findings on real seed groups and on small hand-built groups."""

from __future__ import annotations

import copy

import pytest

from embeddings.lexical import TfidfEncoder
from sopdata.findings import compliance, find_differences, shorten_words, unreadable_steps
from sopdata.legal_basis import legal_basis_union
from sopdata.matching.alignment import AlignedPair
from sopdata.matching.compare import compare_group, merge_alignments
from sopdata.records import SOP
from sopdata.text.durations import parse_duration
from tests.support.builders import gold_group, letters_at_eight_hours, small_sop
from tests.test_harmonise import ISSUE_GROUPS


def test_surat_keluar_garbled_steps_are_one_finding(sops_by_file):
    """Jogoroto's Surat Keluar is OCR garbage: one "teks tidak terbaca" finding names
    its six steps, and none of them yields a timing, Pelaksana or Mutu Baku finding."""
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    found = find_differences(merge_alignments(sops, 1, alignments))
    (garbled,) = [f for f in found.findings if f.category == "unreadable"]
    assert garbled.offices == ("Kecamatan Jogoroto",)
    assert garbled.steps == tuple(f"Kecamatan Jogoroto langkah {k}" for k in range(1, 7))
    assert "langkah opsional" in garbled.proposed and "rumusan terbaca" in garbled.proposed
    row_findings = [
        f for f in found.findings if f.category in ("timing", "actor", "requirements", "output")
    ]
    assert not [f for f in row_findings if any("Jogoroto" in step for step in f.steps)]
    assert not found.timing  # no Waktu of a garbled step is compared


def test_surat_keluar_sending_time_once_the_reviewer_reads_the_scan(sops_by_file):
    """Once the reviewer types the sending step as the scan says, its Waktu (OCR
    "1 Harl", 450 minutes) is compared: an outlier against Setda's 20 menit, with
    the draft's value proposed."""
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    sops[0].steps[
        5
    ].activity = (
        "Agendaris surat menyampaikan surat kepada alamat yang dituju dengan buku ekspedisi"
    )
    found = find_differences(merge_alignments(sops, 1, alignments))
    sending = [f for f in found.findings if f.category == "timing" and "1 Harl" in f.message]
    assert len(sending) == 1
    assert sending[0].severity == "high"
    assert "20 menit" in sending[0].message
    assert sending[0].proposed.endswith("Waktu 20 menit")
    spread = next(t for t in found.timing if t.row == sending[0].row)
    assert (spread.minimum.minutes, spread.minimum.raw) == (20, "20 menit")
    assert (spread.maximum.minutes, spread.maximum.raw) == (450, "1 Harl")
    assert len(spread.outliers) == 2  # with two offices, each is far from the other
    (garbled,) = [f for f in found.findings if f.category == "unreadable"]
    assert "Kecamatan Jogoroto langkah 6" not in garbled.steps


def test_surat_keluar_group_level_findings(sops_by_file):
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    found = find_differences(merge_alignments(sops, 1, alignments))
    categories = {f.category for f in found.findings}
    assert {"unreadable", "total_time", "identity", "compliance"} <= categories
    # Setda's Surat Keluar names no legal basis (nor other sections); Jogoroto cites a Perbup.
    assert any(
        f.category == "identity"
        and "Dasar Hukum" in f.message
        and f.offices == ("Sekretariat Daerah (Bagian Organisasi)",)
        for f in found.findings
    )
    # Ranked by severity, then by the number of offices concerned.
    ranks = [(["high", "medium", "low"].index(f.severity), -len(f.offices)) for f in found.findings]
    assert ranks == sorted(ranks)
    for f in found.findings:
        assert f.message.endswith(".") and f.offices
    # One finding per kind of format gap per SOP at most, and no two identical messages.
    assert len({f.message for f in found.findings}) == len(found.findings)
    assert len([f for f in found.findings if f.category == "compliance"]) <= len(sops)


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


@pytest.mark.parametrize(
    "waktu,activity,minutes",
    [
        ("2 minggu", "Pegawai mengajukan cuti ... pengajuan cuti sebelum cuti", None),
        ("2 minggu sebelum cuti", "Mengajukan cuti", None),
        ("paling lambat 3 hari sebelum", "Menyampaikan berkas", None),
        ("2 minggu", "Menyusun rancangan dokumen", 4500.0),  # no lead word: a duration
        ("1 hari", "Memeriksa berkas sebelum ditandatangani", 450.0),  # a day is work
        ("10 menit", "Camat menandatangani surat", 10.0),
    ],
)
def test_lead_times_are_not_durations(waktu, activity, minutes):
    step = small_sop("Kecamatan A", [(activity, "Pegawai", waktu)]).steps[0]
    assert step.work_minutes == minutes
    assert step.is_lead_time is (minutes is None)


@pytest.mark.slow
def test_jogoroto_leave_lead_time_is_kept_apart(corpus_sops):
    """Jogoroto's leave request: "2 minggu" (before the leave; OCR put "sebelum cuti"
    in the Kegiatan) is no 4,500-minute step in totals, the draft, findings or chart."""
    from sopdata.export.charts import timing_frame
    from sopdata.harmonise import harmonise

    cuti = [s for s in corpus_sops if "Cuti" in s.title]
    jogoroto = next(s for s in cuti if s.office == "Kecamatan Jogoroto")
    assert jogoroto.steps[0].duration.raw == "2 minggu" and jogoroto.steps[0].is_lead_time
    assert jogoroto.total_minutes == 10 + 450 + 10  # the steps that take time
    comparison = compare_group(cuti, TfidfEncoder())
    found = find_differences(comparison)
    total = next(f for f in found.findings if f.category == "total_time")
    assert (
        "11 hari" not in total.message and "1 hari 20 menit (Kecamatan Jogoroto)" in total.message
    )
    assert "tidak dijumlahkan: 2 minggu (Kecamatan Jogoroto)" in total.message
    assert all(v.minutes < 4500 for t in found.timing for v in t.values)
    frame = timing_frame(comparison)
    assert len(frame) and frame["Menit"].max() < 4500
    draft = harmonise(comparison)
    steps = draft.sop.steps + [o.step for o in draft.optional]
    assert all((s.work_minutes or 0) < 4500 for s in steps)
    lead = next(s for s in steps if "tenggat: 2 minggu (Kecamatan Jogoroto)" in s.note)
    assert lead.duration.raw != "2 minggu"
    assert parse_duration("2 minggu").minutes == 4500  # alone, it is still two weeks


@pytest.mark.parametrize("name", list(ISSUE_GROUPS))
def test_issue_groups_findings_are_deduplicated_ranked_and_actionable(corpus_sops, name):
    group = [s for s in corpus_sops if s.title in ISSUE_GROUPS[name]]
    comparison = compare_group(group, TfidfEncoder())
    found = find_differences(comparison)
    garbled = {comparison.step_label(m, i) for m, i in unreadable_steps(comparison)}
    assert garbled  # each group has Jogoroto's OCR book in it
    # A garbled step is named by one finding only: its office's "teks tidak terbaca"
    # (the SOP's own format gaps aside).
    for step in garbled:
        naming = [f for f in found.findings if step in f.steps and f.category != "compliance"]
        assert [f.category for f in naming] == ["unreadable"], (step, naming)
    assert len([f for f in found.findings if f.category == "unreadable"]) == 1
    assert len({f.message for f in found.findings}) == len(found.findings)
    ranks = [(["high", "medium", "low"].index(f.severity), -len(f.offices)) for f in found.findings]
    assert ranks == sorted(ranks)
    for f in found.findings:
        assert f.offices
        if f.category in ("timing", "actor", "missing_step", "order", "unreadable", "total_time"):
            assert f.proposed, f
        if f.row is not None:
            assert f.steps
    # Far fewer than the 21, 24 and 56 findings before issue 16 (CLI, e5 model).
    assert (
        len(found.findings) <= {"surat masuk": 8, "surat keluar": 12, "laporan kinerja": 26}[name]
    )


@pytest.mark.parametrize(
    "text,width,expected",
    [
        ("Menerima surat masuk", 60, "Menerima surat masuk"),
        ("Menyusun laporan kinerja Menyampaikan ke Camat", 30, "Menyusun laporan kinerja…"),
        ("Menyusun laporan kinerja, lalu", 26, "Menyusun laporan kinerja…"),
        ("Pengadministrasiumumkecamatan", 10, "Pengadmin…"),
        ("abc def", 7, "abc def"),
    ],
)
def test_step_names_are_shortened_at_word_boundaries(text, width, expected):
    assert shorten_words(text, width) == expected
