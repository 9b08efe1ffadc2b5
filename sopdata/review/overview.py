"""What the Ringkasan page says: the corpus in numbers, the readers' problems, and
the next thing a reviewer should do. Pure functions of the reviewer's view."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sopdata.records import SOP
from sopdata.review.store import AGREED_STATUSES, GroupStatus
from sopdata.review.workspace import Group, LoadedDocument

#: Below this confidence an SOP's reading is listed as a problem (most structure missing).
LOW_CONFIDENCE = 0.7

Page = Literal["korpus", "pencocokan", "bandingkan", "harmonisasi", "ringkasan"]
ProblemKind = Literal["unread", "low_confidence", "warnings"]
PROBLEM_LABEL: dict[ProblemKind, str] = {
    "unread": "Dokumen tidak terbaca",
    "low_confidence": "Keyakinan rendah",
    "warnings": "Ada catatan pembacaan",
}


@dataclass(frozen=True)
class CorpusCounts:
    documents: int
    sops: int
    offices: int


def corpus_counts(sops: Sequence[SOP], documents: Sequence[LoadedDocument]) -> CorpusCounts:
    """Documents (bundled and uploaded, also the unread ones), SOPs and offices (``SOP.label``)."""
    docs = {s.document_sha256 or s.source_file for s in sops} | {d.sha256 for d in documents}
    return CorpusCounts(len(docs), len(sops), len({s.label for s in sops}))


@dataclass(frozen=True)
class ReaderProblem:
    """Something the readers got wrong or could not do, for a reviewer to fix in Korpus."""

    kind: ProblemKind
    document: str
    office: str = ""
    title: str = ""
    detail: str = ""
    confidence: float | None = None

    @property
    def label(self) -> str:
        return PROBLEM_LABEL[self.kind]


def reader_problems(
    sops: Sequence[SOP],
    documents: Sequence[LoadedDocument],
    corrected: Collection[str] = (),
    low_confidence: float = LOW_CONFIDENCE,
) -> list[ReaderProblem]:
    """Unread documents first, then SOPs read with low confidence, then SOPs with
    warnings (lowest confidence first). An SOP a reviewer corrected is no longer a problem;
    neither is an unread document a reviewer read by hand (its SOP is in ``sops``)."""
    rescued = {s.document_sha256 for s in sops if s.key in corrected}
    out = [
        ReaderProblem("unread", d.name, detail=d.error)
        for d in documents
        if d.error and not d.sops and d.sha256 not in rescued
    ]
    flagged = [s for s in sops if s.key not in corrected]
    flagged.sort(key=lambda s: (s.confidence, s.label, s.title))
    for sop in flagged:
        if sop.confidence < low_confidence:
            kind: ProblemKind = "low_confidence"
        elif sop.warnings:
            kind = "warnings"
        else:
            continue
        out.append(
            ReaderProblem(
                kind,
                sop.source_file,
                sop.label,
                sop.title,
                "; ".join(sop.warnings),
                round(sop.confidence, 2),
            )
        )
    out.sort(key=lambda p: list(PROBLEM_LABEL).index(p.kind))  # stable: order kept within a kind
    return out


@dataclass(frozen=True)
class NextStep:
    """One thing to do: what, and on which page."""

    text: str
    page: Page


def next_steps(
    uploads: int,
    problems: Sequence[ReaderProblem],
    groups: Sequence[Group] | None,
    statuses: Mapping[str, GroupStatus],
    drafted: Collection[str],
) -> list[NextStep]:
    """The next things to do, most pressing first.

    Args:
        uploads: documents the reviewers uploaded (the bundled corpus aside).
        problems: :func:`reader_problems`.
        groups: the procedure groups; None while they cannot be computed yet.
        statuses: group id -> its latest status (none: not reviewed).
        drafted: ids of groups with a saved draft.
    """
    steps: list[NextStep] = []
    if uploads == 0:
        steps.append(
            NextStep("Unggah SOP kantor-kantor yang akan diselaraskan di halaman Korpus.", "korpus")
        )
    unread = sum(1 for p in problems if p.kind == "unread")
    weak = sum(1 for p in problems if p.kind == "low_confidence")
    if unread or weak:
        parts = ([f"{unread} dokumen tidak terbaca"] if unread else []) + (
            [f"{weak} SOP berkeyakinan rendah"] if weak else []
        )
        steps.append(NextStep(f"Periksa {' dan '.join(parts)} di halaman Korpus.", "korpus"))
    if groups is None:
        return steps
    if not groups:
        steps.append(
            NextStep(
                "Belum ada kelompok prosedur: konfirmasi pasangan SOP di halaman Pencocokan.",
                "pencocokan",
            )
        )
        return steps
    state = {g.id: statuses.get(g.id, "belum_ditinjau") for g in groups}
    todo = sum(1 for s in state.values() if s == "belum_ditinjau")
    talking = sum(1 for s in state.values() if s == "dibahas")
    agreed_without_draft = sum(
        1 for gid, s in state.items() if s in AGREED_STATUSES and gid not in drafted
    )
    agreed_not_set = sum(1 for gid, s in state.items() if s == "disepakati" and gid in drafted)
    if todo:
        steps.append(
            NextStep(
                f"{todo} kelompok belum ditinjau: periksa anggotanya di halaman Pencocokan.",
                "pencocokan",
            )
        )
    if talking:
        steps.append(
            NextStep(
                f"{talking} kelompok sedang dibahas: lihat perbedaan langkahnya di halaman "
                "Bandingkan.",
                "bandingkan",
            )
        )
    if agreed_without_draft:
        steps.append(
            NextStep(
                f"{agreed_without_draft} kelompok disepakati tanpa rancangan: susun dan simpan "
                "rancangannya di halaman Harmonisasi.",
                "harmonisasi",
            )
        )
    if agreed_not_set:
        steps.append(
            NextStep(
                f"{agreed_not_set} kelompok disepakati dan berancangan: siapkan paket rapat untuk "
                "penetapan (di bawah).",
                "ringkasan",
            )
        )
    if all(s == "ditetapkan" for s in state.values()):
        steps.append(
            NextStep("Semua kelompok sudah ditetapkan. Unduh paket rapat di bawah.", "ringkasan")
        )
    return steps
