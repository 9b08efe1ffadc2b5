"""Propose one harmonised SOP from a group of equivalent SOPs.

The proposal is an ordinary :class:`~sopdata.records.SOP`, so a reviewer can edit
any field and it can be exported, re-imported and compared like any other. Every
choice records where it came from (:class:`Choice`), so the meeting can see why
the draft says what it says.

Rules (documented here because reviewers will ask):

* **steps (consensus)**: a step (aligned row, see ``compare.py``) that at
  least half of the offices have, rounded up (:func:`consensus_quorum`: 1 of 2,
  2 of 3, 2 of 4, 3 of 5), is in the draft, in the order of the reference
  (pivot) office's steps with the other rows where the alignment puts them. A
  row exactly half the offices have (one of two) is in only when one of them
  wrote it readably: garbage cannot be a consensus. Every other row is an
  :class:`OptionalStep`, marked with its offices; the reviewer keeps or drops
  it (:func:`set_optional`: a kept step goes to its aligned position);
* **readability**: no value is taken from a cell scoring below
  :data:`~sopdata.text.readability.READABLE_THRESHOLD` when another office wrote
  it readably; one that had to be kept is flagged "teks tidak terbaca, periksa
  sumber" in the step's Keterangan and in its :class:`Choice` rule;
* **Kegiatan**: the most central wording among the offices' readable versions of
  the step (highest mean embedding similarity to the other versions), never a
  made-up sentence; ties, and rows with two versions, go to the most reliable
  parse (a clean table over OCR text);
* **Pelaksana**: the majority across offices, a tie to the office whose wording
  was chosen; when no office gives one, the actor :data:`ACTOR_TO_DECIDE`
  ("perlu ditetapkan"), so every step has a Pelaksana column marked;
* **Kelengkapan, Output**: the majority across offices; a tie goes to
  the office whose wording was chosen;
* **Waktu**: by :data:`WaktuRule`: ``median`` (default) is the middle value of
  the offices; with an even count the lower of the two middle values, so the
  Waktu is always one an office actually wrote and can defend; ``min`` and
  ``max`` are the fastest and slowest office. A lead time ("2 minggu" before
  the leave, also when OCR moved its "sebelum cuti" into the Kegiatan; see
  :attr:`~sopdata.records.Step.work_minutes`) is never a Waktu: it goes to the
  Keterangan as "tenggat: ..." and is not summed;
* **identity**: Dasar Hukum, Kualifikasi, Peralatan, Pencatatan, Keterkaitan are
  the union of the offices' lists (duplicates folded); Peringatan is the
  fullest readable text; the title is the clearest title of the group; Nomor
  SOP, dates and Disahkan oleh are left for the meeting to fill in; the
  Pemerintah kabupaten and Satuan kerja are the harmonising authority's (the
  reviewer's "Instansi penyelaras", :func:`authority_identity`), else the value
  every office shares; one that differs is left blank with a note, never one
  office's value;
* **flowchart symbols**: the Permenpan convention: terminator on the first and
  last step, decision (◇) where an office marked one, process (□) otherwise
  (symbols of ``sopdata.form``); a decision's Ya goes to the next step and its
  Tidak back to the step before (``Step.yes_to``/``no_to``), for the reviewer
  to correct.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sopdata.form import DECISION, PROCESS, TERMINATOR, label_of
from sopdata.legal_basis import legal_basis_union
from sopdata.matching.compare import AlignedRow, GroupComparison
from sopdata.matching.settings import MatchSettings, encoder_family
from sopdata.records import SOP, Actor, Step
from sopdata.text.durations import (
    STANDARD_DURATION_SETTINGS,
    DurationSettings,
    format_minutes,
    parse_duration,
)
from sopdata.text.glossary import expand_acronyms
from sopdata.text.items import activity_line
from sopdata.text.readability import UNREADABLE_FLAG, is_readable
from sopdata.text.terms import key_terms, title_text
from sopdata.text.textclean import normalise_key

if TYPE_CHECKING:  # the embeddings package loads scikit-learn
    from embeddings.base import Encoder

WaktuRule = Literal["median", "min", "max"]
WAKTU_RULES: dict[str, str] = {
    "median": "nilai tengah antarkantor",
    "min": "waktu tercepat",
    "max": "waktu terlama",
}

#: The Pelaksana of a draft step no office gives one for.
ACTOR_TO_DECIDE = "perlu ditetapkan"

#: Source file name of a harmonised draft (the group's title follows the colon).
HARMONISED_PREFIX = "harmonisasi"


@dataclass(frozen=True)
class Choice:
    """Where one value of the harmonised SOP came from.

    Attributes:
        step: the harmonised step number ("" for identity fields).
        field: "Kegiatan", "Pelaksana", "Kelengkapan", "Waktu", "Output", "Dasar Hukum" ...
        value: the value chosen, as written in the draft.
        sources: offices whose text it is (or that share it).
        rule: the rule that chose it, in Indonesian.
    """

    step: str
    field: str
    value: str
    sources: tuple[str, ...]
    rule: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "field": self.field,
            "value": self.value,
            "sources": list(self.sources),
            "rule": self.rule,
        }


@dataclass(frozen=True)
class OptionalStep:
    """A step only some offices have, offered to the reviewer to keep or drop.

    Attributes:
        row: its aligned row (index in ``GroupComparison.rows``).
        after: how many steps of the consensus draft come before it (it is
            inserted after consensus step ``after``; 0: before the first).
        step: the step as it would be written in the draft (numbered "").
        offices: the offices that have it.
        readable: whether its text is readable (:mod:`sopdata.text.readability`).
        choices: where its values came from (``Choice.step`` is ``"opsi <k>"``).
    """

    row: int
    after: int
    step: Step
    offices: tuple[str, ...]
    readable: bool
    choices: tuple[Choice, ...] = ()

    @property
    def label(self) -> str:
        return activity_line(self.step.activity)


@dataclass
class HarmonisedSOP:
    """A draft SOP, the provenance of each of its values and the optional steps.

    ``sop`` is the consensus draft (no optional step kept); :meth:`with_optional`
    gives the draft with the reviewer's choice of optional steps.
    """

    sop: SOP
    choices: list[Choice] = field(default_factory=list)
    rule: WaktuRule = "median"
    optional: list[OptionalStep] = field(default_factory=list)
    #: The aligned row (index in ``GroupComparison.rows``) of each consensus step.
    step_rows: list[int] = field(default_factory=list)

    def sources_of(self, step_no: str) -> list[Choice]:
        return [c for c in self.choices if c.step == step_no]

    def with_optional(self, kept: Iterable[int]) -> SOP:
        """The consensus draft with the optional steps of rows ``kept`` inserted at
        their aligned position (see :func:`set_optional`)."""
        return set_optional(self.sop, self, kept)


def harmonise(
    comparison: GroupComparison,
    rule: WaktuRule = "median",
    title: str | None = None,
    author_office: str = "",
    authority: str = "",
) -> HarmonisedSOP:
    """Build the proposed harmonised SOP of a compared group.

    Args:
        comparison: the group with its aligned rows.
        rule: how Waktu is chosen among the offices (see module docstring).
        title: the draft's title; default the clearest title in the group.
        author_office: the office preparing the draft (Satuan Kerja of the draft);
            ``authority`` wins when both are given.
        authority: the harmonising authority set by the reviewer ("Pemerintah
            Kabupaten Lumajang, Bagian Organisasi Sekretariat Daerah"): the
            draft's Pemerintah kabupaten and Satuan kerja (see
            :func:`authority_identity`).
    """
    if rule not in WAKTU_RULES:
        raise ValueError(f"unknown Waktu rule {rule!r}; use one of {sorted(WAKTU_RULES)}")
    sops = comparison.sops
    offices = comparison.offices
    durations = _time_settings(sops)
    choices: list[Choice] = []
    steps: list[Step] = []
    optional: list[OptionalStep] = []
    step_rows: list[int] = []
    actor_order: list[str] = []
    quorum = consensus_quorum(len(sops))
    for r, row in enumerate(comparison.rows):
        present = row.present()
        if not present:
            continue
        core = _is_consensus(comparison, row, quorum)
        no = str(len(steps) + 1) if core else f"opsi {len(optional) + 1}"
        step, step_choices, readable = _harmonised_step(comparison, row, rule, durations, no)
        if core:
            for a in step.actors:
                if a not in actor_order:
                    actor_order.append(a)
            steps.append(step)
            step_rows.append(r)
            choices.extend(step_choices)
        else:
            step.no = ""
            optional.append(
                OptionalStep(
                    r,
                    len(steps),
                    step,
                    tuple(offices[m] for m in present),
                    readable,
                    tuple(step_choices),
                )
            )
    _finish_steps(steps)

    draft_title = title or _clearest_title(sops)
    kabupaten, office, identity_notes = _draft_identity(sops, authority, author_office)
    sop = SOP(
        source_file=f"{HARMONISED_PREFIX}:{draft_title}",
        title=draft_title,
        office=office,
        kabupaten=kabupaten,
        actors=[Actor(raw=a, canonical=a) for a in actor_order],
        steps=steps,
        confidence=1.0,
        title_raw=draft_title,
    )
    for attr, value in (("kabupaten", kabupaten), ("office", office)):
        if value:
            choices.append(
                Choice(
                    "",
                    _IDENTITY_LABEL[attr],
                    value,
                    tuple(offices[m] for m, s in enumerate(sops) if getattr(s, attr) == value),
                    "instansi penyelaras" if authority.strip() else "sama di semua kantor",
                )
            )
    choices.append(
        Choice(
            "",
            label_of("title"),
            draft_title,
            tuple(offices[m] for m, s in enumerate(sops) if s.title == draft_title),
            "judul paling jelas" if not title else "ditentukan peninjau",
        )
    )
    for basis, members in legal_basis_union(sops):
        sop.legal_basis.append(basis)
        choices.append(
            Choice(
                "",
                label_of("legal_basis"),
                basis,
                tuple(offices[m] for m in members),
                "gabungan semua kantor",
            )
        )
    for attr in ("qualifications", "related_sops", "equipment", "records"):
        for item, members in _union_items(sops, attr):
            getattr(sop, attr).append(item)
            choices.append(
                Choice(
                    "",
                    label_of(attr),
                    item,
                    tuple(offices[m] for m in members),
                    "gabungan semua kantor",
                )
            )
    warnings = [(m, s.warning) for m, s in enumerate(sops) if s.warning.strip()]
    readable_warnings = [(m, w) for m, w in warnings if is_readable(w)] or warnings
    if readable_warnings:
        m, text = max(readable_warnings, key=lambda mw: len(mw[1]))
        sop.warning = text
        why = "rumusan terlengkap" if is_readable(text) else UNREADABLE_FLAG
        choices.append(Choice("", label_of("warning"), text, (offices[m],), why))
    sop.warnings = [
        f"Rancangan harmonisasi dari {len(sops)} SOP: {', '.join(offices)}.",
        *identity_notes,
    ]
    if optional:
        sop.warnings.append(
            f"{len(optional)} langkah hanya ada di sebagian kantor: ditawarkan sebagai langkah "
            "opsional, peninjau memilih dipakai atau tidak."
        )
    return HarmonisedSOP(sop, choices, rule, optional, step_rows)


def consensus_quorum(offices: int) -> int:
    """How many offices must have a step for it to be in the consensus draft:
    half of the group, rounded up (1 of 1, 1 of 2, 2 of 3, 2 of 4, 3 of 5)."""
    return max(1, math.ceil(offices / 2))


def _is_consensus(comparison: GroupComparison, row: AlignedRow, quorum: int) -> bool:
    present = row.present()
    if len(present) < quorum:
        return False
    if 2 * len(present) > len(comparison.sops):
        return True
    # Exactly half the offices: a consensus only when one of them wrote it readably.
    return any(is_readable(_cell_text(comparison, row, m, "activity")) for m in present)


def _cell_text(comparison: GroupComparison, row: AlignedRow, member: int, attr: str) -> str:
    return "\n".join(
        getattr(s, attr) for s in comparison.steps(row, member) if getattr(s, attr).strip()
    )


def _harmonised_step(
    comparison: GroupComparison,
    row: AlignedRow,
    rule: WaktuRule,
    durations: DurationSettings,
    no: str,
) -> tuple[Step, list[Choice], bool]:
    """One step of the draft from one aligned row, its choices, whether it is readable."""
    offices = comparison.offices
    present = row.present()
    readable_members = [
        m for m in present if is_readable(_cell_text(comparison, row, m, "activity"))
    ]
    chosen = _central_member(comparison, row, readable_members or present)
    chosen_steps = comparison.steps(row, chosen)
    activity = "\n".join(s.activity for s in chosen_steps if s.activity.strip())
    readable = chosen in readable_members
    same_text = [
        m
        for m in present
        if _joined(comparison.steps(row, m), "activity") == _joined(chosen_steps, "activity")
    ]
    if not readable:
        why = UNREADABLE_FLAG
    elif len(present) == 1:
        why = "satu-satunya rumusan"
    elif len(readable_members) > 2:
        why = "rumusan paling mewakili"
    elif len(readable_members) < len(present):
        why = "rumusan terbaca (kantor lain tidak terbaca)"
    else:
        why = "rumusan dari tabel paling andal"
    choices = [Choice(no, "Kegiatan", activity, tuple(offices[m] for m in same_text), why)]
    flags: list[str] = [] if readable else [UNREADABLE_FLAG]

    actors, actor_sources = _majority_actors(comparison, row, chosen)
    if actors:
        choices.append(
            Choice(no, "Pelaksana", ", ".join(actors), actor_sources, "terbanyak antarkantor")
        )
    else:
        actors = [ACTOR_TO_DECIDE]
        choices.append(
            Choice(
                no,
                "Pelaksana",
                ACTOR_TO_DECIDE,
                tuple(offices[m] for m in present),
                "tidak ada kantor yang mencantumkan",
            )
        )

    values: dict[str, str] = {}
    for attr, name in (("requirements", "Kelengkapan"), ("output", "Output")):
        text, sources = _majority_text(comparison, row, chosen, attr)
        values[attr] = text
        if text:
            ok = is_readable(text)
            choices.append(
                Choice(no, name, text, sources, "terbanyak antarkantor" if ok else UNREADABLE_FLAG)
            )
            if not ok and UNREADABLE_FLAG not in flags:
                flags.append(UNREADABLE_FLAG)

    waktu, waktu_sources, candidates = _choose_waktu(comparison, row, rule)
    if waktu:
        why = WAKTU_RULES[rule] if candidates > 1 else "satu-satunya Waktu yang tercantum"
        choices.append(Choice(no, "Waktu", waktu, waktu_sources, why))
    leads = _lead_times(comparison, row)
    if leads:
        choices.append(
            Choice(
                no,
                "Keterangan",
                leads,
                tuple(
                    offices[m]
                    for m in present
                    if any(s.is_lead_time for s in comparison.steps(row, m))
                ),
                "tenggat, bukan lama langkah (tidak dijumlahkan)",
            )
        )

    decision = any(s.is_decision for m in present for s in comparison.steps(row, m))
    notes = [s.note for s in chosen_steps if s.note.strip() and is_readable(s.note)]
    note = "\n".join([*flags, *notes, *([leads] if leads else [])])
    step = Step(
        no=no,
        activity=activity,
        actors=actors,
        marks=dict.fromkeys(actors, DECISION if decision else PROCESS),
        requirements=values["requirements"],
        duration=parse_duration(waktu, durations),
        output=values["output"],
        note=note,
    )
    return step, choices, readable and UNREADABLE_FLAG not in flags


def _lead_times(comparison: GroupComparison, row: AlignedRow) -> str:
    """The offices' lead times of a row ("tenggat: 2 minggu (Kecamatan Jogoroto)")."""
    found = [
        f"{s.duration.raw.strip()} ({comparison.offices[m]})"
        for m in row.present()
        for s in comparison.steps(row, m)
        if s.is_lead_time and s.duration.raw.strip()
    ]
    return f"tenggat: {'; '.join(found)}" if found else ""


def _finish_steps(steps: list[Step]) -> None:
    """Terminators on the first and last step, and a decision's Ya/Tidak targets:
    Ya to the next step, Tidak back to the one before (returned for correction),
    unless already set to a step that exists."""
    numbers = {s.no for s in steps}
    for k, step in enumerate(steps):
        marks = {a: m for a, m in step.marks.items() if a in step.actors}
        step.marks = {a: marks.get(a, PROCESS) for a in step.actors}
        if step.is_decision:
            if step.yes_to not in numbers:
                step.yes_to = steps[k + 1].no if k + 1 < len(steps) else ""
            if step.no_to not in numbers:
                step.no_to = steps[k - 1].no if k > 0 else ""
        else:
            step.yes_to = step.no_to = ""
            if step.marks and all(m == TERMINATOR for m in step.marks.values()):
                step.marks = dict.fromkeys(step.actors, PROCESS)
    _mark_terminators(steps)


def set_optional(draft: SOP, harmonised: HarmonisedSOP, kept: Iterable[int]) -> SOP:
    """``draft`` (the consensus draft, or a saved and edited one) with the optional
    steps of the rows ``kept`` present and the other optional steps absent.

    A kept step missing from the draft is inserted after the last step of the
    draft that comes from an earlier aligned row (matched by its Kegiatan); a
    dropped one is removed when its Kegiatan is found. Steps are then numbered
    1..n (a decision's Ya/Tidak targets follow their steps) and the first and
    last carry the terminator. The draft is returned unchanged when nothing
    differs.
    """
    keep = set(kept)
    out = copy.deepcopy(draft)
    order = _proposal_rows(harmonised)
    option_keys = {normalise_key(o.step.activity): o for o in harmonised.optional}
    steps = [
        s
        for s in out.steps
        if not ((o := option_keys.get(normalise_key(s.activity))) is not None and o.row not in keep)
    ]
    changed = len(steps) != len(out.steps)
    present = {normalise_key(s.activity) for s in steps}
    for option in sorted(harmonised.optional, key=lambda o: o.row):
        if option.row not in keep or normalise_key(option.step.activity) in present:
            continue
        at = 0
        for k, s in enumerate(steps):
            row = order.get(normalise_key(s.activity))
            if row is not None and row < option.row:
                at = k + 1
        steps.insert(at, copy.deepcopy(option.step))
        present.add(normalise_key(option.step.activity))
        changed = True
    if not changed:
        return out
    renumber = {s.no: str(k) for k, s in enumerate(steps, 1) if s.no}
    for k, s in enumerate(steps, 1):
        s.no = str(k)
        s.yes_to = renumber.get(s.yes_to, "")
        s.no_to = renumber.get(s.no_to, "")
    _finish_steps(steps)
    out.steps = steps
    # Columns only a dropped optional step used go with it.
    used = {a for s in steps for a in s.actors}
    consensus = {a.raw for a in harmonised.sop.actors}
    out.actors = [a for a in out.actors if a.raw in used or a.raw in consensus]
    names = {a.raw for a in out.actors}
    for s in steps:
        for a in s.actors:
            if a not in names:
                out.actors.append(Actor(raw=a, canonical=a))
                names.add(a)
    return out


def _proposal_rows(harmonised: HarmonisedSOP) -> dict[str, int]:
    """Kegiatan (normalised) -> aligned row, for the consensus and optional steps."""
    rows = {
        normalise_key(step.activity): row
        for step, row in zip(harmonised.sop.steps, harmonised.step_rows, strict=False)
    }
    for o in harmonised.optional:
        rows.setdefault(normalise_key(o.step.activity), o.row)
    return rows


#: Labels of the identity fields the harmonising authority fills.
_IDENTITY_LABEL = {"kabupaten": "Pemerintah kabupaten", "office": "Satuan kerja"}
_REGION = re.compile(r"^\s*(?:pemerintah\s+)?(kabupaten|kab\.|kota)\s+(.+?)\s*$", re.IGNORECASE)


def authority_identity(authority: str) -> tuple[str, str]:
    """(Pemerintah kabupaten, Satuan kerja) of a harmonising authority as typed.

    Parts are separated by a comma, a line break or " - "; a part "Pemerintah
    Kabupaten X" or "Kota X" gives the region ("X", as the form prints
    "PEMERINTAH KABUPATEN X"), the other parts the unit:
    "Pemerintah Kabupaten Lumajang, Bagian Organisasi Sekretariat Daerah" →
    ("Lumajang", "Bagian Organisasi Sekretariat Daerah").
    """
    region, unit = "", []
    for part in re.split(r"[,\n;]| - | — ", authority):
        part = " ".join(part.split())
        if not part:
            continue
        m = _REGION.match(part)
        if m and not region:
            region = m.group(2) if m.group(1).lower() != "kota" else f"Kota {m.group(2)}"
        else:
            unit.append(part)
    return region, ", ".join(unit)


def _draft_identity(
    sops: Sequence[SOP], authority: str, author_office: str
) -> tuple[str, str, list[str]]:
    """The draft's (kabupaten, office) and notes: the authority's, else the group's
    common value; a value that differs across the group is left blank with a note,
    never one office's."""
    region, unit = authority_identity(authority)
    unit = unit or author_office.strip()
    notes: list[str] = []
    out: dict[str, str] = {"kabupaten": region, "office": unit}
    for attr in ("kabupaten", "office"):
        if out[attr]:
            continue
        values = sorted({v for s in sops if (v := " ".join(getattr(s, attr).split()))})
        if len(values) == 1 and all(getattr(s, attr).strip() for s in sops):
            out[attr] = values[0]
        elif values:
            notes.append(
                f"{_IDENTITY_LABEL[attr]} tidak sama di semua kantor ({'; '.join(values)}): "
                "dikosongkan; isi Instansi penyelaras di pengaturan."
            )
    return out["kabupaten"], out["office"], notes


def _joined(steps: Sequence[Step], attr: str) -> str:
    return normalise_key(" ".join(getattr(s, attr) for s in steps))


def _central_member(
    comparison: GroupComparison, row: AlignedRow, candidates: Sequence[int] | None = None
) -> int:
    """The member (among ``candidates``, default all present) whose wording of this
    step is closest to all the others'."""
    present = list(candidates) if candidates else row.present()
    confidence = {m: comparison.sops[m].confidence for m in present}
    if len(present) <= 2 or not comparison.profiles:
        return max(present, key=lambda m: (confidence[m], m == comparison.pivot, -m))
    vectors = {}
    for m in present:
        vecs = [v for i in row.cells[m] if (v := comparison.step_vector(m, i)) is not None]
        if vecs:
            mean = np.mean(vecs, axis=0)
            vectors[m] = mean / (np.linalg.norm(mean) or 1.0)
    if len(vectors) < 3:
        return max(present, key=lambda m: (confidence[m], m == comparison.pivot, -m))
    centrality = {
        m: float(np.mean([vectors[m] @ vectors[o] for o in vectors if o != m])) for m in vectors
    }
    # Rounded so that near-ties fall to the more reliable parse.
    return max(vectors, key=lambda m: (round(centrality[m], 2), confidence[m], -m))


def _majority_actors(
    comparison: GroupComparison, row: AlignedRow, chosen: int
) -> tuple[list[str], tuple[str, ...]]:
    by_member: dict[int, tuple[str, ...]] = {}
    for m in row.present():
        sop = comparison.sops[m]
        names = []
        for s in comparison.steps(row, m):
            for a in s.actors:
                name = sop.canonical_actor(a).strip()
                if name and name not in names:
                    names.append(name)
        if names:
            by_member[m] = tuple(names)
    if not by_member:
        return [], ()
    counts = Counter(by_member.values())
    top = max(counts.values())
    winners = [v for v, c in counts.items() if c == top]
    pick = by_member[chosen] if chosen in by_member and by_member[chosen] in winners else winners[0]
    sources = tuple(comparison.offices[m] for m, v in by_member.items() if v == pick)
    return list(pick), sources


def _majority_text(
    comparison: GroupComparison, row: AlignedRow, chosen: int, attr: str
) -> tuple[str, tuple[str, ...]]:
    texts: dict[int, str] = {}
    for m in row.present():
        text = "\n".join(
            getattr(s, attr) for s in comparison.steps(row, m) if getattr(s, attr).strip()
        )
        if text:
            texts[m] = text
    if not texts:
        return "", ()
    # Never a garbled cell when another office wrote this one readably.
    texts = {m: t for m, t in texts.items() if is_readable(t)} or texts
    counts = Counter(normalise_key(t) for t in texts.values())
    top = max(counts.values())
    chosen_key = normalise_key(texts[chosen]) if chosen in texts else None
    if chosen_key is not None and counts[chosen_key] == top:
        key = chosen_key
    else:
        # The most reliable parse among the most frequent wordings.
        key = max(
            (k for k, c in counts.items() if c == top),
            key=lambda k: max(
                comparison.sops[m].confidence for m, t in texts.items() if normalise_key(t) == k
            ),
        )
    members = [m for m, t in texts.items() if normalise_key(t) == key]
    return texts[members[0]], tuple(comparison.offices[m] for m in members)


def _choose_waktu(
    comparison: GroupComparison, row: AlignedRow, rule: WaktuRule
) -> tuple[str, tuple[str, ...], int]:
    """The Waktu text chosen, the offices that wrote that value, how many offices gave one."""
    values: list[tuple[float, str, int]] = []
    for m in row.present():
        steps = comparison.steps(row, m)
        timed = [s for s in steps if s.work_minutes is not None]  # never a lead time
        readable = [s.duration for s in timed]
        if not readable:
            continue
        total = sum(s.work_minutes or 0.0 for s in timed)
        if len(readable) == 1 and not readable[0].note:
            raw = readable[0].raw.strip()
        else:
            # Split steps, or a cell read through OCR noise ("1 Harl"): write it cleanly.
            raw = format_minutes(total, readable[0].settings)
        values.append((total, raw, m))
    if not values:
        return "", (), 0
    values.sort(key=lambda v: (v[0], v[2]))
    if rule == "min":
        pick = values[0]
    elif rule == "max":
        pick = values[-1]
    else:
        pick = values[(len(values) - 1) // 2]  # lower median: a value an office wrote
    # Equal values: the wording of the first office that gave it.
    pick = next(v for v in values if abs(v[0] - pick[0]) < 1e-6)
    sources = tuple(
        comparison.offices[m] for minutes, _, m in values if abs(minutes - pick[0]) < 1e-6
    )
    return pick[1], sources, len(values)


def _time_settings(sops: Sequence[SOP]) -> DurationSettings:
    """The settings the group's Waktu were read with (the reviewer's, applied to every SOP alike)."""
    for sop in sops:
        if any(step.duration.kind != "empty" for step in sop.steps):
            return sop.time_settings
    return STANDARD_DURATION_SETTINGS


def _mark_terminators(steps: list[Step]) -> None:
    for step in (steps[0], steps[-1]) if steps else ():
        if not step.is_decision:
            step.marks = dict.fromkeys(step.actors, TERMINATOR)


def _clearest_title(sops: Sequence[SOP]) -> str:
    """The title of the most reliable parse; among equals the shortest (least decorated)."""
    titled = [s for s in sops if s.title.strip()]
    if not titled:
        return "SOP Hasil Harmonisasi"
    return min(titled, key=lambda s: (-round(s.confidence, 2), len(s.title))).title


def _common(values: Any) -> str:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else ""


def _union_items(sops: Sequence[SOP], attr: str) -> list[tuple[str, list[int]]]:
    order: list[str] = []
    text: dict[str, str] = {}
    members: dict[str, list[int]] = {}
    for m, s in enumerate(sops):
        for item in getattr(s, attr):
            item = " ".join(str(item).split())
            key = normalise_key(item)
            if not key:
                continue
            if key not in text:
                order.append(key)
                text[key] = item
                members[key] = []
            if m not in members[key]:
                members[key].append(m)
    return [(text[k], members[k]) for k in order]


def group_for_query(
    query: str,
    candidates: Sequence[Sequence[SOP]],
    encoder: Encoder,
    settings: MatchSettings | None = None,
) -> int | None:
    """Index of the candidate group whose titles best match ``query``.

    A group scores by its best-matching title: first the share of the query's key
    terms the title has (acronyms folded, so "LKj" finds "Laporan Kinerja"), then
    the embedding cosine of query and title. None when nothing shares a key term
    and no title comes close (``settings.query_min_cosine``; by default the saved
    settings of the encoder).
    """
    groups = [list(g) for g in candidates if g]
    if not groups or not query.strip():
        return None
    wanted = key_terms(query)
    titles = [title_text(s) for g in groups for s in g]
    vectors = encoder.encode([expand_query(query), *titles])
    q, rest = vectors[0], vectors[1:]
    best: tuple[float, float] | None = None
    best_index = None
    k = 0
    for index, group in enumerate(groups):
        for sop in group:
            recall = len(wanted & key_terms(sop.title)) / len(wanted) if wanted else 0.0
            score = (round(recall, 2), float(q @ rest[k]))
            k += 1
            if best is None or score > best:
                best, best_index = score, index
    # Half the query's key terms in a title, or a title that says the same thing.
    if settings is None:
        settings = MatchSettings.load(encoder=encoder_family(encoder.name))
    if best is None or (best[0] < 0.5 and best[1] < settings.query_min_cosine):
        return None
    return best_index


def expand_query(query: str) -> str:
    return expand_acronyms(" ".join(query.split()))
