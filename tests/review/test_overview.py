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
    ("uploads", "unread", "statuses", "drafted", "expected"),
    [
        (
            0,
            False,
            {},
            set(),
            [
                "korpus: Unggah SOP kantor-kantor yang akan diselaraskan di halaman Korpus.",
                "pencocokan: 8 kelompok belum ditinjau",
            ],
        ),
        (
            2,
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
            2,
            False,
            {k: "ditetapkan" for k in range(7)} | {7: "disepakati"},
            set(range(8)),
            ["ringkasan: 1 kelompok disepakati dan berancangan"],
        ),
        (
            2,
            False,
            {k: "ditetapkan" for k in range(8)},
            set(range(8)),
            ["ringkasan: Semua kelompok sudah ditetapkan. Unduh paket rapat di bawah."],
        ),
    ],
)
def test_next_steps(corpus_sops, groups, uploads, unread, statuses, drafted, expected) -> None:  # type: ignore[no-untyped-def]
    sops = [s for s in corpus_sops if s.confidence >= 0.7] if not unread else corpus_sops
    problems = reader_problems(sops, [UNREAD] if unread else [])
    ids = [g.id for g in groups]
    steps = next_steps(
        uploads,
        problems,
        groups,
        {ids[k]: s for k, s in statuses.items()},
        {ids[k] for k in drafted},
    )
    shown = [f"{s.page}: {s.text}" for s in steps]
    assert len(shown) == len(expected), shown
    for line, start in zip(shown, expected, strict=True):
        assert line.startswith(start), (line, start)


@pytest.mark.parametrize(
    ("groups_known", "expected_pages"),
    [(None, ["korpus"]), ([], ["korpus", "pencocokan"])],
)
def test_next_steps_without_groups(groups_known, expected_pages) -> None:  # type: ignore[no-untyped-def]
    steps = next_steps(0, [], groups_known, {}, set())
    assert [s.page for s in steps] == expected_pages
