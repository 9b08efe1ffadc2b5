"""Pages that draw nothing are read by pdfium (fast), the others by pdfminer/pdfplumber.

A page without ruling lines or boxes holds no table: its text is all the reader
needs. Both routes must give the same lines for such a page; a page with a
drawn table keeps the table reader (the BPS PDFs of tests/data/realdocs, checked
by test_realdocs.py).
"""

from __future__ import annotations

import io

import pypdfium2

from sopdata.ingest import pdf
from sopdata.ingest.pdf import plain_text_page, read_pdf
from tests.support.paths import TEST_DATA
from tests.support.sopfiles import pdf_with_text

PAGES = [
    [
        "STANDAR OPERASIONAL PROSEDUR",
        "Nama SOP : Pelayanan Surat Keterangan Usaha",
        "1. Pemohon mengajukan permohonan",
        "2. Petugas memeriksa berkas",
        "Halaman 1 dari 2",
    ],
    ["3. Camat menandatangani surat", "4. Petugas menyerahkan surat"],
]


def test_plain_pages_are_read_by_pdfium_as_pdfminer_reads_them(monkeypatch) -> None:
    data = pdf_with_text(PAGES)
    doc = pypdfium2.PdfDocument(data)
    text, n_chars = plain_text_page(doc, 0)
    assert text.splitlines() == PAGES[0]
    assert n_chars >= sum(len(line) for line in PAGES[0])
    fast = read_pdf(io.BytesIO(data), "sku.pdf")
    monkeypatch.setattr(pdf, "_open_pdfium", lambda data: None)
    slow = read_pdf(io.BytesIO(data), "sku.pdf")
    assert fast.rows == slow.rows  # the page number, furniture, is no row
    assert ["Halaman 1 dari 2"] not in fast.rows
    assert fast.fallback_text == slow.fallback_text


def test_a_page_with_a_drawn_table_is_left_to_pdfplumber() -> None:
    path = (
        TEST_DATA
        / "realdocs"
        / "docs"
        / "023_bps_prov_bengkulu_penerimaan_surat_masuk_dari_satpam.pdf"
    )
    doc = pypdfium2.PdfDocument(path.read_bytes())
    assert plain_text_page(doc, 0) is None
    assert plain_text_page(None, 0) is None  # pdfium could not open the document
