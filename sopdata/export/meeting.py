"""The meeting pack: one workbook and a Word "berita acara" draft for a set of groups.

* **Workbook**: a summary sheet "Ringkasan" (a row per group: title, offices,
  status with who and when, where its harmonised SOP comes from, the number of
  findings and the three main ones), then per group its harmonised Prosedur
  (its flowchart drawn over the Pelaksana columns, as in the single export)
  and its Temuan, written by :func:`sopdata.export.excel.write_procedure` and
  :func:`~sopdata.export.excel.write_findings` on sheets named after the group.
* **Berita acara** (python-docx): heading, blanks for the date and the place,
  the groups discussed, the groups agreed (status Disepakati or Ditetapkan),
  the findings discussed, an attendance table (Nama | Jabatan | Tanda tangan)
  with empty rows and blanks for the signatures.

The harmonised SOP of a group is its latest saved draft when there is one,
else the automatic proposal (:func:`harmonised_sop`). Pure functions: the
caller gathers the groups (:class:`MeetingGroup`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import Table
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from sopdata.export.excel import (
    put,
    safe_text,
    sop_workbook,
    workbook_bytes,
    write_export_notes,
    write_findings,
    write_procedure,
)
from sopdata.findings import SEVERITY_LABEL, Finding
from sopdata.records import SOP, sop_from_dict
from sopdata.review.store import (
    AGREED_STATUSES,
    GROUP_STATUS_LABEL,
    DraftRecord,
    GroupStatusRecord,
)
from sopdata.review.workspace import Group
from sopdata.text.durations import DurationSettings
from sopdata.text.times import format_wib

SHEET_SUMMARY = "Ringkasan"
#: Excel's limit on a sheet name.
SHEET_NAME_MAX = 31
#: Findings per group on the summary sheet.
TOP_FINDINGS = 3
#: Findings per group listed in the berita acara (the rest are in the workbook).
MINUTES_FINDINGS = 10
#: Empty rows of the attendance table.
ATTENDEE_ROWS = 12
ATTENDEE_HEADER = ("Nama", "Jabatan", "Tanda tangan")
BLANK = "…………………………………"

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


class MeetingPackError(ValueError):
    """A meeting pack cannot be made (no group chosen); ``message`` is Indonesian."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class MeetingGroup:
    """One group as the meeting sees it.

    Attributes:
        group_id: the group's id (as drafts and statuses use it).
        title: the group's title.
        offices: the offices of its SOPs.
        sop: its harmonised SOP (latest draft, else the automatic proposal).
        findings: its differences, most severe first.
        status: its latest review status; None when never set (Belum ditinjau).
        draft_version: the draft version ``sop`` is; None for the automatic proposal.
    """

    group_id: str
    title: str
    offices: tuple[str, ...]
    sop: SOP
    findings: tuple[Finding, ...] = ()
    status: GroupStatusRecord | None = None
    draft_version: int | None = None

    @property
    def status_label(self) -> str:
        return GROUP_STATUS_LABEL[self.status.status if self.status else "belum_ditinjau"]

    @property
    def agreed(self) -> bool:
        return self.status is not None and self.status.status in AGREED_STATUSES

    @property
    def source_label(self) -> str:
        if self.draft_version is None:
            return "Usulan otomatis (belum disimpan)"
        return f"Rancangan versi {self.draft_version}"

    def top_findings(self, n: int = TOP_FINDINGS) -> list[Finding]:
        """The ``n`` main findings: most severe first, in their order otherwise."""
        return sorted(self.findings, key=lambda f: _SEVERITY_ORDER.get(f.severity, 9))[:n]


@dataclass(frozen=True)
class MeetingPack:
    """The two files of a meeting pack."""

    workbook: bytes
    minutes: bytes


def harmonised_sop(
    proposal: SOP, draft: DraftRecord | None, durations: DurationSettings | None = None
) -> tuple[SOP, int | None]:
    """The group's harmonised SOP: its latest saved draft (read with the reviewer's
    ``durations``) and its version, else the automatic ``proposal`` and None."""
    if draft is None:
        return proposal, None
    return sop_from_dict(draft.sop_dict, durations), draft.version


def meeting_group(
    group: Group,
    proposal: SOP,
    findings: Sequence[Finding],
    draft: DraftRecord | None = None,
    status: GroupStatusRecord | None = None,
    durations: DurationSettings | None = None,
) -> MeetingGroup:
    """A group for the meeting: its harmonised SOP is ``draft`` when saved, else ``proposal``."""
    sop, version = harmonised_sop(proposal, draft, durations)
    return MeetingGroup(
        group_id=group.id,
        title=group.title,
        offices=tuple(group.offices),
        sop=sop,
        findings=tuple(findings),
        status=status,
        draft_version=version,
    )


# --- workbook ---------------------------------------------------------------------


def sheet_names(groups: Sequence[MeetingGroup]) -> list[tuple[str, str]]:
    """(Prosedur sheet, Temuan sheet) of each group: "1 Prosedur - <title>" and
    "1 Temuan - <title>", cut to 31 characters, characters Excel refuses
    dropped, unique (ignoring case) within the workbook."""
    used = {SHEET_SUMMARY.casefold()}
    out = []
    for k, group in enumerate(groups, 1):
        title = " ".join(_SHEET_FORBIDDEN.sub(" ", group.title).split()) or "Kelompok"
        pair = []
        for kind in ("Prosedur", "Temuan"):
            name = f"{k} {kind} - {title}"[:SHEET_NAME_MAX].strip().strip("'")
            base, n = name, 2
            while name.casefold() in used:
                suffix = f" ({n})"
                name, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
            used.add(name.casefold())
            pair.append(name)
        out.append((pair[0], pair[1]))
    return out


def _finding_line(f: Finding) -> str:
    return f"[{SEVERITY_LABEL.get(f.severity, f.severity)}] {f.message}"


def write_summary(ws: Worksheet, groups: Sequence[MeetingGroup], generated_at: datetime) -> None:
    """The summary sheet: a row per group."""
    widths = {1: 5, 2: 34, 3: 30, 4: 14, 5: 26, 6: 24, 7: 10, 8: 70}
    for col, width in widths.items():
        ws.column_dimensions[chr(64 + col)].width = width
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(widths))
    put(ws, 1, 1, "PAKET RAPAT HARMONISASI SOP", bold=True, border=False, size=12)
    put(ws, 2, 1, f"Disusun {format_wib(generated_at)}", border=False)
    header = (
        "No",
        "Kelompok prosedur",
        "Kantor",
        "Status",
        "Status oleh / waktu",
        "Rancangan",
        "Jumlah temuan",
        f"{TOP_FINDINGS} temuan utama",
    )
    for c, label in enumerate(header, 1):
        put(ws, 4, c, label, bold=True, fill=_HEADER_FILL)
    for k, group in enumerate(groups, 1):
        r = 4 + k
        who = (
            f"{group.status.author or 'peninjau'}, {format_wib(group.status.saved_at)}"
            if group.status
            else "-"
        )
        top = group.top_findings()
        values: list[object] = [
            str(k),
            group.title,
            "\n".join(group.offices),
            group.status_label,
            who,
            group.source_label,
            len(group.findings),
            "\n".join(f"{i}. {_finding_line(f)}" for i, f in enumerate(top, 1)) or "-",
        ]
        for c, value in enumerate(values, 1):
            put(ws, r, c, value)
        lines = max(
            len(group.offices),
            sum(max(1, len(_finding_line(f)) // 75 + 1) for f in top),
            len(group.title) // 32 + 1,
            1,
        )
        ws.row_dimensions[r].height = 14 * lines + 4
    ws.freeze_panes = "A5"
    ws.print_title_rows = "4:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def meeting_workbook(
    groups: Sequence[MeetingGroup], generated_at: datetime | None = None
) -> Workbook:
    """The meeting's workbook (see the module docstring).

    Raises:
        MeetingPackError: no group.
    """
    _need(groups)
    generated_at = generated_at or datetime.now(UTC)
    wb = sop_workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_SUMMARY
    write_summary(ws, groups, generated_at)
    for group, (procedure, findings) in zip(groups, sheet_names(groups), strict=True):
        write_procedure(wb.create_sheet(procedure), group.sop)
        write_findings(wb.create_sheet(findings), list(group.findings))
    write_export_notes(wb)
    wb.properties.title = "Paket rapat harmonisasi SOP"
    wb.properties.creator = "SOP Harmoni"
    return wb


# --- berita acara -----------------------------------------------------------------


def berita_acara(
    groups: Sequence[MeetingGroup], generated_at: datetime | None = None
) -> DocxDocument:
    """The draft "berita acara" of the meeting (see the module docstring).

    Raises:
        MeetingPackError: no group.
    """
    _need(groups)
    generated_at = generated_at or datetime.now(UTC)
    doc = Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)

    heading = doc.add_heading("BERITA ACARA", level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph("Rapat Harmonisasi Standar Operasional Prosedur (SOP)")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number = doc.add_paragraph(f"Nomor: {BLANK}")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_paragraph(
        f"Pada hari ini {BLANK} tanggal {BLANK} bertempat di {BLANK} telah "
        "dilaksanakan rapat harmonisasi SOP Administrasi Pemerintahan antarkantor "
        f"yang membahas {len(groups)} kelompok prosedur, dengan hasil sebagai berikut."
    )
    for label in ("Hari/tanggal", "Waktu", "Tempat", "Pimpinan rapat"):
        line = doc.add_paragraph(f"{label}\t: {BLANK}")
        line.paragraph_format.tab_stops.add_tab_stop(Cm(4))

    doc.add_heading("A. Kelompok prosedur yang dibahas", level=1)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(
        table.rows[0].cells, ("No", "Prosedur", "Kantor", "Status"), strict=True
    ):
        cell.text = label
        cell.paragraphs[0].runs[0].bold = True
    for k, group in enumerate(groups, 1):
        cells = table.add_row().cells
        cells[0].text = str(k)
        cells[1].text = safe_text(group.title)
        cells[2].text = safe_text(", ".join(group.offices))
        cells[3].text = group.status_label
    _widths(table, (1.0, 6.5, 6.5, 2.5))

    doc.add_heading("B. Kelompok prosedur yang disepakati", level=1)
    agreed = [g for g in groups if g.agreed]
    if not agreed:
        doc.add_paragraph(
            "Belum ada kelompok prosedur yang disepakati (status Disepakati atau Ditetapkan)."
        )
    for group in agreed:
        doc.add_paragraph(
            safe_text(
                f"{group.title} ({', '.join(group.offices)}): {group.status_label.lower()}; "
                f"naskah: {group.source_label.lower()}"
            ),
            style="List Number",
        )

    doc.add_heading("C. Temuan yang dibahas", level=1)
    for group in groups:
        doc.add_paragraph(safe_text(group.title), style="Heading 2")
        if not group.findings:
            doc.add_paragraph("Tidak ada temuan perbedaan.")
            continue
        for f in group.top_findings(MINUTES_FINDINGS):
            doc.add_paragraph(safe_text(_finding_line(f)), style="List Bullet")
        rest = len(group.findings) - MINUTES_FINDINGS
        if rest > 0:
            doc.add_paragraph(f"… dan {rest} temuan lain (lihat lembar Temuan di paket rapat).")

    doc.add_heading("D. Kesimpulan dan tindak lanjut", level=1)
    for _ in range(3):
        doc.add_paragraph(BLANK * 3)

    doc.add_heading("E. Daftar hadir", level=1)
    attendees = doc.add_table(rows=1 + ATTENDEE_ROWS, cols=len(ATTENDEE_HEADER))
    attendees.style = "Table Grid"
    for cell, label in zip(attendees.rows[0].cells, ATTENDEE_HEADER, strict=True):
        cell.text = label
        cell.paragraphs[0].runs[0].bold = True
    for row in attendees.rows[1:]:
        row.height = Cm(1.0)  # room to write a name and sign
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    _widths(attendees, (6.5, 5.5, 4.5))

    doc.add_paragraph()
    signatures = doc.add_table(rows=4, cols=2)
    for col, role in enumerate(("Pimpinan Rapat", "Notulis")):
        cells = [signatures.rows[r].cells[col] for r in range(4)]
        cells[0].text = role
        cells[1].text = "\n\n\n"
        cells[2].text = f"({BLANK})"
        cells[3].text = f"NIP. {BLANK}"
        for cell in cells:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    note = doc.add_paragraph(f"Draf disusun oleh SOP Harmoni, {format_wib(generated_at)}.")
    note.runs[0].italic = True
    doc.core_properties.title = "Berita acara rapat harmonisasi SOP"
    doc.core_properties.author = "SOP Harmoni"
    return doc


def _widths(table: Table, cm: Sequence[float]) -> None:
    """Column widths of a Word table (Word reads them from every cell, LibreOffice from the grid)."""
    table.autofit = False
    for column, width in zip(table.columns, cm, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, cm, strict=True):
            cell.width = Cm(width)


def meeting_pack(
    groups: Sequence[MeetingGroup], generated_at: datetime | None = None
) -> MeetingPack:
    """Both files of the meeting pack, made in one run.

    Raises:
        MeetingPackError: no group.
    """
    _need(groups)
    generated_at = generated_at or datetime.now(UTC)
    book = workbook_bytes(meeting_workbook(groups, generated_at))
    minutes = io.BytesIO()
    berita_acara(groups, generated_at).save(minutes)
    return MeetingPack(book, minutes.getvalue())


def _need(groups: Sequence[MeetingGroup]) -> None:
    if not groups:
        raise MeetingPackError("Pilih sedikitnya satu kelompok prosedur untuk paket rapat.")
