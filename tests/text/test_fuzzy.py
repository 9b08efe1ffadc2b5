"""OCR-aware edit distance: confusable letters cost half an edit."""

from __future__ import annotations

import pytest

from sopdata.text.fuzzy import CONFUSABLE, ocr_distance


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
    x, y = pair
    assert ocr_distance(f"a{x}b", f"a{y}b") == ocr_distance(f"a{y}b", f"a{x}b") == 0.5
