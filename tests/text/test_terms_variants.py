"""Spelling variants, abbreviations, and what counts as a title word (issue 14)."""

from __future__ import annotations

from sopdata.records import SOP
from sopdata.text.terms import key_terms, spelling_variants, title_terms


def test_spelling_variants_fold_together():
    assert spelling_variants()["ijin"] == "izin"
    assert key_terms("Penerbitan Ijin Usaha") == key_terms("Penerbitan Izin Usaha")
    assert key_terms("Sertipikat Tanah") == key_terms("Sertifikat tanah")


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
