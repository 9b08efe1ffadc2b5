"""Line up the steps of a group of equivalent SOPs, one row per step of the procedure.

Pairwise alignment (``matching.align_pair``) answers "which step of office B
stands against step i of office A". A group of N offices needs one table: every
SOP is aligned to a *pivot* (the cleanest, most complete member), pivot steps
give the rows, and a step of another office with no pivot partner gets a row of
its own right after the pivot step it follows. A step can fill several rows when
its office merged what the pivot does in two steps, and a row can hold several
steps of one office when that office split it. A step another office does at
another point of the procedure stays in the row of its pivot partner, marked
``urutan berbeda`` (see :meth:`GroupComparison.marker`), not split into a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sopdata.matching.alignment import AlignedPair
from sopdata.matching.profiles import SOPProfile, build_profiles
from sopdata.matching.step_links import StepEdits, StepLink, edits_between
from sopdata.matching.steps import align_pair, step_similarity
from sopdata.records import SOP, Step

if TYPE_CHECKING:  # the embeddings package loads scikit-learn
    from embeddings.base import Encoder


@dataclass
class AlignedRow:
    """One step of the procedure across the group.

    Attributes:
        cells: for each member (same order as ``GroupComparison.sops``), the
            indices of its steps in this row; empty when the office lacks it.
        scores: for each member, the alignment score against the pivot's step
            (pair-relative scale; ``None`` for the pivot itself or a gap).
        anchor: index of the pivot step this row belongs to; ``None`` for a step
            only another office has.
        kinds: for each member, the kind of its correspondence with the pivot
            step (``sama``, ``digabung``, ``urutan berbeda``; ``None`` for the
            pivot or a gap). Empty when built without kinds.
    """

    cells: list[list[int]]
    scores: list[float | None]
    anchor: int | None = None
    kinds: list[str | None] = field(default_factory=list)

    def kind(self, member: int) -> str | None:
        return self.kinds[member] if member < len(self.kinds) else None

    def present(self) -> list[int]:
        """Members that have a step in this row."""
        return [m for m, c in enumerate(self.cells) if c]

    def missing(self) -> list[int]:
        return [m for m, c in enumerate(self.cells) if not c]


@dataclass
class GroupComparison:
    """A group of equivalent SOPs with their steps aligned row by row."""

    sops: list[SOP]
    pivot: int
    rows: list[AlignedRow]
    profiles: list[SOPProfile] = field(default_factory=list, repr=False)
    #: member -> step similarity matrix (pivot steps x member steps), see ``matching.step_similarity``.
    similarity: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    #: member -> the reviewer's corrections of its alignment to the pivot (pivot step, member step).
    edits: dict[int, StepEdits] = field(default_factory=dict, repr=False)

    @property
    def offices(self) -> list[str]:
        return [s.label for s in self.sops]

    def steps(self, row: int | AlignedRow, member: int) -> list[Step]:
        r = self.rows[row] if isinstance(row, int) else row
        return [self.sops[member].steps[i] for i in r.cells[member]]

    def step_label(self, member: int, step_index: int) -> str:
        return f"{self.offices[member]} langkah {self.sops[member].steps[step_index].no}"

    def marker(self, row: int | AlignedRow, member: int) -> str:
        """What the reader should know about a member's steps in a row beyond
        their text: done in another order ("urutan berbeda: langkah 5 di
        Kecamatan X") or merged ("digabung"), and "dipadankan peninjau" where a
        reviewer linked the step to the pivot's; empty otherwise."""
        r = self.rows[row] if isinstance(row, int) else row
        kind = r.kind(member)
        by_reviewer = self.by_reviewer(r, member)
        if kind == "urutan berbeda":
            nos = ", ".join(self.sops[member].steps[i].no for i in r.cells[member])
            text = f"urutan berbeda: langkah {nos} di {self.offices[member]}"
        else:
            text = "digabung" if kind == "digabung" else ""
        if by_reviewer:
            text = f"{text}; dipadankan peninjau" if text else "dipadankan peninjau"
        return text

    def by_reviewer(self, row: int | AlignedRow, member: int) -> bool:
        """Whether a reviewer linked the member's step of this row to the pivot's."""
        r = self.rows[row] if isinstance(row, int) else row
        edits = self.edits.get(member)
        if edits is None or r.anchor is None:
            return False
        return any((r.anchor, j) in edits.linked for j in r.cells[member])

    def step_vector(self, member: int, step_index: int) -> np.ndarray | None:
        if not self.profiles:
            return None
        vecs = self.profiles[member].step_vecs
        return vecs[step_index] if step_index < len(vecs) else None


def choose_pivot(sops: Sequence[SOP]) -> int:
    """The member whose step table defines the rows: the most reliable parse
    (confidence), then the most steps, then the first."""
    best = max(
        range(len(sops)), key=lambda k: (round(sops[k].confidence, 2), len(sops[k].steps), -k)
    )
    return best


def compare_group(
    sops: Sequence[SOP],
    encoder: Encoder | None = None,
    pivot: int | None = None,
    profiles: Sequence[SOPProfile] | None = None,
    links: Sequence[StepLink] = (),
) -> GroupComparison:
    """Align every member of ``sops`` to the pivot and merge into rows.

    Args:
        sops: the group (normally one SOP per office).
        encoder: used to build profiles when ``profiles`` is not given.
        pivot: member whose steps give the rows; default :func:`choose_pivot`.
        profiles: precomputed ``build_profiles(sops, encoder)``.
        links: a reviewer's corrections; those between the pivot and a member
            decide that member's alignment where they speak (see
            :func:`~sopdata.matching.alignment.correspond`).
    """
    sops = list(sops)
    if not sops:
        return GroupComparison([], 0, [])
    if profiles is None:
        if encoder is None:
            raise ValueError("compare_group needs an encoder or profiles")
        profiles = build_profiles(sops, encoder)
    profiles = list(profiles)
    p = choose_pivot(sops) if pivot is None else pivot
    alignments: dict[int, list[AlignedPair]] = {}
    similarity: dict[int, np.ndarray] = {}
    edits: dict[int, StepEdits] = {}
    for m in range(len(sops)):
        if m == p or not sops[m].steps or not sops[p].steps:
            continue
        edits[m] = edits_between(links, sops[p], sops[m])
        similarity[m] = step_similarity(profiles[p], profiles[m])
        alignments[m] = align_pair(profiles[p], profiles[m], edits=edits[m])
    comparison = merge_alignments(sops, p, alignments)
    comparison.profiles = profiles
    comparison.similarity = similarity
    comparison.edits = {m: e for m, e in edits.items() if e}
    return comparison


def merge_alignments(
    sops: Sequence[SOP], pivot: int, alignments: dict[int, list[AlignedPair]]
) -> GroupComparison:
    """Rows from pairwise alignments of each member against the pivot.

    ``alignments[m]`` pairs pivot steps (``a``) with steps of member ``m``
    (``b``); a member with no entry has all its steps in rows of their own. Steps
    of a member that no pair mentions are treated as unmatched.
    """
    sops = list(sops)
    n, p = len(sops), pivot
    base = sops[p]
    rows = [
        AlignedRow([[] for _ in range(n)], [None] * n, anchor=i, kinds=[None] * n)
        for i in range(len(base.steps))
    ]
    for i, row in enumerate(rows):
        row.cells[p] = [i]
    # Steps only another office has, keyed by the pivot step they follow (-1 = before the first).
    extras: dict[int, list[AlignedRow]] = {}
    for m in range(n):
        if m == p or not sops[m].steps:
            continue
        matched: list[tuple[int, int]] = []
        in_order: list[tuple[int, int]] = []
        for pair in alignments.get(m, []):
            if pair.a is None or pair.b is None:
                continue
            row = rows[pair.a]
            if pair.b not in row.cells[m]:
                row.cells[m].append(pair.b)
                row.cells[m].sort()
            prev = row.scores[m]
            row.scores[m] = pair.score if prev is None else max(prev, pair.score)
            if row.kinds[m] is None or pair.kind == "urutan berbeda":
                row.kinds[m] = pair.kind
            matched.append((pair.a, pair.b))
            if pair.kind != "urutan berbeda":
                in_order.append((pair.a, pair.b))
        used = {b for _, b in matched}
        # A step the pivot lacks goes after the last pivot step matched (in order) before it.
        for b in range(len(sops[m].steps)):
            if b in used:
                continue
            anchor = max((a for a, b2 in in_order if b2 < b), default=-1)
            extras.setdefault(anchor, []).append(_extra_row(n, m, b))
    merged: list[AlignedRow] = list(extras.get(-1, []))
    for i, row in enumerate(rows):
        merged.append(row)
        merged.extend(extras.get(i, []))
    return GroupComparison(sops, p, merged)


def _extra_row(n: int, member: int, step_index: int) -> AlignedRow:
    cells: list[list[int]] = [[] for _ in range(n)]
    cells[member] = [step_index]
    return AlignedRow(cells, [None] * n, anchor=None, kinds=[None] * n)
