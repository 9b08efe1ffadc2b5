"""The workbook and the Word document as printed: LibreOffice converts them to PDF,
and the pages are measured (count, orientation, smallest font, offices per page)."""

from __future__ import annotations

import copy
from pathlib import Path

import pdfplumber
import pytest

from sopdata.cli import main
from sopdata.export.excel import WorkbookParts, export_workbook
from sopdata.export.word import MIN_FONT_PT, export_docx
from sopdata.findings import find_differences
from sopdata.harmonise import harmonise
from sopdata.matching.alignment import AlignedPair
from sopdata.matching.compare import merge_alignments
from tests.support.builders import gold_group
from tests.support.sopfiles import LIBREOFFICE, libreoffice_convert

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        LIBREOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)"
    ),
]


def _pdf(path: Path, tmp_path: Path) -> list[dict]:
    (pdf,) = libreoffice_convert([path], "pdf", tmp_path)
    assert pdf.exists()
    pages = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            sizes = [c["size"] for c in page.chars if c["text"].strip()]
            words = page.extract_words()
            # the header band: everything above the first column label "Langkah"
            top = min((w["top"] for w in words if w["text"] == "Langkah"), default=0)
            header = " ".join(w["text"] for w in words if w["bottom"] <= top)
            pages.append(
                {
                    "landscape": page.width > page.height,
                    "min_size": min(sizes) if sizes else None,
                    "text": page.extract_text() or "",
                    "header": header,
                }
            )
    return pages


@pytest.fixture(scope="module")
def three_offices(sops_by_file):
    """The surat keluar group of the corpus with a third office (Jogoroto's
    partner's SOP under another office's name, aligned step to step)."""
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    third = copy.deepcopy(sops[1])
    third.office = "Kecamatan Candipuro"
    alignments[2] = [AlignedPair(i, i, 1.0) for i in range(len(third.steps))]
    comparison = merge_alignments([*sops, third], 1, alignments)
    findings = find_differences(comparison)
    draft = harmonise(comparison)
    return comparison, findings, draft


#: The title row each sheet starts with (pages without one continue the sheet before).
TITLES = (
    ("STANDAR OPERASIONAL PROSEDUR", "Prosedur"),
    ("PERBANDINGAN LANGKAH", "Perbandingan"),
    ("TEMUAN PERBEDAAN", "Temuan"),
    ("SUMBER SETIAP PILIHAN", "Sumber"),
)


def _sheets(pages: list[dict]) -> list[str]:
    current, out = "Identitas", []
    for page in pages:
        current = next((s for title, s in TITLES if title in page["text"]), current)
        out.append(current)
    return out


def test_workbook_prints_landscape_and_readable(three_offices, tmp_path):
    comparison, findings, draft = three_offices
    path = tmp_path / "harmonisasi.xlsx"
    path.write_bytes(
        export_workbook(draft.sop, parts=WorkbookParts(comparison, findings, draft.choices))
    )
    pages = _pdf(path, tmp_path)
    sheets = _sheets(pages)
    assert all(p["landscape"] for p in pages)
    assert sheets[0] == "Identitas" and sheets.count("Identitas") == 1  # one page
    assert sheets[1] == "Prosedur" and "Nomor SOP" in pages[0]["text"]
    assert {"Perbandingan", "Temuan", "Sumber"} <= set(sheets) and len(pages) <= 16
    floor = {"Identitas": 9.0, "Perbandingan": 8.0, "Temuan": 8.0}
    for page, sheet in zip(pages, sheets, strict=True):
        if sheet in floor:
            assert page["min_size"] >= floor[sheet] - 0.05, (sheet, page["min_size"])
    offices = comparison.offices
    blocks = [p["header"] for p, s in zip(pages, sheets, strict=True) if s == "Perbandingan"]
    assert len(offices) == 3 and len(blocks) >= 2
    for header in blocks:  # at most two offices side by side on a printed page
        assert 1 <= sum(o in header for o in offices) <= 2, header
    assert all(any(o in h for h in blocks) for o in offices)  # each office on paper


def test_word_document_prints_landscape_at_nine_points(three_offices, tmp_path):
    *_, draft = three_offices
    path = tmp_path / "harmonisasi.docx"
    path.write_bytes(export_docx(draft.sop))
    pages = _pdf(path, tmp_path)
    assert 2 <= len(pages) <= 6
    assert all(p["landscape"] for p in pages)
    assert min(p["min_size"] for p in pages if p["min_size"]) >= MIN_FONT_PT - 0.05
    text = "\n".join(p["text"] for p in pages)
    assert "Disahkan oleh" in text and "Kelengkapan" in text
    assert text.count("Kegiatan") == sum("Kegiatan" in p["text"] for p in pages[1:])


#: Printed pages of the workbook of each group of the bundled corpus, as
#: ``python -m sopdata harmonise corpus/*.txt --query Q -o X.xlsx`` writes it (upper
#: bounds with some slack; before the row heights and the notes column were fitted
#: to print: 9, 10 and 32 pages, Perbandingan of laporan kinerja alone 16).
CORPUS_PAGES = {
    "surat masuk": (11, None),
    "surat keluar": (12, None),
    "laporan kinerja": (28, 11),
}


@pytest.mark.parametrize("query", sorted(CORPUS_PAGES))
def test_corpus_workbooks_print_on_few_pages(query, tmp_path):
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    path = tmp_path / f"{query.replace(' ', '-')}.xlsx"
    files = sorted(str(p) for p in corpus.glob("*.txt"))
    assert main(["harmonise", *files, "--query", query, "-o", str(path)]) == 0
    pages = _pdf(path, tmp_path)
    sheets = _sheets(pages)
    most, most_comparison = CORPUS_PAGES[query]
    assert len(pages) <= most, len(pages)
    if most_comparison is not None:
        assert sheets.count("Perbandingan") <= most_comparison, sheets
    floor = {"Identitas": 9.0, "Perbandingan": 8.0, "Temuan": 8.0}
    for page, sheet in zip(pages, sheets, strict=True):
        if sheet in floor:
            assert page["min_size"] >= floor[sheet] - 0.05, (sheet, page["min_size"])
