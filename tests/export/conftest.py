"""Fixtures shared by the export tests."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import CORPUS, ROOT


@dataclass(frozen=True)
class HarmoniseRun:
    """One ``python -m sopdata harmonise`` of the bundled corpus, surat keluar."""

    proc: subprocess.CompletedProcess[str]
    workbook: Path
    docx: Path


@pytest.fixture(scope="session")
def harmonise_cli_run(tmp_path_factory: pytest.TempPathFactory) -> HarmoniseRun:
    """The CLI run once with ``-o``, ``--docx`` and ``--json``: the workbook and
    Word tests read its files (each run loads the model and matches the corpus)."""
    folder = tmp_path_factory.mktemp("harmonise_cli")
    workbook, docx = folder / "surat-keluar.xlsx", folder / "surat-keluar.docx"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sopdata",
            "harmonise",
            *sorted(str(p) for p in CORPUS.glob("*.txt")),
            "--query",
            "surat keluar",
            "-o",
            str(workbook),
            "--docx",
            str(docx),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    return HarmoniseRun(proc, workbook, docx)
