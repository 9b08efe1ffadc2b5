"""Paths and labels the tests share (imported by tests and benchmarks alike)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from sopdata.ingest.corpus import seed_to_corpus_file
from sopdata.resources import CORPUS_DIR, REPO_ROOT

ROOT = REPO_ROOT
CORPUS = CORPUS_DIR
TEST_DATA = ROOT / "tests" / "data"
#: The seed labels: a copy of ../shared/eval kept in tests/data/eval, so a plain
#: clone runs every labelled test. $SOP_HARMONI_EVAL points elsewhere.
EVAL_DIR = Path(os.environ.get("SOP_HARMONI_EVAL", TEST_DATA / "eval"))

#: Seed file name (as labelled) -> bundled corpus file.
SEED_TO_CORPUS = seed_to_corpus_file()


def read_eval(name: str) -> list[dict[str, str]]:
    """Rows of one label file; a missing file fails the test (never skips it)."""
    with (EVAL_DIR / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
