"""The reader of SOP AP tables flattened by text extraction, and its related layouts.

Every input here is synthetic (written for the rule it tests, in the shape of the
layouts of ``tests/data/realdocs``), so that no rule is checked only on the
document that prompted it; the real documents are measured by test_realdocs.
"""

from __future__ import annotations

import io
import re
import time

import openpyxl
import pytest

from sopdata.errors import SOPLoadError
from sopdata.ingest.flattened import (
    chain,
    find_headers,
    find_labels,
    find_markers,
    no_sop_message,
    parse_flattened,
    puskesmas_name,
    read_identity,
)
from sopdata.ingest.identity import find_office
from sopdata.ingest.loaders import TEXT_READERS, load_bytes, load_path, parse_document_text
from sopdata.ingest.parse_text import parse_rows, parse_tables
from tests.support.paths import CORPUS_DIR, TEST_DATA
from tests.support.renderings import (
    parenthesised_numbers,
    pdf_document,
    table_cell_a_line,
    table_row_a_line,
    table_row_a_line_symbols_drawn,
    table_row_kegiatan_wrapped,
    tabs_as_spaces,
    word_document,
    wrapped,
)

# --- identity labels ------------------------------------------------------------------

LABELS = [
    # (text, attributes of the labels found, in order)
    ("Nomor SOP : 12/2020", ["number"]),
    ("NOMOR SOP : TGL PEMBUATAN : TGL REVISI :", ["number", "date_created", "date_revised"]),
    ("NOMORSOP 3", ["number"]),  # glued
    ("MOR SOP : 3", ["number"]),  # first letters lost at the page edge
    ("Tgl. Pembuatan : 4 Januari 2024", ["date_created"]),
    ("Tanggal Efektip 1 Mei 2020", ["date_effective"]),  # misspelt
    ("TANGGAL PENGESAHAN", ["date_approved"]),
    ("Disahkan Oleh Eselon IV Judul SOP Pelayanan KTP", ["approved_by", "title"]),
    ("DASAR HUKUM : KUALIFIKASI PELAKSANA :", ["legal_basis", "qualifications"]),
    ("ERKAITAN PERALATAN/ PERLENGKAPAN :", ["related_sops", "equipment"]),
    ("PENCATATAN DAN PENDATAAN", ["records"]),
    # a whole word of the label missing is another word, not the label
    ("Pembuatan Daftar Urut Kepangkatan", []),
    ("Pelaksanaan Perjalanan Dinas", []),
]


@pytest.mark.parametrize(("text", "attrs"), LABELS)
def test_labels_found_wherever_they_are(text: str, attrs: list[str]) -> None:
    assert [lab.attr for lab in find_labels(text)] == attrs


def test_both_columns_of_a_two_column_identity_row_on_one_line() -> None:
    ident = read_identity(
        "Dasar Hukum : Perbup Nomor 5 Tahun 2020 Kualifikasi Pelaksana : Minimal SMA\n"
        "Peralatan/Perlengkapan : Komputer Peringatan : Berkas tidak lengkap dikembalikan\n"
    )
    assert ident.lists["legal_basis"] == ["Perbup Nomor 5 Tahun 2020"]
    assert ident.lists["qualifications"] == ["Minimal SMA"]
    assert ident.lists["equipment"] == ["Komputer"]
    assert ident.fields["warning"] == "Berkas tidak lengkap dikembalikan"


def test_date_labels_with_their_values_printed_further_on() -> None:
    ident = read_identity(
        "NOMOR SOP : TGL PEMBUATAN : TGL REVISI : TGL EFEKTIF : DISAHKAN OLEH\n"
        "Nama SOP Pelayanan KTP 1 Peraturan Daerah Nomor 3 Tahun 2010\n"
        "2 Maret 2019\n5 Maret 2020\n1 April 2020\nKEPALA KELURAHAN\n"
    )
    assert ident.fields["title"] == "Pelayanan KTP"
    assert [ident.fields[a] for a in ("date_created", "date_revised", "date_effective")] == [
        "2 Maret 2019",
        "5 Maret 2020",
        "1 April 2020",
    ]


def test_identity_values_on_the_same_or_the_next_line() -> None:
    ident = read_identity(
        "Nomor SOP : 800/12/2023\nTgl. Pembuatan : 2 Mei 2023\nTgl. Revisi :\n"
        "Disahkan Oleh : Kepala Dinas\nJudul SOP\n\nPenerbitan Surat Tugas\n"
        "Dasar Hukum :\n1. UU No. 5 Tahun 2014 2. PP No. 11 Tahun 2017\n"
    )
    assert ident.fields["number"] == "800/12/2023"
    assert ident.fields["date_created"] == "2 Mei 2023"
    assert "date_revised" not in ident.fields
    assert ident.fields["approved_by"] == "Kepala Dinas"
    assert ident.fields["title"] == "Penerbitan Surat Tugas"
    assert ident.lists["legal_basis"] == ["UU No. 5 Tahun 2014", "PP No. 11 Tahun 2017"]


# --- step numbers -----------------------------------------------------------------------

MARKERS = [
    # (text, step numbers read in order)
    ("1. Menerima berkas 2. Memeriksa berkas 3. Menyerahkan", [1, 2, 3]),
    ("1 Menerima 5 Menit Berkas 2 Memeriksa", [1, 2]),  # "5 Menit" is a Waktu
    ("1 Mencatat surat tanggal 04 Januari 2 Membaca", [1, 2]),  # a date, not a step
    ("1 Dasar Peraturan Nomor 39 Tahun 2013 2 Memahami", [1, 2]),  # a reference
    ("9. Menyuntik\n10.Lakukan aspirasi\n11.Suntikkan", []),  # no step 1 here
    ("1. A satu 2. B dua 4. D empat", [1, 2, 4]),  # one number skipped
    ("1. A satu 2. B dua 2. B lagi 3. C tiga", [1, 2, 3]),  # a repeated number
]


@pytest.mark.parametrize(("text", "numbers"), MARKERS)
def test_steps_from_their_numbering(text: str, numbers: list[int]) -> None:
    assert [m.number for m in chain(find_markers(text))] == numbers


HEADERS = [
    ("No Kegiatan Pelaksana Mutu Baku Keterangan", 1),
    ("PELAKSANA MUTU BAKU\nNO. URAIAN KEPALA KASI KELENGKAPAN WAKTU OUTPUT", 1),
    ("No. Aktivitas Petugas", 1),  # a line opening "No Kegiatan/Aktivitas"
    # a form of label : value lines is not a header, however many column words it has
    ("Jenis Kegiatan : Rutin\nPelaksana : Kasi\nWaktu : 1 hari\nOutput : Surat", 0),
    ("Kegiatan ini dilaksanakan oleh pelaksana teknis", 0),
]


@pytest.mark.parametrize(("text", "count"), HEADERS)
def test_step_table_headers(text: str, count: int) -> None:
    assert len(find_headers(text)) == count


# --- whole documents ----------------------------------------------------------------------

ONE_LINE_TABLE = (
    "PEMERINTAH KOTA CONTOH KELURAHAN SUKAMAJU KECAMATAN KOTA BARAT\n"
    "NOMOR SOP : 1/2020 TGL PEMBUATAN : 2 Januari 2020 DISAHKAN OLEH Lurah\n"
    "2 Pelayanan Surat Pindah PELAKSANA Staf Kasi Lurah Kelengkapan Waktu Output "
    "1 Menerima berkas permohonan Formulir 10 menit Berkas diterima "
    "2 Memeriksa berkas Berkas 15 menit Berkas diperiksa Tidak Ya "
    "3 Menandatangani surat pindah Konsep surat 5 menit Surat pindah 30\n"
)


def test_a_whole_table_on_one_line() -> None:
    [sop] = parse_flattened(ONE_LINE_TABLE, "x.txt")
    assert sop.title == "Pelayanan Surat Pindah"
    assert [s.no for s in sop.steps] == ["1", "2", "3"]
    assert [s.duration.minutes for s in sop.steps] == [10, 15, 5]
    assert sop.steps[0].activity.startswith("Menerima berkas permohonan")
    assert "Tidak" not in sop.steps[1].activity
    assert sop.number == "1/2020"
    assert sop.office == "Kelurahan Sukamaju"
    assert sop.kabupaten == "Kota Contoh"


WRAPPED = (
    "STANDAR OPERASIONAL PROSEDUR (SOP) PENERIMAAN TAMU\n"
    "Pelaksanaan Baku Mutu Ket.\n"
    "No. Aktivitas Satpam Staf Kelengkapan Waktu Output\n"
    "1. Menerima tamu dan meminta Buku Tamu 5 menit Buku Tamu terisi\n"
    "tamu mengisi buku tamu\n"
    "2. Menghubungi pejabat yang Telepon 10 menit Janji temu\n"
    "dituju\n\n"
    "3. Mengantar tamu ke ruang Janji temu 5 menit Tamu diantar\n"
    "pejabat\n"
)


def test_wrapped_cells_with_mutu_baku_inline() -> None:
    [sop] = parse_flattened(WRAPPED, "x.txt")
    assert sop.title == "Penerimaan Tamu"
    assert len(sop.steps) == 3
    assert sop.steps[0].duration.minutes == 5
    assert sop.steps[0].output == "Buku Tamu terisi"
    assert "tamu mengisi buku tamu" in sop.steps[0].activity
    assert sop.steps[1].activity.endswith("dituju")


TWO_TABLES = (
    "SOP Penyusunan Rencana Kerja\n"
    "PELAKSANA MUTU BAKU\n"
    "No Uraian Prosedur KASUBAG STAF Kelengkapan Waktu Output Keterangan\n"
    "1 2 3 4 5 6 7\n"
    "1. Mengumpulkan usulan Usulan 2 Hari Rekap\n"
    "2. Menyusun rancangan Rekap 3 Hari Rancangan\n"
    "3. Membahas rancangan Rancangan 1 Hari Berita acara\n"
    "Keterangan : rapat dipimpin sekretaris\n\n"
    "7\n"
    "2. SOP Penyusunan Laporan Tahunan\n"
    "PELAKSANA MUTU BAKU\n"
    "No Uraian Prosedur KASUBAG STAF Kelengkapan Waktu Output Keterangan\n"
    "1. Mengumpulkan data Data 5 Hari Rekap\n"
    "2. Menyusun laporan Rekap 3 Hari Laporan\n"
    "3. Menyampaikan laporan Laporan 1 Hari Tanda terima\n"
)


def test_two_tables_each_with_its_title() -> None:
    # "SOP" in front of a table's title is the document type, dropped as the
    # tab-separated reader drops it: one SOP reads the same in either layout
    sops = parse_flattened(TWO_TABLES, "x.txt")
    assert [s.title for s in sops] == [
        "Penyusunan Rencana Kerja",
        "Penyusunan Laporan Tahunan",
    ]
    assert [len(s.steps) for s in sops] == [3, 3]
    assert sops[0].steps[1].duration.raw == "3 Hari"


CONTINUED = (
    "Nama SOP : Pengelolaan Arsip\n"
    "No Kegiatan Pelaksana Mutu Baku Kelengkapan Waktu Output\n"
    "1. Menerima arsip Arsip 5 menit Arsip diterima\n"
    "2. Memilah arsip Arsip 10 menit Arsip terpilah\n"
    "Halaman 1\n"
    "No Kegiatan Pelaksana Mutu Baku Kelengkapan Waktu Output\n"
    "3. Menyimpan arsip Arsip 5 menit Arsip tersimpan\n"
)


def test_a_book_of_sops_each_with_its_identity() -> None:
    one = CONTINUED.replace("Halaman 1\n", "")
    two = one.replace("Pengelolaan Arsip", "Pemusnahan Arsip")
    text = f"Nomor SOP : 01/2021\n{one}\nNomor SOP : 02/2021\n{two}"
    sops = parse_flattened(text, "x.txt")
    assert [(s.title, s.number, len(s.steps)) for s in sops] == [
        ("Pengelolaan Arsip", "01/2021", 3),
        ("Pemusnahan Arsip", "02/2021", 3),
    ]


def test_a_table_continued_on_the_next_page_is_one_sop() -> None:
    [sop] = parse_flattened(CONTINUED, "x.txt")
    assert sop.title == "Pengelolaan Arsip"
    assert [s.no for s in sop.steps] == ["1", "2", "3"]


UNTITLED_TABLES = (
    "Pembuatan Daftar Hadir\n"
    "PELAKSANA MUTU BAKU\n"
    "NO. KEGIATAN KASUBBAG STAF WAKTU KET.\n"
    "KELENGKAPAN OUTPUT\n"
    "( Menit )\n"
    "1. Mencetak daftar hadir ATK 10 Daftar hadir\n"
    "2. Memaraf daftar hadir Daftar 5 Daftar diparaf\n"
    "3. Mengarsipkan daftar Daftar 5 Arsip\n"
    "daftar yang telah diparaf\n"
    "PELAKSANA MUTU BAKU\n"
    "NO. KEGIATAN KASUBBAG STAF WAKTU KET.\n"
    "1. Usulan cuti pegawai Formulir 15 Usulan\n"
)


def test_a_second_table_without_title_and_minutes_from_the_header() -> None:
    sops = parse_flattened(UNTITLED_TABLES, "x.txt")
    assert sops[0].title == "Pembuatan Daftar Hadir"
    assert [s.duration.minutes for s in sops[0].steps] == [10, 5, 5]
    assert sops[1].title == "SOP tanpa judul #2"
    assert len(sops[1].steps) == 1


def test_steps_lettered_a_b_c() -> None:
    text = (
        "Nama SOP : Penggandaan Dokumen\nNo Kegiatan Pelaksana Kelengkapan Waktu Output\n"
        "a. Menerima dokumen Dokumen 5 menit Dokumen\nb. Menggandakan dokumen Dokumen 10 menit"
        " Salinan\nc. Menyerahkan salinan Salinan 5 menit Tanda terima\n"
    )
    [sop] = parse_flattened(text, "x.txt")
    assert [s.duration.minutes for s in sop.steps] == [5, 10, 5]


def test_misnumbered_rows_after_a_waktu_are_the_next_steps() -> None:
    text = (
        "Nama SOP : Distribusi Surat\nNo Kegiatan Pelaksana Mutu Baku Kelengkapan Waktu Output\n"
        "1. Mencatat surat. Surat 2 menit Agenda 2. Memilah surat. Surat 3 menit Kelompok "
        "2. Mengantar surat. Surat 5 menit Tanda terima 3. Mengarsipkan. Surat 2 menit Arsip\n"
    )
    [sop] = parse_flattened(text, "x.txt")
    assert [s.duration.minutes for s in sop.steps] == [2, 3, 5, 2]


def test_rows_without_numbers_are_counted_by_their_waktu() -> None:
    text = (
        "Nama SOP : Penerimaan Berkas\n"
        "No Kegiatan Pelaksana Mutu Baku Kelengkapan Waktu Output Staf Kasi\n"
        "Berkas 5 menit Berkas diterima Berkas 10 menit Berkas diperiksa Konsep 15 menit Surat\n"
    )
    [sop] = parse_flattened(text, "x.txt")
    assert [s.duration.minutes for s in sop.steps] == [5, 10, 15]


def test_cut_short_table_is_said() -> None:
    text = WRAPPED.rsplit("3.", 1)[0] + "3. Mengantar tamu ke"
    [sop] = parse_flattened(text, "x.txt")
    assert any("terpotong setelah langkah 2" in w for w in sop.warnings)


IDENTITY_ONLY = (
    "KANTOR KEMENTERIAN CONTOH\n"
    "Nomor SOP B-12/2019\nTanggal Pembuatan 2 Mei 2019\nTanggal Revisi\nTanggal Efektif\n"
    "Disahkan Oleh\nPERMOHONAN IZIN BELAJAR\nDasar hukum\n1. PP Nomor 11 Tahun 2017\n"
)


def test_identity_without_step_table_is_an_sop_with_a_warning() -> None:
    [sop] = parse_document_text(IDENTITY_ONLY, "x.txt")
    assert sop.title == "Permohonan Izin Belajar"  # the line under Disahkan oleh
    assert sop.number == "B-12/2019"
    assert sop.steps == []
    assert any("tabel langkah tidak ditemukan" in w for w in sop.warnings)


def test_no_sop_message_names_only_what_is_missing() -> None:
    with pytest.raises(SOPLoadError) as err:
        load_bytes(b"Formulir\nNama SOP :\nTanda tangan :\n", "x.txt")
    assert "Tidak ditemukan SOP" in err.value.message
    assert "'Nama SOP'" not in err.value.message
    with pytest.raises(SOPLoadError) as err:
        load_bytes(b"Kepada Yth. Bapak Camat\nDengan hormat.\n", "y.txt")
    assert "'Nama SOP'" in err.value.message


INDEX = (
    "SOP SEKSI UMUM\n\nNO NAMA SOP NOMOR SOP\n\n1\n\n2\n\n3\n\n"
    "SOP Pengelolaan Surat Masuk\n\nSOP Pengelolaan Surat Keluar\n\nSOP Pengelolaan Arsip\n\n"
    "Selanjutnya lihat diagram alir berikut !\n\n"
    "Nomor SOP Tgl Pembuatan Tgl Revisi\nJudul SOP Pengelolaan Surat Masuk\n"
)


def test_an_index_of_sop_names() -> None:
    sops = parse_flattened(INDEX, "x.txt")
    assert [s.title for s in sops] == [
        "SOP Pengelolaan Surat Masuk",
        "SOP Pengelolaan Surat Keluar",
        "SOP Pengelolaan Arsip",
    ]
    assert all(not s.steps for s in sops)


PUSKESMAS = (
    "SOP\nPENANGANAN PASIEN DIARE\n\nNo. Dokumen : 440/12/PKM\nNo. Revisi :\n"
    "Tanggal Terbit : 2 Januari 2023\nHalaman :\nPUSKESMAS SUKAMAJU\n"
    "1. Pengertian Penanganan pasien diare di poli umum\n"
    "2. Tujuan Sebagai acuan petugas\n3. Kebijakan SK Kepala Puskesmas\n"
    "4. Referensi Pedoman tata laksana diare\n"
    "5. Prosedur A. Alat\n1. Tensimeter\n2. Termometer\n"
    "6. Langkah-langkah 1. Petugas memanggil pasien\n2. Petugas menanyakan keluhan\n"
    "3. Petugas memeriksa tanda dehidrasi\n4.Petugas memberi oralit\n"
    "7. Unit terkait Apotek\n"
)
PUSKESMAS_LETTERED = (
    "PROSEDUR\nPENGELOLAAN LAPORAN IMUNISASI\nNo. Dokumen :\nNo. Revisi :\n"
    "1. Pengertian Laporan bulanan imunisasi\n2. Tujuan Acuan petugas\n"
    "5. Alat\n1. Persiapan\na. Petugas mengumpulkan data.\nb. Data dikoreksi.\n"
    "6. Langkah-langkah 2. Pelaksanaan\na. Data dimasukkan.\nb. Laporan dikirim.\n"
    "c. Arsip disimpan.\n7. Bagan Alir\n"
)


@pytest.mark.parametrize(
    ("text", "title", "n_steps"),
    [
        (PUSKESMAS, "Penanganan Pasien Diare", 4),
        (PUSKESMAS_LETTERED, "Pengelolaan Laporan Imunisasi", 5),
    ],
)
def test_puskesmas_sop(text: str, title: str, n_steps: int) -> None:
    [sop] = parse_flattened(text, "x.txt")
    assert sop.kind == "sop_puskesmas"
    assert sop.title == title
    assert len(sop.steps) == n_steps


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("PUSKESMAS SUKAMAJU\n1. Pengertian", "Sukamaju"),
        ("PUSKESMAS KECAMATAN TEBET", "Kecamatan Tebet"),
        # the signer's name and NIP interleaved with a two-word name
        (
            "UPT PUSKESMAS\ndrg. Siti Aminah\nKEDUNG BANTENG NIP. 19800101 200501 2 003",
            "Kedung Banteng",
        ),
        ("UPTD. PUSKESMAS\nHj. NURHAYATI, S.ST\nBATU AMPAR NIP. 1975", "Batu Ampar"),
        # the name on a label's line is the label's value, not the office; the
        # next "PUSKESMAS" has it before the form's next label
        (
            "KEPALA PUSKESMAS\nNo. Revisi : KARANGANYAR\nSOP\nTanggal Terbit :\n"
            "PUSKESMAS\nKARANGANYAR Halaman :",
            "Karanganyar",
        ),
        ("Kepala Puskesmas menandatangani", ""),
        ("PUSKESMAS\nHalaman : 1/2\nNo. Dokumen :", ""),
        ("PUSKESMAS\nPetugas memanggil pasien", ""),
    ],
)
def test_puskesmas_name_in_an_interleaved_header(header: str, name: str) -> None:
    assert puskesmas_name(header) == name


@pytest.mark.parametrize(
    "name",
    [
        "013_puskesmas_sape_pengelolaan_laporan_bulanan_gizi.txt",
        "021_puskesmas_perhentianraja_pemberian_imunisasi_injeksi_polio.txt",
    ],
)
def test_puskesmas_sections_numbered_with_a_parenthesis(name: str) -> None:
    """'1) Pengertian', '2) Tujuan' ... (and steps '1) Petugas ...'): the same SOP
    as with '1.'; before, no SOP at all."""
    text = (TEST_DATA / "realdocs" / "docs" / name).read_text(encoding="utf-8")
    paren = parenthesised_numbers(text)
    assert paren != text

    def read(t: str) -> list[tuple[str, list[str]]]:
        return [(s.title, [x.activity for x in s.steps]) for s in parse_document_text(t, name)]

    assert read(paren) == read(text)
    assert read(text)[0][1]


# The form's section labels with their numbers ("6. Langkah-langkah", "8. Hal-hal"):
# the label's first word, where a form without numbers ends the label's cell
_PKM_LABEL_LINE = re.compile(
    r"(?im)^[ \t]*\d{1,2}\s*[.)]\s*(pengertian|tujuan|kebijakan|referensi|prosedur|"
    r"langkah-\s*(?:langkah)?|bagan|hal-hal|unit|dokumen|rekaman|alat)\b\s*:?\s*"
)


@pytest.mark.parametrize("cell_end", ["\t", "\n", " : "])
@pytest.mark.parametrize(
    "name",
    [
        "013_puskesmas_sape_pengelolaan_laporan_bulanan_gizi.txt",
        "021_puskesmas_perhentianraja_pemberian_imunisasi_injeksi_polio.txt",
    ],
)
def test_puskesmas_form_without_section_numbers(name: str, cell_end: str) -> None:
    """The accreditation form typed as a table: "Pengertian", "Tujuan" ... each
    opening its cell (a tab, its own line, a colon) with no number. The same SOPs
    and steps as the numbered form, as text and as a Word table; before, no SOP."""
    text = (TEST_DATA / "realdocs" / "docs" / name).read_text(encoding="utf-8")
    unnumbered = _PKM_LABEL_LINE.sub(lambda m: m.group(1) + cell_end, text)
    assert unnumbered != text

    def read(sops: list) -> list[tuple[str, list[str]]]:
        return [(s.title, [" ".join(x.activity.split()) for x in s.steps]) for s in sops]

    expected = read(parse_document_text(text, name))
    assert read(parse_document_text(unnumbered, name)) == expected
    if cell_end == "\t":
        word = load_bytes(word_document(unnumbered), name.replace(".txt", ".docx"))
        assert read(word.sops) == expected


def test_puskesmas_identity_and_office() -> None:
    [sop] = parse_flattened(PUSKESMAS, "x.txt")
    assert sop.number == "440/12/PKM"
    assert sop.date_effective == "2 Januari 2023"
    assert sop.office == "Puskesmas Sukamaju"
    assert sop.steps[0].activity == "Petugas memanggil pasien"


WORKSHEET = (
    "LEMBAR KERJA IDENTIFIKASI KEGIATAN A. Data Kegiatan 1. Judul SOP\n\n"
    "Pelayanan Surat Keterangan Usaha\n\n2. Jenis Kegiatan\n\nPelayanan\n\n"
    "C. Identifikasi Langkah Langkah Awal\n\n"
    "1. Pemohon menyerahkan berkas 2. Petugas memeriksa berkas\n\n"
    "Langkah Utama\n\n1. Kasi memeriksa konsep 2. Sekretaris memaraf 3. Lurah menandatangani\n\n"
    "Langkah Akhir\n\nPetugas menyerahkan surat kepada pemohon\n\nDIAGRAM ALUR\n"
)


def test_identifikasi_langkah_worksheet() -> None:
    [sop] = parse_flattened(WORKSHEET, "x.txt")
    assert sop.title == "Pelayanan Surat Keterangan Usaha"
    assert len(sop.steps) == 6
    assert sop.steps[-1].activity == "Petugas menyerahkan surat kepada pemohon"


FLOWCHART = (
    "SOP Peminjaman Kendaraan Dinas\n\nMulai\n\nPengajuan Permohonan\n\n"
    "1. Pegawai mengisi formulir. 2. Menyerahkan kepada Kasubag Umum.\n\n"
    "Pemeriksaan Jadwal\n\nKasubag memeriksa jadwal kendaraan.\n\n"
    "Penyerahan Kunci\n\nSelesai\n"
)


def test_flowchart_transcribed_box_by_box() -> None:
    [sop] = parse_flattened(FLOWCHART, "x.txt")
    assert sop.kind == "prosedur"
    assert sop.title == "SOP Peminjaman Kendaraan Dinas"
    assert [s.activity.split(" 1.")[0] for s in sop.steps][:1] == ["Pengajuan Permohonan"]
    assert len(sop.steps) == 3


def test_not_an_sop_is_declined() -> None:
    assert parse_flattened("Kepada Yth. Bapak Camat\nDengan hormat, kami sampaikan.\n", "x") == []


def test_the_ocr_book_is_left_to_parse_ocr() -> None:
    text = (CORPUS_DIR / "jombang-kec-jogoroto-buku-sop-ocr.txt").read_text(encoding="utf-8")
    assert parse_flattened(text, "x.txt") == []


def test_readers_order() -> None:
    assert TEXT_READERS[0] is parse_tables
    assert TEXT_READERS[1] is parse_flattened


# --- rows of tables (PDF, Excel) -------------------------------------------------------------


def _row(*cells: str) -> list[str]:
    return list(cells)


def test_table_continued_on_a_page_without_its_header() -> None:
    """A PDF table whose second page has no header and other column positions; the
    first page's header numbers its columns "(1) (2) ..."."""
    rows = [
        _row("Judul SOP", "Pengelolaan Data Kinerja"),
        _row("No", "Uraian", "Pelaksana", "", "Mutu Baku", "", "", "Ket"),
        _row("", "", "Tim A", "Kepala", "Kelengkapan", "Waktu", "Output", ""),
        _row("(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"),
        _row("1", "Menyusun laporan", "□", "", "Data", "2 Hari", "Laporan", ""),
        _row("2", "Memeriksa laporan", "", "□", "Laporan", "1 Hari", "Catatan", ""),
        _row("* Dokumen ini ditandatangani secara elektronik"),
        _row("3", "Mengirim laporan", "", "", "", "Laporan", "1 Hari", "Tanda terima", ""),
    ]
    [sop] = parse_rows(rows, "x.pdf")
    assert sop.title == "Pengelolaan Data Kinerja"
    assert [s.no for s in sop.steps] == ["1", "2", "3"]
    assert sop.steps[2].duration.raw == "1 Hari"
    assert sop.steps[2].output == "Tanda terima"
    assert [a.raw for a in sop.actors] == ["Tim A", "Kepala"]


def test_sheet_table_one_column_in() -> None:
    rows = [
        _row("", "SOP PENERIMAAN LAPORAN"),
        _row("", "No", "Kegiatan", "Pelaksana", "", "Mutu Baku", "", ""),
        _row("", "", "", "Petugas", "Kepala", "Kelengkapan", "Waktu", "Output"),
        _row("", "1", "Menerima laporan", "□", "", "Laporan", "5 menit", "Catatan"),
        _row("", "2", "Meneruskan laporan", "", "□", "Catatan", "5 menit", "Disposisi"),
    ]
    [sop] = parse_rows(rows, "x.xlsx")
    assert [s.activity for s in sop.steps] == ["Menerima laporan", "Meneruskan laporan"]
    assert sop.steps[1].actors == ["Kepala"]


@pytest.mark.parametrize(
    "text",
    [
        "KELURAHAN " + "A" * 3000,  # one long capitalised word after a unit word
        "Kegiatan Pelaksana Waktu Output " * 3000,  # nothing but column words
        "1. Menerima 2 Hari 1 Mencatat " * 3000,  # numbers that keep restarting
        "Nomor SOP : Tgl Pembuatan Nama SOP X " * 3000,  # nothing but labels
        "abc def ghi " * 10000,  # one line, no label
    ],
    ids=["caps", "columns", "numbers", "labels", "one-line"],
)
def test_hostile_text_is_read_in_linear_time(text: str) -> None:
    start = time.process_time()
    find_office(text)
    parse_flattened(text, "x.txt")
    no_sop_message(text)
    assert time.process_time() - start < 1.5


def _workbook(*sheets: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for k, rows in enumerate(sheets):
        ws = wb.active if k == 0 else wb.create_sheet(f"Lembar{k + 1}")
        assert ws is not None
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_workbook_identity_on_a_cover_sheet_steps_on_the_next() -> None:
    data = _workbook(
        [
            ["BADAN CONTOH"],
            ["Nomor SOP", "SOP-01/2024"],
            ["Tanggal Pembuatan", "2 Januari 2024"],
            ["Nama SOP", "Verifikasi Laporan Harian"],
        ],
        [
            [None, "No", "Kegiatan", "Pelaksana", None, "Mutu Baku", None, None],
            [None, None, None, "Petugas", "Kepala", "Kelengkapan", "Waktu", "Output"],
            [None, 1, "Menerima laporan", "□", None, "Laporan", "5 menit", "Catatan"],
            [None, 2, "Memverifikasi laporan", None, "□", "Catatan", "10 menit", "Laporan sah"],
        ],
    )
    [sop] = load_bytes(data, "x.xlsx").sops
    assert sop.title == "Verifikasi Laporan Harian"
    assert sop.number == "SOP-01/2024"
    assert [s.actors for s in sop.steps] == [["Petugas"], ["Kepala"]]


def test_workbook_with_an_identity_block_only_is_an_sop_without_steps() -> None:
    data = _workbook(
        [
            ["Nomor SOP", "SOP-02/2024"],
            ["Tanggal Pembuatan", "2 Januari 2024"],
            ["Tanggal Efektif", "5 Januari 2024"],
            ["Disahkan oleh", "Kepala Badan"],
            ["Nama SOP", "Pengelolaan Aset"],
        ]
    )
    [sop] = load_bytes(data, "x.xlsx").sops
    assert sop.title == "Pengelolaan Aset"
    assert sop.number == "SOP-02/2024"
    assert sop.steps == []
    assert any("tabel langkah tidak ditemukan" in w for w in sop.warnings)


@pytest.mark.parametrize(
    "seed",
    [
        "setda-bagian-organisasi-sop.txt",  # 25 SOPs, Kegiatan cells holding "- ..." lists
        "lumajang-kec-sumbersuko-rekomendasi-ot.txt",  # a step whose Kegiatan is "1. ... 2. ..."
        "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt",
        # a title that ends with its office ("... Kecamatan Candipuro"): stripped as
        # the tab-separated reader strips it
        "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt",
    ],
)
def test_a_step_table_flattened_a_cell_a_line_reads_as_the_table(seed: str) -> None:
    """The seed Word tables as a PDF's extraction flattens them, each cell on a
    line of its own: the same SOPs, titles and step counts as the tab-separated
    dump. Before, the Setda book gave 39 of its 162 steps (a step number alone on
    its line was taken into the header; a Kegiatan opening with "- " was no
    step), and its titles kept "Sop"."""
    text = (CORPUS_DIR / seed).read_text(encoding="utf-8")

    def read(t: str) -> list[tuple[str, int]]:
        return [(s.title, len(s.steps)) for s in parse_document_text(t, seed)]

    assert read(table_cell_a_line(text)) == read(text)


@pytest.mark.parametrize("render", [table_row_a_line, table_row_a_line_symbols_drawn])
def test_a_step_table_flattened_a_row_a_line_is_no_ocr_text(render) -> None:
    """Rows flattened to one line each ("1 Mempelajari SK Tim ... SK Tim 1 hari
    Konsep"), with the flowchart marks as characters or drawn (none in the text):
    a text layer, not an OCR'd table. A few rows of the 25 tables hold words that
    look like OCR debris ("Ya", "Sk"); OCR leaves debris under every table.
    Before, the Setda book was read as OCR: 1 SOP of 67 steps for 25 SOPs of 162."""
    text = (CORPUS_DIR / "setda-bagian-organisasi-sop.txt").read_text(encoding="utf-8")

    def read(t: str) -> list[tuple[str, int]]:
        return [(s.title, len(s.steps)) for s in parse_document_text(t, "setda.txt")]

    assert read(render(text)) == read(text)
    # the marks printed among a row's words are the lanes', not the Kegiatan's
    flattened = parse_document_text(render(text), "setda.txt")
    assert not [s.no for sop in flattened for s in sop.steps if set(s.activity) & set("□◇▭⬭")]


def test_kelengkapan_printed_inside_a_wrapped_kegiatan_is_told_apart() -> None:
    """A step table whose Kegiatan wraps in its column, flattened a row a line: the
    Kelengkapan stands between the Kegiatan's first line and its Waktu ("4
    Menghimpun format data dan Format Penyusunan Data Kinerja 3 Jam ..."). A
    Kelengkapan that is a step's Output (the Candipuro seed chains them) is
    taken out of the Kegiatan (before: no Kelengkapan, the Kegiatan interleaved).
    The layout's real document: 043."""
    name = "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt"
    text = (CORPUS_DIR / name).read_text(encoding="utf-8")
    (ref,) = parse_document_text(text, name)
    (got,) = parse_document_text(table_row_kegiatan_wrapped(text), name)

    def words(t: str) -> str:
        return " ".join(t.replace("- ", "-").split())

    assert len(got.steps) == len(ref.steps) == 11
    for a, b in list(zip(ref.steps, got.steps, strict=True))[:9]:
        assert b.requirements == a.requirements, a.no
        assert words(b.activity) == words(a.activity), a.no
        if a.note.strip() in ("", "-"):  # an empty Keterangan ("-") is not the Output's
            assert b.output == a.output, a.no
    right = sum(a.requirements == b.requirements for a, b in zip(ref.steps, got.steps, strict=True))
    assert right >= 10


@pytest.mark.parametrize("render", [table_row_a_line, table_cell_a_line])
def test_kelengkapan_after_the_lanes_marks_of_a_flattened_row(render) -> None:
    """Marks printed as characters ("□") stand between a row's Kegiatan and its
    Mutu Baku cells: the text from the last of them to the Waktu is the
    Kelengkapan (the Setda book's 162 steps flattened a row a line: 4 read as
    in the tab dump before, a cell a line: 1)."""
    text = (CORPUS_DIR / "setda-bagian-organisasi-sop.txt").read_text(encoding="utf-8")

    def words(t: str) -> str:
        return " ".join(t.replace("- ", "-").split())

    pairs = [
        (a, b)
        for x, y in zip(
            parse_document_text(text, "setda.txt"),
            parse_document_text(render(text), "setda.txt"),
            strict=True,
        )
        for a, b in zip(x.steps, y.steps, strict=True)
    ]
    same = sum(words(a.requirements) == words(b.requirements) for a, b in pairs)
    assert len(pairs) == 162 and same >= 70
    # the branch labels beside the marks belong to neither cell
    assert not [b.no for _, b in pairs if re.match(r"(?:Ya|Tidak)\b", b.requirements)]
    assert not [b.no for _, b in pairs if re.search(r"\b(?:Ya|Tidak)$", b.activity)]


@pytest.mark.parametrize(
    "name",
    [
        "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt",
        "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt",
    ],
)
def test_a_step_table_flattened_a_cell_a_line_reads_each_cell(name) -> None:
    """Each cell of a row on a line of its own ("2 / Perencanaan usulan ... /
    Dokumen perencanaan / 5 Menit / Dokumen perencanaan"): the Waktu alone on its
    line has the Kelengkapan above it and the Output below (before, both were
    read into the Kegiatan)."""
    text = (CORPUS_DIR / name).read_text(encoding="utf-8")
    (ref,) = parse_document_text(text, name)
    (got,) = parse_document_text(table_cell_a_line(text), name)

    def cells(sop) -> list[tuple[str, str, str, str]]:
        return [
            (" ".join(s.activity.split()), s.requirements, s.duration.raw, s.output)
            for s in sop.steps
        ]

    assert cells(got) == cells(ref)


@pytest.mark.parametrize("width", [1, 4, 8])
def test_a_table_dump_whose_tabs_became_spaces(width) -> None:
    """The header's two rows stay one header however wide the spaces that padded
    its cells ("No.    Kegiatan ... Keterangan" over the actors' names); before,
    at 4 spaces the actors' row became a second header and the SOP's title."""
    name = "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt"
    text = (CORPUS_DIR / name).read_text(encoding="utf-8")
    (got,) = parse_document_text(tabs_as_spaces(text, width), name)
    assert (got.title, len(got.steps)) == ("Rekrutmen Tenaga Kontrak", 8)


def test_kelengkapan_of_a_real_flattened_table_with_wrapped_kegiatan() -> None:
    name = "043_mtsn1_banjarnegara_sop_pelayanan_pilam_tamu.txt"
    (sop,) = load_path(TEST_DATA / "realdocs" / "docs" / name).sops
    assert [s.requirements for s in sop.steps] == [
        "Buku Tamu",
        "Buku Tamu",
        "Data Tamu",
        "Laporan Kedatangan Tamu",
        "Arahan",
    ]
    assert sop.steps[0].activity.startswith("Mempersilahkan tamu untuk duduk di ruang tunggu")


def test_a_one_line_kegiatan_ending_with_an_output_keeps_its_words() -> None:
    """Without a wrapped line below, the words before the Waktu may be the
    Kegiatan's own: nothing is taken out."""
    rows = "\n".join(
        [
            "Nama SOP : Pelayanan Surat Keterangan",
            "No Kegiatan Pelaksana Mutu Baku Keterangan",
            "Pemohon Petugas Lurah Kelengkapan Waktu Output",
            "1 Menerima berkas permohonan 10 menit Berkas Permohonan",
            "2 Memeriksa Berkas Permohonan 10 menit Surat Keterangan",
            "3 Menandatangani Surat Keterangan 5 menit Surat Keterangan",
        ]
    )
    (sop,) = parse_document_text(rows, "sk.txt")
    assert [s.activity for s in sop.steps] == [
        "Menerima berkas permohonan",
        "Memeriksa Berkas Permohonan",
        "Menandatangani Surat Keterangan",
    ]
    assert all(not s.requirements for s in sop.steps)


@pytest.mark.parametrize("render", ["wrapped", "pdf75", "pdf95"])
def test_unnumbered_step_rows_broken_at_a_fixed_width(render: str) -> None:
    """A step table whose numbers were lost (a sentence a row, 014) with its lines
    broken at 70 characters, or printed to a PDF text layer: each row is still one
    step (before: 10, 13 and 9 steps for 7; joined after a full stop, 5)."""
    name = "014_djbc_kppbc_madya_izin_cuti_bersalin_gol_i_ii.txt"
    text = (TEST_DATA / "realdocs" / "docs" / name).read_text(encoding="utf-8")

    def read(sops: list) -> list[tuple[str, int]]:
        return [(s.title, len(s.steps)) for s in sops]

    if render == "wrapped":
        got = read(parse_document_text(wrapped(text), name))
    else:
        got = read(load_bytes(pdf_document(text, int(render[3:])), "x.pdf").sops)
    assert got == read(parse_document_text(text, name))
