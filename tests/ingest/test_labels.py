"""Tolerant recognition of the step table's column words (sopdata/ingest/labels.py).

The misspellings here are NOT the scanned Jogoroto book's (whose typos the OCR
reader used to list): they are the usual OCR confusions (rn/m, l/1/i, 0/o, h/k,
c/e) and typing slips, on the other column words; then the same misspellings in
whole tables of three other layouts (a flattened PDF table, a pipe table, a
tab dump) that are read as if spelled right.
"""

from __future__ import annotations

import pytest

from sopdata.ingest.flattened import find_headers, parse_flattened
from sopdata.ingest.labels import canonical_labels, fold, label_word, label_words
from sopdata.ingest.loaders import load_bytes
from sopdata.ingest.parse_ocr import is_header_line

WORDS = [
    # (token, the label word it spells, or None)
    ("Kegiatan", "kegiatan"),
    ("KEGIATAN", "kegiatan"),
    ("Keg1atan", "kegiatan"),  # 1 for i
    ("Kegiatn", "kegiatan"),  # a letter dropped
    ("Pe1aksana", "pelaksana"),  # 1 for l
    ("Pelaksanna", "pelaksana"),  # a letter doubled
    ("PELAKSAN", "pelaksana"),  # wrapped cell: a prefix
    ("Kelengkapn", "kelengkapan"),
    ("Kelengkapam", "kelengkapan"),
    ("Kelehgkapan", "kelengkapan"),  # h for n: two edits on a long word
    ("Persyaralan", "persyaratan"),  # l for t
    ("Waklu", "waktu"),
    ("VVaktu", "waktu"),  # vv for w
    ("0utput", "output"),  # zero for o
    ("Outpu1", "output"),
    ("Keluaan", "keluaran"),
    ("Keterangari", "keterangan"),  # ri for n
    ("Ketarangan", "keterangan"),
    ("Aktifitas", "aktivitas"),  # f for v, a common spelling
    # words of step rows and identity blocks that are no column name
    ("Pelaksanaan", None),
    ("Perlengkapan", None),  # Peralatan/Perlengkapan, an identity section
    ("Kewenangan", None),
    ("Kekurangan", None),
    ("Keterkaitan", None),
    ("buku", None),
    ("bank", None),
    ("input", None),
    ("waktunya", None),
    ("melengkapi", None),
    ("Kegiatannya", None),
    ("Pe", None),
]


@pytest.mark.parametrize(("token", "word"), WORDS)
def test_label_word(token: str, word: str | None) -> None:
    assert label_word(token) == word


@pytest.mark.parametrize(
    ("a", "b"),
    [("rnenit", "menit"), ("Ke1engkapan", "kelengkapan"), ("0UTPUT", "output"), ("hasil", "Kasi1")],
)
def test_fold_maps_confusable_characters_together(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_label_words_of_a_line_in_order() -> None:
    line = "No  Keg1atan  Pe1aksana  Kelengkapn  Waklu  0utput  Keterangari"
    assert label_words(line) == [
        "kegiatan",
        "pelaksana",
        "kelengkapan",
        "waktu",
        "output",
        "keterangan",
    ]
    assert canonical_labels("Uraian Keg1atan (rinci)") == "uraian kegiatan (rinci)"


@pytest.mark.parametrize(
    ("line", "header"),
    [
        ("PE1AKSANA MUTU BAKU", True),
        ("Kelengkapn VVaktu 0utput", True),
        ("Keterangari", True),  # one header word on a short line
        ("Menerima berkas permohonan dari pemohon", False),
        ("Pelaksanaan tugas pokok dan fungsi", False),
    ],
)
def test_ocr_header_lines_with_other_misspellings(line: str, header: bool) -> None:
    assert is_header_line(line) is header


# A flattened SOP AP table (PDF text layer) whose header words were mistyped or misread.
FLATTENED_MISSPELT = (
    "PEMERINTAH KABUPATEN CONTOH\nKECAMATAN SUKADAMAI\n"
    "NOMOR SOP : 7/2023 TGL PEMBUATAN : 3 Maret 2023 DISAHKAN OLEH Camat\n"
    "NAMA SOP : Pelayanan Surat Keterangan Usaha\n"
    "No Keg1atan Pe1aksana Mutu Baku Keterangari\n"
    "Pemohon Petugas Camat Kelengkapn Waklu 0utput\n"
    "1. Mengajukan permohonan surat keterangan usaha KTP, KK 5 menit Berkas\n"
    "2. Memeriksa kelengkapan berkas Berkas 10 menit Berkas lengkap\n"
    "3. Menandatangani surat keterangan usaha Konsep surat 15 menit Surat keterangan\n"
)


def test_flattened_table_with_misspelt_header_is_read() -> None:
    assert len(find_headers(FLATTENED_MISSPELT)) == 1
    [sop] = parse_flattened(FLATTENED_MISSPELT, "sku.txt")
    assert sop.title == "Pelayanan Surat Keterangan Usaha"
    assert [s.no for s in sop.steps] == ["1", "2", "3"]
    assert [s.duration.minutes for s in sop.steps] == [5, 10, 15]


# A tab dump (docx/xlsx/html tables) whose column names were mistyped.
TABLE_MISSPELT = "\n".join(
    [
        "PEMERINTAH KOTA CONTOH",
        "KELURAHAN MEKARSARI",
        "Nomor SOP\t3/2022",
        "Nama SOP\tPelayanan Surat Pengantar Nikah",
        "No\tUraian Keg1atan\tPelaksanna\t\tMutu Baku\t\t\tKeterangari",
        "\t\tPemohon\tLurah\tKelengkapn\tWaklu\t0utput\t",
        "1\tMengajukan permohonan\t□\t\tKTP\t5 menit\tBerkas\t",
        "2\tMemeriksa berkas\t\t◇\tBerkas\t10 menit\tBerkas lengkap\t",
        "3\tMenandatangani surat pengantar\t\t□\tKonsep\t15 menit\tSurat pengantar\t",
    ]
)


def test_tab_table_with_misspelt_column_names_is_read() -> None:
    (sop,) = load_bytes(TABLE_MISSPELT.encode("utf-8"), "nikah.txt").sops
    assert sop.title == "Pelayanan Surat Pengantar Nikah"
    assert [a.raw for a in sop.actors] == ["Pemohon", "Lurah"]
    assert [s.duration.minutes for s in sop.steps] == [5, 10, 15]
    assert sop.steps[2].output == "Surat pengantar"
