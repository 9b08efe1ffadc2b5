"""Load time per format: the seed SOPs written as Word, Excel, HTML and PDF files.

Run: python -m benchmarks.bench_load_formats [--repeat N] [--scale K]

Files are built with the test builders (tests/support/sopfiles.py): each table seed in
the official layout, and one "book" of the Setda SOPs repeated K times (25*K
SOPs). PDFs are printed by LibreOffice when it is installed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from sopdata.ingest.loaders import load_bytes, load_path
from sopdata.resources import CORPUS_DIR
from tests.support.sopfiles import (
    LIBREOFFICE,
    docx_from_sops,
    html_from_dump,
    libreoffice_convert,
    xlsx_export_layout,
    xlsx_from_dump,
)

SEEDS = [
    "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt",
    "lumajang-kec-sumbersuko-rekomendasi-ot.txt",
    "setda-bagian-organisasi-sop.txt",
]


def _time(data: bytes, name: str, repeat: int) -> tuple[float, int, str]:
    load_bytes(data, name)  # warm-up: imports, regexes
    timings = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = load_bytes(data, name)
        timings.append(time.perf_counter() - t0)
    assert result is not None
    return statistics.median(timings), len(result.sops), result.format.value


def _pages(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--scale", type=int, default=8, help="copies of the 25 Setda SOPs in the book"
    )
    args = parser.parse_args()
    files: list[tuple[str, bytes]] = []
    book: list = []
    for seed in SEEDS:
        sops = load_path(CORPUS_DIR / seed).sops
        text = (CORPUS_DIR / seed).read_text(encoding="utf-8")
        stem = Path(seed).stem[:28]
        files += [
            (f"{stem}.docx", docx_from_sops(sops, marks="drawingml")),
            (f"{stem}.html", html_from_dump(text).encode("utf-8")),
            (f"{stem}.xlsx", xlsx_from_dump(text)),
            (f"{stem}-ekspor.xlsx", xlsx_export_layout(sops[0])),
        ]
        if seed.startswith("setda"):
            book = sops * args.scale
    setda_text = (CORPUS_DIR / SEEDS[-1]).read_text(encoding="utf-8")
    files += [
        (f"buku-{len(book)}-sop.docx", docx_from_sops(book, marks="drawingml")),
        (f"buku-{len(book)}-sop.xlsx", xlsx_from_dump("\n".join([setda_text] * args.scale))),
        (
            f"buku-{len(book)}-sop.html",
            html_from_dump("\n".join([setda_text] * args.scale)).encode("utf-8"),
        ),
    ]
    rows = []
    result: dict[str, float | str] = {"bench": "load_formats"}
    with tempfile.TemporaryDirectory() as tmp:
        pdf_pages: dict[str, int] = {}
        if LIBREOFFICE:
            docs = []
            for name, data in files:
                if name.endswith(".docx"):
                    path = Path(tmp) / name
                    path.write_bytes(data)
                    docs.append(path)
            t0 = time.perf_counter()
            pdfs = libreoffice_convert(docs, "pdf", Path(tmp))
            print(
                f"LibreOffice printed {len(pdfs)} PDFs in {time.perf_counter() - t0:.1f} s (not counted below)"
            )
            for pdf in pdfs:
                pdf_pages[pdf.name] = _pages(pdf)
                files.append((pdf.name, pdf.read_bytes()))
        for name, data in files:
            repeat = 1 if name.endswith(".pdf") and "buku" in name else args.repeat
            seconds, n_sops, fmt = _time(data, name, repeat)
            pages = f"{pdf_pages[name]} hlm" if name in pdf_pages else ""
            rows.append(
                (
                    name,
                    fmt,
                    f"{len(data) / 1024:.0f} KB",
                    pages,
                    str(n_sops),
                    f"{seconds * 1000:.0f} ms",
                )
            )
            if name.startswith(("setda", "buku")):
                what = "setda" if name.startswith("setda") else "book"
                ext = name.rsplit(".", 1)[1] + ("_export" if "-ekspor" in name else "")
                result[f"load_{what}_{ext}_s"] = round(seconds, 3)
                result[f"load_{what}_{ext}_sops"] = n_sops
    header = ("file", "format", "size", "pages", "SOPs", "load (median)")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
