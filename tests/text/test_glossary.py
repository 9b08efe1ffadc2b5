from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sopdata.text.glossary import (
    DATA_DIR,
    Acronym,
    ActorAlias,
    Glossary,
    GlossaryError,
    actor_key,
    default_glossary,
    expand_acronyms,
    load_glossary,
    normalise_actor,
    opening_actor,
    read_actor_csv,
)
from sopdata.text.terms import canonical_terms

KASUBAG_UMUM = ("Kasubag Umum dan Kepegawaian", "Kepala Sub Bagian Umum dan Kepegawaian")
LOKET = ("Petugas Loket Pelayanan", "Petugas Loket Pelayanan")
SEKCAM = ("Sekretaris Kecamatan", "Sekretaris Kecamatan")
PENGADM = ("Pengadministrasi Umum", "Pengadministrasi Umum")
KASUBAG = ("Kasubag", "Kepala Sub Bagian")
BUD = ("BUD (BPKAD)", "Bendahara Umum Daerah pada Badan Pengelolaan Keuangan dan Aset Daerah")


# Every Pelaksana header of the seed corpus (and the examples of the issue).
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Kecamatan Lumajang
        ("Staf", ("Staf", "Staf Pelaksana")),
        ("TIM Kecamatan", ("Tim Kecamatan", "Tim Kecamatan")),
        ("Kepala Sub Bagian Umum dan Kepegawaian", KASUBAG_UMUM),
        ("Sekretaris Kecamatan", SEKCAM),
        ("Camat", ("Camat", "Camat")),
        # Kecamatan Sumbersuko
        ("Petugas Front Office", LOKET),
        ("Kasi Yanmum", ("Kasi Pelayanan Umum", "Kepala Seksi Pelayanan Umum")),
        ("Sekcam", SEKCAM),
        # Kecamatan Candipuro
        ("Sekretaris", ("Sekretaris", "Sekretaris")),
        ("Kasi / Kasubag", ("Kasi/Kasubag", "Kepala Seksi / Kepala Sub Bagian")),
        # Setda Bagian Organisasi
        ("Kasubag", KASUBAG),
        ("Kabag", ("Kabag", "Kepala Bagian")),
        ("Tim Anjab", ("Tim Analisis Jabatan", "Tim Analisis Jabatan")),
        ("Tim LKj", ("Tim LKj", "Tim Laporan Kinerja")),
        ("Tim KBK", ("Tim KBK", "Tim Kelompok Budaya Kerja")),
        ("Tim Kelembagaan", ("Tim Kelembagaan", "Tim Kelembagaan")),
        ("Pengelola", ("Pengelola", "Pengelola")),
        ("PNS dan PTT", ("PNS dan PTT", "Pegawai Negeri Sipil dan Pegawai Tidak Tetap")),
        ("PNS", ("PNS", "Pegawai Negeri Sipil")),
        ("Pengelola Kepegawaian", ("Pengelola Kepegawaian", "Pengelola Kepegawaian")),
        ("Pengadm. Umum", PENGADM),
        ("Ka. Subag", KASUBAG),
        ("Ptgs. Caraka", ("Petugas Caraka", "Petugas Caraka")),
        # Kecamatan Jogoroto (OCR)
        ("Agendaris", ("Agendaris", "Agendaris Surat")),
        (
            "Subag Umum dan Kepegawaian",
            ("Subbag Umum dan Kepegawaian", "Sub Bagian Umum dan Kepegawaian"),
        ),
        ("Kasi", ("Kasi", "Kepala Seksi")),
        ("Masyarakat", ("Masyarakat", "Masyarakat")),
        ("Pemohon", ("Pemohon", "Pemohon")),
        ("Petugas Loket", LOKET),
        ("Loket", LOKET),
        ("Pegawai", ("Pegawai", "Pegawai")),
        ("BKD", ("BKD", "Badan Kepegawaian Daerah")),
        ("Bappeda", ("Bappeda", "Badan Perencanaan Pembangunan Daerah")),
        ("BPKAD/BUD", BUD),
        ("BUD (BPKAD)", BUD),
        ("Bendahara Pengeluaran", ("Bendahara Pengeluaran", "Bendahara Pengeluaran")),
        ("PPTK", ("PPTK", "Pejabat Pelaksana Teknis Kegiatan")),
        ("Pelaksana Teknis Kegiatan", ("PPTK", "Pejabat Pelaksana Teknis Kegiatan")),
        ("PPK", ("PPK", "Pejabat Penatausahaan Keuangan")),
        ("Pejabat Penatausahaan Keuangan", ("PPK", "Pejabat Penatausahaan Keuangan")),
        ("Pengguna Anggaran", ("Pengguna Anggaran", "Pengguna Anggaran")),
        ("Humas", ("Humas", "Petugas Hubungan Masyarakat")),
        ("Bagian Organisasi", ("Bagian Organisasi", "Bagian Organisasi Sekretariat Daerah")),
        ("Kasubag Keuangan", ("Kasubag Keuangan", "Kepala Sub Bagian Keuangan")),
        (
            "Kasubag Sungram & Pelaporan",
            ("Kasubag Perencanaan", "Kepala Sub Bagian Perencanaan dan Penyusunan Program"),
        ),
        (
            "Kasubag Keuangan, Sungram dan Evaluasi",
            (
                "Kasubag Keuangan dan Program",
                "Kepala Sub Bagian Keuangan, Penyusunan Program dan Evaluasi",
            ),
        ),
        ("Sekretaris Camat", SEKCAM),
        ("Pencatat/Agendaris", ("Agendaris", "Agendaris Surat")),
        # examples of the issue and spelling variants
        ("Kasubag Umum", KASUBAG_UMUM),
        ("Kasubbag Umum", KASUBAG_UMUM),
        ("KASUBAG UMUM", KASUBAG_UMUM),
        ("Kasubag Umum dan Kepegawaian", KASUBAG_UMUM),
        ("Kasubbag", KASUBAG),
        ("Kasub ag", KASUBAG),
        ("Front Office", LOKET),
        ("Pengadministrasi Umum", PENGADM),
        ("Pengadministrasian Umum", PENGADM),
        # one OCR slip away from a known alias
        ("Carmat", ("Camat", "Camat")),
        ("Sehcam", SEKCAM),
        # common in kecamatan / SKPD SOPs
        ("Lurah", ("Lurah", "Lurah")),
        ("Kades", ("Kepala Desa", "Kepala Desa")),
        ("Kasi Pemerintahan", ("Kasi Pemerintahan", "Kepala Seksi Pemerintahan")),
        ("Kasi Trantib", ("Kasi Trantib", "Kepala Seksi Ketenteraman dan Ketertiban Umum")),
        ("Kasi Kesos", ("Kasi Kesos", "Kepala Seksi Kesejahteraan Sosial")),
        ("Kasi PMD", ("Kasi PMD", "Kepala Seksi Pemberdayaan Masyarakat dan Desa")),
        ("Operator", ("Operator", "Operator")),
        (
            "Kasubag Perencanaan",
            ("Kasubag Perencanaan", "Kepala Sub Bagian Perencanaan dan Penyusunan Program"),
        ),
        ("Sekda", ("Sekretaris Daerah", "Sekretaris Daerah")),
        (
            "Asisten Administrasi",
            ("Asisten Administrasi", "Asisten Administrasi Umum Sekretariat Daerah"),
        ),
        ("Bupati", ("Bupati", "Bupati")),
        ("Inspektorat", ("Inspektorat", "Inspektorat Daerah")),
        ("BKPSDM", ("BKD", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia")),
        # unknown actors come back tidied
        ("TIM Desa", ("Tim Desa", "Tim Desa")),
        ("  tim  pelaksana  kegiatan ", ("Tim Pelaksana Kegiatan", "Tim Pelaksana Kegiatan")),
        (
            "Tim SP dan SOP",
            ("Tim SP dan SOP", "Tim Standar Pelayanan dan Standar Operasional Prosedur"),
        ),
        ("UPT Puskesmas", ("UPT Puskesmas", "UPT Puskesmas")),
        ("", ("", "")),
    ],
)
def test_normalise_actor(raw: str, expected: tuple[str, str]) -> None:
    assert normalise_actor(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ka. Subag", "Kasubbag"),
        ("Kasub ag", "KASUBAG"),
        ("Kasubag Sungram & Pelaporan", "kasubag sungram dan pelaporan"),
        ("Kepala Subbagian Umum", "Kepala Sub Bagian Umum"),
    ],
)
def test_actor_key_folds_spelling_variants(a: str, b: str) -> None:
    assert actor_key(a) == actor_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kasi", "Kasubag"), ("Kabag", "Kabid"), ("Kasi Pem", "Kasi PMD"), ("Camat", "Sekcam")],
)
def test_distinct_actors_stay_distinct(a: str, b: str) -> None:
    assert normalise_actor(a)[0] != normalise_actor(b)[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Penyusunan LAKIP",
            "Penyusunan LAKIP (Laporan Akuntabilitas Kinerja Instansi Pemerintah)",
        ),
        ("Dokumen LKj", "Dokumen LKj (Laporan Kinerja)"),
        ("Data Lkj", "Data Lkj (Laporan Kinerja)"),
        ("Penyusunan TAPKIN", "Penyusunan TAPKIN (Penetapan Kinerja)"),
        ("Penyusunan Renja", "Penyusunan Renja (Rencana Kerja)"),
        ("Pencairan Anggaran UP", "Pencairan Anggaran UP (Uang Persediaan)"),
        (
            "Lap.SPM disusun",
            "Lap.SPM (Surat Perintah Membayar / Standar Pelayanan Minimal) disusun",
        ),
        (
            "SPP, SPM dan SP2D",
            "SPP (Surat Permintaan Pembayaran), SPM (Surat Perintah Membayar) "
            "dan SP2D (Surat Perintah Pencairan Dana)",
        ),
        (
            "Mengumpulkan PPK dan SKP pegawai",
            "Mengumpulkan PPK (Penilaian Prestasi Kerja) dan SKP (Sasaran Kinerja Pegawai) pegawai",
        ),
        (
            "PPK memverifikasi SPP",
            "PPK (Pejabat Penatausahaan Keuangan) memverifikasi SPP (Surat Permintaan Pembayaran)",
        ),
        ("KTP-el", "KTP-el (Kartu Tanda Penduduk Elektronik)"),
        ("Copy KK", "Copy KK (Kartu Keluarga)"),
        ("SK dan SK", "SK (Surat Keputusan) dan SK"),  # once is enough
        # already explained: left alone
        ("LAKIP (Laporan Akuntabilitas Kinerja Instansi Pemerintah)", None),
        ("Rencana Kerja (Renja)", None),
        ("Surat Keterangan Miskin (SKM)", None),
        # whole words only, capitals or the listed spelling only
        ("LAKIPNYA", None),
        ("SKPDnya", None),
        ("naik up ke atas dan ls", None),
        ("Up to date", None),
        ("kk", None),
        ("Mengirimkan surat", None),
        ("", None),
    ],
)
def test_expand_acronyms(text: str, expected: str | None) -> None:
    assert expand_acronyms(text) == (text if expected is None else expected)


@pytest.mark.parametrize(
    ("texts", "token"),
    [
        (["Penyusunan LAKIP", "Penyusunan LKj", "Penyusunan Laporan Kinerja", "Data Lkj"], "lakip"),
        (["Lap.Kinerja", "Laporan Akuntabilitas Kinerja Instansi Pemerintah"], "lakip"),
        (["Penyusunan TAPKIN", "Penyusunan Penetapan Kinerja", "Perjanjian Kinerja"], "tapkin"),
        (["Dokumen PK", "Tapkin"], "tapkin"),
        (["Rencana Kerja", "Renja", "RENJA"], "renja"),
        (["Analisa Jabatan", "Anjab", "Analisis Jabatan"], "anjab"),
        (["SKPD", "OPD", "Organisasi Perangkat Daerah"], "skpd"),
        (["Surat Keterangan Tidak Mampu", "SKTM", "Surat Keterangan Miskin (SKM)"], "sktm"),
        (["Surat Keterangan Kurang Mampu/SKKM", "SKKM", "Surat Keterangan Tidak Mampu"], "sktm"),
        (
            ["Penerbitan IMB", "Persetujuan Bangunan Gedung (PBG)", "Izin Mendirikan Bangunan"],
            "imb",
        ),
        (["Surat Keterangan Usaha", "Pelayanan SKU"], "sku"),
        (["Suket Domisili", "Surat Keterangan Domisili"], "suket"),
        (["Indeks Kepuasan Masyarakat", "IKM", "SKM hasil survei kepuasan"], "ikm"),
    ],
)
def test_canonical_terms_converge(texts: list[str], token: str) -> None:
    for text in texts:
        assert token in canonical_terms(text), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Penyusunan LAKIP", {"penyusunan", "lakip"}),
        ("Penyusunan Laporan Kinerja", {"penyusunan", "lakip"}),
        ("Menyampaikan surat ke Camat", {"menyampaikan", "surat", "camat"}),
        ("SPP, SPM dan SP2D", {"spp", "spm:surat-perintah-membayar", "sp2d"}),
        ("Dokumen Standar Pelayanan Minimal", {"dokumen", "spm:standar-pelayanan-minimal"}),
        ("naik up", {"naik"}),
        ("", set()),
    ],
)
def test_canonical_terms(text: str, expected: set[str]) -> None:
    assert canonical_terms(text) == expected


def test_ambiguous_acronym_without_context_keeps_both_meanings() -> None:
    assert canonical_terms("SPM") == {
        "spm:surat-perintah-membayar",
        "spm:standar-pelayanan-minimal",
    }


def test_builtin_csvs_are_valid() -> None:
    for name, columns in (
        ("actors.csv", ["pattern", "canonical", "spelled_out"]),
        ("acronyms.csv", ["acronym", "expansion", "aliases", "context"]),
    ):
        with (DATA_DIR / name).open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == columns
            rows = list(reader)
        assert rows
        assert all(None not in r and r[columns[0]] and r[columns[1]] for r in rows), name
    keys = [actor_key(a.pattern) for a in default_glossary().actors]
    assert len(keys) == len(set(keys)), "two actors.csv rows with the same pattern"


def test_user_csv_adds_and_overrides_actors(tmp_path: Path) -> None:
    path = tmp_path / "aktor.csv"
    path.write_text(
        "pattern,canonical,spelled_out\n"
        "Kasi Pelum,Kasi Pelayanan Umum,Kepala Seksi Pelayanan Umum\n"
        "Sekretaris,Sekretaris Kecamatan,Sekretaris Kecamatan\n",
        encoding="utf-8-sig",
    )
    g = load_glossary(actor_csv=path)
    assert normalise_actor("Kasi Pelum", g) == (
        "Kasi Pelayanan Umum",
        "Kepala Seksi Pelayanan Umum",
    )
    assert normalise_actor("Sekretaris", g) == SEKCAM  # overridden for this office
    assert normalise_actor("Sekcam", g) == SEKCAM  # built-in rows still there
    assert normalise_actor("Kasi Pelum") == ("Kasi Pelum", "Kasi Pelum")  # default untouched


def test_user_acronym_replaces_an_ambiguous_one() -> None:
    g = Glossary.load(
        extra_acronym_rows=[{"acronym": "SPM", "expansion": "Standar Pelayanan Minimal"}]
    )
    assert expand_acronyms("Penyusunan SPM", g) == "Penyusunan SPM (Standar Pelayanan Minimal)"
    assert canonical_terms("SPM", g) == {"spm"}


def test_glossary_load_accepts_dataclass_rows_without_builtin() -> None:
    g = Glossary.load(
        [ActorAlias("Juru Tulis", "Juru Tulis", "Juru Tulis Desa")],
        [Acronym("JT", "Juru Tulis")],
        builtin=False,
    )
    assert normalise_actor("juru tulis", g) == ("Juru Tulis", "Juru Tulis Desa")
    assert normalise_actor("Camat", g) == ("Camat", "Camat")  # unknown here: tidied
    assert expand_acronyms("JT", g) == "JT (Juru Tulis)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pattern,canonical\nSekcam,\n", "baris 2"),
        ("pola,nama\nSekcam,Sekretaris Kecamatan\n", "kolom tidak ada"),
    ],
)
def test_bad_user_csv_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(GlossaryError, match=message):
        read_actor_csv(text)


def test_default_glossary_is_cached() -> None:
    assert default_glossary() is default_glossary()


def test_with_entries_extends_the_default_glossary() -> None:
    from dataclasses import dataclass

    from sopdata.text.glossary import with_entries

    @dataclass(frozen=True)
    class Entry:
        kind: str
        alias: str
        canonical: str

    g = with_entries(
        [
            Entry("actor", "Kasi Pelum", "Kasi Pelayanan Umum"),
            Entry("actor", "Juru Tulis", "Juru Tulis Desa"),
            Entry("acronym", "SPM", "Surat Perintah Membayar"),  # replaced below
            Entry("acronym", "SPM", "Standar Pelayanan Minimal"),
        ]
    )
    # a canonical name the glossary knows keeps its spelled-out form
    assert normalise_actor("Kasi Pelum", g) == (
        "Kasi Pelayanan Umum",
        "Kepala Seksi Pelayanan Umum",
    )
    assert normalise_actor("juru tulis", g) == ("Juru Tulis Desa", "Juru Tulis Desa")
    assert normalise_actor("Sekcam", g) == SEKCAM  # built-in rows still there
    assert expand_acronyms("Penyusunan SPM", g) == "Penyusunan SPM (Standar Pelayanan Minimal)"
    assert normalise_actor("Kasi Pelum") == ("Kasi Pelum", "Kasi Pelum")  # default untouched
    with pytest.raises(ValueError):
        with_entries([Entry("verb", "x", "y")])


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("Camat menandatangani surat pengantar", "Camat"),
        ("Kasubag Umum menyiapkan surat pengantar", "Kasubag Umum dan Kepegawaian"),
        ("sekretaris Camat memberitahu kepada pegawai", "Sekretaris Kecamatan"),
        ("Pegawai melengkapi berkas persyaratan", "Pegawai"),
        ("PNS mengajukan permohonan pensiun", "PNS"),
        ("Subag Umum menyiapkan surat", "Subbag Umum dan Kepegawaian"),
        # the subject must open the sentence: a name mentioned later is no actor
        ("Menyiapkan surat untuk ditandatangani Camat", ""),
        ("Surat pengantar diterima BKD", ""),
        ("", ""),
    ],
)
def test_opening_actor(text, actor):
    assert opening_actor(text) == actor
