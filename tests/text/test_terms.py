from __future__ import annotations

import pytest

from sopdata.records import SOP, Step
from sopdata.text.terms import (
    GENERIC_WORDS,
    STOPWORDS,
    canonical_terms,
    char_grams,
    key_terms,
    step_actions,
    step_text,
    title_text,
    word_actions,
)
from sopdata.text.textclean import SMALL_WORDS


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Penyusunan LAKIP", {"lakip"}),
        ("Penyusunan Laporan Kinerja", {"lakip"}),
        ("Pengajuan Cuti Tahunan PNS", {"cuti", "tahunan"}),
        ("SOP Pelayanan Surat Keluar", {"keluar"}),
        (
            "Surat Keterangan bagi Warga atas Permohonan sebagai Ahli Waris",
            {"suket", "warga", "ahli", "waris"},
        ),
        ("Reformasi Birokrasi", {"rb"}),
        ("", set()),
    ],
)
def test_key_terms(text, expected):
    assert key_terms(text) == expected


def test_one_stop_word_list():
    assert SMALL_WORDS <= STOPWORDS
    # function words never count as terms, not even in canonical_terms
    assert canonical_terms("izin tentang usaha per kelurahan bagi warga") == {
        "izin",
        "usaha",
        "kelurahan",
        "warga",
    }
    assert not key_terms(" ".join(sorted(STOPWORDS | GENERIC_WORDS)))


@pytest.mark.parametrize(
    "text,actions",
    [
        ("Camat menandatangani surat", {"sign"}),
        ("Penandatanganan surat keluar", {"sign"}),
        ("Mendisposisi surat masuk", {"dispose"}),
        ("Camat menendatangeni Surat Pengantar", {"sign"}),  # OCR damage
        ("Subag Umum menyiapkan surat pengantar", {"draft"}),  # pengantar is not mengantar
        ("Mengirim surat ke BKD", {"send"}),
        ("", set()),
    ],
)
def test_step_actions(text, actions):
    assert step_actions(text) == actions


def test_word_actions_needs_the_same_first_letter():
    assert word_actions("mengantar") != word_actions("pengantar")


@pytest.mark.parametrize(
    "text,grams",
    [
        ("ab", {" ab", "ab "}),
        ("A-b", {" a ", " b "}),
        ("", set()),
    ],
)
def test_char_grams(text, grams):
    assert char_grams(text) == grams


def test_encoder_texts_spell_out_acronyms():
    sop = SOP(source_file="x", title="Penyusunan LKj", steps=[Step(no="1", activity="Kirim  LKj")])
    assert "Laporan Kinerja" in title_text(sop)
    assert step_text(sop, 0).startswith("Kirim LKj (")
