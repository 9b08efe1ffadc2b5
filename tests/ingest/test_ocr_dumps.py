"""OCR text dumps of SOP AP step tables read like the documents' PDF text layer.

The dumps (tests/data/ocr_dumps, Tesseract output of the BPS Provinsi Bengkulu
PDFs, see its README) are another office's scans than the Jogoroto book the
OCR reader was built on; the same PDFs' text layer, read well, is the reference
(``python -m benchmarks.ocr_dumps`` prints the figures).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from benchmarks.ocr_dumps import score_sops, word_bag
from sopdata.ingest.loaders import load_path
from sopdata.records import SOP, Step
from tests.support.paths import CORPUS, TEST_DATA

DUMPS = TEST_DATA / "ocr_dumps"
PDFS = TEST_DATA / "realdocs" / "docs"
SEED = CORPUS / "jombang-kec-jogoroto-buku-sop-ocr.txt"
PREFIXES = ["022", "023", "024", "025", "026", "027", "028", "029"]


def _path(folder: Path, prefix: str, ext: str) -> Path:
    return next(folder.glob(f"{prefix}_*.{ext}"))


@cache
def dump(prefix: str) -> SOP:
    (sop,) = load_path(_path(DUMPS, prefix, "txt")).sops
    return sop


@cache
def pdf(prefix: str) -> SOP:
    (sop,) = load_path(_path(PDFS, prefix, "pdf")).sops
    return sop


def _step(sop: SOP, opening: str) -> Step:
    """The step whose Kegiatan holds ``opening`` (OCR'd as printed)."""
    (step,) = [s for s in sop.steps if opening in s.activity]
    return step


def test_every_dump_is_read_as_one_sop_with_its_title() -> None:
    for prefix in PREFIXES:
        sop = dump(prefix)
        assert sop.steps, prefix
        if prefix != "025":  # its scan lost the NAMA SOP line
            assert word_bag(sop.title) >= word_bag(pdf(prefix).title) - word_bag("melalui portal")


# 028: the PDF's text layer gives 8 steps; the scan shows 10 rows of text
# (decisions drawn as rows), so no count is compared there.
@pytest.mark.parametrize("prefix", [p for p in PREFIXES if p != "028"])
def test_step_count_within_one_of_the_pdf(prefix: str) -> None:
    assert abs(len(dump(prefix).steps) - len(pdf(prefix).steps)) <= 1


def test_totals_against_the_pdf() -> None:
    """Waktu and Kegiatan words over all dumps (before this reader: 3/62 Waktu,
    Kegiatan P=0.11 R=0.04, 6 of 68 steps). 028 counts in the Kegiatan words
    since its PDF reference has its Kegiatan text (P 0.337, R 0.569 there; the
    other seven documents alone: P 0.481, R 0.717)."""
    scores = [score_sops(p, [dump(p)], [pdf(p)]) for p in PREFIXES]
    waktu = sum(s.waktu_right for s in scores)
    common = sum(s.words_common for s in scores)
    assert waktu >= 39  # of 62 steps whose PDF Waktu is a duration
    assert common / sum(s.words_found for s in scores) >= 0.45  # precision
    assert common / sum(s.words_ref for s in scores) >= 0.69  # recall


@pytest.mark.parametrize(
    "prefix,opening,waktu_min,waktu_max",
    [
        ("024", "Membuat draf naskah dinas", 30, 30),
        ("023", "Membubuhkan tandatangan", 2, 2),
        ("026", "Memberkaskan arsip aktif", 5, 5),
        # a range: "3-5 Jam" (the rule came from 029's "1-20 Hari")
        ("025", "Memeriksa tujuan surat", 180, 300),
    ],
)
def test_waktu_of_named_rows(prefix: str, opening: str, waktu_min: float, waktu_max: float) -> None:
    duration = _step(dump(prefix), opening).duration
    assert (duration.minutes, duration.minutes_max) == (waktu_min, waktu_max)


def test_waktu_range_reads_its_lower_bound_like_the_pdf() -> None:
    first = dump("029").steps[0]
    assert first.duration.raw == "1-20 Hari"
    assert first.duration.minutes == pdf("029").steps[0].duration.minutes


@pytest.mark.parametrize(
    "prefix,opening,not_in_kegiatan,requirements,output",
    [
        # a debris run (the flowchart symbols) ends the Kegiatan
        (
            "024",
            "Memeriksa dan verifikasi",
            ["PC/laptop", "validasi"],
            "PC/laptop",
            "validasi portal pintar",
        ),
        (
            "024",
            "Mengupload draf naskah",
            ["pintar", "terupload"],
            "Portal pintar",
            "terupload ke portal",
        ),
        ("022", "Melakukan scanning surat", ["menit"], "", "File surat masuk"),
        (
            "023",
            "Membubuhkan tandatangan",
            ["Surat/Dokumen", "diterima"],
            "Surat/Dokumen",
            "Surat diterima",
        ),
        (
            "027",
            "Memasukkan arsip ke dalam folder",
            ["Folder", "Boks", "hindahkan"],
            "Boks Arsip",
            "",
        ),
        # numbered Kelengkapan lines ("1. Filling cabinet") are no rows
        (
            "026",
            "Menyiapkan tempat penyimpanan",
            ["Filling", "Tersedia", "prasarana"],
            "",
            "prasarana",
        ),
    ],
)
def test_separated_kegiatan_holds_no_other_column(
    prefix: str, opening: str, not_in_kegiatan: list[str], requirements: str, output: str
) -> None:
    step = _step(dump(prefix), opening)
    for word in not_in_kegiatan:
        assert word not in step.activity
    assert requirements in step.requirements
    assert output in step.output


def test_rows_numbered_after_a_gap_are_rows() -> None:
    """029's page 3 numbers 10 and 12 follow 7 (8, 9 and 11 lost by OCR): the rows
    go on (the rule came from 022's 7 -> 10, 11)."""
    steps = dump("029").steps
    assert len(steps) >= 13
    assert any(s.activity.startswith("Perencana dan melaporkan") for s in steps)
    assert "Meng-upload FRA" in steps[-2].activity + steps[-1].activity


def test_signature_notice_is_no_row_text() -> None:
    for prefix in PREFIXES:
        for step in dump(prefix).steps:
            assert "ditandatangani" not in step.activity, prefix
            assert "Pindai" not in step.activity, prefix


# --- the scanned Jogoroto book: same layout, another office ---------------------------


@cache
def seed_sop(title: str) -> SOP:
    (sop,) = [s for s in load_path(SEED).sops if s.title == title]
    return sop


def test_seed_surat_keluar_kegiatan_without_the_other_columns() -> None:
    steps = seed_sop("Pengelolaan Surat Keluar").steps
    assert len(steps) == 6
    assert [s.duration.raw for s in steps] == ["2 jam", "", "", "", "15 Menit", "1 Harl"]
    # step 4: "kepada 4 Konsep Maskah Dinas 10 ekt Surat di": the box's number separates
    assert steps[3].activity.startswith("Sekretaris menyampalkan surat dinas kepada")
    assert "Konsep" not in steps[3].activity
    # step 5: "mengagends weret dan o Naskah Di", "nemer st 5 Maskah Dinas Swrat di"
    assert "mengagends" in steps[4].activity
    assert "Naskah" not in steps[4].activity
    assert "Swrat" not in steps[4].activity
    # step 6: Output after the Waktu
    assert steps[5].output == "Susak Dinas"


def test_seed_kegiatan_keeps_words_it_cannot_tell_apart() -> None:
    """A line without a separator keeps every word: "mempelajar is dan bantuk Naskah
    Eonsep" ("mempelajari isi dan bentuk Naskah Konsep") is all Kegiatan."""
    step = seed_sop("Pengelolaan Surat Keluar").steps[1]
    assert "mempelajar is dan bantuk Naskah Eonsep" in step.activity
