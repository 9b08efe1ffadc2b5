"""Propose one harmonised SOP from a group of equivalent SOPs.

The proposal is an ordinary :class:`~sopdata.records.SOP`, so a reviewer can edit
any field and it can be exported, re-imported and compared like any other. Every
choice records where it came from (:class:`Choice`), so the meeting can see why
the draft says what it says.

Rules (documented here because reviewers will ask):

* **steps**: the ordered union of the aligned rows (see ``compare.py``); a step
  only some offices have is kept and flagged by the findings, the reviewer
  deletes it if the meeting decides so;
* **Kegiatan**: the most central wording among the offices' versions of the
  step (highest mean embedding similarity to the other versions), never a
  made-up sentence; ties, and rows with two versions, go to the most reliable
  parse (a clean table over OCR text);
* **Pelaksana, Kelengkapan, Output**: the majority across offices; a tie goes to
  the office whose wording was chosen;
* **Waktu**: by :data:`WaktuRule`: ``median`` (default) is the middle value of
  the offices; with an even count the lower of the two middle values, so the
  Waktu is always one an office actually wrote and can defend; ``min`` and
  ``max`` are the fastest and slowest office;
* **identity**: Dasar Hukum, Kualifikasi, Peralatan, Pencatatan, Keterkaitan are
  the union of the offices' lists (duplicates folded); Peringatan is the
  fullest text; the title is the clearest title of the group; Nomor SOP, dates
  and Disahkan oleh are left for the meeting to fill in;
* **flowchart symbols**: the Permenpan convention: terminator on the first and
  last step, decision (◇) where an office marked one, process (□) otherwise
  (symbols of ``sopdata.form``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
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


@dataclass
class HarmonisedSOP:
    """A draft SOP and the provenance of each of its values."""

    sop: SOP
    choices: list[Choice] = field(default_factory=list)
    rule: WaktuRule = "median"

    def sources_of(self, step_no: str) -> list[Choice]:
        return [c for c in self.choices if c.step == step_no]


def harmonise(
    comparison: GroupComparison,
    rule: WaktuRule = "median",
    title: str | None = None,
    author_office: str = "",
) -> HarmonisedSOP:
    """Build the proposed harmonised SOP of a compared group.

    Args:
        comparison: the group with its aligned rows.
        rule: how Waktu is chosen among the offices (see module docstring).
        title: the draft's title; default the clearest title in the group.
        author_office: the office preparing the draft (Satuan Kerja of the draft).
    """
    if rule not in WAKTU_RULES:
        raise ValueError(f"unknown Waktu rule {rule!r}; use one of {sorted(WAKTU_RULES)}")
    sops = comparison.sops
    offices = comparison.offices
    durations = _time_settings(sops)
    choices: list[Choice] = []
    steps: list[Step] = []
    actor_order: list[str] = []
    for row in comparison.rows:
        present = row.present()
        if not present:
            continue
        no = str(len(steps) + 1)
        chosen = _central_member(comparison, row)
        chosen_steps = comparison.steps(row, chosen)
        activity = "\n".join(s.activity for s in chosen_steps if s.activity.strip())
        same_text = [
            m
            for m in present
            if _joined(comparison.steps(row, m), "activity") == _joined(chosen_steps, "activity")
        ]
        choices.append(
            Choice(
                no,
                "Kegiatan",
                activity,
                tuple(offices[m] for m in same_text),
                "rumusan paling mewakili"
                if len(present) > 2
                else "rumusan dari tabel paling andal",
            )
        )

        actors, actor_sources = _majority_actors(comparison, row, chosen)
        for a in actors:
            if a not in actor_order:
                actor_order.append(a)
        if actors:
            choices.append(
                Choice(no, "Pelaksana", ", ".join(actors), actor_sources, "terbanyak antarkantor")
            )

        requirements, req_sources = _majority_text(comparison, row, chosen, "requirements")
        if requirements:
            choices.append(
                Choice(no, "Kelengkapan", requirements, req_sources, "terbanyak antarkantor")
            )
        output, out_sources = _majority_text(comparison, row, chosen, "output")
        if output:
            choices.append(Choice(no, "Output", output, out_sources, "terbanyak antarkantor"))

        waktu, waktu_sources, candidates = _choose_waktu(comparison, row, rule)
        if waktu:
            why = WAKTU_RULES[rule] if candidates > 1 else "satu-satunya Waktu yang tercantum"
            choices.append(Choice(no, "Waktu", waktu, waktu_sources, why))

        decision = any(s.is_decision for m in present for s in comparison.steps(row, m))
        notes = [s.note for s in chosen_steps if s.note.strip()]
        steps.append(
            Step(
                no=no,
                activity=activity,
                actors=actors,
                marks=dict.fromkeys(actors, DECISION if decision else PROCESS),
                requirements=requirements,
                duration=parse_duration(waktu, durations),
                output=output,
                note="\n".join(notes),
            )
        )
    _mark_terminators(steps)

    draft_title = title or _clearest_title(sops)
    sop = SOP(
        source_file=f"{HARMONISED_PREFIX}:{draft_title}",
        title=draft_title,
        office=author_office,
        kabupaten=_common(s.kabupaten for s in sops),
        actors=[Actor(raw=a, canonical=a) for a in actor_order],
        steps=steps,
        confidence=1.0,
        title_raw=draft_title,
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
    if warnings:
        m, text = max(warnings, key=lambda mw: len(mw[1]))
        sop.warning = text
        choices.append(Choice("", label_of("warning"), text, (offices[m],), "rumusan terlengkap"))
    sop.warnings = [f"Rancangan harmonisasi dari {len(sops)} SOP: {', '.join(offices)}."]
    return HarmonisedSOP(sop, choices, rule)


def _joined(steps: Sequence[Step], attr: str) -> str:
    return normalise_key(" ".join(getattr(s, attr) for s in steps))


def _central_member(comparison: GroupComparison, row: AlignedRow) -> int:
    """The member whose wording of this step is closest to all the others'."""
    present = row.present()
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
        readable = [
            s.duration
            for s in steps
            if s.duration.kind == "duration" and s.duration.minutes is not None
        ]
        if not readable:
            continue
        total = sum(d.minutes or 0.0 for d in readable)
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
