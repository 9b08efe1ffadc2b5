"""Plain builders of SOPs the tests share (no fixtures: those live in tests/conftest.py)."""

from __future__ import annotations

import copy

from sopdata.matching.alignment import AlignedPair
from sopdata.matching.compare import GroupComparison, merge_alignments
from sopdata.records import SOP, Step
from sopdata.review.settings import ReviewSettings, with_durations
from sopdata.text.durations import parse_duration
from tests.support.paths import SEED_TO_CORPUS, read_eval


def small_sop(office: str, steps: list[tuple[str, str, str]], **identity) -> SOP:
    """A small SOP: steps as (activity, actor, waktu)."""
    return SOP(
        source_file=f"{office}.txt",
        title="Pengelolaan Surat Keluar",
        office=office,
        steps=[
            Step(
                no=str(k),
                activity=act,
                actors=[actor] if actor else [],
                duration=parse_duration(waktu),
                marks={actor: "□"} if actor else {},
            )
            for k, (act, actor, waktu) in enumerate(steps, 1)
        ],
        **identity,
    )


def gold_group(sops_by_file, group: str) -> tuple[list[SOP], dict[int, list[AlignedPair]]]:
    """The two SOPs of a labelled group (copies) and their hand-made step alignment,
    as (sops, alignments) for ``merge_alignments`` with the second SOP as pivot."""
    rows = [r for r in read_eval("seed_step_alignments.csv") if r["group"] == group]
    first = rows[0]

    def find(seed: str, title: str) -> SOP:
        return next(s for s in sops_by_file[SEED_TO_CORPUS[seed]] if s.title == title)

    a = copy.deepcopy(find(first["file_a"], first["title_a"]))
    b = copy.deepcopy(find(first["file_b"], first["title_b"]))
    index_a = {s.no: i for i, s in enumerate(a.steps)}
    index_b = {s.no: i for i, s in enumerate(b.steps)}
    pairs = {(index_b[r["step_b"]], index_a[r["step_a"]]) for r in rows}
    return [a, b], {0: [AlignedPair(pb, pa, 1.0) for pb, pa in sorted(pairs)]}


def letters_at_eight_hours(second: tuple[str, str]) -> GroupComparison:
    """Two offices' two-step letter procedure, read with an 8-hour working day and
    aligned step to step: Kecamatan A takes "4 jam" twice (480 minutes, "1 hari"),
    Kecamatan B takes the two Waktu given."""
    eight = ReviewSettings(hours_per_working_day=8).durations
    steps = ("Menerima surat", "Agendaris"), ("Mengirim surat", "Caraka")
    sops = with_durations(
        [
            small_sop("Kecamatan A", [(act, who, "4 jam") for act, who in steps]),
            small_sop(
                "Kecamatan B", [(act, who, w) for (act, who), w in zip(steps, second, strict=True)]
            ),
        ],
        eight,
    )
    return merge_alignments(sops, 0, {1: [AlignedPair(i, i, 1.0) for i in range(2)]})
