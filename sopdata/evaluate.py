"""Evaluate matching and step alignment against hand-made labels.

Labels (``../shared/eval`` by default): ``seed_equivalences.csv`` lists groups of
SOPs that are ``equivalent`` (every pair inside should be proposed) or only
``related``; ``seed_step_alignments.csv`` lists corresponding steps of two
equivalent pairs. Titles are matched on normalised text.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from sopdata.matching.match import match_profiles
from sopdata.matching.pairs import PairMatch
from sopdata.matching.profiles import SOPProfile, build_profiles
from sopdata.matching.settings import settings_for
from sopdata.records import SOP
from sopdata.resources import REPO_ROOT
from sopdata.text.textclean import normalise_title_key

DEFAULT_EVAL_DIR = REPO_ROOT.parent / "shared" / "eval"


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    expected: int

    @classmethod
    def of(cls, predicted: set, expected: set) -> Scores:
        tp = len(predicted & expected)
        p = tp / len(predicted) if predicted else 0.0
        r = tp / len(expected) if expected else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return cls(p, r, f, tp, len(predicted), len(expected))


@dataclass
class EvalReport:
    pairs: Scores
    alignment: Scores
    missed_pairs: list[tuple[str, str]] = field(default_factory=list)
    false_pairs: list[tuple[str, str]] = field(default_factory=list)
    related_above_true: list[tuple[str, str, float, float]] = field(default_factory=list)
    unresolved_labels: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"equivalent pairs: P={self.pairs.precision:.3f} R={self.pairs.recall:.3f} F1={self.pairs.f1:.3f} "
            f"({self.pairs.true_positives} of {self.pairs.expected} found, {self.pairs.predicted} proposed)",
            f"step alignment:   P={self.alignment.precision:.3f} R={self.alignment.recall:.3f} "
            f"F1={self.alignment.f1:.3f} ({self.alignment.true_positives}/{self.alignment.expected})",
            f"related pairs ranked above the weakest true pair: {len(self.related_above_true)}",
        ]
        out += [f"  missed: {a} <-> {b}" for a, b in self.missed_pairs]
        out += [f"  wrong:  {a} <-> {b}" for a, b in self.false_pairs]
        out += [
            f"  related above true: {a} <-> {b} ({s:.3f} > {t:.3f})"
            for a, b, s, t in self.related_above_true
        ]
        out += [f"  label not found in parse: {x}" for x in self.unresolved_labels]
        return out


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _label_key(seed_file: str, title: str, seed_to_file: dict[str, str]) -> tuple[str, str]:
    return (seed_to_file.get(seed_file, seed_file), normalise_title_key(title))


def _sop_key(sop: SOP) -> tuple[str, str]:
    return (sop.source_file, normalise_title_key(sop.title))


def _pair(a: tuple[str, str], b: tuple[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset((a, b))


def evaluate(
    sops: Sequence[SOP],
    matches: Sequence[PairMatch],
    eval_dir: Path = DEFAULT_EVAL_DIR,
    seed_to_file: dict[str, str] | None = None,
) -> EvalReport:
    """Precision/recall of equivalent pairs and of step alignment.

    ``seed_to_file`` maps the labels' file names to the names the SOPs carry
    (the bundled corpus renamed the seed files).
    """
    seed_to_file = seed_to_file or {}
    known = {_sop_key(s) for s in sops}
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    unresolved = []
    for row in _read(eval_dir / "seed_equivalences.csv"):
        key = _label_key(row["file"], row["title"], seed_to_file)
        if key not in known:
            unresolved.append(f"{row['file']}: {row['title']}")
        groups.setdefault((row["group"], row["relation"]), []).append(key)
    expected = {
        _pair(a, b)
        for (_, rel), keys in groups.items()
        if rel == "equivalent"
        for a, b in combinations(keys, 2)
    }
    related = {
        _pair(a, b)
        for (_, rel), keys in groups.items()
        if rel == "related"
        for a, b in combinations(keys, 2)
    }
    predicted = {_pair(_sop_key(m.a), _sop_key(m.b)) for m in matches if m.relation == "equivalent"}
    score_of = {_pair(_sop_key(m.a), _sop_key(m.b)): m.score for m in matches}
    report = EvalReport(pairs=Scores.of(predicted, expected), alignment=Scores.of(set(), set()))
    report.unresolved_labels = unresolved
    report.missed_pairs = [tuple(sorted(x[1] for x in p)) for p in expected - predicted]  # type: ignore[misc]
    report.false_pairs = [tuple(sorted(x[1] for x in p)) for p in predicted - expected]  # type: ignore[misc]
    weakest_true = min((score_of.get(p, 0.0) for p in expected), default=0.0)
    for p in related:
        s = score_of.get(p, 0.0)
        if s > weakest_true:
            names = sorted(x[1] for x in p)
            report.related_above_true.append((names[0], names[1], s, weakest_true))

    # Step alignment: (pair, a_step, b_step) triples, oriented as in the labels.
    gold: set[tuple] = set()
    for row in _read(eval_dir / "seed_step_alignments.csv"):
        a = _label_key(row["file_a"], row["title_a"], seed_to_file)
        b = _label_key(row["file_b"], row["title_b"], seed_to_file)
        gold.add((a, b, row["step_a"], row["step_b"]))
    labelled_pairs = {(a, b) for a, b, _, _ in gold}
    got: set[tuple] = set()
    for m in matches:
        ka, kb = _sop_key(m.a), _sop_key(m.b)
        flipped = (kb, ka) in labelled_pairs
        if (ka, kb) not in labelled_pairs and not flipped:
            continue
        for link in m.alignment:
            if link.a is None or link.b is None:
                continue
            sa, sb = m.a.steps[link.a].no, m.b.steps[link.b].no
            got.add((kb, ka, sb, sa) if flipped else (ka, kb, sa, sb))
    report.alignment = Scores.of(got, gold)
    return report


def _labelled_pairs(
    eval_dir: Path, seed_to_file: dict[str, str]
) -> tuple[set[frozenset[tuple[str, str]]], set[frozenset[tuple[str, str]]]]:
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in _read(eval_dir / "seed_equivalences.csv"):
        groups.setdefault((row["group"], row["relation"]), []).append(
            _label_key(row["file"], row["title"], seed_to_file)
        )
    expected = {
        _pair(a, b)
        for (_, r), k in groups.items()
        if r == "equivalent"
        for a, b in combinations(k, 2)
    }
    related = {
        _pair(a, b) for (_, r), k in groups.items() if r == "related" for a, b in combinations(k, 2)
    }
    return expected, related


def calibrate(
    sops: Sequence[SOP],
    all_pairs: Sequence[PairMatch],
    eval_dir: Path = DEFAULT_EVAL_DIR,
    seed_to_file: dict[str, str] | None = None,
) -> dict[str, float]:
    """Thresholds from labelled pairs (see :func:`thresholds_from`).

    ``all_pairs`` must hold every scored pair (``keep="different"``).
    """
    expected, related = _labelled_pairs(eval_dir, seed_to_file or {})
    return thresholds_from(all_pairs, expected, related)


def thresholds_from(
    all_pairs: Sequence[PairMatch],
    expected: set[frozenset[tuple[str, str]]],
    related: set[frozenset[tuple[str, str]]],
) -> dict[str, float]:
    """``equivalent`` is the cut with the best F1 on the ``expected`` pairs, placed
    halfway between the weakest pair it keeps and the next score below (on ties
    the highest such cut, to keep precision): the margin on both sides makes the
    cut less tied to a few labels. ``related`` sits just under the lowest-scoring
    ``related`` pair.
    """
    scored = [(m.score, _pair(_sop_key(m.a), _sop_key(m.b))) for m in all_pairs]
    cuts = sorted({s for s, _ in scored})
    best = (-1.0, 0.0, 0.0)  # F1, cut, next score below
    for below, cut in zip([0.0, *cuts], cuts, strict=False):
        predicted = {p for s, p in scored if s >= cut}
        f1 = Scores.of(predicted, expected).f1
        if f1 >= best[0]:
            best = (f1, cut, below)
    equivalent = (best[1] + best[2]) / 2
    related_scores = [s for s, p in scored if p in related]
    related_cut = min(related_scores) - 0.01 if related_scores else equivalent - 0.15
    return {"equivalent": round(equivalent, 4), "related": round(min(related_cut, equivalent), 4)}


@dataclass
class Fold:
    """One office held out: thresholds calibrated without its labels, tried on them."""

    office: str
    thresholds: dict[str, float]
    found: int  # held-out equivalent pairs proposed
    expected: int  # held-out equivalent pairs
    wrong: int  # equivalent proposals involving the office that the labels do not hold

    def line(self) -> str:
        return (
            f"  without {self.office}: equivalent >= {self.thresholds['equivalent']:.3f}, "
            f"related >= {self.thresholds['related']:.3f}; its pairs found {self.found}/{self.expected}, "
            f"wrong {self.wrong}"
        )


def leave_one_office_out(
    profiles: Sequence[SOPProfile],
    eval_dir: Path = DEFAULT_EVAL_DIR,
    seed_to_file: dict[str, str] | None = None,
    rounds: int = 2,
) -> list[Fold]:
    """Overfitting check of the calibration: for each office the labels name,
    calibrate on the pairs that do not involve it (its pairs are left out, not
    counted as negatives), then count how many
    of its own labelled equivalent pairs are found and how many wrong ones are
    proposed. Calibration and matching alternate ``rounds`` times, since which
    pairs are equivalent through a group depends on the thresholds.
    """
    expected, related = _labelled_pairs(eval_dir, seed_to_file or {})
    office_of = {_sop_key(p.sop): p.office for p in profiles}
    offices = sorted({office_of[k] for pair in expected | related for k in pair if k in office_of})
    start = settings_for(profiles)
    folds = []
    for office in offices:

        def involves(pair: frozenset[tuple[str, str]], office: str = office) -> bool:
            return any(office_of.get(k) == office for k in pair)

        settings = start
        thresholds: dict[str, float] = {}
        for _ in range(rounds):
            # the office's pairs are unlabelled in this fold: neither positive nor negative
            everything = [
                m
                for m in match_profiles(profiles, settings, align=False, keep="different")
                if not involves(_pair(_sop_key(m.a), _sop_key(m.b)))
            ]
            thresholds = thresholds_from(
                everything,
                {p for p in expected if not involves(p)},
                {p for p in related if not involves(p)},
            )
            settings = dataclasses.replace(start, **thresholds)
        matches = match_profiles(profiles, settings, align=False)
        proposed = {
            _pair(_sop_key(m.a), _sop_key(m.b)) for m in matches if m.relation == "equivalent"
        }
        held_out = {p for p in expected if involves(p)}
        wrong = {p for p in proposed if involves(p)} - expected
        folds.append(Fold(office, thresholds, len(held_out & proposed), len(held_out), len(wrong)))
    return folds


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sopdata.evaluate --leave-one-office-out``: the overfitting check."""
    import argparse

    from embeddings import get_encoder
    from sopdata.ingest.corpus import load_corpus, seed_to_corpus_file

    parser = argparse.ArgumentParser(prog="python -m sopdata.evaluate")
    parser.add_argument("--leave-one-office-out", action="store_true", required=True)
    parser.add_argument("--labels", default="")
    parser.add_argument("--encoder", default="e5")
    args = parser.parse_args(argv)
    eval_dir = Path(args.labels) if args.labels else DEFAULT_EVAL_DIR
    seed_to_file = seed_to_corpus_file()
    profiles = build_profiles(load_corpus(), get_encoder(args.encoder))
    folds = leave_one_office_out(profiles, eval_dir, seed_to_file)
    print("leave one office out (thresholds calibrated without the office's labels):")
    print("\n".join(f.line() for f in folds))
    found, total = sum(f.found for f in folds), sum(f.expected for f in folds)
    print(
        f"held-out equivalent pairs found: {found} of {total} (a pair counts once per office it involves); "
        f"wrong proposals: {sum(f.wrong for f in folds)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
