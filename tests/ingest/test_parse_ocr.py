"""The OCR heuristics, on lines of the scanned Jogoroto book (corpus/jombang-kec-jogoroto-buku-sop-ocr.txt).

The whole-document parse is checked against the labels in test_parse_seeds.py;
here each heuristic is checked on its own: table headings, the Nama SOP value,
step-number runs, a row's Waktu, and the correction of misread title words.
"""

from __future__ import annotations

from collections import Counter

import pytest

from sopdata.ingest.parse_ocr import (
    Speller,
    _document_vocabulary,
    _find_anchors,
    _headings,
    _row_duration,
    correct_words,
    is_header_line,
    is_subject_verb_line,
    nama_sop_value,
)
from tests.support.paths import CORPUS

OCR_BOOK = CORPUS / "jombang-kec-jogoroto-buku-sop-ocr.txt"


@pytest.mark.parametrize(
    "line,title",
    [
        ("URAIAN PROSEDUR PENGELDLAAN SURAT KELUAR", "PENGELDLAAN SURAT KELUAR"),
        # the heading's own words misread: URALAN, PROSEDLR, a stray leading letter
        ("LURALAN PROSEDLR PELAYAMAN SURAT DISPENSAS] MIKAH", "PELAYAMAN SURAT DISPENSAS] MIKAH"),
        ("URALAN PROSEDUR PELAYANAN LEGALISIR", "PELAYANAN LEGALISIR"),
        ("  URAIAN   PROSEDUR   PERMOHONAN  CUTI PEGAWAI", "PERMOHONAN CUTI PEGAWAI"),
        ("STANDAR OPERASIONAL PROSEDUR (SOP)", None),
        ("Uraian prosedur surat", None),  # headings are printed in capitals
        ("URAIAN PROSEDUR", None),  # no title
    ],
)
def test_table_heading(line: str, title: str | None) -> None:
    found = _headings(["", line, ""])
    assert found == ([(1, title)] if title else [])


@pytest.mark.parametrize(
    "lines,i,value",
    [
        (["Nama SOP PENGELOLAAN SURAT KELUAR", "", "Nomor SOP"], 0, "PENGELOLAAN SURAT KELUAR"),
        # the label splits the title: its first half above, "KEPADA ..." below
        (
            ["PEMBERIAN INFORMASI", "", "Nama SOP", "", "KEPADA MASYARAKAT", "", "Penerimaan"],
            2,
            "PEMBERIAN INFORMASI KEPADA MASYARAKAT",
        ),
        # one word after the label: the line above belongs to the title
        (
            ["PENGUSULAN PENSIUN", "", "Nama SOP PEGAWAI", "", "DASAR HUKUM"],
            2,
            "PENGUSULAN PENSIUN PEGAWAI",
        ),
        # a leading enumerator is dropped; the title goes on until a section
        (
            ["Nama SOP 1 . PENGUSULAN", "KENAIKAN PANGKAT", "DASAR HUKUM KUALIFIKASI PELAKSANA"],
            0,
            "PENGUSULAN KENAIKAN PANGKAT",
        ),
        # an address above is never part of the title
        (["JIn. Raya Jogoroto No.01", "Nama SOP", "PEGAWAI", "DASAR HUKUM"], 1, "PEGAWAI"),
    ],
    ids=["same-line", "split-by-label", "one-word-after", "enumerator", "address-above"],
)
def test_nama_sop_value(lines: list[str], i: int, value: str) -> None:
    assert nama_sop_value(lines, i) == value


def anchors(lines: list[str]) -> list[tuple[int, int, bool]]:
    return [(a.line, a.number, a.at_start) for a in _find_anchors(lines)]


@pytest.mark.parametrize(
    "lines,expected",
    [
        (
            ["1 |Menerima surat", "2 Humas mencatat", "3 Camat membaca"],
            [(0, 1, True), (1, 2, True), (2, 3, True)],
        ),
        # "&" is an OCR'd 6, but only where a 6 is expected
        (
            [
                "1 |Menerima surat",
                "2 Humas mencatat",
                "3 Camat membaca",
                "4 Sekcam memaraf",
                "5 Kasubag mencatat",
                "& |bersangkutan menerima",
            ],
            [(i, i + 1, True) for i in range(6)],
        ),
        (
            ["1 |Menerima surat", "2 Humas mencatat", "& |bersangkutan menerima"],
            [(0, 1, True), (1, 2, True)],
        ),
        # "rangkap 2" and "5 menit" are no step numbers; one missing number is allowed
        (
            [
                "1 Menerima surat",
                "Surat Keluar dalam rangkap 2 dan",
                "2 Camat membaca",
                "Surat dinas 5 menit",
                "4 Agendaris mencatat",
            ],
            [(0, 1, True), (2, 2, True), (4, 4, True)],
        ),
        # ... but not two
        (
            ["1 Menerima surat", "2 Camat membaca", "5 Agendaris mencatat"],
            [(0, 1, True), (1, 2, True)],
        ),
        # a number inside the flowchart column, mid-line
        (
            ["1 Menerima surat", "Sekretaris memaraf  2  konsep", "3 Camat menandatangani"],
            [(0, 1, True), (1, 2, False), (2, 3, True)],
        ),
        # a run must start at 1 or 2
        (["5 Menerima surat", "6 Camat membaca"], []),
        ([], []),
        # rows numbered bare: "1." line starts are a Mutu Baku list inside a row
        (
            [
                "1 Menerima berkas permohonan",
                "2 Memeriksa kelengkapan berkas",
                "1. KTP pemohon",
                "2. Kartu Keluarga",
                "3 Kasi Pemerintahan memaraf konsep",
                "4 Camat menandatangani surat",
            ],
            [(0, 1, True), (1, 2, True), (4, 3, True), (5, 4, True)],
        ),
        # rows numbered with a period are rows
        (
            ["1. Menerima berkas", "2. Memeriksa berkas", "3. Menandatangani surat"],
            [(0, 1, True), (1, 2, True), (2, 3, True)],
        ),
    ],
    ids=[
        "plain",
        "ampersand-six",
        "ampersand-not-six",
        "one-gap",
        "two-gaps",
        "mid-line",
        "no-start",
        "empty",
        "dotted-list-among-bare-rows",
        "dotted-rows",
    ],
)
def test_step_number_runs(lines: list[str], expected: list[tuple[int, int, bool]]) -> None:
    assert anchors(lines) == expected


@pytest.mark.parametrize(
    "row,waktu,rest",
    [
        (
            "Camat menandatangani surat 15 Menit diberi",
            "15 Menit",
            "Camat menandatangani surat  diberi",
        ),
        (
            "Bgendaris surat menyampaikan surat kepads diapenda dan 1 Harl Susak Dinas",
            "1 Harl",
            "Bgendaris surat menyampaikan surat kepads diapenda dan  Susak Dinas",
        ),
        # a period named in the Kegiatan is not its Waktu; years never are
        ("Menyiapkan DP3 2 tahun terakhir", "", "Menyiapkan DP3 2 tahun terakhir"),
        ("Mengusulkan 1 tahun anggaran 2 hari", "2 hari", "Mengusulkan 1 tahun anggaran "),
        ("Rapat 1 jam sebelum acara lalu 30 menit", "30 menit", "Rapat 1 jam sebelum acara lalu "),
        # "10 ekt" cannot be read as a duration
        (
            "Sekretaris menyampalkan surat dinas kepada 4 Konsep Maskah Dinas 10 ekt Surat di",
            "",
            "Sekretaris menyampalkan surat dinas kepada 4 Konsep Maskah Dinas 10 ekt Surat di",
        ),
    ],
)
def test_row_waktu(row: str, waktu: str, rest: str) -> None:
    assert _row_duration(row) == (waktu, rest)


@pytest.fixture(scope="module")
def book_speller() -> Speller:
    return Speller.from_vocabulary(_document_vocabulary(OCR_BOOK.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "heading,corrected",
    [
        ("PENGELDLAAN SURAT KELUAR", "PENGELOLAAN SURAT KELUAR"),
        ("PENGUSULAN KEMAIKAN PANGKAT", "PENGUSULAN KENAIKAN PANGKAT"),
        ("PELAYANAN REKOMENDAS] SKCK", "PELAYANAN REKOMENDASI] SKCK"),
        ("PELAYAMAN SURAT DISPENSAS] MIKAH", "PELAYANAN SURAT DISPENSASI] MIKAH"),
        ("PERMOHONAN CUTI PEGAWAI", "PERMOHONAN CUTI PEGAWAI"),
    ],
)
def test_title_words_corrected_from_the_book(
    book_speller: Speller, heading: str, corrected: str
) -> None:
    assert correct_words(heading, book_speller) == corrected


SPELLER = Speller.from_vocabulary(
    Counter({"Cuti": 3, "Pegawai": 4, "UP": 3, "DISPENSASI": 3, "pengelolaan": 3, "Surat": 1})
)


@pytest.mark.parametrize(
    "title,corrected",
    [
        ("Permohonan Cuti Pegawal", "Permohonan Cuti Pegawai"),
        # first word capitalised; the document's frequent spelling replaces a rare one
        ("engelolaan Surat", "Pengelolaan Surat"),
        # written the way the document writes it most: in capitals
        ("Surat Dispensasl Nikah", "Surat DISPENSASI Nikah"),
        # frequent words (3 or more) and unknown far words stay as they are
        ("Pencairan up", "Pencairan up"),
        ("Rekomendasi Izin", "Rekomendasi Izin"),
        # a one-letter change in a four-letter word is too far (ratio 0.75 < 0.8)
        ("Cutl", "Cutl"),
    ],
)
def test_correct_words(title: str, corrected: str) -> None:
    assert correct_words(title, SPELLER) == corrected


@pytest.mark.parametrize(
    "line,next_line,opens",
    [
        (
            "Sekretaris menyampalkan surat dinas kepada 4 Konsep Maskah Dinas 10 ekt Surat di",
            "",
            True,
        ),
        ("Camat menandatangani surat", "", True),
        ("Menerima surat masuk", "", True),
        # a two-word actor alone on its line, its verb on the next one
        ("Bendahara Pengeluaran", "menyampaikan data", True),
        ("Surat Keluear dalam rangkap 2 dan memnparal", "", False),
        ("065/03.SOP.SEK/415.67/2022", "", False),
        ("PELAKSAMA MUTU BAKU", "", False),
        # BPS dump 029 (tests/data/ocr_dumps): the end of a bracket goes on a row ...
        ("Tim/Bagian) menjadi laporan ng Sumber FRA Kerja FRA, (notulen rapat)", "", False),
        # ... a hyphenated loanword verb opens one
        ("Meng-upload FRA triwulan ke dalam", "", True),
        # the same two rules on wordings of other SOPs (a scanned register, a
        # digital archive): other verbs, other brackets
        ("Men-scan surat masuk dan menyimpan", "", True),
        ("Meng-input data pemohon ke aplikasi SIAK", "", True),
        ("Operator) mengirimkan berkas ke Dinas", "", False),
        ("Mengarsipkan berkas (hardcopy) ke dalam map", "", True),
    ],
)
def test_subject_verb_line(line: str, next_line: str, opens: bool) -> None:
    assert is_subject_verb_line(line, next_line) is opens


@pytest.mark.parametrize(
    "line,header",
    [
        ("PELAKSAMA MUTU BAKU", True),
        ("KEGIATAN Sekretaris Pencatat/A Keterangan", True),
        ("Kasl ke Carmat i i Helenghkapan Waktu Dutput", True),
        ("Waktu", True),
        ("Camat menandatangani surat 15 Menit diberi", False),
        # one header word in a long line is a row, not the header
        ("Surat dinas di paraf sesuai waktu yang ditentukan", False),
    ],
)
def test_header_line(line: str, header: bool) -> None:
    assert is_header_line(line) is header
