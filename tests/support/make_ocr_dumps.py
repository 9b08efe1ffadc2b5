"""Regenerate ``tests/data/ocr_dumps/``: Tesseract text dumps of the BPS SOP PDFs.

Every ``tests/data/realdocs/docs/*bps*.pdf`` is rendered page by page with
pdfium at 300 dpi, converted to grayscale and read by
``tesseract PAGE - -l ind --psm 6``; the pages' texts are joined by one blank
line and written as ``<pdf name>.txt``. Not run by the tests (it needs the
tesseract binary with the ``ind`` model and takes about a minute).

    python -m tests.support.make_ocr_dumps [--out tests/data/ocr_dumps]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "data" / "realdocs" / "docs"
OUT = ROOT / "tests" / "data" / "ocr_dumps"
DPI = 300


def dump_pdf(pdf_path: Path, workdir: Path) -> str:
    """The Tesseract text of every page of ``pdf_path``, pages joined by a blank line."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    texts = []
    for i in range(len(pdf)):
        image = pdf[i].render(scale=DPI / 72).to_pil().convert("L")
        page = workdir / f"{pdf_path.stem}_{i}.png"
        image.save(page)
        result = subprocess.run(
            ["tesseract", str(page), "-", "-l", "ind", "--psm", "6"],
            capture_output=True,
            text=True,
            check=True,
        )
        texts.append(result.stdout)
    return "\n\n".join(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for pdf_path in sorted(DOCS.glob("*bps*.pdf")):
            text = dump_pdf(pdf_path, Path(tmp))
            (args.out / f"{pdf_path.stem}.txt").write_text(text, encoding="utf-8")
            print(pdf_path.stem)


if __name__ == "__main__":
    main()
