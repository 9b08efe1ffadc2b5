"""OCR-aware edit distance: confusable letters cost half an edit."""

from __future__ import annotations

import pytest

from sopdata.text.fuzzy import CONFUSABLE, CONFUSABLE_PAIRS, edit_distance, ocr_distance


@pytest.mark.parametrize(
    "a,b,distance",
    [
        ("menit", "menit", 0.0),
        # a/e and d/i are OCR confusions: half an edit each ("Mandt" in the scanned book)
        ("mandt", "menit", 1.0),
        ("mesin", "menit", 2.0),  # two ordinary substitutions
        ("harl", "hari", 0.5),  # l/i
        ("1am", "lam", 0.5),  # 1/l
        ("carmat", "camat", 1.0),  # an insertion
        ("menit", "Menit", 1.0),  # case is not folded here
        ("", "jam", 3.0),
        ("jam", "", 3.0),
        ("", "", 0.0),
    ],
)
def test_ocr_distance(a: str, b: str, distance: float) -> None:
    assert ocr_distance(a, b) == distance
    assert ocr_distance(b, a) == distance  # symmetric


@pytest.mark.parametrize("pair", sorted("".join(sorted(p)) for p in CONFUSABLE))
def test_every_confusable_pair_costs_half_either_way(pair: str) -> None:
    x, y = pair[0], pair[1]
    assert ocr_distance(f"a{x}b", f"a{y}b") == ocr_distance(f"a{y}b", f"a{x}b") == 0.5


@pytest.mark.parametrize(
    ("a", "b", "limit", "distance"),
    [
        # plain Levenshtein (no half-cost pairs), as the label reader uses it on folded words
        ("waktu", "waktu", 1, 0.0),
        ("waklu", "waktu", 1, 1.0),
        ("output", "input", 3, 3.0),
        ("kelengkapan", "kegiatan", 2, 3.0),  # gives up past the limit: limit + 1
        ("abc", "abcdef", 1, 2.0),  # lengths too far apart: limit + 1 at once
        ("kitten", "sitting", None, 3.0),
        ("", "abc", None, 3.0),
    ],
)
def test_edit_distance_bounded(a: str, b: str, limit: int | None, distance: float) -> None:
    assert edit_distance(a, b, limit) == distance
    assert edit_distance(b, a, limit) == distance


@pytest.mark.parametrize(
    ("a", "b", "limit", "distance"),
    [
        ("mandt", "menit", 1.0, 1.0),  # within the limit: the exact distance
        ("mandt", "menit", 0.5, 1.5),  # past it: limit + 1
        ("harl", "hari", 0.5, 0.5),
        ("mesin", "menit", 1.0, 2.0),
        ("pengaduan", "pengaduan", 0.0, 0.0),
    ],
)
def test_ocr_distance_bounded(a: str, b: str, limit: float, distance: float) -> None:
    assert ocr_distance(a, b, limit) == distance


@pytest.mark.parametrize(
    ("a", "b"),
    [("mandt", "menit"), ("mesin", "menit"), ("carmat", "camat"), ("1am", "lam"), ("x", "")],
)
def test_ocr_distance_is_edit_distance_over_the_confusable_pairs(a: str, b: str) -> None:
    assert ocr_distance(a, b) == edit_distance(a, b, None, CONFUSABLE_PAIRS)
    # without the half-cost pairs every substitution is a whole edit
    assert edit_distance(a, b) >= ocr_distance(a, b)


def test_bounded_distance_agrees_with_the_exact_one_within_the_limit() -> None:
    words = ["menit", "mandt", "hari", "harl", "jam", "pengaduan", "pengajuan", "biaya", ""]
    for a in words:
        for b in words:
            exact = ocr_distance(a, b)
            for limit in (0.0, 0.5, 1.0, 2.0):
                bounded = ocr_distance(a, b, limit)
                assert bounded == exact if exact <= limit else bounded > limit
