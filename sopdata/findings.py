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
* **compliance**: the Permenpan RB 35/2012 layout, per SOP (:func:`compliance`);
* **unreadable**: an office's steps whose text is unreadable
  (:mod:`sopdata.text.readability`), one finding per office.

So that a meeting can act on the list (:func:`find_differences`):

* **de-duplicated**: a garbled step gives the one "teks tidak terbaca" finding
  of its office and is left out of the timing, Pelaksana and Mutu Baku
  comparisons of its row (its text says nothing reliable), and a row only
  garbled steps have gives no "langkah tidak ada" finding; the identity fields
  the same offices leave empty are one finding; an SOP's format gaps are one
  finding;
* **ranked**: by severity, then by how many offices a finding touches (more
  first), then in step order;
* **actionable**: each names its offices and steps and, where it applies, the
  value the harmonised draft proposes (:attr:`Finding.proposed`, from
  :func:`sopdata.harmonise.harmonise`).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sopdata.form import REQUIRED_FIELDS, label_of
from sopdata.harmonise import ACTOR_TO_DECIDE, HarmonisedSOP, WaktuRule, harmonise
from sopdata.legal_basis import regulation_key
from sopdata.matching.compare import AlignedRow, GroupComparison
from sopdata.records import SOP, Step
from sopdata.text.durations import format_minutes
from sopdata.text.readability import UNREADABLE_FLAG, is_readable
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
    "unreadable": "Teks tidak terbaca",
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
        proposed: what the harmonised draft proposes for it, in Indonesian
            ("" where nothing applies).
    """

    category: str
    severity: Severity
    message: str
    offices: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    row: int | None = None
    proposed: str = ""

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
            "proposed": self.proposed,
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
    """A short name for a row: the first line of the activity of its first clean
    step, shortened at a word boundary (a name that refers to the step, never a
    word cut in half)."""
    order = sorted(row.present(), key=lambda m: -comparison.sops[m].confidence)
    for m in order:
        for step in comparison.steps(row, m):
            first = next((line for line in step.activity.splitlines() if line.strip()), "")
            text = " ".join(first.split())
            if text:
                return shorten_words(text, width)
    return "(langkah tanpa uraian)"


def shorten_words(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` characters, else its whole words that fit
    followed by "…" (one long word is cut only when it alone is too long)."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut and not text[width - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


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
                if any(st.duration.minutes is None and not st.is_lead_time for st in s.steps)
            ]
            note = (" Sebagian Waktu tidak terbaca di " + ", ".join(unread) + ".") if unread else ""
            leads = [
                f"{st.duration.raw.strip()} ({comparison.offices[m]})"
                for m, s in enumerate(comparison.sops)
                for st in s.steps
                if st.is_lead_time and st.duration.raw.strip()
            ]
            if leads:
                note += " Tenggat (bukan lama langkah) tidak dijumlahkan: " + "; ".join(leads) + "."
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


def missing_step_findings(
    comparison: GroupComparison, skip: set[int] | frozenset[int] = frozenset()
) -> list[Finding]:
    """Steps some offices lack, and steps done at another point of the procedure
    (rows in ``skip`` left out: their steps are unreadable)."""
    out: list[Finding] = []
    n = len(comparison.sops)
    if n < 2:
        return out
    moved = _moved_steps(comparison)
    for r, row in enumerate(comparison.rows):
        if r in skip:
            continue
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
    # The fields the same offices leave empty are one finding.
    by_empty: dict[tuple[int, ...], list[tuple[str, str]]] = {}
    for attr, label in IDENTITY_FIELDS:
        empty = tuple(m for m, s in enumerate(sops) if not _filled(s, attr))
        if empty:
            by_empty.setdefault(empty, []).append((attr, label))
    for empty, fields in by_empty.items():
        severity: Severity = (
            "medium" if any(attr in _IMPORTANT_FIELDS for attr, _ in fields) else "low"
        )
        labels = ", ".join(label for _, label in fields)
        if len(empty) == len(sops):
            message = f"{labels} tidak diisi di semua SOP kelompok ini."
        else:
            message = f"{labels} tidak diisi di {', '.join(offices[m] for m in empty)}."
        out.append(
            Finding(
                "identity",
                severity,
                message,
                tuple(offices[m] for m in empty),
                proposed="diisi dalam rapat harmonisasi",
            )
        )
    cited: dict[str, dict[int, str]] = {}
    for m, s in enumerate(sops):
        for text in s.legal_basis:
            key, label = regulation_key(text)
            cited.setdefault(key, {})[m] = label
    with_basis = [m for m, s in enumerate(sops) if s.legal_basis]
    if len(with_basis) >= 2:
        # The bases the same offices cite and the same others do not: one finding.
        by_offices: dict[tuple[tuple[int, ...], tuple[int, ...]], list[str]] = {}
        for by_member in cited.values():
            have = tuple(sorted(by_member))
            lack = tuple(m for m in with_basis if m not in by_member)
            if lack:
                by_offices.setdefault((have, lack), []).append(next(iter(by_member.values())))
        for (have, lack), bases in by_offices.items():
            quoted = "; ".join(f'"{basis}"' for basis in bases)
            out.append(
                Finding(
                    "legal_basis",
                    "low",
                    f"Dasar hukum {quoted} dicantumkan di {', '.join(offices[m] for m in have)} "
                    f"tetapi tidak di {', '.join(offices[m] for m in lack)}.",
                    tuple(offices[m] for m in have + lack),
                    proposed="semua dicantumkan di rancangan (gabungan semua kantor)",
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
        ("Pelaksana", lambda s: bool(s.actors) and s.actors != [ACTOR_TO_DECIDE]),
        ("Kelengkapan", lambda s: bool(s.requirements.strip())),
        ("Waktu", lambda s: s.work_minutes is not None or s.is_lead_time),
        ("Output", lambda s: bool(s.output.strip())),
    )
    gaps: list[str] = []
    steps: list[str] = []
    worst = 0.0
    for name, ok in checks:
        bad = [s.no for s in sop.steps if not ok(s)]
        if not bad:
            continue
        worst = max(worst, len(bad) / len(sop.steps))
        gaps.append(
            f"{len(bad)} tanpa {name} (langkah {', '.join(bad[:8])}{'…' if len(bad) > 8 else ''})"
        )
        steps += [f"{office} langkah {no}" for no in bad if f"{office} langkah {no}" not in steps]
    if gaps:
        severity: Severity = "medium" if worst > 0.5 else "low"
        out.append(
            Finding(
                "compliance",
                severity,
                f'"{sop.title}" ({office}), {len(sop.steps)} langkah: {"; ".join(gaps)}.',
                (office,),
                tuple(steps),
            )
        )
    return out


def unreadable_steps(comparison: GroupComparison) -> set[tuple[int, int]]:
    """(member, step index) of every step whose Kegiatan is unreadable (a short
    Kelengkapan or Output cell says too little to judge a step by)."""
    return {
        (m, i)
        for m, sop in enumerate(comparison.sops)
        for i, step in enumerate(sop.steps)
        if not is_readable(step.activity)
    }


def unreadable_findings(
    comparison: GroupComparison, garbled: set[tuple[int, int]], proposal: HarmonisedSOP
) -> list[Finding]:
    """One finding per office whose steps are unreadable, with what the draft does."""
    out = []
    consensus_rows = set(proposal.step_rows)
    readable_rows = {
        r
        for r, row in enumerate(comparison.rows)
        if any((m, i) not in garbled for m in row.present() for i in row.cells[m])
    }
    row_of = {
        (m, i): r
        for r, row in enumerate(comparison.rows)
        for m in row.present()
        for i in row.cells[m]
    }
    for m, sop in enumerate(comparison.sops):
        mine = sorted(i for mm, i in garbled if mm == m)
        if not mine:
            continue
        office = comparison.offices[m]
        nos = [sop.steps[i].no for i in mine]
        replaced = sum(1 for i in mine if row_of.get((m, i)) in readable_rows & consensus_rows)
        optional = sum(1 for i in mine if row_of.get((m, i)) not in consensus_rows)
        kept = len(mine) - replaced - optional
        parts = []
        if replaced:
            parts.append(f"{replaced} langkah memakai rumusan terbaca kantor lain")
        if optional:
            parts.append(f"{optional} langkah ditawarkan sebagai langkah opsional")
        if kept:
            parts.append(f'{kept} langkah dipakai dengan tanda "{UNREADABLE_FLAG}"')
        shown = ", ".join(nos[:10]) + ("…" if len(nos) > 10 else "")
        out.append(
            Finding(
                "unreadable",
                "high" if kept else "medium",
                f"Teks tidak terbaca di {office}: {len(mine)} dari {len(sop.steps)} langkah "
                f"(langkah {shown}); periksa dokumen sumbernya. Waktu, Pelaksana dan Mutu Baku "
                "langkah itu tidak dibandingkan.",
                (office,),
                tuple(comparison.step_label(m, i) for i in mine),
                proposed="; ".join(parts) + ".",
            )
        )
    return out


def _without(comparison: GroupComparison, garbled: set[tuple[int, int]]) -> GroupComparison:
    """The comparison with the garbled steps taken out of their rows (rows kept in place)."""
    if not garbled:
        return comparison
    rows = [
        replace(
            row,
            cells=[
                [i for i in cells if (m, i) not in garbled] for m, cells in enumerate(row.cells)
            ],
        )
        for row in comparison.rows
    ]
    return replace(comparison, rows=rows)


def _proposed(finding: Finding, proposal: HarmonisedSOP) -> str:
    """What the draft proposes for a finding about one aligned row."""
    if finding.proposed or finding.row is None:
        return finding.proposed
    if finding.row not in proposal.step_rows:
        option = next((o for o in proposal.optional if o.row == finding.row), None)
        if option is None:
            return ""
        return f"langkah opsional ({', '.join(option.offices)}): dipakai atau tidak, diputuskan peninjau"
    k = proposal.step_rows.index(finding.row)
    step = proposal.sop.steps[k]
    where = f"langkah {step.no}"
    if finding.category == "timing":
        return f"{where}: Waktu {step.duration.raw or '-'}"
    if finding.category == "actor":
        return (
            f"{where}: Pelaksana {', '.join(proposal.sop.canonical_actor(a) for a in step.actors)}"
        )
    if finding.category == "requirements":
        return f"{where}: Kelengkapan {' '.join(step.requirements.split()) or '-'}"
    if finding.category == "output":
        return f"{where}: Output {' '.join(step.output.split()) or '-'}"
    if finding.category in ("missing_step", "order"):
        return f"dipakai sebagai {where} rancangan"
    return ""


def find_differences(
    comparison: GroupComparison,
    include_compliance: bool = True,
    rule: WaktuRule = "median",
    proposal: HarmonisedSOP | None = None,
) -> GroupFindings:
    """All findings of a group, de-duplicated and ranked (see the module docstring).

    ``proposal`` is the harmonised draft whose values the findings propose;
    default the draft :func:`~sopdata.harmonise.harmonise` makes with ``rule``.
    """
    if proposal is None:
        proposal = harmonise(comparison, rule=rule)
    garbled = unreadable_steps(comparison)
    readable = _without(comparison, garbled)
    timing, spreads, total = timing_findings(readable)
    findings = (
        unreadable_findings(comparison, garbled, proposal)
        + timing
        + actor_findings(readable)
        + missing_step_findings(comparison, skip=_garbled_rows(comparison, garbled))
        + mutu_baku_findings(readable)
        + identity_findings(comparison)
    )
    if include_compliance:
        for sop in comparison.sops:
            findings += compliance(sop, identity=False)  # identity gaps are reported group-wide
    if total is not None:
        draft_total = proposal.sop.total_minutes
        findings = [
            replace(
                f,
                proposed=f"rancangan: {format_minutes(draft_total, proposal.sop.time_settings)}"
                " (langkah konsensus)",
            )
            if f.category == "total_time" and draft_total
            else f
            for f in findings
        ]
    findings = _drop_garbled(comparison, findings, garbled)
    findings = _merge_optional_steps(comparison, findings, proposal)
    findings = [replace(f, proposed=_proposed(f, proposal)) for f in findings]
    findings.sort(
        key=lambda f: (
            _SEVERITY_ORDER[f.severity],
            -len(f.offices),
            f.row if f.row is not None else len(comparison.rows),
        )
    )
    return GroupFindings(findings, spreads, total, comparison)


def _drop_garbled(
    comparison: GroupComparison, findings: list[Finding], garbled: set[tuple[int, int]]
) -> list[Finding]:
    """A garbled step is named by its office's "teks tidak terbaca" finding only: an
    order difference that rests on one is dropped (where a garbled step sits says
    nothing), and a missing step's list of steps leaves it out."""
    labels = {comparison.step_label(m, i) for m, i in garbled}
    out = []
    for f in findings:
        if f.category == "order" and labels & set(f.steps):
            continue
        if f.category == "missing_step" and labels & set(f.steps):
            f = replace(f, steps=tuple(s for s in f.steps if s not in labels))
        out.append(f)
    return out


def _merge_optional_steps(
    comparison: GroupComparison, findings: list[Finding], proposal: HarmonisedSOP
) -> list[Finding]:
    """The "langkah tidak ada" findings of steps the draft offers as optional, one
    per set of offices that have them (the meeting decides on them together)."""
    optional = {o.row: o for o in proposal.optional}
    groups: dict[tuple[str, ...], list[Finding]] = {}
    out: list[Finding] = []
    for f in findings:
        if f.category == "missing_step" and f.row in optional:
            groups.setdefault(optional[f.row].offices, []).append(f)
        else:
            out.append(f)
    for have, members in groups.items():
        if len(members) == 1:
            out.extend(members)
            continue
        lack = [o for o in comparison.offices if o not in have]
        labels = "; ".join(
            f'"{row_label(comparison, comparison.rows[f.row], 40)}"'
            for f in members
            if f.row is not None
        )
        control = sum(1 for f in members if f.severity == "high")
        why = f" ({control} di antaranya langkah pemeriksaan/pengesahan)" if control else ""
        out.append(
            Finding(
                "missing_step",
                "high" if control else "medium",
                f"{len(members)} langkah hanya ada di {', '.join(have)}, tidak ada di "
                f"{', '.join(lack)}{why}: {labels}.",
                (*have, *lack),
                tuple(step for f in members for step in f.steps),
                members[0].row,
                proposed="langkah opsional: dipakai atau tidak, diputuskan peninjau",
            )
        )
    return out


def _garbled_rows(comparison: GroupComparison, garbled: set[tuple[int, int]]) -> set[int]:
    """Rows whose every step is garbled: nothing there to call missing elsewhere."""
    return {
        r
        for r, row in enumerate(comparison.rows)
        if row.present() and all((m, i) in garbled for m in row.present() for i in row.cells[m])
    }
