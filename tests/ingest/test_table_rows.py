"""Rows of cells, the shape every table reader hands over, and the zip-bomb guard."""

from __future__ import annotations

import io
import zipfile

import pytest

from sopdata.errors import SOPLoadError
from sopdata.ingest import table_rows
from sopdata.ingest.table_rows import TableDocument, check_zip_members, tidy_cell, tidy_line


@pytest.mark.parametrize(
    "text,line",
    [
        ("  Nama SOP \t Pengelolaan\u00a0Surat  Keluar ", "Nama SOP Pengelolaan Surat Keluar"),
        ("Camat\u2007Lumajang\r", "Camat Lumajang"),
        ("\f\v", ""),
        ("Agen- da", "Agen- da"),  # lines are only tidied, never rewritten
    ],
)
def test_tidy_line(text: str, line: str) -> None:
    assert tidy_line(text) == line


@pytest.mark.parametrize(
    "text,cell",
    [
        ("1. Surat permohonan\n\n  2. Fotokopi\tKTP  \n", "1. Surat permohonan\n2. Fotokopi KTP"),
        ("\n \n", ""),
        ("Camat", "Camat"),
    ],
)
def test_tidy_cell(text: str, cell: str) -> None:
    assert tidy_cell(text) == cell


def test_paragraphs_become_rows_of_cells() -> None:
    doc = TableDocument()
    doc.add_text("PEMERINTAH KABUPATEN LUMAJANG\n\n  \nNomor SOP\t427.90/4/UMPEG/2025\n\t \t")
    assert doc.rows == [["PEMERINTAH KABUPATEN LUMAJANG"], ["Nomor SOP", "427.90/4/UMPEG/2025"]]
    assert doc.tables == 0 and doc.breaks == set()


def test_tables_are_fenced_by_breaks_and_an_empty_row() -> None:
    doc = TableDocument()
    doc.add_text("URAIAN PROSEDUR")
    doc.add_table([["No", "Kegiatan", "Waktu"], ["1", "Menerima surat", "5 menit"]])
    doc.add_table([])  # an empty table adds nothing
    doc.add_table([["2", "Menandatangani surat"]])  # rows need not be rectangular
    assert doc.rows == [
        ["URAIAN PROSEDUR"],
        ["No", "Kegiatan", "Waktu"],
        ["1", "Menerima surat", "5 menit"],
        [""],
        ["2", "Menandatangani surat"],
        [""],
    ]
    assert doc.tables == 2
    # where each table starts and ends (its closing empty row)
    assert doc.breaks == {1, 3, 4, 5}


def office_zip(sizes: dict[str, int]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, size in sizes.items():
            zf.writestr(name, b"0" * size)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize(
    "sizes,refused",
    [
        ({"word/document.xml": 900, "word/styles.xml": 100}, False),
        ({"word/document.xml": 1000}, False),  # the limit itself is allowed
        ({"word/document.xml": 1001}, True),  # one member too big
        # each member within the limit, but together more than twice it
        (
            {
                "xl/worksheets/sheet1.xml": 1000,
                "xl/worksheets/sheet2.xml": 1000,
                "xl/sharedStrings.xml": 1,
            },
            True,
        ),
    ],
    ids=["small", "at-limit", "member", "total"],
)
def test_zip_members_are_checked_once_unpacked(
    monkeypatch, sizes: dict[str, int], refused: bool
) -> None:
    monkeypatch.setattr(table_rows, "MAX_UNZIPPED_MEMBER", 1000)
    zf = office_zip(sizes)
    if not refused:
        check_zip_members(zf, "sop.docx", "Word")
        return
    with pytest.raises(SOPLoadError, match="terlalu besar setelah dibuka") as info:
        check_zip_members(zf, "sop.docx", "Word")
    assert "Word" in info.value.message and info.value.source == "sop.docx"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a Markdown table: cells between tabs, the rule under the header dropped
        (
            "Judul\n| No | Kegiatan | Waktu |\n|---|:---:|---|\n| 1 | Menerima surat | 5 menit |\n"
            "| 2 | Mencatat | |\n",
            "Judul\nNo\tKegiatan\tWaktu\n1\tMenerima surat\t5 menit\n2\tMencatat\t\n",
        ),
        # fewer than three bordered rows: stray pipes (OCR of a ruled line), left alone
        (
            "Sekretaris | paraf | 10 menit\n| a | b |\n",
            "Sekretaris | paraf | 10 menit\n| a | b |\n",
        ),
        # pipes between cells without borders are the Standar Pelayanan reader's
        ("1. | Persyaratan | KTP |\n2. | Biaya | Gratis |\n3. | Waktu | 1 hari |\n",) * 2,
    ],
)
def test_pipe_rows_as_tabs(text: str, expected: str) -> None:
    assert table_rows.pipe_rows_as_tabs(text) == expected


@pytest.mark.parametrize(
    "seed",
    [
        "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt",
        "setda-bagian-organisasi-sop.txt",
    ],
)
def test_a_markdown_copy_of_a_table_dump_reads_the_same(seed: str) -> None:
    """Seed Word tables saved as text, redrawn as Markdown tables (a web page or
    a converter's output): the same SOPs, steps and identity."""
    from sopdata.ingest.loaders import parse_document_text
    from tests.support.paths import CORPUS

    text = (CORPUS / seed).read_text(encoding="utf-8")
    lines, previous_tabbed = [], False
    for line in text.split("\n"):
        tabbed = "\t" in line
        if tabbed:
            lines.append("| " + " | ".join(line.split("\t")) + " |")
            if not previous_tabbed:
                lines.append("|" + "---|" * (line.count("\t") + 1))
        else:
            lines.append(line)
        previous_tabbed = tabbed

    def read(t: str) -> list[dict]:
        return [
            {k: v for k, v in s.to_dict().items() if k not in ("warnings", "confidence")}
            for s in parse_document_text(t, seed)
        ]

    assert read("\n".join(lines)) == read(text)
