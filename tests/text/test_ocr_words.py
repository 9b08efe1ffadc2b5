"""OCR-aware matching text: misread words of the real OCR book corrected,
debris dropped, clean and foreign-language text left alone."""

from __future__ import annotations

import pytest

from sopdata.evaluate import ACTIVITY_SET_DIR, load_activity_set
from sopdata.resources import CORPUS_DIR
from sopdata.text.ocr_words import (
    MIN_VOCABULARY_SHARE,
    Vocabulary,
    clean_ocr,
    clean_ocr_text,
    correct_word,
    matching_text,
    max_distance,
)
from sopdata.text.readability import is_readable


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # misread words of corpus/jombang-kec-jogoroto-buku-sop-ocr.txt
        ("Maskah", "naskah"),  # N read as M: one edit
        ("menyampalkan", "menyampaikan"),  # i read as l: half an edit
        ("Agendarts", "agendaris"),  # i read as t
        ("Pegawal", "pegawai"),
        ("Sekrataris", "sekretaris"),  # e read as a
        ("Barkas", "berkas"),
        ("Camai", "camat"),
        ("memparsf", "memparaf"),
        ("Swrat", "surat"),
        ("menendatangeni", "menandatangani"),  # two a/e slips
        # known words and acronyms stay as written
        ("surat", "surat"),
        ("Sekretaris", "Sekretaris"),
        ("BKDPP", "BKDPP"),
        ("SK", "SK"),
        # debris: single letters, short unknown words, nothing near enough
        ("e", None),
        ("ekt", None),
        ("weret", None),
        ("mCotio", None),
    ],
)
def test_correct_word(word, expected):
    assert correct_word(word) == expected


@pytest.mark.parametrize(
    ("length", "limit"), [(2, 0.0), (3, 0.0), (4, 1.0), (5, 1.0), (6, 1.5), (8, 1.5), (9, 2.0)]
)
def test_max_distance_grows_with_the_word(length, limit):
    assert max_distance(length) == limit


@pytest.mark.parametrize(
    ("word", "limit", "expected"),
    [
        ("surst", 1.0, "surat"),
        ("kirin", 1.0, None),  # "kirim" and "kirik" equally near: no guess
        ("zzzzz", 1.0, None),
        ("srt", 1.0, None),  # two edits from "surat"
    ],
)
def test_nearest_word_is_unique_and_close(word, limit, expected):
    vocabulary = Vocabulary.of({"kirim", "kirik", "surat", "di"})
    assert vocabulary.nearest(word, limit) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sekretaris menyampalkan surat dinas kepada 4 Konsep Maskah Dinas 10 ekt Surat di",
            "Sekretaris menyampaikan surat dinas kepada Konsep naskah Dinas Surat di",
        ),
        ("EasiEasubag menyusun Koneep", "kasi kasubag menyusun konsep"),  # glued at a case change
        ("i Pegawel melengkapi berkas", "pegawai melengkapi berkas"),
        ("5:;: ™ | 10", ""),
    ],
)
def test_clean_ocr_text(text, expected):
    assert clean_ocr_text(text) == expected


def _ocr_book_cells() -> list[str]:
    """The Kegiatan cells the OCR reader gets from the corpus's scanned book."""
    from sopdata.ingest.corpus import load_corpus

    return [
        s.activity
        for sop in load_corpus()
        if "-ocr" in sop.source_file
        for s in sop.steps
        if not is_readable(s.activity)
    ]


def test_ocr_book_cells_are_cleaned_and_become_more_known():
    """Every unreadable cell of the real OCR book that the vocabulary accounts
    for is rewritten, and the rewrite reads better than the cell did."""
    from sopdata.text.readability import readability

    cells = _ocr_book_cells()
    assert len(cells) > 80
    changed = [c for c in cells if matching_text(c) != c]
    assert len(changed) >= 0.7 * len(cells)
    for cell in changed:
        assert clean_ocr(cell).vocabulary_share > MIN_VOCABULARY_SHARE
        assert readability(matching_text(cell)).score > readability(cell).score, cell


def test_clean_tables_are_left_as_read():
    text = (CORPUS_DIR / "setda-bagian-organisasi-sop.txt").read_text(encoding="utf-8")
    lines = [x for x in text.splitlines() if len(x.split()) >= 3 and is_readable(x)][:200]
    assert lines
    assert all(matching_text(x) == x for x in lines)


def test_text_in_another_language_is_left_as_read():
    """English process models score low on readability but are no OCR: the
    vocabulary accounts for too few of their words, so nothing is erased."""
    if not (ACTIVITY_SET_DIR / "gold.csv").exists():
        pytest.skip("University Admission set not available")
    data = load_activity_set(ACTIVITY_SET_DIR)
    labels = [s.activity for sop in data.sops.values() for s in sop.steps]
    assert len(labels) > 200
    assert [x for x in labels if matching_text(x) != x] == []
