from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
EVAL_DIR = Path(os.environ.get("SOP_HARMONI_EVAL", ROOT.parent / "shared" / "eval"))

# Seed file name (as labelled in ../shared/eval) -> bundled corpus file.
SEED_TO_CORPUS = {
    row["seed_file"]: row["file"]
    for row in csv.DictReader((CORPUS / "provenance.csv").open(encoding="utf-8"))
}


def read_eval(name: str) -> list[dict[str, str]]:
    path = EVAL_DIR / name
    if not path.exists():
        pytest.skip(f"evaluation labels not found at {path}")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def corpus_sops():
    from sopdata.loaders import load_corpus

    return load_corpus()


@pytest.fixture(scope="session")
def sops_by_file(corpus_sops):
    out: dict[str, list] = {}
    for sop in corpus_sops:
        out.setdefault(sop.source_file, []).append(sop)
    return out
