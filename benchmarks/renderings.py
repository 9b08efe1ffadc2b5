"""The development text documents re-rendered as other copies of themselves.

Each text document of ``tests/data/realdocs/docs`` and of the bundled corpus is
rendered the ways a reviewer receives copies of a document
(:mod:`tests.support.renderings`): a document-sharing site's transcript with
page bullets or page headers; every line break doubled; lines broken at 70
characters; items numbered "1)" or "(1)", lettered "a." or bulleted "•"; typed
in capitals; step tables flattened by extraction (a cell or a row a line, the
row form also with the flowchart symbols drawn, not written, and with the
Kegiatan wrapped in its column; tabs turned to spaces); a web page of
paragraphs; a Word document; an Excel worksheet; a PDF text layer at 75 and 95
characters. Each copy is read again. A copy reads the same when it gives the
SOPs of the text itself, each with the same title and step count. Word, web page
and PDF leave out documents with tab-separated tables (their rows are a Word
table or a page table of their own, read elsewhere).

One line per rendering (documents read the same / documents rendered), then the
documents that differ; for the flattened step tables also how many steps read
their Kegiatan, Kelengkapan and Output as the tab dump does.

    python -m benchmarks.renderings
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sopdata.errors import SOPLoadError
from sopdata.ingest.loaders import load_bytes, parse_document_text
from sopdata.records import SOP
from tests.support import renderings as r

ROOT = Path(__file__).resolve().parents[1]
DOCS = [
    *sorted((ROOT / "tests" / "data" / "realdocs" / "docs").glob("*.txt")),
    *sorted((ROOT / "corpus").glob("*.txt")),
]

Summary = list[tuple[str, int]]


@dataclass(frozen=True)
class Rendering:
    """How to render a text, and how to read and compare the copy."""

    render: Callable[[str], str | bytes]
    suffix: str = ""  # the file suffix of a binary rendering; "" for text
    no_tab_tables: bool = False  # leave out documents with tab-separated tables
    tab_tables_only: bool = False  # only documents with tab-separated tables
    fold_case: bool = False  # compare titles without their case


RENDERINGS: dict[str, Rendering] = {
    "transcript, page bullets": Rendering(r.bulleted_transcript),
    "transcript, page headers": Rendering(r.paged_transcript),
    "every line break doubled": Rendering(r.doubled_breaks),
    "lines broken at 70": Rendering(r.wrapped),
    "items numbered 1)": Rendering(r.parenthesised_numbers),
    "items numbered in brackets (1)": Rendering(r.bracketed_numbers),
    "items lettered a.": Rendering(r.lettered_items),
    "items bulleted •": Rendering(r.bulleted_items),
    "typed in capitals": Rendering(r.capitals, fold_case=True),
    "step tables flattened, a cell a line": Rendering(r.table_cell_a_line, tab_tables_only=True),
    "step tables flattened, a row a line": Rendering(r.table_row_a_line, tab_tables_only=True),
    "step tables flattened, a row a line, symbols drawn": Rendering(
        r.table_row_a_line_symbols_drawn, tab_tables_only=True
    ),
    "step tables flattened, Kegiatan wrapped": Rendering(
        r.table_row_kegiatan_wrapped, tab_tables_only=True
    ),
    "step tables with tabs turned to spaces": Rendering(r.tabs_as_spaces, tab_tables_only=True),
    "web page, a paragraph a line": Rendering(r.web_page, ".html", True),
    "Word document": Rendering(r.word_document, ".docx", True),
    "Excel worksheet": Rendering(r.excel_workbook, ".xlsx"),
    "PDF, 75 characters a line": Rendering(lambda t: r.pdf_document(t, 75), ".pdf", True),
    "PDF, 95 characters a line": Rendering(lambda t: r.pdf_document(t, 95), ".pdf", True),
}


def summary(sops: list[SOP], fold_case: bool = False) -> Summary:
    return [(s.title.casefold() if fold_case else s.title, len(s.steps)) for s in sops]


def read(rendered: str | bytes, path: Path, how: Rendering) -> Summary | str:
    if isinstance(rendered, str):
        return summary(parse_document_text(rendered, path.name), how.fold_case)
    try:
        return summary(load_bytes(rendered, path.stem + how.suffix).sops, how.fold_case)
    except SOPLoadError as exc:
        return f"tidak terbaca: {exc.message[:80]}"


def _words(text: str) -> str:
    """A cell's words, its line breaks and a hyphen's wrap ("masing- masing") aside."""
    return " ".join(text.replace("- ", "-").split())


def step_fields(paths: list[Path], texts: dict[Path, str], how: Rendering) -> dict[str, int]:
    """Steps of the flattened step tables whose Kegiatan, Kelengkapan and Output
    read as in the tab dump (the step table's cells, not only its titles and
    counts)."""
    out = {"steps": 0, "kegiatan": 0, "kelengkapan": 0, "output": 0}
    for path in paths:
        rendered = how.render(texts[path])
        assert isinstance(rendered, str)  # the flattenings are texts
        for a, b in zip(
            parse_document_text(texts[path], path.name),
            parse_document_text(rendered, path.name),
            strict=False,
        ):
            for x, y in zip(a.steps, b.steps, strict=False):
                out["steps"] += 1
                out["kegiatan"] += _words(x.activity) == _words(y.activity)
                out["kelengkapan"] += _words(x.requirements) == _words(y.requirements)
                out["output"] += _words(x.output) == _words(y.output)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args(argv)
    texts = {p: p.read_text(encoding="utf-8") for p in DOCS}
    expected = {p: summary(parse_document_text(t, p.name)) for p, t in texts.items()}
    result: dict[str, int] = {}
    for name, how in RENDERINGS.items():
        paths = [
            p
            for p in DOCS
            if not (how.no_tab_tables and "\t" in texts[p])
            and not (how.tab_tables_only and "\t" not in texts[p])
        ]
        differ = []
        for path in paths:
            want = (
                [(t.casefold(), n) for t, n in expected[path]] if how.fold_case else expected[path]
            )
            got = read(how.render(texts[path]), path, how)
            if got != want:
                differ.append((path.name, want, got))
        print(f"{name}: {len(paths) - len(differ)} of {len(paths)} read the same")
        key = "rendering_" + re.sub(r"\W+", "_", name.lower()).strip("_")
        result[key + "_same"], result[key + "_documents"] = len(paths) - len(differ), len(paths)
        if how.tab_tables_only:
            fields = step_fields(paths, texts, how)
            print(
                f"    steps {fields['steps']}: Kegiatan the same {fields['kegiatan']}, "
                f"Kelengkapan the same {fields['kelengkapan']}, Output the same {fields['output']}"
            )
            result.update({f"{key}_{k}": v for k, v in fields.items()})
        if not args.quiet:
            for file, want, got in differ:
                print(f"    {file}: {str(want)[:90]} -> {str(got)[:90]}")
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
