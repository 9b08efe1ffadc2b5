"""How well the readers read real documents: titles and step counts against a manifest.

The manifest (``manifest.csv`` of a document folder such as ``../shared/realdocs``)
lists, per document, the SOPs a person found in it: ``titles`` and ``n_steps``
(';'-separated, one per SOP), ``has_waktu`` (y/n) and the layout ``kind``. The
documents are read with the product's own loader, exactly as an upload is.

Scoring, per expected SOP:

* **title right**: a found SOP's title is the expected one after normalisation
  (case, punctuation, a leading "SOP"), or differs by little (similarity of the
  normalised keys ≥ 0.9, for a stray character); a title the manifest writes in
  parentheses is "not printed", and any SOP found for it counts;
* **step count within ±1**: the found SOP paired with it (by title, else by
  position) has within one step of the expected count; scored on SOPs with at
  least 3 expected steps (fewer is a fragment, not a procedure);
* **Waktu read**: of the steps found in documents marked ``has_waktu=y``, the
  share whose Waktu was read as a duration or lead time;
* **Pelaksana from its mark**: of the steps of documents of kind
  ``sop-ap-table`` (step tables with Pelaksana lanes: PDFs, workbooks), those
  whose Pelaksana was read from a mark in its lane (a symbol typed or drawn),
  not guessed from the Kegiatan's words;
* **office**: the ``office`` column (the issuing unit, the organisations above
  it after " - ", its kabupaten/kota/provinsi after a comma, in the name or in
  parentheses) against the first SOP's ``office`` and ``kabupaten``: *right*
  (unit and parent government), *partial* (one of them), *wrong*. A document
  whose office the text does not name ("per site", "not named", "A kecamatan
  in ...") is not scored, nor a parent known only from the site.

A reader error other than :class:`~sopdata.errors.SOPLoadError` is a traceback
and is counted as such.
"""

from __future__ import annotations

import csv
import difflib
import re
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sopdata.errors import SOPLoadError
from sopdata.ingest.loaders import load_path
from sopdata.records import SOP
from sopdata.resources import REPO_ROOT
from sopdata.text.textclean import normalise_title_key

DEFAULT_DOCS_DIR = REPO_ROOT.parent / "shared" / "realdocs"
#: Fewer expected steps than this is a fragment: its count is not scored.
MIN_SCORED_STEPS = 3
TITLE_SIMILARITY = 0.9


@dataclass
class ExpectedSOP:
    title: str
    n_steps: int

    @property
    def title_printed(self) -> bool:
        return not self.title.startswith("(")


_UNSCORED_OFFICE = re.compile(
    r"^(?:an?\s+(?:kelurahan|kecamatan|desa)\b|unknown\b|kecamatan\s+\")|not a real office", re.I
)
_FROM_SITE = re.compile(r"per site|site domain|from site|not named|not stated", re.I)
_PARENT = re.compile(r"\b(kabupaten|kota|provinsi)\s+(.+)$", re.I)
_DROP_WORDS = {"kantor", "pemerintah", "uptd", "republik", "indonesia", "the"}


def office_key(name: str) -> str:
    """A unit's name for comparison: lower case, "Kab."/"Kec." spelled out, without
    punctuation and the words every letterhead adds ("Kantor", "Pemerintah")."""
    name = re.sub(r"\bkab\.?(?=\s)", "kabupaten", name, flags=re.I)
    name = re.sub(r"\bkec\.?(?=\s)", "kecamatan", name, flags=re.I)
    words = re.sub(r"[^a-z0-9 ]+", " ", name.lower()).split()
    return " ".join(w for w in words if w not in _DROP_WORDS)


def _split_parent(key: str) -> tuple[str, str]:
    """("dinas x kabupaten y") -> ("dinas x", "kabupaten y")."""
    m = _PARENT.search(key)
    if not m:
        return key, ""
    return key[: m.start()].strip(), f"{m.group(1).lower()} {m.group(2).strip()}"


@dataclass(frozen=True)
class ExpectedOffice:
    """The manifest's office: the unit and the organisations above it (keys), and
    its parent government ("kabupaten x", "kota y", "provinsi z"; "" when the text
    does not name it)."""

    units: tuple[str, ...]
    parent: str


def expected_office(cell: str) -> ExpectedOffice | None:
    """The office the ``office`` column says the text names; None when it does not."""
    cell = cell.strip()
    if not cell or _UNSCORED_OFFICE.search(cell):
        return None
    notes = re.findall(r"\(([^()]*)\)", cell)
    main = re.sub(r"\([^()]*\)", " ", cell)
    units: list[str] = []
    parent = ""
    for part in re.split(r"\s+-\s+|,", main):
        key = office_key(part)
        if not key:
            continue
        unit, par = _split_parent(key)
        if par and not parent:
            parent = par
        if unit:
            units.append(unit)
    for note in notes:
        if _FROM_SITE.search(note):
            if not re.search(r"\b(?:kab|kota|kabupaten)\b", note, re.I):
                return None  # the unit itself is known only from the site
            continue  # its parent is known only from the site
        for part in note.split(","):
            unit, par = _split_parent(office_key(part))
            if par and not unit and not parent:
                parent = par
    if not units:
        return None
    return ExpectedOffice(tuple(units), parent)


def _same_parent(expected: str, found: str) -> bool:
    if not found:
        return False
    f = office_key(found)
    if not _PARENT.match(f):
        f = f"kabupaten {f}"  # SOP.kabupaten holds a kabupaten by its name alone
    if _PARENT.match(expected):
        return f == expected
    return f.split(" ", 1)[1] == expected


def office_score(expected: ExpectedOffice, office: str, kabupaten: str) -> str:
    """ "right", "partial" or "wrong": the found office and kabupaten against the manifest's."""
    unit, parent_in_name = _split_parent(office_key(office))
    unit_right = bool(unit) and any(
        unit == u or (len(unit.split()) >= 2 and (unit in u or u in unit)) for u in expected.units
    )
    if not expected.parent:
        return "right" if unit_right else "wrong"
    parent_right = _same_parent(expected.parent, kabupaten) or (
        bool(parent_in_name) and _same_parent(expected.parent, parent_in_name)
    )
    if unit_right and parent_right:
        return "right"
    return "partial" if unit_right or parent_right else "wrong"


@dataclass
class DocResult:
    """One document: what the manifest expects and what the readers found."""

    file: str
    kind: str
    expected: list[ExpectedSOP]
    found: list[SOP] = field(default_factory=list)
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0
    has_waktu: bool = False
    #: The found SOP each expected one is scored on (None: nothing left to pair).
    paired: list[SOP | None] = field(default_factory=list)
    titles_right: list[bool] = field(default_factory=list)
    steps_found: list[int | None] = field(default_factory=list)
    #: The office the manifest names (None: the text does not name it).
    office_expected: ExpectedOffice | None = None
    #: "right", "partial", "wrong"; "" when not scored.
    office: str = ""

    @property
    def steps_scored(self) -> list[tuple[int, int | None]]:
        return [
            (e.n_steps, got)
            for e, got in zip(self.expected, self.steps_found, strict=True)
            if e.n_steps >= MIN_SCORED_STEPS
        ]

    @property
    def steps_right(self) -> int:
        return sum(1 for want, got in self.steps_scored if got is not None and abs(got - want) <= 1)

    def line(self) -> str:
        status = (
            f"GALAT {self.traceback.splitlines()[-1] if self.traceback else ''}"
            if self.traceback
            else (f"tidak terbaca: {self.error}" if self.error else f"{len(self.found)} SOP")
        )
        parts = [f"{self.file} [{self.kind}] {status} ({self.seconds:.2f} s)"]
        paired = self.paired
        for k, want in enumerate(self.expected):
            got = self.steps_found[k]
            mark = "ok" if self.titles_right[k] else "--"
            title = want.title if want.title_printed else "(tanpa judul)"
            read_as = paired[k]
            parts.append(
                f"    {mark} {title[:60]!r}: langkah {want.n_steps} diharapkan, "
                f"{'-' if got is None else got} ditemukan"
                + (
                    f" (dibaca: {read_as.title[:60]!r})"
                    if read_as and not self.titles_right[k]
                    else ""
                )
            )
        if self.office:
            first = self.found[0] if self.found else None
            read = f"{first.office!r}, {first.kabupaten!r}" if first else "-"
            parts.append(f"    kantor: {self.office} (dibaca: {read})")
        extra = [s for s in self.found if all(s is not p for p in paired)]
        for s in extra:
            parts.append(f"    ++ tambahan: {s.title[:60]!r} ({len(s.steps)} langkah)")
        return "\n".join(parts)


@dataclass
class DocsReport:
    docs: list[DocResult]

    @property
    def totals(self) -> dict[str, float | int]:
        titles = [ok for d in self.docs for ok in d.titles_right]
        scored = [x for d in self.docs for x in d.steps_scored]
        waktu_total = waktu_read = lane_steps = lane_marked = 0
        for d in self.docs:
            if d.has_waktu:
                for s in d.found:
                    for step in s.steps:
                        waktu_total += 1
                        waktu_read += step.duration.kind in ("duration", "lead_time")
            if d.kind == "sop-ap-table":  # a step table with Pelaksana lanes, as printed
                for s in d.found:
                    lane_steps += len(s.steps)
                    lane_marked += sum(bool(st.actors) and not st.actors_inferred for st in s.steps)
        return {
            "documents": len(self.docs),
            "documents_with_sop": sum(1 for d in self.docs if d.found),
            "tracebacks": sum(1 for d in self.docs if d.traceback),
            "titles_right": sum(titles),
            "titles": len(titles),
            "steps_right": sum(d.steps_right for d in self.docs),
            "steps_scored": len(scored),
            "waktu_read": waktu_read,
            "waktu_steps": waktu_total,
            "pelaksana_marked": lane_marked,
            "pelaksana_steps": lane_steps,
            "office_right": sum(1 for d in self.docs if d.office == "right"),
            "office_partial": sum(1 for d in self.docs if d.office == "partial"),
            "office_wrong": sum(1 for d in self.docs if d.office == "wrong"),
            "office_scored": sum(1 for d in self.docs if d.office),
            "seconds": round(sum(d.seconds for d in self.docs), 3),
        }

    def lines(self, per_document: bool = True) -> list[str]:
        t = self.totals
        out = [d.line() for d in self.docs] if per_document else []
        out += [
            f"documents with an SOP: {t['documents_with_sop']} of {t['documents']}; "
            f"tracebacks: {t['tracebacks']}",
            f"titles right: {t['titles_right']} of {t['titles']}",
            f"step counts within ±1: {t['steps_right']} of {t['steps_scored']} "
            f"(SOPs with ≥{MIN_SCORED_STEPS} steps)",
            f"Waktu read: {t['waktu_read']} of {t['waktu_steps']} steps (documents with Waktu)",
            f"Pelaksana read from its lane's mark: {t['pelaksana_marked']} of "
            f"{t['pelaksana_steps']} steps (documents of kind sop-ap-table)",
            f"office: {t['office_right']} right, {t['office_partial']} partial, "
            f"{t['office_wrong']} wrong of {t['office_scored']} (documents naming their office)",
            f"read in {t['seconds']:.2f} s",
        ]
        return out


def read_manifest(docs_dir: Path) -> list[dict[str, str]]:
    with (docs_dir / "manifest.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _expected(row: dict[str, str]) -> list[ExpectedSOP]:
    titles = row["titles"].split(";")
    counts = [int(x) if x.strip().isdigit() else 0 for x in row["n_steps"].split(";")]
    return [ExpectedSOP(t.strip(), n) for t, n in zip(titles, counts, strict=False)]


def title_matches(expected: str, found: str) -> bool:
    a, b = normalise_title_key(expected), normalise_title_key(found)
    if not a or not b:
        return False
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= TITLE_SIMILARITY


def _pairing(expected: Sequence[ExpectedSOP], found: Sequence[SOP]) -> list[SOP | None]:
    """The found SOP each expected one is scored on: the one whose title matches
    (each used once), else the next unused one in document order."""
    used: set[int] = set()
    out: list[SOP | None] = [None] * len(expected)
    for k, want in enumerate(expected):
        if not want.title_printed:
            continue
        for j, sop in enumerate(found):
            if j not in used and title_matches(want.title, sop.title):
                out[k] = sop
                used.add(j)
                break
    rest = iter([sop for j, sop in enumerate(found) if j not in used])
    for k in range(len(expected)):
        if out[k] is None:
            out[k] = next(rest, None)
    return out


def evaluate_document(path: Path, row: dict[str, str]) -> DocResult:
    result = DocResult(
        file=path.name,
        kind=row.get("kind", ""),
        expected=_expected(row),
        has_waktu=row.get("has_waktu", "").strip().lower() == "y",
    )
    start = time.perf_counter()
    try:
        result.found = load_path(path).sops
    except SOPLoadError as exc:
        result.error = exc.message
    except Exception:  # a reader bug: counted, never hidden
        result.traceback = traceback.format_exc()
    result.seconds = time.perf_counter() - start
    result.paired = _pairing(result.expected, result.found)
    for want, sop in zip(result.expected, result.paired, strict=True):
        right = sop is not None and (not want.title_printed or title_matches(want.title, sop.title))
        result.titles_right.append(right)
        result.steps_found.append(None if sop is None else len(sop.steps))
    result.office_expected = expected_office(row.get("office", ""))
    if result.office_expected is not None:
        first = result.found[0] if result.found else None
        result.office = (
            office_score(result.office_expected, first.office, first.kabupaten)
            if first
            else "wrong"
        )
    return result


def evaluate_docs(docs_dir: Path = DEFAULT_DOCS_DIR) -> DocsReport:
    """Read every document of the manifest and score it."""
    rows = read_manifest(docs_dir)
    return DocsReport([evaluate_document(docs_dir / "docs" / r["file"], r) for r in rows])
