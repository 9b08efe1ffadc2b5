from __future__ import annotations

import os
import re

import pytest

from sopdata.ingest.corpus import load_corpus
from tests.support.paths import CORPUS

# The app prepares the e5 model on a background thread at its first start; in
# tests that would be half a minute of CPU behind every AppTest that never
# needs the model. Pages that do need it prepare it when they ask for it.
os.environ.setdefault("SOP_HARMONI_BACKGROUND_PREPARE", "0")


@pytest.fixture(scope="session")
def corpus_sops():
    return load_corpus()


@pytest.fixture(scope="session")
def sops_by_file(corpus_sops):
    out: dict[str, list] = {}
    for sop in corpus_sops:
        out.setdefault(sop.source_file, []).append(sop)
    return out


# ---------------------------------------------------------------- embedding fixtures
# The e5 model folder is built once into the model cache ($SOP_HARMONI_CACHE or
# <repo>/.cache) so later runs just load it; vector caches go to temporary folders.

_TAG = re.compile(r"<[^>]+>")


def seed_cells(min_len: int = 8, max_len: int = 300) -> list[str]:
    """Unique tab/line cells of the seed SOP texts, HTML tags removed."""
    cells: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        for cell in re.split(r"[\t\n]", path.read_text(encoding="utf-8")):
            text = " ".join(_TAG.sub(" ", cell).split())
            if min_len <= len(text) <= max_len and sum(ch.isalpha() for ch in text) >= 5:
                cells.append(text)
    return list(dict.fromkeys(cells))


@pytest.fixture(scope="session")
def seed_corpus() -> list[str]:
    """All usable cells of the seed corpus (~1,300)."""
    return seed_cells()


@pytest.fixture(scope="session")
def sop_sentences() -> list[str]:
    """~30 real SOP titles and step sentences."""
    named = [
        "Pengelolaan Surat Masuk",
        "Penandatanganan surat keluar",
        "Menyampaikan draf surat ke Pengadministrasi Umum.",
    ]
    cells = seed_cells(min_len=12, max_len=160)
    # every 40th cell spreads the picks over all documents
    return named + [c for c in cells[::40] if c not in named][:27]


@pytest.fixture(scope="session")
def e5_encoder():  # type: ignore[no-untyped-def]
    """One loaded E5Encoder for the whole session (build ~20 s once, load ~9 s)."""
    from embeddings.e5 import E5Encoder

    return E5Encoder(preload=True)
