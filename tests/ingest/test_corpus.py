"""The bundled corpus' provenance note is applied to the bundled corpus only."""

from __future__ import annotations

import shutil

from sopdata.ingest.corpus import load_corpus, load_file, provenance, seed_to_corpus_file
from sopdata.ingest.loaders import NO_OFFICE_WARNING
from tests.support.paths import CORPUS

SETDA = "setda-bagian-organisasi-sop.txt"


def test_the_bundled_book_that_names_no_office_gets_it_from_the_note():
    sops = load_file(CORPUS / SETDA)
    assert len(sops) == 25
    assert {s.office for s in sops} == {"Sekretariat Daerah (Bagian Organisasi)"}
    assert not any(NO_OFFICE_WARNING in s.warnings for s in sops)


def test_the_same_text_uploaded_from_elsewhere_is_read_for_what_it_says(tmp_path):
    copy = tmp_path / SETDA
    shutil.copy(CORPUS / SETDA, copy)
    sops = load_file(copy)
    assert {s.office for s in sops} == {""}
    assert all(NO_OFFICE_WARNING in s.warnings for s in sops)


def test_load_corpus_reads_every_bundled_file_and_the_note_names_them_all():
    sops = load_corpus()
    assert len(sops) == 42 and all(s.office for s in sops)
    assert {p.file for p in provenance()} == {p.name for p in CORPUS.glob("*.txt")}
    assert len(seed_to_corpus_file()) == 5


def test_document_text_shows_what_a_reviewer_reads_by_hand():
    from sopdata.ingest.loaders import document_text
    from tests.support.paths import TEST_DATA

    pdf = TEST_DATA / "realdocs" / "docs" / "022_bps_prov_bengkulu_pengelolaan_surat_masuk.pdf"
    text = document_text(pdf.read_bytes(), pdf.name)
    assert "Nomor SOP\tSOP-025/17000/2025" in text  # table cells, one row a line
    assert document_text(b"PK\x03\x04 rusak", "rusak.docx") == ""
    assert document_text(b"", "kosong.txt") == ""
