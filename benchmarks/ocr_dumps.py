"""OCR text dumps of SOP AP tables against the same documents' PDF text layer.

Each ``tests/data/ocr_dumps/<name>.txt`` (Tesseract output of a BPS PDF, see
its README) is loaded as a text dump and compared with the load of
``tests/data/realdocs/docs/<name>.pdf``, whose text layer is read well and is
the reference:

* SOPs found (the dump gives as many SOPs as the PDF);
* step count within one of the PDF's;
* Waktu: steps, matched by number, whose PDF Waktu is a duration and whose dump
  Waktu is a duration of the same minutes;
* Kegiatan word precision / recall over the matched steps: bags of lowercased
  words of three letters or more (OCR misspellings count as misses); a document
  whose PDF text gives its Kegiatan no words is left out of them (028 was, until
  the table reader read a "Uraian Prosedur" header printed over the number column).

One line per document, then the totals.

    python -m benchmarks.ocr_dumps
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sopdata.errors import SOPLoadError
from sopdata.ingest.loaders import load_path
from sopdata.records import SOP

ROOT = Path(__file__).resolve().parents[1]
DUMPS = ROOT / "tests" / "data" / "ocr_dumps"
DOCS = ROOT / "tests" / "data" / "realdocs" / "docs"


def word_bag(text: str) -> Counter[str]:
    """Lowercased words of three letters or more."""
    return Counter(w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 3)


@dataclass
class DumpScore:
    name: str
    sops_ref: int = 0
    sops_found: int = 0
    steps_ref: int = 0
    steps_found: int = 0
    waktu_ref: int = 0
    waktu_right: int = 0
    words_found: int = 0
    words_ref: int = 0
    words_common: int = 0

    @property
    def steps_close(self) -> bool:
        return abs(self.steps_found - self.steps_ref) <= 1

    @property
    def precision(self) -> float:
        return self.words_common / self.words_found if self.words_found else 0.0

    @property
    def recall(self) -> float:
        return self.words_common / self.words_ref if self.words_ref else 0.0

    def line(self) -> str:
        return (
            f"{self.name[:44]:44} SOP {self.sops_found}/{self.sops_ref} "
            f"langkah {self.steps_found:2}/{self.steps_ref:2}{' ' if self.steps_close else '!'} "
            f"Waktu {self.waktu_right:2}/{self.waktu_ref:2} "
            + (
                f"Kegiatan P={self.precision:.3f} R={self.recall:.3f}"
                if self.words_ref
                else "Kegiatan -- (no Kegiatan words in the PDF's text)"
            )
        )


def score_sops(name: str, found: list[SOP], ref: list[SOP]) -> DumpScore:
    """Compare the SOPs read from a dump with the reference SOPs, pairwise in order."""
    s = DumpScore(name, sops_ref=len(ref), sops_found=len(found))
    for k, r in enumerate(ref):
        f = found[k] if k < len(found) else None
        s.steps_ref += len(r.steps)
        s.waktu_ref += sum(st.duration.kind == "duration" for st in r.steps)
        s.words_ref += sum(sum(word_bag(st.activity).values()) for st in r.steps)
        if f is None:
            continue
        s.steps_found += len(f.steps)
        by_no = {st.no.strip(" ."): st for st in f.steps}
        for st in r.steps:
            got = by_no.get(st.no.strip(" ."))
            if got is None:
                continue
            if (
                st.duration.kind == "duration"
                and got.duration.kind == "duration"
                and got.duration.minutes == st.duration.minutes
            ):
                s.waktu_right += 1
            s.words_common += sum((word_bag(st.activity) & word_bag(got.activity)).values())
    # Words of dump steps whether matched or not: an extra step's words are imprecise.
    # A reference whose Kegiatan holds no words (a PDF text layer that lost them)
    # judges no word.
    if s.words_ref:
        s.words_found = sum(sum(word_bag(st.activity).values()) for f in found for st in f.steps)
    return s


def _load(path: Path) -> list[SOP]:
    try:
        return load_path(path).sops
    except SOPLoadError:
        return []


def run() -> list[DumpScore]:
    scores = []
    for dump in sorted(DUMPS.glob("*.txt")):
        pdf = DOCS / f"{dump.stem}.pdf"
        if pdf.exists():
            scores.append(score_sops(dump.stem, _load(dump), _load(pdf)))
    return scores


def main() -> None:
    started = time.process_time()
    scores = run()
    for s in scores:
        print(s.line())
    total = DumpScore("TOTAL")
    for s in scores:
        for attr in (
            "sops_ref",
            "sops_found",
            "steps_ref",
            "steps_found",
            "waktu_ref",
            "waktu_right",
            "words_found",
            "words_ref",
            "words_common",
        ):
            setattr(total, attr, getattr(total, attr) + getattr(s, attr))
    print(total.line())
    cpu = time.process_time() - started
    print(
        f"documents {len(scores)}: SOPs found {sum(s.sops_found == s.sops_ref for s in scores)}, "
        f"step count ±1 {sum(s.steps_close for s in scores)}; CPU {cpu:.1f} s"
    )
    result = {
        "bench": "ocr_dumps",
        "ocr_dump_documents": len(scores),
        "ocr_dump_step_count_close": sum(s.steps_close for s in scores),
        "ocr_dump_steps_found": total.steps_found,
        "ocr_dump_steps_ref": total.steps_ref,
        "ocr_dump_waktu_right": total.waktu_right,
        "ocr_dump_waktu_ref": total.waktu_ref,
        "ocr_dump_kegiatan_precision": round(total.precision, 3),
        "ocr_dump_kegiatan_recall": round(total.recall, 3),
        "ocr_dump_cpu_s": round(cpu, 3),
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
