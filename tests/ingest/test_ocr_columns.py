"""Separating the Kegiatan from the other columns on OCR'd step-table lines.

Every line here is copied from a real OCR text dump: the BPS Provinsi Bengkulu
dumps of tests/data/ocr_dumps (Tesseract, see its README) and the scanned
Jogoroto book of the corpus, two offices printing the same SOP AP layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sopdata.ingest.ocr_columns import (
    Cells,
    header_lines,
    is_debris,
    is_signature_notice,
    split_line,
    split_row,
)
from sopdata.ingest.parse_ocr import is_ocr_book
from tests.support.paths import CORPUS, TEST_DATA

DUMPS = TEST_DATA / "ocr_dumps"
SEED = CORPUS / "jombang-kec-jogoroto-buku-sop-ocr.txt"


def _dump(prefix: str) -> Path:
    return next(DUMPS.glob(f"{prefix}_*.txt"))


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    "token,debris",
    [
        ("Ng", True),  # flowchart symbols read as letters
        ("K—", True),
        ("LH—", True),
        ("(0)", True),
        ("|", True),
        ("i", True),
        ("o", True),
        ("di", False),  # short words of the text
        ("is", False),  # "isi" split by OCR
        ("PC", False),  # acronyms
        ("KK", False),
        ("II", False),  # "eselon II"
        ("PC/laptop", False),
        ("e-ttd", False),
        ("/", False),  # "Surat / Sekretaris"
        (".", False),
        ("Surat", False),
    ],
)
def test_is_debris(token: str, debris: bool) -> None:
    assert is_debris(token) is debris


# (dump, line, Kegiatan, Kelengkapan, Output)
SPLITS = [
    # a debris run between Kegiatan and Kelengkapan, Output after the Waktu
    (
        "024",
        "4 Memeriksa dan verifikasi — K— PC/laptop, File draf 20 menit validasi portal pintar",
        "Memeriksa dan verifikasi",
        "PC/laptop, File draf",
        "validasi portal pintar",
    ),
    # a doubled capital is an acronym ("KK") alone, a symbol in a run ("NN NN")
    (
        "022",
        "10 Menindaklanjuti Perintah NN NN Disposisi 4 hari Output sesuai",
        "Menindaklanjuti Perintah",
        "Disposisi",
        "Output sesuai",
    ),
    (
        "022",
        "2 Melakukan scanning surat NN Hardfile 2 menit File surat masuk",
        "Melakukan scanning surat NN Hardfile",
        "",
        "File surat masuk",
    ),
    (
        "023",
        "4 Ike Pengelola Surat pada “Ng Buku Kendali 10 Menit diantar ke Bagian",
        "Ike Pengelola Surat pada",
        "Buku Kendali",
        "diantar ke Bagian",
    ),
    # a Waktu range is the separator: "1-20 Hari"
    (
        "029",
        "data kinerja triwulan per tim dalam Realisasi target tim 1-20 Hari Laporan data kinerja",
        "data kinerja triwulan per tim dalam Realisasi target tim",
        "",
        "Laporan data kinerja",
    ),
    # no separator: every word stays in the Kegiatan
    (
        "024",
        "Memeriksa kelengkapan PC/laptop, File draf",
        "Memeriksa kelengkapan PC/laptop, File draf",
        "",
        "",
    ),
    # a line of the other columns only (opens with a symbol), no Waktu to say which
    ("024", "(0) PC/laptop, lembar", "", "", ""),
    # ... and one that opens with its Waktu
    ("024", ". 10 menit terupload ke portal", "", "", "terupload ke portal"),
    # the scanned book: the step number inside the flowchart box separates
    (
        "seed",
        "Sekretaris menyampalkan surat dinas kepada 4 Konsep Maskah Dinas 10 ekt Surat di",
        "Sekretaris menyampalkan surat dinas kepada",
        "",
        "",
    ),
    # ... a lone symbol letter
    (
        "seed",
        "Bgendaris sursl mengagends weret dan o Naskah Di",
        "Bgendaris sursl mengagends weret dan",
        "",
        "",
    ),
    # ... a bar (the ruling line)
    (
        "seed",
        "sural keluar dan menyampaikan ke Sekretaris | Euﬁsfﬂ 10 et I )",
        "sural keluar dan menyampaikan ke Sekretaris",
        "",
        "",
    ),
    # "rangkap 2" is text, not a step number
    (
        "seed",
        "Surat Keluear dalam rangkap 2 dan memnparal ': 1 I 5:;:[ E,:::!“P“nm 2 jam :::E.I:kah",
        "Surat Keluear dalam rangkap 2 dan memnparal ':",
        None,  # OCR garbage between the number and the Waktu: Kelengkapan
        "",
    ),
]


@pytest.mark.parametrize("source,line,kegiatan,requirements,output", SPLITS)
def test_split_line(
    source: str, line: str, kegiatan: str, requirements: str | None, output: str
) -> None:
    path = SEED if source == "seed" else _dump(source)
    assert line in _lines(path)  # a real line of that document
    cells = split_line(line)
    assert cells.kegiatan == kegiatan
    if requirements is not None:
        assert cells.requirements == requirements
    assert cells.output.startswith(output)


def test_split_row_joins_the_lines_columns() -> None:
    row = [
        "Memeriksa dan verifikasi — K— PC/laptop, File draf 20 menit validasi portal pintar",
        "draf naskah dinas XL | surat P P",
    ]
    assert split_row(row) == Cells(
        "Memeriksa dan verifikasi draf naskah dinas XL",
        "PC/laptop, File draf",
        "validasi portal pintar",
    )


@pytest.mark.parametrize("prefix", ["022", "024", "027", "029"])
def test_header_found_by_column_words(prefix: str) -> None:
    lines = _lines(_dump(prefix))
    found = header_lines(lines)
    assert found, "the step table's header"
    # never the identity block's "Kualifikasi Pelaksana"
    assert all("kualifikasi" not in lines[i].lower() for i in found)


def test_only_ocr_text_is_read_as_an_ocr_table() -> None:
    """The OCR reader takes the dumps and the scanned book; never a text layer's
    tables (tab-separated, or flattened without symbol debris)."""
    for path in DUMPS.glob("*.txt"):
        assert is_ocr_book(path.read_text(encoding="utf-8")), path.name
    assert is_ocr_book(SEED.read_text(encoding="utf-8"))
    others = [*CORPUS.glob("*.txt"), *(TEST_DATA / "realdocs" / "docs").glob("*.txt")]
    read_as_ocr = [
        p.name
        for p in others
        if p != SEED and is_ocr_book(p.read_text(encoding="utf-8", errors="replace"))
    ]
    assert read_as_ocr == []


def test_signature_notice() -> None:
    notices = [line for line in _lines(_dump("026")) if is_signature_notice(line)]
    assert len(notices) == 4  # two lines under each of the two pages
    assert not any(is_signature_notice(line) for line in _lines(SEED))
