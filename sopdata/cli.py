"""Command line: ``python -m sopdata parse FILE... [--json]``.

Errors are one Indonesian line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from sopdata.errors import SOPLoadError
from sopdata.loaders import load_path
from sopdata.records import SOP


def _summary_table(sops: list[SOP]) -> str:
    rows = [("Berkas", "Kantor", "Judul SOP", "Langkah", "Total waktu", "Keyakinan", "Peringatan")]
    from sopdata.durations import format_minutes

    for s in sops:
        rows.append(
            (
                s.source_file[:28],
                s.office[:28],
                s.title[:48],
                str(len(s.steps)),
                format_minutes(s.total_minutes) if s.total_minutes else "-",
                f"{s.confidence:.2f}",
                str(len(s.warnings)),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_parse(args: argparse.Namespace) -> int:
    sops: list[SOP] = []
    failed = 0
    for name in args.files:
        try:
            sops.extend(load_path(name).sops)
        except SOPLoadError as exc:
            failed += 1
            print(f"Galat: {name}: {exc.message}", file=sys.stderr)
    if args.json:
        json.dump([s.to_dict() for s in sops], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif sops:
        print(_summary_table(sops))
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sopdata", description="SOP Harmoni")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="baca dokumen SOP menjadi data terstruktur")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="cetak JSON (satu objek per SOP)")
    p.set_defaults(func=cmd_parse)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last line of defence: one line, no traceback
        print(f"Galat tak terduga: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
