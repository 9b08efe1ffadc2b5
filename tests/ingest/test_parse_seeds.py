"""The parser against the hand-made inventory of the 42 seed SOPs."""

from __future__ import annotations

from collections import Counter

import pytest

from sopdata.text.textclean import normalise_title_key
from tests.support.paths import SEED_TO_CORPUS, read_eval


def _inventory():
    return read_eval("seed_inventory.csv")


def test_every_inventory_sop_is_found_with_its_title(sops_by_file):
    inventory = _inventory()
    for seed_file, rows in _group(inventory).items():
        parsed = sops_by_file[SEED_TO_CORPUS[seed_file]]
        expected = [normalise_title_key(r["title"]) for r in rows]
        got = [normalise_title_key(s.title) for s in parsed]
        assert got == expected, seed_file


def test_corpus_holds_exactly_the_inventory(corpus_sops):
    assert len(corpus_sops) == len(_inventory()) == 42


def _group(rows):
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r["file"], []).append(r)
    return out


def test_step_counts_within_tolerance(sops_by_file):
    misses = []
    for seed_file, rows in _group(_inventory()).items():
        parsed = sops_by_file[SEED_TO_CORPUS[seed_file]]
        for row, sop in zip(rows, parsed, strict=True):
            if abs(len(sop.steps) - int(row["n_steps"])) > int(row["steps_tolerance"]):
                misses.append(
                    (row["title"], len(sop.steps), row["n_steps"], row["steps_tolerance"])
                )
    assert not misses


def test_clean_tables_have_exact_step_counts_and_sequential_numbers(sops_by_file):
    for seed_file, rows in _group(_inventory()).items():
        if seed_file.startswith("003"):
            continue
        for row, sop in zip(rows, sops_by_file[SEED_TO_CORPUS[seed_file]], strict=True):
            assert len(sop.steps) == int(row["n_steps"]), row["title"]
            assert [s.no for s in sop.steps] == [str(i) for i in range(1, len(sop.steps) + 1)]


def test_offices_match_inventory(sops_by_file):
    for seed_file, rows in _group(_inventory()).items():
        for row, sop in zip(rows, sops_by_file[SEED_TO_CORPUS[seed_file]], strict=True):
            assert sop.office == row["office"]
            if row["kabupaten"] != "unnamed":
                assert sop.kabupaten == row["kabupaten"]


def _sop(sops_by_file, seed, title):
    key = normalise_title_key(title)
    return next(
        s for s in sops_by_file[SEED_TO_CORPUS[seed]] if normalise_title_key(s.title) == key
    )


# Hand-checked rows of the clean tables: (seed, SOP, step, activity start, Waktu raw, minutes, output)
CHECKED_STEPS = [
    (
        "000_c3f41e4fc69b191e.txt",
        "Rekrutmen Tenaga Kontrak",
        "3",
        "Melaksanakan koordinasi Internal",
        "30 Menit",
        30,
        "Notulen",
    ),
    (
        "001_acaa52363ff2fa66.txt",
        "Pelayanan Rekomendasi Surat Keterangan Organisasi Terlarang (OT)",
        "2",
        "Memverifikasi Dan Memvalidasi",
        "10 mnt",
        10,
        "",
    ),
    (
        "002_5e6c6981dbbc5284.txt",
        "Pengumpulan Data Kinerja",
        "5",
        "Menganalisis dan mengevaluasi",
        "3 Hari",
        3 * 450,
        "Draft Laporan Kinerja",
    ),
    (
        "002_5e6c6981dbbc5284.txt",
        "Pengumpulan Data Kinerja",
        "9",
        "Penandatanganan dokumen Laporan Kinerja",
        "10 Menit",
        10,
        "Disposisi Persetujuan Dokumen Laporan Kinerja",
    ),
    (
        "004_222709af16668202.txt",
        "Analisa dan Kompetensi Jabatan",
        "8",
        "Finalisasi analisa jabatan SKPD",
        "1 bln",
        22 * 450,
        "Dokumen Anjab",
    ),
    (
        "004_222709af16668202.txt",
        "Pembinaan Budaya Kerja",
        "3",
        "Meneliti data KBK masuk dr SKPD",
        "10 hari",
        10 * 450,
        "Sosialisasi",
    ),
    (
        "004_222709af16668202.txt",
        "Surat Ijin Cuti",
        "4",
        "Penandatanganan surat ijin cuti.",
        "5 Menit",
        5,
        "Surat ijin cuti",
    ),
    (
        "004_222709af16668202.txt",
        "Surat Keluar",
        "4",
        "Penandatanganan surat keluar",
        "5 menit",
        5,
        "Surat",
    ),
    (
        "004_222709af16668202.txt",
        "Surat Keluar",
        "6",
        "Mengirim sesuai yang dituju",
        "20 menit",
        20,
        "Tanda terima",
    ),
    (
        "004_222709af16668202.txt",
        "Perjanjian Kinerja",
        "7",
        "Menghimpun dan meneliti data masuk dari SKPD.",
        "1 Bln",
        22 * 450,
        "Tersusunnya perjanjian Kinerja",
    ),
]


@pytest.mark.parametrize("seed,title,no,activity,raw,minutes,output", CHECKED_STEPS)
def test_hand_checked_steps(sops_by_file, seed, title, no, activity, raw, minutes, output):
    step = next(s for s in _sop(sops_by_file, seed, title).steps if s.no == no)
    assert step.activity.startswith(activity)
    assert step.duration.raw == raw
    assert step.duration.minutes == pytest.approx(minutes)
    assert step.output == output


def test_clean_table_durations_all_read(sops_by_file):
    """Every Waktu of the clean tables is a duration (only the Mulai row is empty)."""
    for seed_file, _rows in _group(_inventory()).items():
        if seed_file.startswith("003"):
            continue
        for sop in sops_by_file[SEED_TO_CORPUS[seed_file]]:
            for step in sop.steps:
                if step.activity == "Mulai":
                    assert step.duration.kind == "empty"
                else:
                    assert step.duration.kind == "duration", (sop.title, step.no, step.duration.raw)


def test_shifted_rows_read_from_the_waktu_column(sops_by_file):
    sop = _sop(sops_by_file, "004_222709af16668202.txt", "Surat Ijin Cuti")
    first = sop.steps[0]
    assert first.requirements == "Berkas Kepegawaian"
    assert first.output == "Berkas Kepegawaian"
    assert first.marks == {"Pengelola Kepegawaian": "Tidak"}
    assert first.actors == []  # a Ya/Tidak label is not an actor
    assert any("bergeser" in w for w in sop.warnings)


def test_decision_marks_and_actor_columns(sops_by_file):
    sop = _sop(
        sops_by_file, "004_222709af16668202.txt", "Pengajuan Kartu PNS dan Kartu Istri/Suami"
    )
    assert [a.raw for a in sop.actors] == ["PNS", "Pengelola Kepegawaian", "Pengadm. Umum", "Kabag"]
    step2 = sop.steps[1]
    assert step2.actors == ["PNS", "Pengelola Kepegawaian"]
    assert step2.is_decision
    assert not sop.steps[0].is_decision


def test_missing_marks_are_warned(sops_by_file):
    sop = _sop(sops_by_file, "004_222709af16668202.txt", "Pelayanan Publik")
    assert "kolom pelaksana kosong: simbol flowchart hilang" in sop.warnings
    assert sop.confidence < 1.0


def test_html_lists_become_lines(sops_by_file):
    sop = _sop(sops_by_file, "004_222709af16668202.txt", "Analisa dan Kompetensi Jabatan")
    assert sop.steps[0].activity.splitlines() == [
        "Mempelajari SK Tim penyusunan analisa dan kompetensi jabatan",
        "Menyusun langkah-langkah teknis kegiatan",
        "Konsultasi dan koordinasi perumusan, penyusunan program kerja dan kebijakan analisa dan kompetensi jabatan",
        "Koordinasi dengan Kabag untuk mengundang petugas yg membidangi dari SKPD.",
    ]
    assert "<" not in "".join(s.activity + s.requirements + s.output for s in sop.steps)


def test_identity_block_of_a_kecamatan_sop(sops_by_file):
    sop = _sop(sops_by_file, "002_5e6c6981dbbc5284.txt", "Pengumpulan Data Kinerja")
    assert sop.number == "700/16/SOP/427.83/2024"
    assert sop.date_created == "14 Januari 2024"
    assert sop.date_approved == "17 Januari 2024"
    assert sop.approved_by.startswith("Pt. CAMAT CANDIPURO")
    assert len(sop.legal_basis) == 5
    assert sop.equipment == [
        "Alat Tulis Kantor",
        "Komputer",
        "Printer",
        "Lembar Kerja dan Rencana Kerja",
    ]
    assert sop.related_sops == ["SOP Penyusunan SAKIP"]
    assert [a.raw for a in sop.actors] == ["Camat", "Sekretaris", "Kasi / Kasubag", "Staf"]


def test_ocr_title_prefers_heading_when_nama_sop_repeats(sops_by_file):
    sops = sops_by_file[SEED_TO_CORPUS["003_1c9b8a28b280bca2.txt"]]
    assert normalise_title_key(sops[1].title) == "pencarian informasi untuk kecamatan"
    assert any("mengulang judul" in w for w in sops[1].warnings)
    assert all(s.confidence <= 0.6 for s in sops)


def test_sop_numbers_of_ocr_book(sops_by_file):
    sops = sops_by_file[SEED_TO_CORPUS["003_1c9b8a28b280bca2.txt"]]
    numbers = Counter(s.number for s in sops if s.number)
    assert "065/02.SOP.SEK/415.67/2022" in numbers


def test_ocr_role_words_come_from_the_glossary():
    """The OCR reader knows a role by the glossary's actors (data/actors.csv): the
    words its former hand list held, and any actor the glossary adds."""
    from sopdata.ingest.parse_ocr import _role_words
    from sopdata.text.glossary import default_glossary

    words = set(_role_words())
    former = {
        "camat",
        "sekcam",
        "sekretaris",
        "kasubag",
        "kasubbag",
        "subag",
        "kasi",
        "seksi",
        "staf",
        "humas",
        "pegawai",
        "pemohon",
        "petugas",
        "agendaris",
        "bendahara",
        "pptk",
        "ppk",
        "bkd",
        "bappeda",
        "bpkad",
        "bud",
        "pengguna",
        "pejabat",
        "tim",
        "lurah",
        "kades",
        "masyarakat",
        "operator",
        "pengelola",
        "kabag",
        "kepala",
        "setiap",
        "masing",
        "bagian",
        "badan",
    }
    assert former <= words
    assert {a.pattern.split()[0] for a in default_glossary().actors if a.pattern.isalpha()} <= words
