"""Command line: ``python -m sopdata parse FILE... [--json] [--jam-kerja 8]``.

Errors are one Indonesian line on stderr and a non-zero exit, never a traceback.
Every command that reports Waktu (``parse``, ``harmonise``) takes
``--jam-kerja HOURS``, the hours of a working day (default 7.5, the ASN day):
the parsed SOPs are re-read with it, as the app does with the reviewer's setting.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embeddings.base import EncoderError
from sopdata.errors import SOPLoadError
from sopdata.ingest.corpus import apply_bundled_provenance
from sopdata.ingest.isolate import load_path_isolated
from sopdata.records import SOP, step_to_dict
from sopdata.text.durations import STANDARD_DURATION_SETTINGS


def _summary_table(sops: list[SOP]) -> str:
    rows = [("Berkas", "Kantor", "Judul SOP", "Langkah", "Total waktu", "Keyakinan", "Peringatan")]
    from sopdata.text.durations import format_minutes

    for s in sops:
        rows.append(
            (
                s.source_file[:28],
                s.office[:28],
                s.title[:48],
                str(len(s.steps)),
                format_minutes(s.total_minutes, s.time_settings) if s.total_minutes else "-",
                f"{s.confidence:.2f}",
                str(len(s.warnings)),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _hours(text: str) -> float:
    """``--jam-kerja``: hours in a working day, more than 0 and at most 24."""
    try:
        hours = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bukan angka jam: {text!r}") from None
    if not 0 < hours <= 24:
        raise argparse.ArgumentTypeError(
            f"jam kerja per hari harus lebih dari 0 dan paling banyak 24: {text!r}"
        )
    return hours


def _load_many(
    files: Sequence[str], hours_per_working_day: float | None = None
) -> tuple[list[SOP], int]:
    """The SOPs of ``files`` (their Waktu read with ``hours_per_working_day`` when given)."""
    sops: list[SOP] = []
    failed = 0
    for name in files:
        try:
            found = load_path_isolated(name, report_progress=True).sops
            apply_bundled_provenance(name, found)
            sops.extend(found)
        except SOPLoadError as exc:
            failed += 1
            print(f"Galat: {name}: {exc.message}", file=sys.stderr)
    if hours_per_working_day is not None:
        from sopdata.review.settings import ReviewSettings, with_durations

        sops = with_durations(
            sops, ReviewSettings(hours_per_working_day=hours_per_working_day).durations
        )
    return sops, failed


def cmd_parse(args: argparse.Namespace) -> int:
    sops, failed = _load_many(args.files, args.jam_kerja)
    if args.json:
        json.dump([s.to_dict() for s in sops], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif sops:
        print(_summary_table(sops))
    return 1 if failed else 0


def _encoder(spec: str):
    from embeddings import get_encoder

    return get_encoder(spec)


def cmd_match(args: argparse.Namespace) -> int:
    from sopdata.matching.match import match_corpus

    sops, failed = _load_many(args.files)
    matches, groups = match_corpus(sops, _encoder(args.encoder))
    if args.json:
        payload = {
            "pairs": [m.to_dict() for m in matches],
            "groups": [
                [{"source_file": s.source_file, "title": s.title, "office": s.office} for s in g]
                for g in groups
            ],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for m in matches:
            print(
                f"{m.score:.3f}  {m.relation:<10}  {m.a.office}: {m.a.title}  <->  {m.b.office}: {m.b.title}"
            )
            print("           " + "; ".join(m.reasons))
        print(f"\n{len(groups)} kelompok prosedur:")
        for g in groups:
            print("  - " + " | ".join(f"{s.office}: {s.title}" for s in g))
    return 1 if failed else 0


def cmd_harmonise(args: argparse.Namespace) -> int:
    from sopdata.export.excel import WorkbookParts, export_workbook
    from sopdata.findings import SEVERITY_LABEL, find_differences
    from sopdata.harmonise import group_for_query, harmonise
    from sopdata.matching.compare import compare_group
    from sopdata.matching.match import match_corpus

    sops, failed = _load_many(args.files, args.jam_kerja)
    if not sops:
        print("Galat: tidak ada SOP yang terbaca.", file=sys.stderr)
        return 1
    encoder = _encoder(args.encoder)
    _, groups = match_corpus(sops, encoder)
    grouped = {id(s) for g in groups for s in g}
    candidates = [*groups, *([s] for s in sops if id(s) not in grouped)]
    index = group_for_query(args.query, candidates, encoder)
    if index is None:
        print(f"Galat: tidak ada SOP yang judulnya cocok dengan {args.query!r}.", file=sys.stderr)
        return 1
    group = candidates[index]
    comparison = compare_group(group, encoder)
    draft = harmonise(comparison, rule=args.rule, title=args.title or None, authority=args.instansi)
    found = find_differences(comparison, proposal=draft)
    if args.output:
        export_workbook(draft.sop, args.output, WorkbookParts(comparison, found, draft.choices))
    if args.docx:
        from sopdata.export.word import export_docx

        export_docx(draft.sop, args.docx)
    if args.json:
        payload = {
            **found.to_dict(),
            "harmonised": draft.sop.to_dict(),
            "choices": [c.to_dict() for c in draft.choices],
            "optional": [
                {
                    "row": o.row,
                    "after": o.after,
                    "offices": list(o.offices),
                    "readable": o.readable,
                    "step": step_to_dict(o.step),
                }
                for o in draft.optional
            ],
            "workbook": args.output or None,
            "docx": args.docx or None,
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print("Kelompok: " + " | ".join(f"{s.office}: {s.title}" for s in group))
        if len(group) == 1:
            print(
                "(hanya satu SOP cocok: tidak ada pembanding, temuan hanya soal kepatuhan format)"
            )
        for f in found.findings:
            print(f"  [{SEVERITY_LABEL[f.severity]}] {f.message}")
            if f.proposed:
                print(f"      usulan: {f.proposed}")
        print(f"Rancangan: {draft.sop.title}, {len(draft.sop.steps)} langkah.")
        for o in draft.optional:
            print(f"  opsional (tidak dipakai; hanya {', '.join(o.offices)}): {o.label[:80]}")
        if args.output:
            print(f"Buku kerja disimpan: {args.output}")
    return 1 if failed else 0


def cmd_evaluate_docs(args: argparse.Namespace) -> int:
    """``evaluate --docs DIR``: the readers against a document folder's manifest."""

    from sopdata.evaluate_docs import DEFAULT_DOCS_DIR, evaluate_docs

    docs_dir = Path(args.docs) if args.docs != "-" else DEFAULT_DOCS_DIR
    if not (docs_dir / "manifest.csv").exists():
        print(f"Galat: manifest.csv tidak ditemukan di {docs_dir}", file=sys.stderr)
        return 1
    report = evaluate_docs(docs_dir)
    if args.json:
        print(json.dumps(report.totals, ensure_ascii=False))
    else:
        print("\n".join(report.lines(per_document=not args.summary)))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:

    if args.docs:
        return cmd_evaluate_docs(args)
    from sopdata.evaluate import DEFAULT_EVAL_DIR, evaluate
    from sopdata.ingest.corpus import load_corpus, seed_to_corpus_file
    from sopdata.matching.match import match_corpus

    eval_dir = Path(args.labels) if args.labels else DEFAULT_EVAL_DIR
    if not (eval_dir / "seed_equivalences.csv").exists():
        print(f"Galat: label evaluasi tidak ditemukan di {eval_dir}", file=sys.stderr)
        return 1
    seed_to_file = seed_to_corpus_file()
    sops = load_corpus()
    if args.calibrate:
        import json as _json

        from sopdata.evaluate import calibrate

        _calibrate_alignment(args, eval_dir)
        from sopdata.matching.match import match_profiles
        from sopdata.matching.profiles import build_profiles
        from sopdata.matching.settings import THRESHOLDS_FILE, encoder_family, read_thresholds

        profiles = build_profiles(sops, _encoder(args.encoder))
        family = encoder_family(profiles[0].encoder if profiles else "")
        everything = match_profiles(profiles, align=False, keep="different")
        thresholds = calibrate(sops, everything, eval_dir, seed_to_file)
        # only this encoder's thresholds change; its similarity scale and the other encoders stay
        entries = read_thresholds()
        entries[family] = {
            **entries.get(family, {}),
            **thresholds,
            "calibrated_on": str(eval_dir.name),
        }
        THRESHOLDS_FILE.write_text(_json.dumps(entries, indent=1) + "\n", encoding="utf-8")
        print(f"ambang baru untuk {family} disimpan di {THRESHOLDS_FILE}: {thresholds}")
    matches, _ = match_corpus(sops, _encoder(args.encoder))
    report = evaluate(sops, matches, eval_dir, seed_to_file)
    print("\n".join(report.lines()))
    _evaluate_realdocs(args)
    ua = _evaluate_activity_set(args, eval_dir)
    _evaluate_weak_tier(args, eval_dir, sops, seed_to_file, ua)
    return 0


def _evaluate_weak_tier(
    args: argparse.Namespace, eval_dir, sops, seed_to_file, ua: _LabelledActivities | None
) -> None:
    """The weaker alignment tier on both labelled sets (seeds and University
    Admission, ``ua`` as :func:`_university_admission` loaded it): its figures,
    the margins a macro F1 picks, leave one set out."""
    from sopdata.evaluate import (
        TEAM_STEP_LABELS,
        LabelledSet,
        activity_profiles,
        fill_span_lines,
        lifted,
        seed_alignment_set,
        tier_alone_line,
        weak_tier_lines,
    )
    from sopdata.matching.steps import alignment_settings

    if ua is None or not (eval_dir / "seed_step_alignments.csv").exists():
        return
    seeds = seed_alignment_set(sops, eval_dir, seed_to_file)
    team = seed_alignment_set(sops, eval_dir, seed_to_file, TEAM_STEP_LABELS, "team labels")
    settings = alignment_settings(ua.encoder.name)
    team_set = LabelledSet.of(team, activity_profiles(team, ua.encoder))
    s = team_set.score(settings)
    print(
        f"step alignment, team labels ({len(team.cases)} more seed pairs, {TEAM_STEP_LABELS.name}): "
        f"P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} ({s.true_positives}/{s.expected}, "
        f"{s.predicted} proposed)"
    )
    sets = [
        LabelledSet.of(seeds, activity_profiles(seeds, ua.encoder)),
        LabelledSet.of(ua.data, ua.profiles),
    ]
    print("\n".join(weak_tier_lines(sets, settings)))
    fill_rows = [("seed", sets[0], settings), ("team", team_set, settings)]
    fill_rows.append(("UA lifted", sets[1], lifted(settings)))
    if ua.listed is not None:
        print(tier_alone_line(ua.listed, settings))
        fill_rows.append(("UA listed lifted", ua.listed, lifted(settings)))
    print("\n".join(fill_span_lines(fill_rows, settings)))


def _evaluate_realdocs(args: argparse.Namespace) -> None:
    """Equivalent pairs among the documents ``../shared/realdocs/equivalences.csv``
    labels (when the folder is there)."""
    from sopdata.evaluate import REALDOCS_DIR, evaluate_equivalences, load_labelled_docs
    from sopdata.matching.match import match_corpus

    labels = REALDOCS_DIR / "equivalences.csv"
    if not labels.exists():
        return
    sops = load_labelled_docs(REALDOCS_DIR)
    matches, _ = match_corpus(sops, _encoder(args.encoder))
    print("\n".join(evaluate_equivalences(sops, matches, labels).lines()))


@dataclass
class _LabelledActivities:
    """The University Admission set with its profiles, built once per run."""

    folder: Path
    data: Any  # sopdata.evaluate.ActivitySet
    encoder: Any  # embeddings.base.Encoder
    profiles: dict[str, Any]  # name -> SOPProfile
    # the set with its second models' steps listed two a step (sopdata.evaluate.LabelledSet)
    listed: Any = None


def _university_admission(args: argparse.Namespace, eval_dir) -> _LabelledActivities | None:
    """The University Admission set under ``eval_dir`` profiled with the
    encoder of ``args``; None when its folder is not there."""
    from sopdata.evaluate import activity_profiles, load_activity_set

    folder = eval_dir / "activity-matching-university-admission"
    if not (folder / "gold.csv").exists():
        return None
    data = load_activity_set(folder)
    encoder = _encoder(args.encoder)
    return _LabelledActivities(folder, data, encoder, activity_profiles(data, encoder))


def _calibrate_alignment(args: argparse.Namespace, eval_dir) -> None:
    """``evaluate --calibrate``: the encoder's alignment threshold, the one with
    the best micro F1 on the University Admission set, saved before anything is
    aligned."""
    import dataclasses

    from sopdata.evaluate import calibrate_alignment, save_alignment_settings
    from sopdata.matching.settings import encoder_family
    from sopdata.matching.steps import alignment_settings

    ua = _university_admission(args, eval_dir)
    if ua is None:
        return
    name = ua.encoder.name
    settings = alignment_settings(name)
    threshold = calibrate_alignment(ua.data, ua.profiles, settings)
    save_alignment_settings(
        dataclasses.replace(settings, threshold=threshold), name, ua.folder.name
    )
    alignment_settings.cache_clear()
    print(f"ambang penyejajaran baru untuk {encoder_family(name)}: {threshold:.2f}")


def _evaluate_activity_set(args: argparse.Namespace, eval_dir) -> _LabelledActivities | None:
    """Step alignment on the University Admission set (when its folder is there):
    micro P/R/F1 and the leave-one-process-out figure. Returns the set as loaded,
    for the weaker tier's figures."""
    from sopdata.evaluate import (
        LabelledSet,
        activity_profiles,
        activity_set_lines,
        listed_in_groups,
    )
    from sopdata.matching.steps import alignment_settings

    ua = _university_admission(args, eval_dir)
    if ua is None:
        return None
    settings = alignment_settings(ua.encoder.name)
    print("step alignment, " + "\n".join(activity_set_lines(ua.data, ua.profiles, settings)))
    listed = listed_in_groups(ua.data)
    ua.listed = LabelledSet.of(listed, activity_profiles(listed, ua.encoder))
    print(
        "step alignment, "
        + "\n".join(activity_set_lines(listed, ua.listed.profiles, settings, False))
    )
    return ua


def _load_one(name: str, title: str = "") -> SOP:
    """The SOP of ``name`` to align: JSON that ``parse --json`` wrote (one SOP
    object or a list) or any document a loader reads (a bundled corpus file
    named as its provenance note says, as the other commands do); the first SOP,
    or the first whose title holds ``title``."""

    from sopdata.records import sop_from_dict
    from sopdata.text.textclean import normalise_title_key

    sops: list[SOP] = []
    path = Path(name)
    if path.suffix.lower() == ".json" and path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            data = None
        items = data if isinstance(data, list) else [data]
        if data is not None and all(isinstance(d, dict) and "steps" in d for d in items):
            sops = [sop_from_dict(d) for d in items]
    if not sops:
        sops = list(load_path_isolated(name).sops)
        apply_bundled_provenance(name, sops)
    if title:
        key = normalise_title_key(title)
        sops = [s for s in sops if key in normalise_title_key(s.title)]
    if not sops:
        what = f" berjudul {title!r}" if title else ""
        raise SOPLoadError(f"{name}: tidak ada SOP{what} di berkas ini.")
    return sops[0]


def _alignment_payload(a: SOP, b: SOP, encoder) -> dict[str, object]:
    from sopdata.matching.profiles import build_profiles
    from sopdata.matching.steps import align_profiles

    pa, pb = build_profiles([a, b], encoder)
    result = align_profiles(pa, pb)

    def ident(s: SOP) -> dict[str, str]:
        return {"source_file": s.source_file, "office": s.office, "title": s.title}

    return {
        "a": ident(a),
        "b": ident(b),
        "correspondences": [
            {
                "a_steps": [a.steps[i].no for i in c.a],
                "b_steps": [b.steps[j].no for j in c.b],
                "score": round(c.score, 4),
                "kind": c.kind,
            }
            for c in result.correspondences
        ],
        "only_a": [a.steps[i].no for i in result.only_a],
        "only_b": [b.steps[j].no for j in result.only_b],
    }


def _alignment_table(payload: dict[str, object], a: SOP, b: SOP) -> str:
    def label(s: SOP) -> str:
        return f"{s.office or s.source_file}: {s.title}"

    text_a = {s.no: " ".join(s.activity.split())[:40] for s in a.steps}
    text_b = {s.no: " ".join(s.activity.split())[:40] for s in b.steps}
    rows = [("Langkah A", "Kegiatan A", "Langkah B", "Kegiatan B", "Skor", "Jenis")]
    for c in payload["correspondences"]:  # type: ignore[attr-defined]
        rows.append(
            (
                ", ".join(c["a_steps"]),
                " / ".join(text_a[n] for n in c["a_steps"]),
                ", ".join(c["b_steps"]),
                " / ".join(text_b[n] for n in c["b_steps"]),
                f"{c['score']:.2f}",
                c["kind"],
            )
        )
    for n in payload["only_a"]:  # type: ignore[attr-defined]
        rows.append((n, text_a[n], "-", "", "", "hanya di A"))
    for n in payload["only_b"]:  # type: ignore[attr-defined]
        rows.append(("-", "", n, text_b[n], "", "hanya di B"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"A = {label(a)}", f"B = {label(b)}", ""]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(4, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_align(args: argparse.Namespace) -> int:
    import csv

    if args.pairs:
        if args.a or args.b:
            print("Galat: pakai A B atau --pairs, tidak keduanya.", file=sys.stderr)
            return 1
        with open(args.pairs, encoding="utf-8", newline="") as fh:
            todo = [(r.get("a", ""), r.get("b", "")) for r in csv.DictReader(fh)]
        if not todo or not all(x and y for x, y in todo):
            print(f"Galat: {args.pairs}: perlu kolom a,b berisi path berkas.", file=sys.stderr)
            return 1
    elif args.a and args.b:
        todo = [(args.a, args.b)]
    else:
        print("Galat: beri dua berkas A B, atau --pairs PAIRS.csv.", file=sys.stderr)
        return 1
    encoder = _encoder(args.encoder)
    failed = 0
    for k, (name_a, name_b) in enumerate(todo):
        try:
            a = _load_one(name_a, args.title_a)
            b = _load_one(name_b, args.title_b)
        except SOPLoadError as exc:
            failed += 1
            print(f"Galat: {exc.message}", file=sys.stderr)
            continue
        payload = _alignment_payload(a, b, encoder)
        if args.json:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            if k:
                print()
            print(_alignment_table(payload, a, b))
    return 1 if failed else 0


def corpus_sentences(limit: int = 240) -> list[str]:
    """Titles and step texts of the bundled corpus, spread over every document (model checks)."""
    from sopdata.ingest.corpus import load_corpus

    texts: list[str] = []
    for sop in load_corpus():
        texts.append(sop.title)
        texts.extend(step.activity for step in sop.steps)
    unique = [t for t in dict.fromkeys(" ".join(t.split()) for t in texts) if t]
    step = max(1, len(unique) // limit)
    return unique[::step][:limit]


def cmd_siapkan(args: argparse.Namespace) -> int:
    """``siapkan``: prepare the similarity model once (rebuild, export, quantise, verify)."""
    import time

    from embeddings.e5 import default_cache_dir
    from embeddings.prepare import choose_backend, e5_encoder, prepare_model

    backend = None if args.backend == "auto" else args.backend
    chosen = choose_backend(backend)
    print(
        f"Menyiapkan model kemiripan (backend {chosen}) di {default_cache_dir() / 'models'} …",
        flush=True,
    )

    def stage(message: str, fraction: float) -> None:
        print(f"  [{fraction * 100:3.0f}%] {message}", flush=True)

    prepared = prepare_model(
        backend=backend,
        quantize=not args.fp32,
        verify_texts=corpus_sentences(),
        stage=stage,
    )
    if prepared.fallback_reason:
        print(f"Catatan: backend ONNX tidak dipakai ({prepared.fallback_reason}); memakai torch.")
    started = time.perf_counter()
    encoder = e5_encoder(backend=prepared.backend)
    encoder.encode(["Pengelolaan Surat Masuk"])
    loaded = time.perf_counter() - started
    print(f"Model siap: {prepared.folder}")
    variant = f"{prepared.backend} {prepared.variant}"
    if prepared.min_cosine is not None:
        variant += f", kosinus minimum terhadap model fp32 {prepared.min_cosine:.4f}"
    print(f"  model      : {variant}")
    written = "ditulis sekarang" if prepared.built else "sudah ada, tidak ditulis ulang"
    print(f"  di disk    : {prepared.disk_bytes / 1e6:.0f} MB ({written})")
    if prepared.built:
        print(f"  penyiapan  : {prepared.seconds:.1f} detik")
    print(f"  memuat     : {loaded:.2f} detik (termasuk satu kalimat uji)")
    return 0


def _add_hours(parser: argparse.ArgumentParser) -> None:
    standard = STANDARD_DURATION_SETTINGS.hours_per_working_day
    parser.add_argument(
        "--jam-kerja",
        type=_hours,
        default=standard,
        metavar="JAM",
        help=f"jam kerja per hari untuk membaca '1 hari' dst. (bawaan {standard:g}: 37,5 jam/minggu ASN)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sopdata", description="SOP Harmoni")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="baca dokumen SOP menjadi data terstruktur")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="cetak JSON (satu objek per SOP)")
    _add_hours(p)
    p.set_defaults(func=cmd_parse)
    m = sub.add_parser(
        "match", help="cocokkan SOP yang setara antar kantor dan sejajarkan langkahnya"
    )
    m.add_argument("files", nargs="+", metavar="FILE")
    m.add_argument(
        "--json", action="store_true", help='cetak JSON {"pairs": [...], "groups": [...]}'
    )
    m.add_argument(
        "--encoder", default="e5", help='"e5" (bawaan), "tfidf", atau "st:/folder/model"'
    )
    m.set_defaults(func=cmd_match)
    h = sub.add_parser(
        "harmonise", help="temuan dan rancangan SOP harmonisasi dari satu kelompok, ke Excel"
    )
    h.add_argument("files", nargs="+", metavar="FILE")
    h.add_argument("--query", required=True, help='judul prosedur yang dicari, mis. "surat keluar"')
    h.add_argument(
        "-o", "--output", default="", help="simpan buku kerja Excel (.xlsx) ke berkas ini"
    )
    h.add_argument(
        "--docx", default="", help="simpan rancangan sebagai dokumen Word (.docx) ke berkas ini"
    )
    h.add_argument("--json", action="store_true", help="cetak temuan dan rancangan sebagai JSON")
    h.add_argument(
        "--rule",
        choices=["median", "min", "max"],
        default="median",
        help="aturan Waktu: nilai tengah (bawaan), tercepat, atau terlama",
    )
    h.add_argument(
        "--title", default="", help="judul rancangan (bawaan: judul paling jelas di kelompok)"
    )
    h.add_argument(
        "--instansi",
        default="",
        help='instansi penyelaras untuk identitas rancangan, mis. "Pemerintah Kabupaten '
        'Lumajang, Bagian Organisasi Sekretariat Daerah"',
    )
    h.add_argument("--encoder", default="e5")
    _add_hours(h)
    h.set_defaults(func=cmd_harmonise)
    a = sub.add_parser("align", help="padankan langkah dua SOP (urutan boleh berbeda)")
    a.add_argument("a", nargs="?", default="", metavar="A", help="berkas SOP A (dokumen atau JSON)")
    a.add_argument("b", nargs="?", default="", metavar="B", help="berkas SOP B (dokumen atau JSON)")
    a.add_argument(
        "--pairs", default="", help="CSV berkolom a,b: banyak pasangan, model dimuat sekali"
    )
    a.add_argument("--title-a", default="", help="pilih SOP A menurut judul (bawaan: SOP pertama)")
    a.add_argument("--title-b", default="", help="pilih SOP B menurut judul (bawaan: SOP pertama)")
    a.add_argument("--json", action="store_true", help="cetak satu objek JSON per pasangan")
    a.add_argument("--encoder", default="e5")
    a.set_defaults(func=cmd_align)
    e = sub.add_parser("evaluate", help="ukur pencocokan pada korpus bawaan terhadap label")
    e.add_argument("--labels", default="", help="folder label (bawaan: ../shared/eval)")
    e.add_argument("--encoder", default="e5")
    e.add_argument("--calibrate", action="store_true", help="hitung ulang ambang relasi dari label")
    e.add_argument(
        "--docs",
        nargs="?",
        const="-",
        default="",
        metavar="DIR",
        help="ukur pembaca dokumen terhadap manifest.csv folder DIR (bawaan: ../shared/realdocs)",
    )
    e.add_argument("--summary", action="store_true", help="dengan --docs: hanya total")
    e.add_argument("--json", action="store_true", help="dengan --docs: total sebagai JSON")
    e.set_defaults(func=cmd_evaluate)
    k = sub.add_parser(
        "siapkan",
        help="siapkan model kemiripan sekali saja (bangun ulang, ekspor, kuantisasi, uji)",
    )
    k.add_argument(
        "--backend",
        choices=["auto", "onnx", "torch"],
        default="auto",
        help="auto (bawaan): torch bila ada GPU, ONNX bila tidak",
    )
    k.add_argument("--fp32", action="store_true", help="ONNX tanpa kuantisasi int8")
    k.set_defaults(func=cmd_siapkan)
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
    except SOPLoadError as exc:
        print(f"Galat: {exc.message}", file=sys.stderr)
        return 1
    except EncoderError as exc:
        print(f"Galat: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # last line of defence: one line, no traceback
        print(f"Galat tak terduga: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
