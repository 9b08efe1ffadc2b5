"""Readability of a cell: real garbled OCR cells against real clean table cells."""

from __future__ import annotations

import pytest

from sopdata.text.readability import (
    READABLE_THRESHOLD,
    is_known,
    is_readable,
    lexicon,
    readability,
)

# Cells of the bundled corpus's OCR book (corpus/jombang-kec-jogoroto-buku-sop-ocr.txt).
GARBLED = [
    "an mat ﬂlgh n AKTU ﬂ'l.ltpl.lt Surat Camat Pegawai B Kepegaw aian . Seluruh swrat dinas "
    "yang ditujukan kepada Eﬁt‘:lﬁiﬂt = . Tandz terima Surat H&ﬁutd wlmn cleh Agendaris",
    "Maskah Dj S mCotio T e s atiomo) Konsep Maskah Dinas 5:;: di o sural keluar dan menyampaik",
    "Camai Bgendaris sursl mengagends weret dan o Naskah Di mansbarikan nemer st 5 Maskah Dinas",
    "Kasubag Sungram & Pelaporan ¥ ; = : 3 Dt resalises Joons 3 melzkukan kajian terhadap",
    "Baglan Drganssasl",
    "strat masuk Surat Masulk yang 7 . diterima dan drtindakdanguti",
]
# Cells of the clean tables (setda-bagian-organisasi-sop.txt, the Lumajang files).
CLEAN = [
    "Menerima dan meneliti surat masuk\nmemberi lembar disposisi\nmencatat dalam buku agenda",
    "Mendisposisi surat masuk",
    "Penandatanganan surat keluar",
    "Menghimpun format data dan informasi kinerja dari masing-masing Kasi dan Kasubag",
    "Surat & berkas pengajuan SLKS.;",
    "Lap.Pelay. Publik",
    "Agenda surat masuk\nLembar disposisi",
]


@pytest.mark.parametrize("text", GARBLED)
def test_garbled_ocr_cells_are_unreadable(text):
    r = readability(text)
    assert r.score < READABLE_THRESHOLD, r
    assert not is_readable(text)


@pytest.mark.parametrize("text", CLEAN)
def test_clean_table_cells_are_readable(text):
    r = readability(text)
    assert r.score >= READABLE_THRESHOLD, r
    assert is_readable(text)


@pytest.mark.parametrize("text", ["", "-", "5", "1.", "  "])
def test_cells_without_words_have_nothing_to_misread(text):
    assert readability(text).score == 1.0


@pytest.mark.parametrize("text", ["5 menit", "1 jam", "3jam", "1 Hari", "15 Menit"])
def test_waktu_cells_are_readable(text):
    assert is_readable(text)


@pytest.mark.parametrize(
    "word,known",
    [
        ("surat", True),
        ("Mendisposisikan", True),  # affixes stripped: disposisi
        ("memeriksa", True),  # meN- drops the root's p: periksa
        ("LAKIP", True),  # glossary acronym
        ("Pengadministrasi", True),  # clean corpus table
        ("swrat", False),
        ("Maskah", False),
        ("drtindakdanguti", False),
    ],
)
def test_known_words(word, known):
    assert is_known(word) is known


def test_the_ocr_book_is_not_in_the_word_list():
    # "Masulk", "drtindakdanguti" are only in the OCR book: its words are no evidence.
    assert not {"masulk", "drtindakdanguti", "swrat"} & lexicon()
    assert "pengadministrasi" in lexicon()


def test_garbage_scores_below_the_same_step_written_cleanly():
    assert readability(GARBLED[0]).score < readability(CLEAN[0]).score - 0.3
