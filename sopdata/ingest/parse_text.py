"""Parse SOP documents from text: Word/HTML table dumps and OCR of scans.

Two shapes of text reach this module:

* **Table dumps** (Word/HTML exported to text): one table row per line, cells
  separated by tabs, markup fragments inside cells. Read structurally: the
  step-table header names the Pelaksana columns and the Mutu Baku columns, and
  each row is mapped onto them (rows shifted by an extra empty cell included).
* **OCR text** (scanned PDFs): no cell boundaries at all; see
  :mod:`sopdata.ingest.parse_ocr`.

A document may hold many SOPs; :func:`parse_text` returns them all, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from sopdata.form import (
    HEADER_FIELDS,
    SECTION_FIELDS,
    has_decision,
    is_decision_label,
    lane_annotations,
    mark_kind,
)
from sopdata.ingest.identity import (
    IdentityBlock,
    feed_tab_line,
    find_office,
    match_field,
    without_office_suffix,
)
from sopdata.ingest.labels import canonical_labels
from sopdata.records import SOP, Actor, Step, untitled
from sopdata.text.durations import looks_like_duration, parse_duration
from sopdata.text.textclean import (
    cell_text,
    collapse_spaces,
    normalise_title_key,
    smart_title,
    strip_markup,
)

# Column names of a step table, as offices write them: "Kegiatan" or "Uraian
# Kegiatan"/"Aktivitas", "Pelaksana"/"Pelaku", Mutu Baku's "Kelengkapan" or
# "Persyaratan", "Waktu (menit)"/"Lama Waktu", "Output"/"Hasil", "Keterangan".
_KEGIATAN = re.compile(
    r"^\W*(?:(?:(?:uraian|rincian|tahapan|langkah(?:-langkah)?)\s+)?(?:kegiatan|prosedur|aktivitas)"
    r"(?:\s*/\s*(?:kegiatan|aktivitas))?|uraian(?:\s+tugas)?)\W*$",
    re.I,
)
_PELAKSANA = re.compile(
    r"^\W*(?:(?:pejabat|unit)\s+)?(?:pelaksana|pelaku)(?:\s+kegiatan)?\W*$", re.I
)
_KELENGKAPAN = re.compile(r"^\W*(?:kelengkapan|persyaratan|syarat|input)\b", re.I)
_WAKTU = re.compile(
    r"^\W*(?:(?:lama|jangka)\s+)?(?:waktu|durasi)(?:\s+(?:penyelesaian|pelaksanaan|proses))?"
    r"\W*(?:(?:menit|jam|hari)\W*)?$",
    re.I,
)
_OUTPUT = re.compile(
    r"^\W*(?:output|hasil|keluaran|produk)(?:\s*/\s*(?:output|hasil|keluaran))?\W*$", re.I
)
_KETERANGAN = re.compile(r"^\W*(?:keterangan|ket|catatan)\W*$", re.I)
_STEP_NO = re.compile(r"^\s*+(\d{1,4})\s*+(?:[.)]\s*+)?$")
#: A sub-step ("2.1", "2a"): kept as a step of its own, never the table's end.
_SUB_STEP_NO = re.compile(r"^\s*+(\d{1,4}(?:\.\d{1,2}|[a-z]))\s*+(?:[.)]\s*+)?$")
#: Steps kept per SOP; the rest are reported, not read.
MAX_STEPS = 1000


def _step_no(cell: str) -> str | None:
    """The step number a first cell holds ("2", "2.1", "2a"), or None."""
    m = _STEP_NO.match(cell) or _SUB_STEP_NO.match(cell)
    return m.group(1) if m else None


_SOP_HEADING = re.compile(r"^\W*SOP\s+([A-Z0-9][^a-z]{3,})$")
_STANDAR_HEADING = re.compile(r"standar\s++operasional\s++prosedur\s*+(?:\(sop\)\s*+)?$", re.I)
_TOTAL_ROW = re.compile(r"^\W*(jumlah|total)(\s+(waktu|durasi|lama))?\W*$", re.I)


def clean_cell(cell: str) -> str:
    return collapse_spaces(strip_markup(cell))


def header_cell(cell: str) -> str:
    """A header cell's text, its column words spelled right ("Pelaksama" -> "pelaksana")."""
    return canonical_labels(clean_cell(cell))


def is_table_header(cells: list[str]) -> bool:
    texts = [header_cell(c) for c in cells]
    has_kegiatan = any(_KEGIATAN.match(t) for t in texts)
    has_actor_or_quality = any(
        _PELAKSANA.match(t) or _WAKTU.match(t) or re.match(r"^\W*mutu\s+b\w+", t, re.I)
        for t in texts
    )
    return has_kegiatan and has_actor_or_quality


def is_actor_subheader(header: list[str], row: list[str]) -> bool:
    """The row under a header that names Mutu Baku in full but spans "Pelaksana"
    over several columns: it holds only the actors' names, between Kegiatan
    and Kelengkapan, with no step number and no Kegiatan text."""
    layout = read_layout(header, None)
    if layout is None or not row or _step_no(clean_cell(row[0])):
        return False
    cells = [clean_cell(c) for c in row]
    inside = cells[layout.kegiatan + 1 : layout.kelengkapan]
    outside = cells[: layout.kegiatan + 1] + cells[layout.kelengkapan :]
    return any(inside) and not any(outside)


def is_column_number_row(cells: list[str]) -> bool:
    """The row of column numbers under a header: "1 2 3 ..." or "(1) (2) (3) ..."."""
    values = [c.strip().strip("()").strip() for c in cells if c.strip()]
    return len(values) >= 4 and values == [str(i) for i in range(1, len(values) + 1)]


def is_total_row(cells: list[str]) -> bool:
    """The row under the steps that sums their Waktu ("Jumlah waktu", "Total")."""
    first = next((clean_cell(c) for c in cells if c.strip()), "")
    return bool(_TOTAL_ROW.match(first))


@dataclass
class TableLayout:
    """Column positions of a step table, read from its header rows."""

    kegiatan: int
    actors: list[tuple[int, str]]
    kelengkapan: int
    waktu: int
    output: int
    keterangan: int | None

    @property
    def width(self) -> int:
        return max(self.output, self.keterangan or 0) + 1


#: Header words that name a group of columns, never one actor's lane.
_COLUMN_WORD = re.compile(r"^\W*(?:(?:pejabat|unit)\s+)?(?:pelaksana|pelaku|mutu\s+b\w+)\b", re.I)


def read_layout(header: list[str], sub: list[str] | None) -> TableLayout | None:
    head = [header_cell(c) for c in header]
    subs = [header_cell(c) for c in sub] if sub else []
    keg = next((i for i, t in enumerate(head) if _KEGIATAN.match(t)), 1)
    if keg == 0:
        # "Uraian Prosedur" printed over both No and Kegiatan: the first column
        # holds the step number (read from cells[0]), the text sits in the column
        # the second header row names Kegiatan, else in the unnamed next one.
        named = next((i for i, t in enumerate(subs) if i > 0 and _KEGIATAN.match(t)), None)
        if named is not None:
            keg = named
        elif not _cell(head, 1) and not _cell(subs, 1):
            keg = 1

    def find(pattern: re.Pattern[str]) -> int | None:
        for row in (subs, head):
            for i, t in enumerate(row):
                if pattern.match(t):
                    return i
        return None

    kel = find(_KELENGKAPAN)
    waktu = find(_WAKTU)
    out = find(_OUTPUT)
    if waktu is None and kel is not None:
        waktu = kel + 1
    if kel is None and waktu is not None:
        kel = waktu - 1
    if kel is None or waktu is None:
        return None
    if out is None:
        out = waktu + 1
    ket = next((i for i, t in enumerate(head) if _KETERANGAN.match(t)), None)
    if ket is None:
        ket = next((i for i, t in enumerate(subs) if _KETERANGAN.match(t)), None)
    if ket is None and len(head) > out + 1:
        ket = out + 1
    names = [clean_cell(c) for c in (sub or header)]  # actors' names as printed
    if sub:
        # a lane whose name spans both header rows prints it in the first row only
        for i in range(keg + 1, min(kel, len(names), len(header))):
            if not names[i] and not _COLUMN_WORD.match(head[i]):
                names[i] = clean_cell(header[i])
    actors = [(i, names[i]) for i in range(keg + 1, kel) if i < len(names) and names[i]]
    return TableLayout(keg, actors, kel, waktu, out, ket)


def _cell(cells: list[str], i: int | None) -> str:
    return cells[i] if i is not None and 0 <= i < len(cells) else ""


def row_shift(cells: list[str], layout: TableLayout) -> int:
    """How far this row's Mutu Baku cells sit from the header's columns.

    Dumps of merged cells add (or drop) an empty cell inside the actor columns,
    which moves Kelengkapan/Waktu/Output one column right (or left). The Waktu
    cell is the anchor: it is the one cell whose content is recognisable.
    """
    if looks_like_duration(clean_cell(_cell(cells, layout.waktu))):
        return 0
    for shift in (1, -1, 2, -2):
        if looks_like_duration(clean_cell(_cell(cells, layout.waktu + shift))):
            return shift
    extra = len(cells) - layout.width
    # Without a readable Waktu, trust the row length when it differs by one.
    return extra if extra in (1, -1) and not _cell(cells, layout.waktu).strip() else 0


def classify_mark(mark: str) -> str:
    """'decision_label' (Ya/Tidak), 'decision' (◇) or 'process' (□ and the rest)."""
    if is_decision_label(mark):
        return "decision_label"
    if has_decision(mark):
        return "decision"
    return "process"


def read_step(cells: list[str], layout: TableLayout) -> tuple[Step, int]:
    shift = row_shift(cells, layout)
    actor_cells = [(name, clean_cell(_cell(cells, i))) for i, name in layout.actors]
    marks = {name: text for name, text in actor_cells if text}
    labels = lane_annotations(marks)
    actors = [
        name
        for name, text in marks.items()
        if classify_mark(text) != "decision_label" and name not in labels
    ]
    ket = layout.keterangan + shift if layout.keterangan is not None else None
    step = Step(
        no=_step_no(cells[0]) or cells[0].strip(),
        activity=cell_text(_cell(cells, layout.kegiatan)),
        actors=actors,
        marks=marks,
        requirements=cell_text(_cell(cells, layout.kelengkapan + shift)),
        duration=parse_duration(clean_cell(_cell(cells, layout.waktu + shift))),
        output=cell_text(_cell(cells, layout.output + shift)),
        note=cell_text(_cell(cells, ket)),
    )
    return step, shift


def _append(a: str, b: str) -> str:
    return f"{a}\n{b}" if a and b else a or b


@dataclass
class _Builder:
    identity: IdentityBlock
    layout: TableLayout | None = None
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    shifted_rows: int = 0
    dropped_steps: int = 0
    actors: list[tuple[int, str]] = field(default_factory=list)
    offset: int = 0


def _title_from_heading(line: str) -> str | None:
    m = _SOP_HEADING.match(collapse_spaces(strip_markup(line)))
    return m.group(1).strip() if m else None


def parse_tables(text: str, source_file: str) -> list[SOP]:
    """Parse the tab-separated table dump shape; returns [] if it holds no step table."""
    return parse_rows([line.split("\t") for line in text.splitlines()], source_file, text)


def parse_rows(
    rows: list[list[str]],
    source_file: str,
    context: str | None = None,
    breaks: frozenset[int] | set[int] = frozenset(),
) -> list[SOP]:
    """SOPs from rows of cells in document order; [] if they hold no step table.

    The shared reader behind every table source: a text dump gives one row per
    line (cells split at tabs), a Word/Excel/HTML/PDF reader gives the rows of
    its tables and one single-cell row per paragraph between them. A merged
    cell carries its text in its first (top-left) position only, the other
    positions it covers are "", as in a text dump.

    Args:
        rows: the document's rows; cells may hold markup fragments and line breaks.
        source_file: the document's name, kept on every SOP.
        context: the document's text for finding the office (default: the rows joined).
        breaks: indices of rows that start a new table or sheet: the identity
            block's paired-section columns (Dasar Hukum | Kualifikasi ...) end there.
    """
    lines = ["\t".join(cells) for cells in rows]
    text = context if context is not None else "\n".join(lines)
    doc_office, doc_kab = find_office(text[:20000])
    builders: list[_Builder] = []
    pending = IdentityBlock()
    layout_sections: dict[int, str] = {}
    current: _Builder | None = None
    in_table = False
    i = 0
    while i < len(lines):
        raw = lines[i]
        cells = rows[i]
        if i in breaks:
            layout_sections = {}
        plain = clean_cell(raw.replace("\t", " "))
        if len(cells) >= 3 and is_table_header(cells):
            # a sheet may start its table one column in: read it without the empty margin
            offset = _leading_empty(cells)
            cells = cells[offset:]
            sub: list[str] | None = None
            j = i + 1
            if j < len(lines) and (
                not any(_WAKTU.match(clean_cell(c)) for c in cells)
                or is_actor_subheader(cells, rows[j][offset:])
            ):
                sub = rows[j][offset:]
                j += 1
            layout = read_layout(cells, sub)
            while j < len(lines) and is_column_number_row(rows[j]):
                j += 1
            starts_new = (
                current is None
                or pending.fields.get("title")
                or (current.steps and pending.title_source == "heading")
            )
            if starts_new:
                current = _Builder(identity=pending)
                builders.append(current)
                pending = IdentityBlock()
                layout_sections = {}
            assert current is not None
            if layout is None:
                current.warnings.append("tata letak tabel langkah tidak dikenali")
            current.layout = layout or current.layout
            current.offset = offset
            if layout is not None and not current.actors:
                current.actors = layout.actors
            in_table = layout is not None or current.layout is not None
            i = j
            continue
        if (
            current is not None
            and current.offset
            and not any(c.strip() for c in cells[: current.offset])
        ):
            cells = cells[current.offset :]
        if not in_table and current is not None and _continues_table(current, cells):
            # the table goes on after a page break without its header: the Mutu Baku
            # columns found again from the row's Waktu
            assert current.layout is not None
            current.layout = _continued_layout(cells, current.layout)
            in_table = True
        if in_table and current is not None and current.layout is not None:
            if not plain:
                i += 1
                continue
            if is_column_number_row(cells):
                i += 1  # "1 2 3 ... 10" repeated where a table breaks across pages
                continue
            if is_total_row(cells):
                in_table = False  # "Jumlah waktu" under the steps closes the table
                i += 1
                continue
            if (
                len(cells) >= 3
                and _step_no(cells[0])
                and clean_cell(_cell(cells, current.layout.kegiatan))
            ):
                if len(current.steps) >= MAX_STEPS:
                    current.dropped_steps += 1
                    i += 1
                    continue
                if not _STEP_NO.match(cells[0]) and not any(
                    w.startswith("sub-langkah") for w in current.warnings
                ):
                    current.warnings.append(
                        f"sub-langkah (mis. {_step_no(cells[0])}) dibaca sebagai langkah tersendiri"
                    )
                step, shift = read_step(cells, current.layout)
                current.shifted_rows += shift != 0
                current.steps.append(step)
                i += 1
                continue
            if len(cells) >= 3 and not cells[0].strip() and current.steps:
                # A row broken over two lines: the second part has no number.
                extra, _ = read_step(["0", *cells[1:]], current.layout)
                last = current.steps[-1]
                last.activity = _append(last.activity, extra.activity)
                last.requirements = _append(last.requirements, extra.requirements)
                last.output = _append(last.output, extra.output)
                last.note = _append(last.note, extra.note)
                if last.duration.kind == "empty":
                    last.duration = extra.duration
                for k, v in extra.marks.items():
                    last.marks.setdefault(k, v)
                labels = lane_annotations(last.marks)  # the step's symbol may sit in either part
                last.actors = [
                    a for a in dict.fromkeys([*last.actors, *extra.actors]) if a not in labels
                ]
                i += 1
                continue
            in_table = False
        # Outside a table: headings and identity lines.
        heading = _title_from_heading(raw) if "\t" not in raw.strip("\t ") else None
        found = match_field(plain) if plain and not heading else None
        new_title = heading or (_title_value(plain) if found and found[0] == "title" else "")
        old_title = pending.fields.get("title") or pending.fields.get("title_heading") or ""
        if new_title and old_title and not _same_title(new_title, old_title):
            # The previous title never got a step table: keep it as an SOP without steps.
            orphan = _Builder(
                identity=pending, warnings=["tabel langkah tidak ditemukan untuk SOP ini"]
            )
            builders.append(orphan)
            pending = IdentityBlock()
            layout_sections = {}
        if heading:
            pending.set_field("title_heading", heading)
            pending.title_source = "heading"
        elif plain and _STANDAR_HEADING.search(plain):
            nxt = next((x for x in lines[i + 1 : i + 4] if clean_cell(x)), "")
            candidate = clean_cell(nxt)
            if candidate and not match_field(candidate):
                pending.set_field("title_heading", candidate)
                pending.title_source = pending.title_source or "heading"
        elif plain:
            layout_sections = feed_tab_line(pending, cells, layout_sections)
        i += 1

    if not any(b.layout for b in builders):
        return []  # no step table at all: not this module's shape of text
    sops = []
    for index, b in enumerate(builders):
        sops.append(_finish(b, source_file, index, doc_office, doc_kab))
    return sops


def _leading_empty(cells: list[str]) -> int:
    return next((k for k, c in enumerate(cells) if c.strip()), 0)


def _continues_table(b: _Builder, cells: list[str]) -> bool:
    """A row numbered as the step after the last one, with a Waktu: the step table
    continued on the next page (or sheet) without its header."""
    if b.layout is None or not b.steps or len(cells) < 3:
        return False
    m = _STEP_NO.match(cells[0])
    last = b.steps[-1].no
    if not m or not last.isdigit() or int(m.group(1)) != int(last) + 1:
        return False
    return any(looks_like_duration(clean_cell(c)) for c in cells[2:])


def _continued_layout(cells: list[str], layout: TableLayout) -> TableLayout:
    if len(cells) == layout.width or looks_like_duration(clean_cell(_cell(cells, layout.waktu))):
        return layout
    waktu = next(k for k in range(2, len(cells)) if looks_like_duration(clean_cell(cells[k])))
    ket = waktu + 2 if waktu + 2 < len(cells) else None
    # the actor columns are laid out anew on this page: their marks cannot be named
    return TableLayout(layout.kegiatan, [], waktu - 1, waktu, waktu + 1, ket)


def _title_value(text: str) -> str:
    found = match_field(text)
    return text[found[1].end() :].strip(" :") if found else ""


def _same_title(a: str, b: str) -> bool:
    """Two title lines of one SOP (heading and Nama SOP), office suffix allowed."""
    ka, kb = normalise_title_key(a), normalise_title_key(b)
    return ka.startswith(kb) or kb.startswith(ka) or SequenceMatcher(None, ka, kb).ratio() >= 0.75


#: A lane whose marks are this many words or more, in most steps, is a column of
#: text (a Mutu Baku column the header did not name), not a Pelaksana lane.
TEXT_COLUMN_WORDS = 3


def _text_lanes(b: _Builder) -> list[str]:
    """The Pelaksana columns that hold sentences, not marks: in at least half of
    the steps (three or more) a text of :data:`TEXT_COLUMN_WORDS` words and no
    flowchart symbol ("Realisasi target tim kerja, Dokumen Sumber" under a
    column the header calls "Sumber Data")."""
    if len(b.steps) < 3:
        return []
    out = []
    for _, name in b.actors:
        texts = [s.marks.get(name, "") for s in b.steps]
        wordy = sum(len(t.split()) >= TEXT_COLUMN_WORDS and mark_kind(t) is None for t in texts)
        if wordy * 2 >= len(b.steps):
            out.append(name)
    return out


def _lanes_as_kelengkapan(b: _Builder) -> None:
    """A column of sentences among the Pelaksana lanes leaves them; where the
    table has no Kelengkapan of its own, it is the Kelengkapan."""
    lanes = _text_lanes(b)
    if not lanes:
        return
    keep = not any(s.requirements for s in b.steps)
    for s in b.steps:
        texts = [s.marks.pop(name, "") for name in lanes]
        s.actors = [a for a in s.actors if a not in lanes]
        if keep:
            s.requirements = "\n".join(t for t in texts if t)
    b.actors = [(i, name) for i, name in b.actors if name not in lanes]
    names = ", ".join(f"'{name}'" for name in lanes)
    b.warnings.append(
        f"kolom {names} berisi kalimat, bukan simbol flowchart: "
        + ("dibaca sebagai Kelengkapan" if keep else "tidak dibaca sebagai pelaksana")
    )


def _finish(b: _Builder, source_file: str, index: int, doc_office: str, doc_kab: str) -> SOP:
    _lanes_as_kelengkapan(b)
    ident = b.identity
    office, kab = find_office("\n".join(ident.text))
    office = office or doc_office
    kab = kab or doc_kab
    title_raw = ident.fields.get("title") or ident.fields.get("title_heading") or ""
    warnings = list(b.warnings)
    if not title_raw:
        warnings.append("judul SOP tidak ditemukan")
    title = smart_title(without_office_suffix(collapse_spaces(title_raw), office))
    sections = ident.sections
    identity: dict[str, Any] = {
        f.attr: ident.fields.get(f.attr, "") for f in HEADER_FIELDS if f.attr != "title"
    }
    identity.update(
        {
            f.attr: sections.get(f.attr, []) if f.is_list else "\n".join(sections.get(f.attr, []))
            for f in SECTION_FIELDS
        }
    )
    sop = SOP(
        source_file=source_file,
        title=title or untitled(index + 1),
        office=office,
        kabupaten=kab,
        **identity,
        actors=[Actor(raw=name) for _, name in b.actors],
        steps=b.steps,
        warnings=warnings,
        title_raw=title_raw,
        index_in_file=index,
    )
    if b.shifted_rows:
        sop.warnings.append(
            f"{b.shifted_rows} baris bergeser satu kolom (sel kosong tambahan); Mutu Baku dibaca dari posisi Waktu"
        )
    if b.dropped_steps:
        sop.warnings.append(
            f"tabel langkah lebih dari {MAX_STEPS} langkah: {b.dropped_steps} langkah berikutnya "
            "tidak dibaca; pecah SOP ini"
        )
    return sop
