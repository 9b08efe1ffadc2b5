"""Which office issued an SOP, read from its letterhead or identity block."""

from __future__ import annotations

import pytest

from sopdata.ingest.identity import find_office, office_from_title, without_office_suffix
from sopdata.ingest.loaders import load_bytes

CASES = [
    # (letterhead / identity text, office, kabupaten)
    (
        "PEMERINTAH KABUPATEN LUMAJANG\nKECAMATAN CANDIPURO\nNomor SOP\t1",
        "Kecamatan Candipuro",
        "Lumajang",
    ),
    (
        "PEMERINTAH KABUPATEN LUMAJANG\nDINAS KEPENDUDUKAN DAN PENCATATAN SIPIL\nNomor SOP\t1",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "Lumajang",
    ),
    (
        "PEMERINTAH KABUPATEN JOMBANG\nSEKRETARIAT DAERAH\nBAGIAN ORGANISASI\nNomor SOP\t1",
        "Sekretariat Daerah (Bagian Organisasi)",
        "Jombang",
    ),
    # the app's own Excel export writes the unit on one line, parenthesised
    (
        "PEMERINTAH KABUPATEN LUMAJANG\nSEKRETARIAT DAERAH (BAGIAN ORGANISASI)",
        "Sekretariat Daerah (Bagian Organisasi)",
        "Lumajang",
    ),
    # a kelurahan's SOP names its kecamatan too: the kelurahan wrote it
    (
        "PEMERINTAH KABUPATEN LUMAJANG\nKECAMATAN LUMAJANG\nKELURAHAN CITRODIWANGSAN",
        "Kelurahan Citrodiwangsan",
        "Lumajang",
    ),
    (
        "\tPEMERINTAH KABUPATEN LUMAJANG\tNomor SOP\t12\n\tBADAN KEPEGAWAIAN DAERAH\tTgl Pembuatan\t-",
        "Badan Kepegawaian Daerah",
        "Lumajang",
    ),
    ("PEMERINTAH KABUPATEN LUMAJANG\nRSUD DR. HARYOTO", "RSUD DR. Haryoto", "Lumajang"),
    # "Kantor" before a place is the building, not part of the office's name
    ("PEMERINTAH KABUPATEN LUMAJANG\nKANTOR KECAMATAN SUKODONO", "Kecamatan Sukodono", "Lumajang"),
    (
        "PEMERINTAH KABUPATEN LUMAJANG\nKANTOR KELURAHAN DITOTRUNAN",
        "Kelurahan Ditotrunan",
        "Lumajang",
    ),
    (
        "PEMERINTAH KABUPATEN JOMBANG\nKANTOR KESATUAN BANGSA DAN POLITIK",
        "Kantor Kesatuan Bangsa dan Politik",
        "Jombang",
    ),
    ("Unit Kerja : Bagian Umum dan Keuangan\nNomor SOP : 3", "Bagian Umum dan Keuangan", ""),
    ("Satuan Kerja\tPuskesmas Sukodono\nNama SOP\tRujukan", "Puskesmas Sukodono", ""),
    # a Keputusan Camat names the kecamatan only through its camat
    ("KEPUTUSAN CAMAT JOGOROTO\nNOMOR 050/05/415.67/2022", "Kecamatan Jogoroto", ""),
    # nothing to go on
    ("Nama SOP\tPelayanan Surat Pindah", "", ""),
    # a letterhead run together on one line by a PDF's text: the kelurahan inside it,
    # not the signature's "KEPALA KELURAHAN", and the kota named as a kota
    (
        "NOMOR SOP : DISAHKAN OLEH KEPALA KELURAHAN MAWAR PEMERINTAH KOTA BATU "
        "KELURAHAN SIDOMULYO KECAMATAN BATU Nip",
        "Kelurahan Sidomulyo",
        "Kota Batu",
    ),
    (
        "PEMERINTAH KOTA MADIUN\nKECAMATAN KARTOHARJO KELURAHAN KELUN\nNomor SOP",
        "Kelurahan Kelun",
        "Kota Madiun",
    ),
    ("UPTD PUSKESMAS KEDUNGKANDANG Halaman", "Puskesmas Kedungkandang", ""),
    # the kabupaten without "PEMERINTAH" above it (the unit from the cover heading)
    ("SOP KEMENTERIAN AGAMA\n\nKABUPATEN SUMBAWA\n", "Kementerian Agama", "Sumbawa"),
    # a BAGIAN without a sekretariat above it is a Pelaksana column, not the office
    ("PEMERINTAH KABUPATEN LUMAJANG\nBAGIAN UMUM", "", "Lumajang"),
    # unit words after the step table starts are steps and columns, not the letterhead
    ("Nama SOP\tSurat Keluar\nNo\tKegiatan\tPelaksana\nDINAS SOSIAL\tKELURAHAN X", "", ""),
    # unit words in mixed case are running text, not a letterhead
    ("Surat dikirim ke Dinas Sosial\nNama SOP\tSurat", "", ""),
    # running text names its unit; a heading run into the next sentence does not
    ("Surat diantar ke kantor Kelurahan Wonorejo oleh pemohon.", "Kelurahan Wonorejo", ""),
    ("- Pemeriksaan Berkas di Kelurahan Apabila berkas lengkap, petugas mencatat.", "", ""),
    ("- Verifikasi Data di Kecamatan Setelah dokumen diterima, petugas memeriksa.", "", ""),
    ("Pengajuan ke Desa Untuk mendapatkan surat, warga datang.", "", ""),
]


@pytest.mark.parametrize(("text", "office", "kab"), CASES)
def test_find_office(text: str, office: str, kab: str) -> None:
    assert find_office(text) == (office, kab)


@pytest.mark.parametrize(
    ("title", "office", "expected"),
    [
        ("SOP Surat Pindah Kecamatan Jogoroto", "Kecamatan Jogoroto", "SOP Surat Pindah"),
        ("SOP Surat Pindah Jogoroto", "Kecamatan Jogoroto", "SOP Surat Pindah"),
        ("SOP Pelayanan KTP Dinas Kesehatan", "Dinas Kesehatan", "SOP Pelayanan KTP"),
        # the procedure's own last word is kept even when the office's name ends in it
        ("SOP Pelayanan Kesehatan", "Dinas Kesehatan", "SOP Pelayanan Kesehatan"),
        ("SOP Rekrutmen", "", "SOP Rekrutmen"),
    ],
)
def test_without_office_suffix(title: str, office: str, expected: str) -> None:
    assert without_office_suffix(title, office) == expected


def test_dinas_letterhead_in_a_text_dump_names_the_office() -> None:
    dump = (
        "PEMERINTAH KABUPATEN LUMAJANG\n"
        "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL\n"
        "Nomor SOP\t470/12/427.43/2024\n"
        "Nama SOP\tPENERBITAN KARTU KELUARGA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL\n"
        "NO\tKegiatan\tPelaksana\t\tMutu Baku\t\t\tKet\n"
        "\t\tPetugas Loket\tKepala Dinas\tKelengkapan\tWaktu\tOutput\t\n"
        "1\tMenerima berkas permohonan\t□\t\tFormulir F-1.01\t10 menit\tBerkas\t\n"
        "2\tMenandatangani Kartu Keluarga\t\t□\tDraf KK\t1 hari\tKK\t\n"
    )
    (sop,) = load_bytes(dump.encode("utf-8"), "kk.txt").sops
    assert sop.office == "Dinas Kependudukan dan Pencatatan Sipil"
    assert sop.kabupaten == "Lumajang"
    assert sop.title.lower().startswith("penerbitan kartu keluarga")
    assert "dinas" not in sop.title.lower()
    assert not any("kantor" in w for w in sop.warnings)


@pytest.mark.parametrize(
    ("title", "office"),
    [
        ("SOP Cuti Besar Pada Pengadilan Negeri Sleman", "Pengadilan Negeri Sleman"),
        ("Pelayanan KTP di Kelurahan Mojo", "Kelurahan Mojo"),
        ("PENERBITAN IZIN DI DINAS PERIZINAN", "Dinas Perizinan"),
        ("Pelayanan Surat di Loket", ""),
        ("Pengaduan Masyarakat", ""),
    ],
)
def test_office_from_title(title: str, office: str) -> None:
    assert office_from_title(title) == office


# Letterheads of ministries, universities, courts, schools and provincial offices
# (synthetic, one per layout; the development set's documents are scored by
# `evaluate --docs`).
LETTERHEADS = [
    (
        "KEMENTERIAN HUKUM REPUBLIK INDONESIA\nKANTOR WILAYAH JAWA TENGAH\nNama SOP : Cuti",
        "Kementerian Hukum Republik Indonesia",
        "",
    ),
    # a letterhead wrapped after its unit word
    (
        "KANTOR KEMENTERIAN\nAGAMA KABUPATEN\nNama SOP : Cuti Pegawai",
        "Kantor Kementerian Agama Kabupaten",
        "",
    ),
    (
        "PENGADILAN NEGERI SLEMAN\nKELAS IB\nNama SOP : Pendaftaran Perkara",
        "Pengadilan Negeri Sleman",
        "",
    ),
    ("SMA NEGERI 3 KLATEN\nSOP PEMINJAMAN BUKU", "SMA Negeri 3 Klaten", ""),
    ("MADRASAH ALIYAH NEGERI 2 KUDUS\nSOP TAMU", "Madrasah Aliyah Negeri 2 Kudus", ""),
    (
        "BADAN PUSAT STATISTIK\nPROVINSI JAMBI\nNama SOP : Pengelolaan Arsip",
        "Badan Pusat Statistik",
        "Provinsi Jambi",
    ),
    # a university named inside a line a PDF's extraction ran together
    (
        "1 SOP PEMINJAMAN RUANG UNIVERSITAS DIPONEGORO FAKULTAS HUKUM Jl. Prof. Soedarto",
        "Universitas Diponegoro Fakultas Hukum",
        "",
    ),
    # a kabupaten named in a sentence
    (
        "PUSKESMAS TEMPEL\nSesuai Peraturan Bupati tentang pelayanan di Kabupaten Sleman.",
        "Puskesmas Tempel",
        "Sleman",
    ),
    ("DINAS SOSIAL\nsurat dari Kota Cirebon", "Dinas Sosial", "Kota Cirebon"),
]


@pytest.mark.parametrize(("text", "office", "kab"), LETTERHEADS)
def test_letterheads_of_other_offices(text: str, office: str, kab: str) -> None:
    assert find_office(text) == (office, kab)


PROSE = [
    (
        "Prosedur ini berlaku di lingkungan Pemerintah Desa Sukorejo.\n"
        "1. Warga datang ke Kantor Desa Sukorejo membawa KTP.",
        "Desa Sukorejo",
    ),
    ("Semua tamu yang berkunjung ke SMP Negeri 4 Bantul dicatat.", "SMP Negeri 4 Bantul"),
    ("Pelaksana Kantor Kecamatan Tanjung Priok melayani warga.", "Kecamatan Tanjung Priok"),
    # a title of office (Kepala Desa) and a unit without a name are not the office
    ("Kepala Desa Menandatangani surat. Petugas kelurahan memeriksa.", ""),
    ("Surat dari Kelurahan Setempat diserahkan.", ""),
]


@pytest.mark.parametrize(("text", "office"), PROSE)
def test_office_named_in_running_text(text: str, office: str) -> None:
    assert find_office(text)[0] == office


@pytest.mark.parametrize(
    ("text", "office", "kab"),
    [
        # a cover heading that names the unit
        ("SOP DINAS PERHUBUNGAN\nKABUPATEN KENDAL\nSOP Uji Kir", "Dinas Perhubungan", "Kendal"),
        (
            "STANDAR PELAYANAN KANTOR KECAMATAN MLATI\nPersyaratan",
            "Kecamatan Mlati",
            "",
        ),
        # a word cut at the line's end by the page's width
        (
            "STANDART PELAYANAN DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU S\n"
            "ATU PINTU KOTA BATU\nPersyaratan",
            "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Batu",
            "Kota Batu",
        ),
        # a heading about a service is no unit
        ("SOP PELAYANAN KTP\nNama SOP : Pelayanan KTP", "", ""),
    ],
)
def test_unit_named_in_a_cover_heading(text: str, office: str, kab: str) -> None:
    assert find_office(text) == (office, kab)
