"""What differs between the offices' versions of one procedure.

Input is a :class:`~sopdata.matching.compare.GroupComparison` (a group of equivalent SOPs
with their steps aligned row by row). Output is a list of :class:`Finding`, each
with a severity, the offices and steps concerned, and one Indonesian sentence a
reviewer can read out in the meeting, plus the Waktu spread of every row.

Rules, in the order the reviewers asked for them:

* **timing**: per aligned step and for the whole procedure, min / median / max
  of Waktu in minutes; a value at least ``OUTLIER_RATIO`` times the others is an
  outlier (1 hari against 20 menit), any other difference is worth a look;
* **actor**: the same step done by different Pelaksana;
* **missing / order**: a step some offices do not have (high when it is a
  check or a signature, the steps that carry accountability), and a step that
  one office does at another point of the procedure;
* **requirements / output**: Kelengkapan or Output of the same step that share
  no key term;
* **identity**: identity-block fields some offices leave empty, and legal bases
  (Dasar Hukum) one office cites and another does not;
* **compliance**: the Permenpan RB 35/2012 layout, per SOP (:func:`compliance`).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sopdata.form import REQUIRED_FIELDS, label_of
from sopdata.legal_basis import regulation_key
from sopdata.matching.compare import AlignedRow, GroupComparison
from sopdata.records import SOP, Step
from sopdata.text.durations import format_minutes
from sopdata.text.terms import key_terms, step_actions
from sopdata.text.textclean import normalise_key

Severity = Literal["high", "medium", "low"]

#: Indonesian labels, as shown to reviewers.
SEVERITY_LABEL: dict[str, str] = {"high": "tinggi", "medium": "sedang", "low": "rendah"}
CATEGORY_LABEL: dict[str, str] = {
    "timing": "Waktu",
    "total_time": "Total waktu",
    "actor": "Pelaksana",
    "missing_step": "Langkah tidak ada",
    "order": "Urutan langkah",
    "requirements": "Kelengkapan",
    "output": "Output",
    "identity": "Identitas SOP",
    "legal_basis": "Dasar hukum",
    "compliance": "Kepatuhan format",
}

#: A Waktu this many times another office's for the same step is an outlier.
OUTLIER_RATIO = 3.0
#: ...and only when the gap is at least this many minutes (5 vs 15 menit is not news).
OUTLIER_MIN_GAP = 30.0
#: Kinds of act (``data/actions.csv``) whose absence weakens control of the procedure.
CONTROL_ACTIONS = frozenset({"check", "sign"})

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Finding:
    """One difference or gap a reviewer should decide on.

    Attributes:
        category: key of :data:`CATEGORY_LABEL`.
        severity: "high", "medium" or "low" (labels in :data:`SEVERITY_LABEL`).
        message: one Indonesian sentence.
        offices: the offices concerned.
        steps: the steps concerned, as "<office> langkah <no>".
        row: the aligned row (index in ``GroupComparison.rows``), if any.
    """

    category: str
    severity: Severity
    message: str
    offices: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "category_label": CATEGORY_LABEL.get(self.category, self.category),
            "severity": self.severity,
            "severity_label": SEVERITY_LABEL[self.severity],
            "message": self.message,
            "offices": list(self.offices),
            "steps": list(self.steps),
            "row": self.row,
        }


@dataclass(frozen=True)
class TimedValue:
    """One office's Waktu for a step: minutes and the text as printed."""

    member: int
    office: str
    minutes: float
    raw: str


@dataclass(frozen=True)
class TimingSpread:
    """Waktu of one aligned row (or of the whole procedure) across offices."""

    row: int | None
    label: str
    values: tuple[TimedValue, ...]
    outliers: tuple[int, ...] = ()

    @property
    def minimum(self) -> TimedValue:
        return min(self.values, key=lambda v: v.minutes)

    @property
    def maximum(self) -> TimedValue:
        return max(self.values, key=lambda v: v.minutes)

    @property
    def median_minutes(self) -> float:
        return float(statistics.median(v.minutes for v in self.values))

    @property
    def differs(self) -> bool:
        return len({round(v.minutes, 3) for v in self.values}) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "label": self.label,
            "values": [
                {"office": v.office, "minutes": v.minutes, "raw": v.raw} for v in self.values
            ],
            "min": {
                "minutes": self.minimum.minutes,
                "raw": self.minimum.raw,
                "office": self.minimum.office,
            },
            "median_minutes": self.median_minutes,
            "max": {
                "minutes": self.maximum.minutes,
                "raw": self.maximum.raw,
                "office": self.maximum.office,
            },
            "outliers": [self.values[i].office for i in self.outliers],
        }


@dataclass
class GroupFindings:
    """Everything :func:`find_differences` reports for a group."""

    findings: list[Finding]
    timing: list[TimingSpread]
    total: TimingSpread | None
    comparison: GroupComparison = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sops": [
                {"source_file": s.source_file, "title": s.title, "office": s.office}
                for s in self.comparison.sops
            ],
            "findings": [f.to_dict() for f in self.findings],
            "timing": [t.to_dict() for t in self.timing],
            "total": self.total.to_dict() if self.total else None,
        }


# --- helpers ------------------------------------------------------------------


def row_label(comparison: GroupComparison, row: AlignedRow, width: int = 60) -> str:
    """A short name for a row: the activity of its first clean step."""
    order = sorted(row.present(), key=lambda m: -comparison.sops[m].confidence)
    for m in order:
        for step in comparison.steps(row, m):
            text = " ".join(step.activity.split())
            if text:
                return text if len(text) <= width else text[: width - 1].rstrip() + "…"
    return "(langkah tanpa uraian)"


def _step_refs(
    comparison: GroupComparison, row: AlignedRow, members: Sequence[int]
) -> tuple[str, ...]:
    return tuple(comparison.step_label(m, i) for m in members for i in row.cells[m])


def _row_minutes(steps: Sequence[Step]) -> tuple[float, str] | None:
    """Waktu of an office's steps in a row (summed when it split the step)."""
    readable = [s for s in steps if s.work_minutes is not None]  # lead times stay apart
    if not readable:
        return None
    return (
        sum(s.work_minutes or 0.0 for s in readable),
        " + ".join(s.duration.raw.strip() for s in readable),
    )


def _outliers(values: Sequence[TimedValue]) -> tuple[int, ...]:
    """Values at least OUTLIER_RATIO times (or at most 1/OUTLIER_RATIO of) the
    typical value and OUTLIER_MIN_GAP minutes away from it. The typical value is
    the median of all offices; with two offices, simply the other one."""
    out = []
    middle = statistics.median(v.minutes for v in values) if len(values) > 2 else None
    for k, v in enumerate(values):
        if middle is None:
            others = [o.minutes for j, o in enumerate(values) if j != k]
            if not others:
                continue
            ref = others[0]
        else:
            ref = middle
        if abs(v.minutes - ref) < OUTLIER_MIN_GAP:
            continue
        lo, hi = min(v.minutes, ref), max(v.minutes, ref)
        if lo <= 0 or hi / lo >= OUTLIER_RATIO:
            out.append(k)
    return tuple(out)


def _spread_text(values: Sequence[TimedValue]) -> str:
    return ", ".join(f"{v.raw} ({v.office})" for v in values)


def _actor_names(comparison: GroupComparison, member: int, steps: Sequence[Step]) -> frozenset[str]:
    sop = comparison.sops[member]
    return frozenset(
        normalise_key(sop.canonical_actor(a)) for s in steps for a in s.actors if a.strip()
    )


def _display_actors(comparison: GroupComparison, member: int, steps: Sequence[Step]) -> str:
    sop = comparison.sops[member]
    names: list[str] = []
    for s in steps:
        for a in s.actors:
            name = sop.canonical_actor(a)
            if name and name not in names:
                names.append(name)
    return ", ".join(names)


# --- the rules ----------------------------------------------------------------


def timing_findings(
    comparison: GroupComparison,
) -> tuple[list[Finding], list[TimingSpread], TimingSpread | None]:
    """Waktu per aligned row and for the whole procedure."""
    findings: list[Finding] = []
    spreads: list[TimingSpread] = []
    for r, row in enumerate(comparison.rows):
        values = []
        for m in row.present():
            got = _row_minutes(comparison.steps(row, m))
            if got is not None:
                values.append(TimedValue(m, comparison.offices[m], got[0], got[1]))
        if len(values) < 2:
            continue
        label = row_label(comparison, row)
        spread = TimingSpread(r, label, tuple(values), _outliers(values))
        spreads.append(spread)
        if not spread.differs:
            continue
        lo, hi = spread.minimum, spread.maximum
        ratio = hi.minutes / lo.minutes if lo.minutes > 0 else float("inf")
        severity: Severity = "high" if spread.outliers else ("medium" if ratio >= 1.5 else "low")
        detail = _spread_text(values)
        if spread.outliers:
            message = f'Waktu langkah "{label}" berbeda jauh antarkantor: {detail}.'
        else:
            message = f'Waktu langkah "{label}" berbeda: {detail}.'
        findings.append(
            Finding(
                "timing",
                severity,
                message,
                tuple(v.office for v in values),
                _step_refs(comparison, row, [v.member for v in values]),
                r,
            )
        )
    totals = [
        TimedValue(
            m,
            comparison.offices[m],
            s.total_minutes,
            format_minutes(s.total_minutes, s.time_settings),
        )
        for m, s in enumerate(comparison.sops)
        if s.total_minutes > 0
    ]
    total = None
    if len(totals) >= 2:
        total = TimingSpread(None, "Total waktu prosedur", tuple(totals), _outliers(totals))
        if total.differs:
            severity = "high" if total.outliers else "medium"
            unread = [
                comparison.offices[m]
                for m, s in enumerate(comparison.sops)
                if any(st.duration.minutes is None for st in s.steps)
            ]
            note = (" Sebagian Waktu tidak terbaca di " + ", ".join(unread) + ".") if unread else ""
            findings.append(
                Finding(
                    "total_time",
                    severity,
                    f"Total waktu prosedur berbeda: {_spread_text(totals)}.{note}",
                    tuple(v.office for v in totals),
                )
            )
    return findings, spreads, total


def actor_findings(comparison: GroupComparison) -> list[Finding]:
    """The same aligned step done by different Pelaksana."""
    out = []
    for r, row in enumerate(comparison.rows):
        members = [
            m for m in row.present() if _actor_names(comparison, m, comparison.steps(row, m))
        ]
        if len(members) < 2:
            continue
        sets = {m: _actor_names(comparison, m, comparison.steps(row, m)) for m in members}
        if len(set(sets.values())) < 2:
            continue
        # Offices that share no actor at all for this step are the strong case.
        disjoint = all(not (sets[a] & sets[b]) for a in members for b in members if a < b)
        detail = "; ".join(
            f"{_display_actors(comparison, m, comparison.steps(row, m))} ({comparison.offices[m]})"
            for m in members
        )
        out.append(
            Finding(
                "actor",
                "medium" if disjoint else "low",
                f'Pelaksana langkah "{row_label(comparison, row)}" berbeda: {detail}.',
                tuple(comparison.offices[m] for m in members),
                _step_refs(comparison, row, members),
                r,
            )
        )
    return out


def missing_step_findings(comparison: GroupComparison) -> list[Finding]:
    """Steps some offices lack, and steps done at another point of the procedure."""
    out: list[Finding] = []
    n = len(comparison.sops)
    if n < 2:
        return out
    moved = _moved_steps(comparison)
    for r, row in enumerate(comparison.rows):
        for m in row.present():
            if row.kind(m) != "urutan berbeda":
                continue
            others = [k for k in row.present() if k != m]
            out.append(
                Finding(
                    "order",
                    "medium",
                    f'Langkah "{row_label(comparison, row)}" dilakukan pada urutan berbeda di '
                    f"{comparison.offices[m]} (di sana: {', '.join(_step_refs(comparison, row, [m]))}).",
                    tuple(comparison.offices[k] for k in [*others, m]),
                    _step_refs(comparison, row, [*others, m]),
                    r,
                )
            )
        present, missing = row.present(), [m for m in row.missing() if comparison.sops[m].steps]
        if not present or not missing:
            continue
        label = row_label(comparison, row)
        if r in moved:
            other_row, m = moved[r]
            out.append(
                Finding(
                    "order",
                    "medium",
                    f'Langkah "{label}" dilakukan pada urutan berbeda di {comparison.offices[m]} '
                    f"(di sana: {', '.join(_step_refs(comparison, comparison.rows[other_row], [m]))}).",
                    tuple(comparison.offices[k] for k in present + [m]),
                    _step_refs(comparison, row, present)
                    + _step_refs(comparison, comparison.rows[other_row], [m]),
                    r,
                )
            )
            missing = [k for k in missing if k != m]
            if not missing:
                continue
        if any(r == other for other, _ in moved.values()):
            continue  # reported as an order difference above
        acts = set().union(
            *(step_actions(s.activity) for m in present for s in comparison.steps(row, m))
        )
        control = bool(acts & CONTROL_ACTIONS)
        severity: Severity = "high" if control else "medium"
        why = " (langkah pemeriksaan/pengesahan)" if control else ""
        have = ", ".join(comparison.offices[m] for m in present)
        lack = ", ".join(comparison.offices[m] for m in missing)
        out.append(
            Finding(
                "missing_step",
                severity,
                f'Langkah "{label}"{why} ada di {have} tetapi tidak ada di {lack}.',
                tuple(comparison.offices[m] for m in present + missing),
                _step_refs(comparison, row, present),
                r,
            )
        )
    return out


#: Step similarity (``matching.step_similarity`` scale, relative) above which an
#: unaligned pair of steps is the same act done at another point of the procedure.
MOVED_STEP_SIMILARITY = 0.75


def _moved_steps(comparison: GroupComparison) -> dict[int, tuple[int, int]]:
    """Rows of a pivot step whose partner in member m sits in an extra row elsewhere:
    ``{pivot_row: (extra_row, m)}``."""
    moved: dict[int, tuple[int, int]] = {}
    p = comparison.pivot
    extra_rows = {
        (m, row.cells[m][0]): r
        for r, row in enumerate(comparison.rows)
        if row.anchor is None
        for m in row.present()
    }
    for m, sim in comparison.similarity.items():
        if sim.size == 0:
            continue
        for r, row in enumerate(comparison.rows):
            if row.anchor is None or row.cells[m] or r in moved:
                continue
            a = row.cells[p][0]
            candidates = [(float(sim[a, b]), b) for (mm, b) in extra_rows if mm == m]
            if not candidates:
                continue
            best, b = max(candidates)
            # Only a clear, mutual best match counts.
            if best >= MOVED_STEP_SIMILARITY and int(sim[:, b].argmax()) == a:
                moved[r] = (extra_rows[(m, b)], m)
    return moved


def _terms_differ(texts: dict[int, str]) -> bool:
    terms = {m: key_terms(t) for m, t in texts.items() if t.strip()}
    if len(terms) < 2:
        return False
    members = list(terms)
    return any(not (terms[a] & terms[b]) for i, a in enumerate(members) for b in members[i + 1 :])


def mutu_baku_findings(comparison: GroupComparison) -> list[Finding]:
    """Kelengkapan and Output of the same step that share no key term."""
    out = []
    for r, row in enumerate(comparison.rows):
        present = row.present()
        if len(present) < 2:
            continue
        label = row_label(comparison, row)
        for attr, category, name in (
            ("requirements", "requirements", "Kelengkapan"),
            ("output", "output", "Output"),
        ):
            texts = {
                m: " ".join(getattr(s, attr) for s in comparison.steps(row, m)).strip()
                for m in present
            }
            filled = {m: t for m, t in texts.items() if t}
            if len(filled) >= 2 and _terms_differ(filled):
                detail = "; ".join(
                    f"{' '.join(t.split())[:60]} ({comparison.offices[m]})"
                    for m, t in filled.items()
                )
                out.append(
                    Finding(
                        category,
                        "low",
                        f'{name} langkah "{label}" berbeda: {detail}.',
                        tuple(comparison.offices[m] for m in filled),
                        _step_refs(comparison, row, list(filled)),
                        r,
                    )
                )
    return out


#: Identity-block fields a Permenpan RB 35/2012 SOP carries, with their printed labels.
IDENTITY_FIELDS: tuple[tuple[str, str], ...] = tuple((f.attr, f.label) for f in REQUIRED_FIELDS)
_IMPORTANT_FIELDS = frozenset({"legal_basis", "approved_by", "number"})


def _filled(sop: SOP, attr: str) -> bool:
    value = getattr(sop, attr)
    return bool(value.strip()) if isinstance(value, str) else any(str(v).strip() for v in value)


def identity_findings(comparison: GroupComparison) -> list[Finding]:
    """Identity fields some offices leave empty, and legal bases cited by only some."""
    out = []
    sops, offices = comparison.sops, comparison.offices
    for attr, label in IDENTITY_FIELDS:
        empty = [m for m, s in enumerate(sops) if not _filled(s, attr)]
        if not empty:
            continue
        severity: Severity = "medium" if attr in _IMPORTANT_FIELDS else "low"
        if len(empty) == len(sops):
            message = f"{label} tidak diisi di semua SOP kelompok ini."
        else:
            message = f"{label} tidak diisi di {', '.join(offices[m] for m in empty)}."
        out.append(Finding("identity", severity, message, tuple(offices[m] for m in empty)))
    cited: dict[str, dict[int, str]] = {}
    for m, s in enumerate(sops):
        for text in s.legal_basis:
            key, label = regulation_key(text)
            cited.setdefault(key, {})[m] = label
    with_basis = [m for m, s in enumerate(sops) if s.legal_basis]
    if len(with_basis) >= 2:
        for by_member in cited.values():
            have = sorted(by_member)
            lack = [m for m in with_basis if m not in by_member]
            if not lack:
                continue
            label = next(iter(by_member.values()))
            out.append(
                Finding(
                    "legal_basis",
                    "low",
                    f'Dasar hukum "{label}" dicantumkan di {", ".join(offices[m] for m in have)} '
                    f"tetapi tidak di {', '.join(offices[m] for m in lack)}.",
                    tuple(offices[m] for m in have + lack),
                )
            )
    return out


def compliance(sop: SOP, identity: bool = True) -> list[Finding]:
    """How far one SOP is from the Permenpan RB 35/2012 layout: required identity
    fields (unless ``identity`` is False), and every step with a Pelaksana and a
    Mutu Baku (Kelengkapan, Waktu, Output)."""
    office = sop.label
    out = []
    missing = [label for attr, label in IDENTITY_FIELDS if not _filled(sop, attr)]
    if not sop.title.strip():
        missing.insert(0, label_of("title"))
    if missing and identity:
        out.append(
            Finding(
                "compliance",
                "medium" if len(missing) > 3 else "low",
                f'"{sop.title or "(tanpa judul)"}" ({office}): bagian identitas kosong: '
                f"{', '.join(missing)}.",
                (office,),
            )
        )
    if not sop.steps:
        out.append(
            Finding(
                "compliance",
                "high",
                f'"{sop.title or "(tanpa judul)"}" ({office}) tidak memiliki tabel langkah.',
                (office,),
            )
        )
        return out
    checks = (
        ("Pelaksana", lambda s: bool(s.actors)),
        ("Kelengkapan", lambda s: bool(s.requirements.strip())),
        ("Waktu", lambda s: s.work_minutes is not None or s.is_lead_time),
        ("Output", lambda s: bool(s.output.strip())),
    )
    for name, ok in checks:
        bad = [s.no for s in sop.steps if not ok(s)]
        if bad:
            share = len(bad) / len(sop.steps)
            severity: Severity = "medium" if share > 0.5 else "low"
            out.append(
                Finding(
                    "compliance",
                    severity,
                    f'"{sop.title}" ({office}): {len(bad)} dari {len(sop.steps)} langkah tanpa '
                    f"{name} (langkah {', '.join(bad[:8])}{'…' if len(bad) > 8 else ''}).",
                    (office,),
                    tuple(f"{office} langkah {no}" for no in bad),
                )
            )
    return out


def find_differences(comparison: GroupComparison, include_compliance: bool = True) -> GroupFindings:
    """All findings of a group, most severe first (stable within a severity)."""
    timing, spreads, total = timing_findings(comparison)
    findings = (
        timing
        + actor_findings(comparison)
        + missing_step_findings(comparison)
        + mutu_baku_findings(comparison)
        + identity_findings(comparison)
    )
    if include_compliance:
        for sop in comparison.sops:
            findings += compliance(sop, identity=False)  # identity gaps are reported group-wide
    findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])
    return GroupFindings(findings, spreads, total, comparison)
