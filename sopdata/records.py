"""Typed records for an SOP document and its procedure steps.

Vocabulary of the Permenpan RB 35/2012 layout, kept where it is the precise term:

* **SOP** (Standar Operasional Prosedur): one procedure, with an identity block
  (Nomor SOP, dates, who approved it, Dasar Hukum ...) and a step table.
* **Kegiatan**: the activity of one step.
* **Pelaksana**: the actors; the step table has one column per actor, and the
  actor doing a step carries a flowchart symbol in its column.
* **Mutu Baku**: the quality standard of a step: Kelengkapan (requirements,
  the documents and tools needed), Waktu (time) and Output.
* **Keterangan**: a free remark on a step.

Every normalised value keeps the text as printed beside it, so a reviewer can
always see what the document said.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sopdata.form import IDENTITY_FIELDS, SERVICE_FIELDS, SOP_KINDS, SOPKind, has_decision
from sopdata.text.durations import (
    STANDARD_DURATION_SETTINGS,
    Duration,
    DurationSettings,
    is_lead_in_context,
    parse_duration,
    step_work_minutes,
)

#: Hex digits of the document's sha256 in :attr:`SOP.key`.
KEY_HASH_LENGTH = 12

#: The title a reader gives an SOP whose document prints none (see :func:`untitled`).
UNTITLED = "SOP tanpa judul"
_UNTITLED_RE = re.compile(rf"{UNTITLED} #\d+")


def untitled(number: int) -> str:
    """The title shown for the ``number``-th SOP (from 1) of a document that
    prints no title: "SOP tanpa judul #2"."""
    return f"{UNTITLED} #{number}"


def is_untitled(title: str) -> bool:
    """Whether ``title`` is empty or the placeholder :func:`untitled` gives: no
    title was printed, so there is nothing to compare it on."""
    return not title.strip() or _UNTITLED_RE.fullmatch(title.strip()) is not None


# Identity fields written after the CLI contract's first fields (number and title come first).
_LATER_IDENTITY = tuple(f for f in IDENTITY_FIELDS if f.attr not in ("number", "title"))


@dataclass
class Actor:
    """One Pelaksana column: the header as printed and its canonical role."""

    raw: str
    canonical: str = ""

    @property
    def name(self) -> str:
        return self.canonical or self.raw


@dataclass
class Step:
    """One row of the step table.

    Attributes:
        no: the step number as printed ("1", "2.", "12").
        activity: Kegiatan, markup stripped; list items keep one line each.
        actors: Pelaksana columns marked for this step (headers as printed).
        marks: the mark found in each actor column ("□", "◇", "Ya", "Tidak").
        requirements: Kelengkapan.
        duration: Waktu, as printed and in minutes.
        output: Output.
        note: Keterangan.
        actors_inferred: True when no column was marked and the actors were
            read from the activity text instead ("Camat menandatangani ...").
        yes_to, no_to: for a decision step, the number of the step its Ya and
            Tidak branches go to ("" when not given).
    """

    no: str
    activity: str
    actors: list[str] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)
    requirements: str = ""
    duration: Duration = field(default_factory=lambda: parse_duration(""))
    output: str = ""
    note: str = ""
    actors_inferred: bool = False
    yes_to: str = ""
    no_to: str = ""

    @property
    def is_decision(self) -> bool:
        """A decision step: a ◇ in an actor column (Ya/Tidak labels only mark its branches)."""
        return any(has_decision(m) for m in self.marks.values())

    @property
    def work_minutes(self) -> float | None:
        """Minutes the step takes; None for no Waktu and for a lead time, also one
        whose "sebelum ..." stands in the Kegiatan or Keterangan
        (:func:`~sopdata.text.durations.step_work_minutes`)."""
        return step_work_minutes(self.duration, f"{self.activity}\n{self.note}")

    @property
    def is_lead_time(self) -> bool:
        """Its Waktu says when (a deadline before an event), not how long."""
        return is_lead_in_context(self.duration, f"{self.activity}\n{self.note}")


@dataclass
class SOP:
    """One procedure as parsed from a document.

    Identity fields are the text as printed ("" when the document has none).
    ``confidence`` is 0..1: how much of the expected structure was found;
    ``warnings`` say, in Indonesian, what a reviewer should check.
    ``document_sha256`` is the sha256 of the document read (set by the loader),
    the first part of :attr:`key`. ``kind`` says what kind of procedure document
    it was read from (:data:`sopdata.form.SOP_KINDS`): an SOP AP, a Standar
    Pelayanan, a Puskesmas SOP or another written procedure.
    """

    source_file: str
    title: str
    office: str = ""
    kabupaten: str = ""
    number: str = ""
    date_created: str = ""
    date_revised: str = ""
    date_approved: str = ""
    date_effective: str = ""
    approved_by: str = ""
    legal_basis: list[str] = field(default_factory=list)
    qualifications: list[str] = field(default_factory=list)
    related_sops: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    warning: str = ""
    records: list[str] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    confidence: float = 1.0
    title_raw: str = ""
    index_in_file: int = 0
    document_sha256: str = ""
    kind: SOPKind = "sop_ap"
    requirements: list[str] = field(default_factory=list)
    completion_time: str = ""
    fee: str = ""
    product: str = ""

    @property
    def has_title(self) -> bool:
        """Whether the document printed a title (see :func:`is_untitled`)."""
        return not is_untitled(self.title)

    @property
    def has_service_fields(self) -> bool:
        """Whether any Standar Pelayanan component (:data:`SERVICE_FIELDS`) is filled."""
        return any(getattr(self, f.attr) for f in SERVICE_FIELDS)

    @property
    def completion_duration(self) -> Duration:
        """The Jangka Waktu Penyelesaian read as a duration (kind "empty" when none)."""
        return parse_duration(self.completion_time, self.time_settings)

    @property
    def key(self) -> str:
        """Stable identity inside a corpus: the document's content (a short sha256)
        and the position in it, so renaming the file keeps every decision made
        about the SOP. An SOP not read from a document (a draft, a test record)
        falls back to its file name."""
        if self.document_sha256:
            return f"{self.document_sha256[:KEY_HASH_LENGTH]}#{self.index_in_file}"
        return f"{self.source_file}#{self.index_in_file}"

    @property
    def label(self) -> str:
        """Who the SOP is of, for a reader: the office, else the source file."""
        return self.office or self.source_file

    @property
    def total_minutes(self) -> float:
        """Sum of the steps' Waktu that could be read (lead times excluded, see
        :attr:`Step.work_minutes`)."""
        return sum(s.work_minutes or 0.0 for s in self.steps)

    @property
    def time_settings(self) -> DurationSettings:
        """The settings its Waktu were read with (how long "1 hari" is), for totals.

        Taken from the steps (the first with a Waktu; they are read together, by
        the parser or by the reviewer's settings); the standard 7.5 h day when
        no step has one.
        """
        for step in self.steps:
            if step.duration.kind != "empty":
                return step.duration.settings
        return self.steps[0].duration.settings if self.steps else STANDARD_DURATION_SETTINGS

    def canonical_actor(self, raw: str) -> str:
        for actor in self.actors:
            if actor.raw == raw:
                return actor.name
        return raw

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; the field names of the issue's CLI contract come first."""
        return {
            "source_file": self.source_file,
            "office": self.office,
            "title": self.title,
            "number": self.number,
            "steps": [step_to_dict(s, self) for s in self.steps],
            "warnings": list(self.warnings),
            "confidence": round(self.confidence, 3),
            "kabupaten": self.kabupaten,
            "title_raw": self.title_raw,
            "index_in_file": self.index_in_file,
            "document_sha256": self.document_sha256,
            "kind": self.kind,
            **{
                f.attr: list(getattr(self, f.attr)) if f.is_list else getattr(self, f.attr)
                for f in _LATER_IDENTITY
            },
            "actor_columns": [asdict(a) for a in self.actors],
            "total_minutes": self.total_minutes,
            "hours_per_working_day": self.time_settings.hours_per_working_day,
            # Standar Pelayanan components: written for the kinds that have them
            **(
                {
                    f.attr: list(getattr(self, f.attr)) if f.is_list else getattr(self, f.attr)
                    for f in SERVICE_FIELDS
                }
                if self.kind != "sop_ap" or self.has_service_fields
                else {}
            ),
        }


def step_to_dict(step: Step, sop: SOP | None = None) -> dict[str, Any]:
    d = step.duration
    return {
        "no": step.no,
        "activity": step.activity,
        "actors": list(step.actors),
        "requirements": step.requirements,
        "duration_raw": d.raw,
        "duration_minutes": d.minutes,
        "output": step.output,
        "note": step.note,
        "duration_max_minutes": d.minutes_max,
        "duration_kind": d.kind,
        "actors_canonical": [sop.canonical_actor(a) for a in step.actors] if sop else [],
        "actors_inferred": step.actors_inferred,
        "marks": dict(step.marks),
        "decision": step.is_decision,
        "yes_to": step.yes_to,
        "no_to": step.no_to,
    }


def saved_time_settings(
    data: dict[str, Any], default: DurationSettings = STANDARD_DURATION_SETTINGS
) -> DurationSettings:
    """The settings a saved ``SOP.to_dict()`` was written with; ``default`` for an
    old dict without ``hours_per_working_day`` (or an unreadable value)."""
    hours = data.get("hours_per_working_day")
    if (
        isinstance(hours, bool)
        or not isinstance(hours, (int, float))
        or not math.isfinite(hours)
        or hours <= 0
    ):
        return default
    return replace(default, hours_per_working_day=float(hours))


def sop_from_dict(data: dict[str, Any], settings: DurationSettings | None = None) -> SOP:
    """Inverse of :meth:`SOP.to_dict` (durations are re-read from their raw text).

    Waktu are read with ``settings`` when the caller gives them (the reviewer's
    current settings win: the raw text is what was saved); otherwise with the
    ``hours_per_working_day`` the dict was written with, so a round trip keeps
    the minutes; a dict saved before that key existed reads at the standard
    7.5 h day.
    """
    durations = settings or saved_time_settings(data)
    steps = [
        Step(
            no=str(s.get("no", "")),
            activity=s.get("activity", ""),
            actors=list(s.get("actors", [])),
            marks=dict(s.get("marks", {})),
            requirements=s.get("requirements", ""),
            duration=parse_duration(s.get("duration_raw", ""), durations),
            output=s.get("output", ""),
            note=s.get("note", ""),
            actors_inferred=bool(s.get("actors_inferred", False)),
            yes_to=str(s.get("yes_to") or ""),
            no_to=str(s.get("no_to") or ""),
        )
        for s in data.get("steps", [])
    ]
    identity: dict[str, Any] = {
        f.attr: list(data.get(f.attr, [])) if f.is_list else data.get(f.attr, "")
        for f in (*IDENTITY_FIELDS, *SERVICE_FIELDS)
    }
    return SOP(
        source_file=data.get("source_file", ""),
        office=data.get("office", ""),
        kabupaten=data.get("kabupaten", ""),
        **identity,
        actors=[Actor(**a) for a in data.get("actor_columns", [])],
        steps=steps,
        warnings=list(data.get("warnings", [])),
        confidence=float(data.get("confidence", 1.0)),
        title_raw=data.get("title_raw", ""),
        index_in_file=int(data.get("index_in_file", 0)),
        document_sha256=data.get("document_sha256", ""),
        kind=_kind(data.get("kind")),
    )


def _kind(value: object) -> SOPKind:
    """A saved ``kind``; an old record (or an unknown value) is an SOP AP."""
    for kind in SOP_KINDS:
        if value == kind:
            return kind
    return "sop_ap"
