"""A reviewer's view of the corpus: parsed SOPs with their saved work applied.

The app shows SOPs as the reviewer left them, not as the parser first read them:
corrections replace parsed records, settings (hours per working day, glossary)
re-read Waktu and Pelaksana, confirmed/rejected matches and hand moves reshape
the procedure groups. Everything here is a pure function of the parsed corpus
and the saved work, so that a restart rebuilds the same view from the store.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from sopdata.errors import SOPLoadError
from sopdata.form import DECISION, IDENTITY_FIELDS, PROCESS, has_decision, label_of
from sopdata.grouping import DisjointSet
from sopdata.ingest.isolate import load_isolated, too_heavy
from sopdata.ingest.loaders import load_bytes
from sopdata.matching.pairs import PairMatch
from sopdata.matching.profiles import office_key
from sopdata.records import SOP, Actor, Step, sop_from_dict
from sopdata.review.settings import with_durations
from sopdata.text.durations import STANDARD_DURATION_SETTINGS, DurationSettings, parse_duration
from sopdata.text.glossary import Glossary, normalise_actor

#: Group "id" a reviewer moves an SOP to when it belongs to no group.
NO_GROUP = "tanpa-kelompok"


def fingerprint(sops: Iterable[SOP]) -> str:
    """A short hash of the SOPs' content: the cache key of anything computed from them."""
    h = hashlib.sha256()
    for sop in sops:
        h.update(
            json.dumps(sop.to_dict(), ensure_ascii=False, sort_keys=True, default=str).encode(
                "utf-8"
            )
        )
    return h.hexdigest()[:20]


def apply_corrections(
    sops: Sequence[SOP], corrections: Mapping[str, Mapping[str, Any]]
) -> list[SOP]:
    """The SOPs with each reviewer correction (a saved ``SOP.to_dict()``) in place of the parse.

    The corrected record keeps the parsed SOP's document, file and position, so
    its key, and with it every decision made about it, stays the same.
    """
    out = []
    for sop in sops:
        saved = corrections.get(sop.key)
        if saved is None:
            out.append(sop)
            continue
        fixed = sop_from_dict(dict(saved))
        fixed.source_file, fixed.index_in_file = sop.source_file, sop.index_in_file
        fixed.document_sha256 = sop.document_sha256
        out.append(fixed)
    return out


def apply_settings(
    sops: Sequence[SOP], durations: DurationSettings, glossary: Glossary | None = None
) -> list[SOP]:
    """Re-read Waktu with the reviewer's settings (``ReviewSettings.durations``)
    and Pelaksana with the glossary.

    An SOP already read with these settings is not re-read (a correction saved
    at another working day is); the input (often a cached object) is never
    changed: what differs is a copy.
    """
    reread = with_durations(sops, durations)
    if glossary is None:
        return reread
    out = []
    for before, sop in zip(sops, reread, strict=True):
        if sop is before:
            sop = copy.deepcopy(sop)
        sop.actors = [replace(a, canonical=normalise_actor(a.raw, glossary)[0]) for a in sop.actors]
        out.append(sop)
    return out


@dataclass
class Group:
    """A procedure group: equivalent SOPs of different offices.

    ``id`` is the key of the group's first member when the group was formed
    from matches, so it survives restarts and drafts stay attached to it.
    """

    id: str
    sops: list[SOP]
    moved_in: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        best = max(self.sops, key=lambda s: (round(s.confidence, 2), -len(s.title)))
        return best.title

    @property
    def offices(self) -> list[str]:
        return [s.label for s in self.sops]


def group_id(members: Iterable[SOP], known: Collection[str] = ()) -> str:
    """``g:`` and the smallest member key; a member's id that saved work already
    uses (a draft, a move) wins, so the group keeps its id when a member joins."""
    keys = sorted(s.key for s in members)
    return next((f"g:{k}" for k in keys if f"g:{k}" in known), f"g:{keys[0]}")


def legacy_keys(sops: Iterable[SOP]) -> dict[str, str]:
    """Key an SOP had before keys came from the document's content -> its key now.

    The old key was ``"<source_file>#<index_in_file>"``, with the file name as the
    view showed it (a name clashing with an earlier document's got ``" (<sha8>)"``);
    pass the SOPs named that way, in the view's order.
    """
    out: dict[str, str] = {}
    for sop in sops:
        if sop.document_sha256:
            out.setdefault(f"{sop.source_file}#{sop.index_in_file}", sop.key)
    return out


def build_groups(
    sops: Sequence[SOP],
    matches: Sequence[PairMatch],
    decisions: Mapping[tuple[str, str], str] | None = None,
    overrides: Mapping[str, str] | None = None,
    known_ids: Collection[str] = (),
) -> list[Group]:
    """Procedure groups with the reviewer's decisions applied.

    * a rejected pair is never joined; a confirmed pair is joined first, even
      when the matcher called it only related;
    * then equivalent pairs best first, one SOP per office per group (as
      ``matching.group_matches``);
    * finally SOPs moved by hand: ``overrides[sop_key]`` is the id of the group
      it belongs to, or :data:`NO_GROUP`.

    Args:
        decisions: ``{(key_a, key_b): "confirmed" | "rejected"}``, keys sorted.
        overrides: ``{sop_key: group_id}``.
        known_ids: group ids saved work hangs on (drafts); a group keeps one of
            them as its id when it can (see :func:`group_id`).
    """
    decisions = decisions or {}
    overrides = overrides or {}
    known = set(known_ids) | set(overrides.values())
    index = {s.key: k for k, s in enumerate(sops)}
    groups_of = DisjointSet(len(sops), [office_key(s) for s in sops])  # one SOP per office

    confirmed = [pair for pair, d in decisions.items() if d == "confirmed"]
    for a, b in confirmed:
        if a in index and b in index:
            groups_of.join(index[a], index[b])
    for m in sorted(matches, key=lambda m: -m.score):
        pair = tuple(sorted((m.a.key, m.b.key)))
        if m.relation != "equivalent" or decisions.get(pair) == "rejected":  # type: ignore[arg-type]
            continue
        if m.a.key in index and m.b.key in index:
            groups_of.join(index[m.a.key], index[m.b.key])

    groups: dict[str, Group] = {}
    for _, ks in sorted(groups_of.groups().items()):
        if len(ks) > 1:
            group = Group(group_id((sops[k] for k in ks), known), [sops[k] for k in sorted(ks)])
            groups[group.id] = group
    for key, target in overrides.items():
        if key not in index:
            continue
        sop = sops[index[key]]
        for group in groups.values():
            if sop in group.sops and group.id != target:
                group.sops.remove(sop)
        if target == NO_GROUP:
            continue
        if target not in groups:
            # Moved next to an SOP that is alone: the group is formed by the move.
            anchor = target.removeprefix("g:")
            if anchor not in index or anchor == key:
                continue
            groups[target] = Group(target, [sops[index[anchor]]])
        group = groups[target]
        if sop not in group.sops:
            group.sops.append(sop)
            group.moved_in.append(key)
    out = [g for g in groups.values() if len(g.sops) > 1]
    out.sort(key=lambda g: (-len(g.sops), g.title))
    return out


@dataclass
class LoadedDocument:
    """An uploaded document and what became of it."""

    name: str
    sha256: str
    sops: list[SOP]
    error: str = ""
    warnings: list[str] = field(default_factory=list)


def load_documents(
    documents: Iterable[tuple[str, str, bytes]],
    *,
    isolated: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[LoadedDocument]:
    """Parse uploaded documents ``(name, sha256, bytes)``; a bad one carries its
    Indonesian message and never stops the others. ``progress(name, done,
    total)`` hears each page a scan's OCR has read.

    Each document is read in a capped worker process (``isolated``, see
    :mod:`sopdata.ingest.isolate`); whatever goes wrong with one document, even
    an error no reader expects, becomes its message.
    """
    out = []
    for name, sha, data in documents:
        try:
            if progress is None:
                result = load_isolated(data, name) if isolated else load_bytes(data, name)
            else:
                pages = partial(progress, name)
                reader = load_isolated if isolated else load_bytes
                result = reader(data, name, progress=pages)
        except SOPLoadError as exc:
            out.append(LoadedDocument(name, sha, [], error=exc.message))
            continue
        except MemoryError:
            out.append(LoadedDocument(name, sha, [], error=too_heavy(name, "memori").message))
            continue
        except Exception as exc:  # a reader's bug must not take every page down
            out.append(
                LoadedDocument(
                    name, sha, [], error=f"Dokumen tidak dapat dibaca ({type(exc).__name__})."
                )
            )
            continue
        out.append(LoadedDocument(name, sha, result.sops, warnings=list(result.warnings)))
    return out


def manual_sop(doc: LoadedDocument) -> SOP:
    """The empty SOP a reviewer fills in by hand for a document the readers could
    not read: it belongs to the document (its key is the document's hash and
    position 0), so what the reviewer saves is an ordinary correction of it."""
    return SOP(
        source_file=doc.name,
        title="",
        document_sha256=doc.sha256,
        warnings=["dibaca manual oleh peninjau: dokumen ini tidak terbaca otomatis"],
        confidence=0.0,
    )


def rescued_sops(
    documents: Iterable[LoadedDocument], corrections: Mapping[str, Mapping[str, Any]]
) -> list[SOP]:
    """The manual SOPs of unread documents that a reviewer has saved (their
    corrections then replace them, as for any parsed SOP)."""
    out = []
    for doc in documents:
        if doc.sops:
            continue
        sop = manual_sop(doc)
        if sop.key in corrections:
            out.append(sop)
    return out


# --- editing an SOP as tables ---------------------------------------------------

#: The step editor's column of a decision's targets: "Ya / Tidak" step numbers.
BRANCH_COLUMN = "Ya / Tidak"
#: Columns of the step editor, in the official order.
STEP_COLUMNS = (
    "No",
    "Kegiatan",
    "Pelaksana",
    "Keputusan",
    BRANCH_COLUMN,
    "Kelengkapan",
    "Waktu",
    "Output",
    "Keterangan",
)
#: Identity fields a reviewer edits: (attribute, label, is a list).
IDENTITY_EDIT_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("title", label_of("title"), False),
    ("office", "Satuan kerja / kantor", False),
    ("kabupaten", "Pemerintah kabupaten", False),
    *((f.attr, f.label, f.is_list) for f in IDENTITY_FIELDS if f.attr != "title"),
)


def steps_to_rows(sop: SOP) -> list[dict[str, Any]]:
    """The step table as editable rows (Pelaksana as canonical names, comma-separated)."""
    return [
        {
            "No": step.no,
            "Kegiatan": step.activity,
            "Pelaksana": ", ".join(sop.canonical_actor(a) for a in step.actors),
            "Keputusan": step.is_decision,
            BRANCH_COLUMN: branch_text(step.yes_to, step.no_to) if step.is_decision else "",
            "Kelengkapan": step.requirements,
            "Waktu": step.duration.raw,
            "Output": step.output,
            "Keterangan": step.note,
        }
        for step in sop.steps
    ]


def branch_text(yes_to: str, no_to: str) -> str:
    """A decision's targets as the editor shows them: "5 / 2" (Ya to 5, Tidak to 2)."""
    return f"{yes_to} / {no_to}" if yes_to or no_to else ""


def parse_branches(text: str) -> tuple[str, str]:
    """The (Ya, Tidak) step numbers of an editor cell: "5 / 2", "5/2", "5" (Ya
    only), "/ 2" (Tidak only); "Ya 5, Tidak 2" is read too (words dropped)."""
    text = re.sub(r"(?i)\b(ya|tidak|jika|ke)\b|[:→>]", " ", text)
    yes, _, no = (text.replace(",", "/").replace(";", "/")).partition("/")
    return yes.strip(), no.strip().strip("/").strip()


def _cell(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None or (
        isinstance(value, float) and value != value
    ):  # NaN from an empty editor cell
        return ""
    return str(value).strip()


def rows_to_sop(
    sop: SOP,
    rows: Iterable[Mapping[str, Any]],
    identity: Mapping[str, Any] | None = None,
    settings: DurationSettings | None = None,
) -> SOP:
    """A copy of ``sop`` with the edited step rows and identity fields.

    Pelaksana names are matched back to the SOP's actor columns (by printed or
    canonical name); a new name becomes a new column. An actor keeps its printed
    mark; a new one gets □, or ◇ when the row is a decision. Empty rows are dropped
    and an empty No is numbered by position.
    """
    out = copy.deepcopy(sop)
    columns = {a.raw: a for a in out.actors}
    by_name: dict[str, str] = {}
    for column in out.actors:
        by_name[column.raw.casefold()] = column.raw
        by_name[column.name.casefold()] = column.raw
    old_marks = {s.no: s.marks for s in sop.steps}
    old_targets = {s.no: (s.yes_to, s.no_to) for s in sop.steps}
    steps: list[Step] = []
    for row in rows:
        activity = _cell(row, "Kegiatan")
        if not any(
            _cell(row, c) for c in STEP_COLUMNS if c not in ("No", "Keputusan", BRANCH_COLUMN)
        ):
            continue
        no = _cell(row, "No") or str(len(steps) + 1)
        decision = str(row.get("Keputusan", "")).lower() in ("true", "1", "ya")
        branches = (
            parse_branches(_cell(row, BRANCH_COLUMN))
            if BRANCH_COLUMN in row
            else old_targets.get(no, ("", ""))
        )
        actors: list[str] = []
        for name in (n.strip() for n in _cell(row, "Pelaksana").split(",")):
            if not name:
                continue
            raw = by_name.get(name.casefold())
            if raw is None:
                raw = name
                columns[raw] = Actor(raw=raw, canonical=name)
                by_name[name.casefold()] = raw
            if raw not in actors:
                actors.append(raw)
        previous = old_marks.get(no, {})
        marks: dict[str, str] = {}
        for a in actors:
            mark = previous.get(a) or (DECISION if decision else PROCESS)
            if decision and not has_decision(mark):
                mark = DECISION
            elif not decision and has_decision(mark):
                mark = PROCESS
            marks[a] = mark
        steps.append(
            Step(
                no=no,
                activity=activity,
                actors=actors,
                marks=marks,
                requirements=_cell(row, "Kelengkapan"),
                duration=parse_duration(
                    _cell(row, "Waktu"), settings or STANDARD_DURATION_SETTINGS
                ),
                output=_cell(row, "Output"),
                note=_cell(row, "Keterangan"),
                # rows without the branch column (older callers) keep the old targets
                yes_to=branches[0] if decision else "",
                no_to=branches[1] if decision else "",
            )
        )
    out.steps = steps
    used = {a for s in steps for a in s.actors}
    out.actors = [c for c in columns.values() if c.raw in used or c in sop.actors]
    for attr, _, is_list in IDENTITY_EDIT_FIELDS:
        if identity is None or attr not in identity:
            continue
        value = identity[attr]
        if is_list:
            items = value.split("\n") if isinstance(value, str) else list(value)
            setattr(out, attr, [str(v).strip() for v in items if str(v).strip()])
        else:
            setattr(out, attr, str(value or "").strip())
    return out
