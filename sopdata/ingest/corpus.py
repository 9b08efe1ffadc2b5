"""The bundled seed corpus and its provenance note.

``corpus/provenance.csv`` says where each bundled file comes from (office,
kabupaten, seed file name, sha256). It is applied only when the bundled corpus
is loaded: an uploaded document is read for what it says, never looked up here.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sopdata.ingest.loaders import NO_OFFICE_WARNING, load_path
from sopdata.ingest.ocr import Progress
from sopdata.records import SOP
from sopdata.resources import CORPUS_DIR

PROVENANCE_FILE = CORPUS_DIR / "provenance.csv"


@dataclass(frozen=True)
class Provenance:
    """One bundled file: where it came from."""

    file: str
    seed_file: str
    office: str
    kabupaten: str
    sha256: str


@functools.cache
def provenance() -> tuple[Provenance, ...]:
    """The rows of ``corpus/provenance.csv`` (read once)."""
    if not PROVENANCE_FILE.exists():
        return ()
    with PROVENANCE_FILE.open(encoding="utf-8") as fh:
        return tuple(
            Provenance(
                file=row["file"],
                seed_file=row.get("seed_file", ""),
                office=row.get("office", ""),
                kabupaten=row.get("kabupaten", ""),
                sha256=row.get("sha256", ""),
            )
            for row in csv.DictReader(fh)
        )


def seed_to_corpus_file() -> dict[str, str]:
    """Seed file name as the evaluation labels spell it -> bundled corpus file name."""
    return {p.seed_file: p.file for p in provenance() if p.seed_file}


def bundled_files() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.txt"))


def apply_provenance(sops: list[SOP], info: Provenance) -> None:
    """Fill office/kabupaten from the provenance note where the text does not name them."""
    for sop in sops:
        if not sop.office and info.office:
            sop.office = info.office
            sop.warnings[:] = [w for w in sop.warnings if w != NO_OFFICE_WARNING]
        if not sop.kabupaten and info.kabupaten and not info.kabupaten.startswith("("):
            sop.kabupaten = info.kabupaten


def load_file(path: str | Path, progress: Progress | None = None) -> list[SOP]:
    """The SOPs of one file; a file of the bundled corpus (by its place, ``corpus/``)
    gets its office and kabupaten from the provenance note where the document names none.

    Raises:
        SOPLoadError: as :func:`~sopdata.ingest.loaders.load_path`.
    """
    sops = load_path(path, progress=progress).sops
    apply_bundled_provenance(path, sops)
    return sops


def apply_bundled_provenance(path: str | Path, sops: list[SOP]) -> None:
    """Apply the provenance note to the SOPs of ``path`` when it is a bundled file."""
    path = Path(path)
    if path.resolve().parent == CORPUS_DIR:
        info = {p.file: p for p in provenance()}.get(path.name)
        if info is not None:
            apply_provenance(sops, info)


def load_corpus(paths: Iterable[Path] | None = None) -> list[SOP]:
    """The SOPs of the bundled corpus (or of the given paths), in file order.

    The Bagian Organisasi book names no office: its provenance note does.
    """
    files = sorted(paths) if paths is not None else bundled_files()
    sops: list[SOP] = []
    for path in files:
        sops.extend(load_file(path))
    return sops
