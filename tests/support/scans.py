"""Synthetic scans with known truth for the OCR reader's tests and benchmark.

Seed SOPs (clean-table seeds of the corpus) get flowchart marks where their
text has none (⬭ first and last step, ◇ in the middle, □ elsewhere, the actor
taking turns), are written as Word files with drawn shapes, printed to PDF by
LibreOffice and rendered to page images by ``pdftoppm``; :func:`degrade` adds
noise, blur, a small rotation and JPEG artefacts. :func:`score` compares what
the reader found with the seed records.
"""

from __future__ import annotations

import copy
import difflib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sopdata.form import DECISION, PROCESS, TERMINATOR
from sopdata.ingest.corpus import load_corpus
from sopdata.records import SOP
from sopdata.text.fuzzy import edit_distance
from tests.support.sopfiles import LIBREOFFICE, docx_from_sops, libreoffice_convert

PDFTOPPM = shutil.which("pdftoppm")

#: (seed file, how many of its SOPs) scanned; the Setda book's first SOPs.
SCAN_SEEDS = (
    ("lumajang-kec-sumbersuko-rekomendasi-ot.txt", 1),
    ("lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt", 1),
    ("lumajang-kec-candipuro-pengumpulan-data-kinerja.txt", 1),
    ("setda-bagian-organisasi-sop.txt", 3),
)


def with_marks(sop: SOP) -> SOP:
    """A copy of the SOP whose steps all carry a drawn symbol: the seed's marks where
    it has them, otherwise ⬭ first and last, ◇ in the middle, □ between, the
    actors taking turns."""
    sop = copy.deepcopy(sop)
    actors = [a.raw for a in sop.actors]
    if not actors or any(step.marks for step in sop.steps):
        return sop
    last = len(sop.steps) - 1
    for i, step in enumerate(sop.steps):
        if i in (0, last):
            mark = TERMINATOR
        elif i == last // 2 and last >= 3:
            mark = DECISION
        else:
            mark = PROCESS
        actor = actors[i % len(actors)]
        step.marks = {actor: mark}
        step.actors = [actor]
    return sop


def scan_truth() -> dict[str, list[SOP]]:
    """The seed SOPs scanned, by document name, with marks on every step."""
    by_file: dict[str, list[SOP]] = {}
    for sop in load_corpus():
        by_file.setdefault(sop.source_file, []).append(sop)
    return {
        Path(seed).stem: [with_marks(s) for s in by_file[seed][:count]]
        for seed, count in SCAN_SEEDS
    }


def print_pdfs(truth: dict[str, list[SOP]], folder: Path) -> dict[str, Path]:
    """Each document as a Word file with drawn symbols, printed to PDF (one LibreOffice run)."""
    assert LIBREOFFICE, "libreoffice not installed"
    docs = []
    for name, sops in truth.items():
        path = folder / f"{name}.docx"
        path.write_bytes(docx_from_sops(sops, marks="drawingml"))
        docs.append(path)
    return dict(zip(truth, libreoffice_convert(docs, "pdf", folder), strict=True))


def render_pages(pdf: Path, dpi: int, folder: Path) -> list[Path]:
    """The PDF's pages as grey PNG images at ``dpi`` (pdftoppm)."""
    assert PDFTOPPM, "pdftoppm not installed (apt-get install poppler-utils)"
    prefix = folder / f"{pdf.stem}-{dpi}"
    subprocess.run(
        [PDFTOPPM, "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return sorted(folder.glob(f"{prefix.name}-*.png"))


def degrade(
    gray: np.ndarray,
    seed: int,
    noise: float = 12.0,
    blur: float = 0.8,
    angle: float | None = None,
    jpeg_quality: int = 60,
) -> bytes:
    """A page image as a poor scan: turned by ``angle`` degrees (1-3° either way when
    None), blurred, with grey noise and speckles, saved as a JPEG."""
    import cv2

    rng = np.random.default_rng(seed)
    if angle is None:
        angle = float(rng.uniform(1.0, 3.0) * rng.choice([-1, 1]))
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    image = cv2.warpAffine(gray, matrix, (width, height), borderValue=(255,))
    if blur > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    noisy = image.astype(np.float32) + rng.normal(0, noise, image.shape)
    specks = rng.random(image.shape) < 0.0005
    noisy[specks] = 0
    image = np.clip(noisy, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    assert ok
    return data.tobytes()


def scan_document(pages: list[bytes], dpi: int, pdf: bool) -> bytes:
    """Page images (PNG/JPEG bytes) as one scanned document: a PDF of the images
    without a text layer, or a multi-page TIFF."""
    import io

    from PIL import Image

    frames = [Image.open(io.BytesIO(p)) for p in pages]
    buf = io.BytesIO()
    if pdf:
        frames[0].save(buf, format="PDF", save_all=True, append_images=frames[1:], resolution=dpi)
    else:
        frames[0].save(
            buf,
            format="TIFF",
            save_all=True,
            append_images=frames[1:],
            compression="tiff_lzw",
            dpi=(dpi, dpi),
        )
    return buf.getvalue()


# --- scoring -------------------------------------------------------------------------


def _flat(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Score:
    """Counts for the OCR figures; add them up over documents, then read the shares."""

    sops: int = 0
    sops_step_count_exact: int = 0
    chars: int = 0
    char_errors: int = 0
    actor_tp: int = 0
    actor_fp: int = 0
    actor_fn: int = 0
    steps: int = 0
    waktu_exact: int = 0

    def __iadd__(self, other: Score) -> Score:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def step_count_share(self) -> float:
        return self.sops_step_count_exact / max(self.sops, 1)

    @property
    def cer(self) -> float:
        return self.char_errors / max(self.chars, 1)

    @property
    def actor_f1(self) -> float:
        return 2 * self.actor_tp / max(2 * self.actor_tp + self.actor_fp + self.actor_fn, 1)

    @property
    def waktu_share(self) -> float:
        return self.waktu_exact / max(self.steps, 1)

    def figures(self, prefix: str) -> dict[str, float]:
        return {
            f"{prefix}_step_count_exact_share": round(self.step_count_share, 4),
            f"{prefix}_kegiatan_cer": round(self.cer, 4),
            f"{prefix}_actor_f1": round(self.actor_f1, 4),
            f"{prefix}_waktu_exact_share": round(self.waktu_share, 4),
        }


def _closest(name: str, names: list[str]) -> str:
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return found[0] if found else name


def score(got: list[SOP], truth: list[SOP]) -> Score:
    """Compare the SOPs read from a scan with the seed records: each seed SOP with the
    read SOP of the closest title (steps in order; a missing step counts in full)."""
    result = Score()
    titles = [s.title for s in got]
    for ref in truth:
        match = difflib.get_close_matches(ref.title, titles, n=1, cutoff=0.6)
        sop = got[titles.index(match[0])] if match else None
        steps = sop.steps if sop else []
        result.sops += 1
        result.sops_step_count_exact += len(steps) == len(ref.steps)
        ref_actors = [a.raw for a in ref.actors]
        for i, step in enumerate(ref.steps):
            result.steps += 1
            want = _flat(step.activity)
            result.chars += len(want)
            got_step = steps[i] if i < len(steps) else None
            if got_step is None:
                result.char_errors += len(want)
                result.actor_fn += len(step.actors)
                continue
            result.char_errors += int(edit_distance(_flat(got_step.activity), want))
            found = {_closest(a, ref_actors) for a in got_step.actors}
            wanted = set(step.actors)
            result.actor_tp += len(found & wanted)
            result.actor_fp += len(found - wanted)
            result.actor_fn += len(wanted - found)
            result.waktu_exact += got_step.duration.minutes == step.duration.minutes
    return result
