"""Robustness: every loader fuzzed for a bounded time, and a corpus of malformed files.

Run: python -m benchmarks.fuzz_loaders [--seconds 60] [--seed 1]

1. Fuzz: real documents of every format (the seed text dumps, and the same SOPs
   as HTML, .docx, .xlsx and a PDF with a text layer, built by tests/support/sopfiles.py)
   are mutated at random (bytes flipped, inserted, deleted, the file cut short or
   spliced with another) and handed to ``sopdata.ingest.loaders.load_bytes``. Any
   exception other than ``SOPLoadError`` is a failure: the figure to keep at 0.
2. Malformed corpus: named bad files (0 byte, 100 MB, truncated Word/Excel/PDF,
   wrong extensions, a scan without text, password-protected Office files), each
   with the Indonesian message a reviewer gets.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time
import traceback
from collections import Counter

from sopdata.errors import SOPLoadError
from sopdata.ingest.loaders import load_bytes, load_document, load_path
from sopdata.resources import CORPUS_DIR
from tests.support import sopfiles
from tests.support.paths import ROOT


def samples() -> dict[str, bytes]:
    """One real document per format, all from the bundled corpus."""
    dump = (CORPUS_DIR / "setda-bagian-organisasi-sop.txt").read_text(encoding="utf-8")
    sops = load_path(CORPUS_DIR / "setda-bagian-organisasi-sop.txt").sops[:4]
    out = {
        "ocr.txt": (CORPUS_DIR / "jombang-kec-jogoroto-buku-sop-ocr.txt").read_bytes()[:40000],
        "dump.txt": dump.encode("utf-8")[:40000],
        "page.html": sopfiles.html_from_dump(dump).encode("utf-8")[:60000],
        "sop.docx": sopfiles.docx_from_sops(sops),
        "sop.xlsx": sopfiles.xlsx_export_layout(sops[0]),
    }
    pages = [[f"{s.no}  {s.activity}  {s.duration.raw}" for s in sop.steps] for sop in sops]
    out["sop.pdf"] = sopfiles.pdf_with_text(pages)
    return out


def mutate(data: bytes, rng: random.Random, other: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        if not buf:
            break
        i = rng.randrange(len(buf))
        if op < 0.35:
            buf[i] = rng.randrange(256)
        elif op < 0.5:
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op < 0.65:
            del buf[i : i + rng.randint(1, 64)]
        elif op < 0.8:
            buf = buf[: rng.randint(0, len(buf))]
        else:
            j = rng.randrange(max(len(other), 1))
            buf[i : i + 256] = other[j : j + 256]
    return bytes(buf)


def fuzz(seconds: float, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    docs = samples()
    names = list(docs)
    outcomes: Counter[str] = Counter()
    per_format: Counter[str] = Counter()
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        name = rng.choice(names)
        data = mutate(docs[name], rng, docs[rng.choice(names)])
        per_format[name] += 1
        try:
            load_bytes(data, name if rng.random() < 0.8 else rng.choice(names))
            outcomes["loaded"] += 1
        except SOPLoadError:
            outcomes["clear message"] += 1
        except Exception:  # the failure we look for
            outcomes["UNEXPECTED"] += 1
            if len(failures) < 5:
                failures.append(f"{name}: {traceback.format_exc(limit=3)}")
    return {
        "inputs": sum(per_format.values()),
        "per_format": dict(per_format),
        "outcomes": dict(outcomes),
        "failures": failures,
    }


class _Huge(io.RawIOBase):
    """A 100 MB file object that is never held in memory."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        n = min(len(b), self.left)
        b[:n] = b"a" * n
        self.left -= n
        return n


def malformed() -> list[tuple[str, str]]:
    docs = samples()
    data_dir = ROOT / "tests" / "data"
    cases: list[tuple[str, bytes | None]] = [
        ("kosong.txt (0 byte)", b""),
        ("terpotong.docx", docs["sop.docx"][: len(docs["sop.docx"]) // 2]),
        ("terpotong.xlsx", docs["sop.xlsx"][: len(docs["sop.xlsx"]) // 3]),
        ("terpotong.pdf", docs["sop.pdf"][: len(docs["sop.pdf"]) // 2]),
        ("pdf-bernama.docx", docs["sop.pdf"]),
        ("word-bernama.pdf", docs["sop.docx"]),
        ("gambar.png", b"\x89PNG\r\n\x1a\n" + bytes(2000)),
        ("pindaian.pdf", sopfiles.scanned_pdf(3)),
        ("terkunci.docx", (data_dir / "terkunci.docx").read_bytes()),
        ("terkunci.xlsx", (data_dir / "terkunci.xlsx").read_bytes()),
        ("lama.xls", (data_dir / "lama.xls").read_bytes()),
        ("besar-100MB.txt", None),
    ]
    out = []
    for name, data in cases:
        try:
            if data is None:
                result = load_document(io.BufferedReader(_Huge(100 * 1024 * 1024)), name)
            else:
                result = load_bytes(data, name)
            out.append((name, f"(terbaca: {len(result.sops)} SOP)"))
        except SOPLoadError as exc:
            out.append((name, exc.message))
        except Exception as exc:  # reported, not hidden
            out.append((name, f"UNEXPECTED {type(exc).__name__}: {exc}"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = fuzz(args.seconds, args.seed)
    print(f"fuzz: {report['inputs']} mutated documents in {args.seconds:.0f} s (seed {args.seed})")
    print(f"  per format: {report['per_format']}")
    print(f"  outcomes:   {report['outcomes']}")
    for failure in report["failures"]:  # type: ignore[attr-defined]
        print(failure)
    print("\nmalformed files:")
    rows = malformed()
    width = max(len(n) for n, _ in rows)
    for name, message in rows:
        print(f"  {name:<{width}}  {message}")
    unexpected = int(report["outcomes"].get("UNEXPECTED", 0)) + sum(
        "UNEXPECTED" in m for _, m in rows
    )  # type: ignore[attr-defined]
    print(
        "RESULT "
        + json.dumps(
            {
                "bench": "fuzz",
                "fuzz_inputs": report["inputs"],
                "fuzz_unexpected": unexpected,
                "malformed_files": len(rows),
                "malformed_loaded": sum(m.startswith("(terbaca") for _, m in rows),
            }
        )
    )
    return 1 if unexpected else 0


if __name__ == "__main__":
    raise SystemExit(main())
