"""Spelling variants, abbreviations, and what counts as a title word (issue 14)."""

from __future__ import annotations

import pytest

from sopdata.records import SOP, untitled
from sopdata.text.terms import key_terms, spelling_variants, title_terms


def test_spelling_variants_fold_together():
    assert spelling_variants()["ijin"] == "izin"
    assert key_terms("Penerbitan Ijin Usaha") == key_terms("Penerbitan Izin Usaha")
    assert key_terms("Sertipikat Tanah") == key_terms("Sertifikat tanah")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Pengesahan Legalisir Dokumen", "Legalisasi Dokumen"),
        ("Penerbitan Akte Kelahiran", "Penerbitan Akta Kelahiran"),
        ("Fotocopy Ijasah", "Fotokopi Ijazah"),
        ("Sekertariat Kecamatan", "Sekretariat Kecamatan"),
    ],
)
def test_common_spellings_share_their_key_terms(a, b):
    assert key_terms(b) <= key_terms(a)


def test_abbreviations_fold_together():
    assert key_terms("Penerbitan SK Pensiun") == key_terms("Penerbitan Surat Keputusan Pensiun")
    pns, asn, pegawai = (key_terms(f"Kenaikan Pangkat {w}") for w in ("PNS", "ASN", "Pegawai"))
    assert pns == asn == pegawai


def test_office_names_and_codes_are_not_title_words():
    sop = SOP(
        source_file="x.txt",
        title="SOP-BKD/01/2023 Pengelolaan Surat Keluar Kecamatan Jogoroto",
        office="Kecamatan Jogoroto",
    )
    other = SOP(
        source_file="y.txt", title="Surat Keluar Kecamatan Candipuro", office="Kecamatan Candipuro"
    )
    assert title_terms(sop) == title_terms(other) == {"keluar"}


def test_an_untitled_sops_placeholder_is_no_title_word():
    """Two SOPs whose documents print no title do not share "tanpa judul"."""
    a = SOP(source_file="a.txt", title=untitled(1), office="Kecamatan A")
    b = SOP(source_file="b.txt", title=untitled(2), office="Kecamatan B")
    assert title_terms(a) == title_terms(b) == set()


@pytest.mark.parametrize(
    ("title", "terms"),
    [
        # an office named at a title's end is no title word, even when the reader
        # did not take it for the SOP's office
        ("SOP Pengajuan Cuti Tahunan Pada Pengadilan Agama Sungailiat", {"cuti", "tahunan"}),
        ("Prosedur Penerbitan SKTM di Pemerintah Kecamatan", {"sktm"}),
        ("Pelayanan Legalisir di Kantor Kelurahan Sukamaju", {"legalisasi"}),
        # ... but a place that is what the service is about stays
        ("Pelayanan di Desa Wisata", {"desa", "wisata"}),
        # "Standar Pelayanan" (SP) names the kind of document, like "SOP"
        ("Standar Pelayanan Pemberian Legalisasi Produk Layanan", {"legalisasi", "produk"}),
    ],
)
def test_title_words_say_what_the_procedure_is(title, terms):
    assert title_terms(SOP(source_file="x.txt", title=title)) == terms
