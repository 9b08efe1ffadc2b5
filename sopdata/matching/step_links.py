"""A reviewer's corrections to step correspondences: two steps do or do not correspond.

The aligner is right on what the text shows, and a scan can hide what a reader
sees at once (a Kegiatan whose verb OCR lost, a row mixed with its Mutu Baku
columns). The reviewer then says it: "langkah 3 Kecamatan Jogoroto = langkah 4
Bagian Organisasi" (:attr:`StepLink.linked`) or "these two are not one step"
(not linked). A correction names the SOPs by their keys and the steps by their
printed number (``Step.no``), so it survives a re-read of the document and a
rename of its file; a correction whose step no longer exists is left out, never
applied to another step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sopdata.records import SOP, Step


@dataclass(frozen=True)
class StepLink:
    """Step ``step_a`` of SOP ``key_a`` and step ``step_b`` of SOP ``key_b``
    correspond (``linked``) or do not (a reviewer's verdict either way).

    Always stored with ``key_a < key_b`` (:meth:`of` orders them), so one pair
    of steps has one verdict whichever side it was made from.
    """

    key_a: str
    step_a: str
    key_b: str
    step_b: str
    linked: bool
    author: str = ""
    created_at: str = ""

    @classmethod
    def of(
        cls,
        key_a: str,
        step_a: str,
        key_b: str,
        step_b: str,
        linked: bool,
        author: str = "",
        created_at: str = "",
    ) -> StepLink:
        """The verdict with its SOPs in key order (the steps follow their SOP)."""
        if key_a == key_b:
            raise ValueError("a step link joins two different SOPs")
        if key_b < key_a:
            key_a, step_a, key_b, step_b = key_b, step_b, key_a, step_a
        return cls(key_a, str(step_a), key_b, str(step_b), bool(linked), author, created_at)

    @property
    def steps(self) -> tuple[str, str, str, str]:
        """What the verdict is about (the store's key of it)."""
        return (self.key_a, self.step_a, self.key_b, self.step_b)


@dataclass(frozen=True)
class StepEdits:
    """The corrections between two SOPs as step index pairs (i of the first, j
    of the second): pairs to link and pairs to keep apart."""

    linked: frozenset[tuple[int, int]] = frozenset()
    unlinked: frozenset[tuple[int, int]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.linked or self.unlinked)


def edits_between(links: Iterable[StepLink], first: SOP, second: SOP) -> StepEdits:
    """The corrections of ``links`` that concern ``first`` and ``second``, as
    indices into their step lists (first, second). A correction naming a step
    number the SOP no longer has is skipped; a step number printed twice
    resolves to its first step."""
    ka, kb = first.key, second.key
    index_a = _step_index(first)
    index_b = _step_index(second)
    linked: set[tuple[int, int]] = set()
    unlinked: set[tuple[int, int]] = set()
    for link in links:
        if (link.key_a, link.key_b) == (ka, kb):
            no_a, no_b = link.step_a, link.step_b
        elif (link.key_a, link.key_b) == (kb, ka):
            no_a, no_b = link.step_b, link.step_a
        else:
            continue
        if no_a not in index_a or no_b not in index_b:
            continue
        pair = (index_a[no_a], index_b[no_b])
        (linked if link.linked else unlinked).add(pair)
    return StepEdits(frozenset(linked), frozenset(unlinked - linked))


def names_one_step(sop: SOP, step: Step) -> bool:
    """Whether ``step``'s printed number names it alone in ``sop``: a correction
    naming a number printed twice (or none) would land on another step."""
    no = str(step.no).strip()
    return bool(no) and [str(s.no).strip() for s in sop.steps].count(no) == 1


def links_among(links: Iterable[StepLink], sops: Iterable[SOP]) -> list[StepLink]:
    """The corrections between any two of ``sops`` (the cache key of a group's
    comparison), in a stable order."""
    keys = {s.key for s in sops}
    return sorted((x for x in links if x.key_a in keys and x.key_b in keys), key=lambda x: x.steps)


def _step_index(sop: SOP) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, step in enumerate(sop.steps):
        index.setdefault(str(step.no), i)
    return index
