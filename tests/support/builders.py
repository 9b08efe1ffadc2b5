"""Plain builders of SOPs the tests share (no fixtures: those live in tests/conftest.py)."""

from __future__ import annotations

import copy

from sopdata.matching.alignment import AlignedPair
from sopdata.records import SOP, Step
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
