"""Ringkasan's figures on the bundled corpus: counts, the readers' problems, next steps."""

from __future__ import annotations

import pytest

from embeddings import get_encoder
from sopdata.matching.match import match_corpus
from sopdata.review.overview import (
    corpus_counts,
    next_steps,
    reader_problems,
)
from sopdata.review.workspace import Group, LoadedDocument, build_groups, manual_sop

UNREAD = LoadedDocument("notulen.txt", "ab" * 32, [], error="Tidak ada tabel SOP di dokumen ini.")


@pytest.fixture(scope="module")
def groups(corpus_sops) -> list[Group]:  # type: ignore[no-untyped-def]
    matches, _ = match_corpus(corpus_sops, get_encoder("tfidf"))
    return build_groups(corpus_sops, matches)


def test_counts_include_unread_documents(corpus_sops) -> None:  # type: ignore[no-untyped-def]
    counts = corpus_counts(corpus_sops, [])
    assert (counts.documents, counts.sops, counts.offices) == (5, 42, 5)
    assert corpus_counts(corpus_sops, [UNREAD]).documents == 6


def test_problems_unread_first_then_low_confidence(corpus_sops) -> None:  # type: ignore[no-untyped-def]
    problems = reader_problems(corpus_sops, [UNREAD])
    assert problems[0].kind == "unread" and problems[0].document == "notulen.txt"
    assert problems[0].detail == UNREAD.error
    low = [p for p in problems if p.kind == "low_confidence"]
    assert len(low) == 14 and {p.office for p in low} == {"Kecamatan Jogoroto"}
    assert all("OCR" in p.detail for p in low)
    kinds = [p.kind for p in problems]
    assert kinds == sorted(kinds, key=["unread", "low_confidence", "warnings"].index)
    warned = [p for p in problems if p.kind == "warnings"]
    assert [p.confidence for p in warned] == sorted(p.confidence for p in warned)  # type: ignore[type-var]


def test_corrected_sops_and_documents_read_by_hand_are_no_problem(corpus_sops) -> None:  # type: ignore[no-untyped-def]
    low = [s for s in corpus_sops if s.confidence < 0.7]
    rescued = manual_sop(UNREAD)
    corrected = {s.key for s in low} | {rescued.key}
    problems = reader_problems([*corpus_sops, rescued], [UNREAD], corrected)
    assert [p for p in problems if p.kind in ("unread", "low_confidence")] == []


@pytest.mark.parametrize(
    ("unread", "statuses", "drafted", "expected"),
    [
        # the bundled corpus is loaded: nothing to upload, the groups to review
        (False, {}, set(), ["pencocokan: 8 kelompok belum ditinjau"]),
        (
            True,
            {0: "dibahas", 1: "disepakati"},
            set(),
            [
                "korpus: Periksa 1 dokumen tidak terbaca dan 14 SOP berkeyakinan rendah di halaman Korpus.",
                "pencocokan: 6 kelompok belum ditinjau",
                "bandingkan: 1 kelompok sedang dibahas",
                "harmonisasi: 1 kelompok disepakati tanpa rancangan",
            ],
        ),
        (
            False,
            {0: "disepakati", 1: "ditetapkan", 2: "disepakati"},
            {0},
            [
                "pencocokan: 5 kelompok belum ditinjau",
                "harmonisasi: 2 kelompok disepakati tanpa rancangan",
                "ringkasan: 1 kelompok disepakati dan berancangan",
            ],
        ),
        (
            False,
            {k: "ditetapkan" for k in range(7)} | {7: "disepakati"},
            set(range(8)),
            ["ringkasan: 1 kelompok disepakati dan berancangan"],
        ),
        (
            False,
            {k: "ditetapkan" for k in range(8)},
            set(range(8)),
            ["ringkasan: Semua kelompok sudah ditetapkan. Unduh paket rapat di bawah."],
        ),
    ],
)
def test_next_steps(corpus_sops, groups, unread, statuses, drafted, expected) -> None:  # type: ignore[no-untyped-def]
    sops = [s for s in corpus_sops if s.confidence >= 0.7] if not unread else corpus_sops
    documents = [UNREAD] if unread else []
    problems = reader_problems(sops, documents)
    ids = [g.id for g in groups]
    steps = next_steps(
        corpus_counts(sops, documents),
        problems,
        groups,
        {ids[k]: s for k, s in statuses.items()},
        {ids[k] for k in drafted},
    )
    shown = [f"{s.page}: {s.text}" for s in steps]
    assert len(shown) == len(expected), shown
    for line, start in zip(shown, expected, strict=True):
        assert line.startswith(start), (line, start)


SETDA = "Sekretariat Daerah (Bagian Organisasi)"


@pytest.mark.parametrize(
    ("loaded", "groups_known", "expected"),
    [
        # nothing loaded from any source: upload first, nothing to match
        ("none", [], ["korpus: Belum ada dokumen: unggah SOP"]),
        ("none", None, ["korpus: Belum ada dokumen: unggah SOP"]),
        # one office only: another office's SOPs are needed to match
        ("one office", [], ["korpus: Baru ada SOP dari satu kantor"]),
        # the bundled corpus: no upload asked for; groups not known yet (model prepared)
        ("corpus", None, []),
        ("corpus", [], ["pencocokan: Belum ada kelompok prosedur"]),
        # a document that could not be read is loaded too: fix it, no upload asked for
        ("unread only", [], ["korpus: Periksa 1 dokumen tidak terbaca di halaman Korpus."]),
    ],
)
def test_next_steps_follow_what_is_loaded(corpus_sops, loaded, groups_known, expected) -> None:  # type: ignore[no-untyped-def]
    sops = {
        "none": [],
        "one office": [s for s in corpus_sops if s.label == SETDA and s.confidence >= 0.7],
        "corpus": [s for s in corpus_sops if s.confidence >= 0.7],
        "unread only": [],
    }[loaded]
    documents = [UNREAD] if loaded == "unread only" else []
    steps = next_steps(
        corpus_counts(sops, documents), reader_problems(sops, documents), groups_known, {}, set()
    )
    shown = [f"{s.page}: {s.text}" for s in steps]
    assert len(shown) == len(expected), shown
    for line, start in zip(shown, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert not any("Unggah" in line for line in shown)  # the old always-upload step
