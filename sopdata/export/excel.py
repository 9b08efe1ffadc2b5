"""Write a harmonised SOP to an Excel workbook in the Permenpan RB 35/2012 layout.

Sheets:

* **Identitas**: the identity block (pemerintah kabupaten, satuan kerja, Nomor
  SOP, dates, Disahkan oleh, Nama SOP), then the three pairs of list sections
  (Dasar Hukum | Kualifikasi Pelaksana, Keterkaitan | Peralatan/Perlengkapan,
  Peringatan | Pencatatan dan Pendataan).
* **Prosedur**: No | Kegiatan | one column per Pelaksana with the flowchart
  symbol of the step in the actor's cell | Kelengkapan | Waktu | Output |
  Keterangan, and the total Waktu.
* **Perbandingan**: the aligned steps of every source office side by side with
  their Pelaksana and Waktu, differences highlighted (when a comparison is given).
* **Temuan**: the findings (when given).
* **Sumber**: where every value of the draft came from (when given).

Every sheet is ready to print for a meeting: borders, wrapped text, column
widths, frozen header, landscape, fit to page width, header rows repeated on
each printed page.

Safety: text is always written as text. A cell starting with = + - @ or a
tab/CR is stored as a string with Excel's quote prefix, never as a formula;
markup is stripped to plain text; characters XML cannot hold are dropped.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sopdata.export.flowchart import (
    DEFAULT_ROW_PT,
    EMU_PER_PT,
    EMU_PER_PX,
    Grid,
    add_drawing,
    layout_flowchart,
    step_kind,
)
from sopdata.export.side_by_side import CELL_FIELDS, STATUS_COLOUR, build_side_by_side
from sopdata.findings import CATEGORY_LABEL, SEVERITY_LABEL, Finding, GroupFindings
from sopdata.form import (
    DECISION,
    HEADER_FIELDS,
    PROCESS,
    SECTION_PAIRS,
    SYMBOL,
    TERMINATOR,
)
from sopdata.harmonise import Choice
from sopdata.matching.compare import GroupComparison
from sopdata.records import SOP, Step
from sopdata.text.durations import format_minutes
from sopdata.text.textclean import strip_markup

SHEET_IDENTITY = "Identitas"
SHEET_PROCEDURE = "Prosedur"
SHEET_COMPARISON = "Perbandingan"
SHEET_FINDINGS = "Temuan"
SHEET_SOURCES = "Sumber"

#: Labels of the identity block, in the official order (also read back by the xlsx loader).
IDENTITY_LABELS: tuple[tuple[str, str], ...] = tuple(
    (f.attr, f.label) for f in HEADER_FIELDS if f.printed
)
LIST_SECTIONS: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = tuple(
    ((left.attr, left.label), (right.attr, right.label)) for left, right in SECTION_PAIRS
)
TOTAL_LABEL = "Jumlah waktu"
LEGEND = (
    f"Simbol: {TERMINATOR} mulai/selesai (terminator)   {PROCESS} proses   {DECISION} keputusan"
)

_FONT = "Arial"
#: Font of the flowchart symbol cells: Windows has ⬭ □ ◇ in Segoe UI Symbol; where it
#: is missing (LibreOffice on Linux) the glyph falls back to a font that has it
#: (Symbola, Debian's fonts-symbola; DejaVu has no ⬭).
SYMBOL_FONT = "Segoe UI Symbol"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_STATUS_FILL = {
    status: PatternFill("solid", fgColor=colour) for status, colour in STATUS_COLOUR.items()
}
_SEVERITY_FILL = {
    "high": PatternFill("solid", fgColor="F8CBAD"),
    "medium": PatternFill("solid", fgColor="FFF2CC"),
    "low": PatternFill("solid", fgColor="FFFFFF"),
}
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LINE_HEIGHT = 12.75  # points per line of 10 pt text
_DEFAULT_WIDTH = 8.43  # Excel's column width when none is set
_ID_SIZE = 11  # Identitas: printed at 100 % on a landscape page
#: Printable width of a landscape A4 page with the margins of :func:`_print_setup`,
#: in pixels at 96 dpi, and the pixels LibreOffice gives one unit of column width
#: when it prints (measured: wider than Excel's 7, so a scale that fits
#: LibreOffice fits Excel too).
_PAGE_WIDTH_PX = (11.69 - 0.8) * 96
_PRINT_PX_PER_UNIT = 9.4
#: Pixels per unit of column width the drawing is laid out with: between Excel's
#: 7 and LibreOffice's 9.4, so a symbol sits near the middle of its cell in both.
_DRAWING_PX_PER_UNIT = 8.2


#: Excel's limits: characters in a cell, columns in a sheet.
EXCEL_CELL_CHARS = 32_767
EXCEL_COLUMNS = 16_384
#: Pelaksana columns written at most: far below Excel's limit (writing 16,000
#: columns takes the server 13 s), far above any real SOP.
MAX_ACTOR_COLUMNS = 250
#: Title of the sheet listing what the workbook could not hold.
SHEET_NOTES = "Catatan ekspor"
_CUT_MARK = " … [dipotong]"


def _note(ws: Worksheet, text: str) -> None:
    """Remember something the workbook could not hold; listed on :data:`SHEET_NOTES`."""
    notes = getattr(ws.parent, "sop_export_notes", None)
    if notes is not None:
        notes.append(text)


def safe_text(value: object) -> str:
    """Plain text for a cell: markup stripped, XML-illegal characters dropped."""
    text = "" if value is None else str(value)
    text = strip_markup(text) if "<" in text or "&" in text else text
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def put(
    ws: Worksheet,
    row: int,
    col: int,
    value: object,
    *,
    bold: bool = False,
    align: Alignment = _WRAP,
    fill: PatternFill | None = None,
    border: bool = True,
    size: float = 10,
    font: str = _FONT,
) -> Cell | MergedCell:
    """Write one cell as text (never a formula), styled for print."""
    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        # Covered by a merge: only its border and fill show (the value sits top-left).
        if value not in (None, ""):
            raise ValueError(f"cell {cell.coordinate} is inside a merged range")
        cell.border = _BORDER if border else Border()
        if fill is not None:
            cell.fill = fill
        return cell
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
    else:
        text = safe_text(value)
        if len(text) > EXCEL_CELL_CHARS:
            _note(
                ws,
                f"{ws.title}!{cell.coordinate}: {len(text):,} karakter dipotong menjadi "
                f"{EXCEL_CELL_CHARS:,} (batas sel Excel)".replace(",", "."),
            )
            text = text[: EXCEL_CELL_CHARS - len(_CUT_MARK)] + _CUT_MARK
        cell.value = text
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if text.startswith(_FORMULA_START):
            cell.quotePrefix = True  # Excel/LibreOffice keep it text when the cell is edited
    cell.font = Font(name=font, size=size, bold=bold)
    cell.alignment = align
    if border:
        cell.border = _BORDER
    if fill is not None:
        cell.fill = fill
    return cell


def _lines(text: str, width: float) -> int:
    """Printed lines of a wrapped cell of ``width`` Excel character units."""
    per_line = max(int(width * 1.1) - 1, 4)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def _fit_row(
    ws: Worksheet,
    row: int,
    widths: Mapping[int, float],
    values: Mapping[int, str],
    minimum: int = 1,
    size: float = 10,
) -> None:
    scale = size / 10
    lines = max([minimum] + [_lines(v, widths.get(c, 10) / scale) for c, v in values.items() if v])
    ws.row_dimensions[row].height = min(409, lines * _LINE_HEIGHT * scale + 3)


def _print_setup(ws: Worksheet, title_rows: str | None, freeze: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    if freeze:
        ws.freeze_panes = freeze


def _set_widths(ws: Worksheet, widths: Mapping[int, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _numbered(items: Sequence[str]) -> list[str]:
    return [f"{k}. {item}" for k, item in enumerate(items, 1)]


def _section_items(sop: SOP, attr: str) -> list[str]:
    value = getattr(sop, attr)
    if isinstance(value, str):
        return [line for line in value.split("\n") if line.strip()]
    return [str(v) for v in value if str(v).strip()]


# --- sheets -------------------------------------------------------------------


def write_identity(ws: Worksheet, sop: SOP) -> None:
    """The identity block: a government/office cell left, label | value rows right,
    then the three pairs of list sections."""
    widths = {1: 28, 2: 28, 3: 24, 4: 46}
    _set_widths(ws, widths)
    header = "PEMERINTAH KABUPATEN " + (sop.kabupaten.upper() if sop.kabupaten else "…")
    office = sop.office.upper() if sop.office else "SATUAN KERJA: …"
    n = len(IDENTITY_LABELS)
    ws.merge_cells(start_row=1, start_column=1, end_row=n, end_column=2)
    put(ws, 1, 1, f"{header}\n{office}", bold=True, align=_CENTER, size=12)
    for r in range(1, n + 1):
        for c in (1, 2):
            ws.cell(row=r, column=c).border = _BORDER
    for r, (attr, label) in enumerate(IDENTITY_LABELS, 1):
        put(ws, r, 3, label, bold=True, fill=_HEADER_FILL, size=_ID_SIZE)
        value = getattr(sop, attr)
        put(ws, r, 4, value, bold=attr == "title", size=_ID_SIZE)
        _fit_row(ws, r, widths, {4: str(value)}, minimum=2, size=_ID_SIZE)
    row = n + 2
    for (left_attr, left_label), (right_attr, right_label) in LIST_SECTIONS:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
        put(ws, row, 1, left_label, bold=True, fill=_HEADER_FILL, size=_ID_SIZE)
        put(ws, row, 3, right_label, bold=True, fill=_HEADER_FILL, size=_ID_SIZE)
        ws.row_dimensions[row].height = _LINE_HEIGHT * _ID_SIZE / 10 + 6
        ws.cell(row=row, column=2).border = _BORDER
        ws.cell(row=row, column=4).border = _BORDER
        left, right = _section_items(sop, left_attr), _section_items(sop, right_attr)
        left = _numbered(left) if left_attr != "warning" else left
        right = _numbered(right)
        for k in range(max(len(left), len(right), 1)):
            r = row + 1 + k
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
            lt = left[k] if k < len(left) else ""
            rt = right[k] if k < len(right) else ""
            put(ws, r, 1, lt, size=_ID_SIZE)
            put(ws, r, 3, rt, size=_ID_SIZE)
            ws.cell(row=r, column=2).border = _BORDER
            ws.cell(row=r, column=4).border = _BORDER
            _fit_row(ws, r, {1: 56, 3: 70}, {1: lt, 3: rt}, size=_ID_SIZE)
        row += max(len(left), len(right), 1) + 2
    _print_setup(ws, None, None)


def step_symbol(step: Step, index: int, count: int) -> str:
    """The Permenpan flowchart symbol of a step: terminator first and last, decision, process."""
    return SYMBOL[step_kind(step, index, count)]


def procedure_actors(sop: SOP) -> list[str]:
    """Pelaksana columns in order: the SOP's actor columns, then any actor a step names."""
    names = [a.raw for a in sop.actors]
    for step in sop.steps:
        for a in step.actors:
            if a not in names:
                names.append(a)
    return names


def sheet_grid(ws: Worksheet, rows: int, cols: int) -> Grid:
    """Column widths and row heights of a sheet in EMU, as a drawing anchors to them."""
    widths = []
    for c in range(1, cols + 1):
        w = ws.column_dimensions[get_column_letter(c)].width or _DEFAULT_WIDTH
        widths.append(int(w * _DRAWING_PX_PER_UNIT) * EMU_PER_PX)
    heights = [
        int((ws.row_dimensions[r].height or DEFAULT_ROW_PT) * EMU_PER_PT)
        for r in range(1, rows + 1)
    ]
    return Grid(tuple(widths), tuple(heights))


def _actor_width(name: str) -> float:
    """Width of a Pelaksana column: 10, wider (up to 16) when the name has a long
    word, so "Pengadministrasi" is not broken across two printed lines."""
    longest = max((len(word) for word in name.split()), default=0)
    return float(min(16, max(10, math.ceil(longest * 0.9) + 2)))


def write_procedure(ws: Worksheet, sop: SOP, drawing: bool = True) -> None:
    """The step table in the official layout, with the total Waktu.

    ``drawing``: the flowchart is drawn over the Pelaksana columns (shapes and
    arrows, added to the saved file by :func:`export_workbook`); the symbols stay
    in the cells beneath them either way, so the sheet reads back as an SOP.
    """
    actors = procedure_actors(sop)
    room = MAX_ACTOR_COLUMNS
    if len(actors) > room:
        _note(
            ws,
            f"{ws.title}: {len(actors) - room} kolom Pelaksana melebihi batas {room} kolom "
            f"dan tidak ditulis ({', '.join(actors[room : room + 5])} ...)",
        )
        actors = actors[:room]
    n_act = max(len(actors), 1)
    c_no, c_act = 1, 2
    c_first_actor = 3
    c_req = c_first_actor + n_act
    c_time, c_out, c_note = c_req + 1, c_req + 2, c_req + 3
    widths: dict[int, float] = {c_no: 5, c_act: 32, c_req: 18, c_time: 10, c_out: 18, c_note: 14}
    for k in range(n_act):
        widths[c_first_actor + k] = _actor_width(actors[k] if k < len(actors) else "")
    _set_widths(ws, widths)

    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=c_note)
    put(ws, 1, 1, "STANDAR OPERASIONAL PROSEDUR", bold=True, align=_CENTER, border=False, size=12)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=c_note)
    put(ws, 2, 1, sop.title, bold=True, align=_CENTER, border=False, size=12)
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=c_note)
    put(ws, 3, 1, LEGEND, align=Alignment(horizontal="left"), border=False)

    h1, h2 = 5, 6
    for col, label in ((c_no, "No"), (c_act, "Kegiatan"), (c_note, "Keterangan")):
        ws.merge_cells(start_row=h1, start_column=col, end_row=h2, end_column=col)
        put(ws, h1, col, label, bold=True, align=_CENTER, fill=_HEADER_FILL)
        put(ws, h2, col, "", fill=_HEADER_FILL)
    ws.merge_cells(start_row=h1, start_column=c_first_actor, end_row=h1, end_column=c_req - 1)
    put(ws, h1, c_first_actor, "Pelaksana", bold=True, align=_CENTER, fill=_HEADER_FILL)
    for k in range(n_act):
        if k:
            put(ws, h1, c_first_actor + k, "", fill=_HEADER_FILL)
        put(
            ws,
            h2,
            c_first_actor + k,
            actors[k] if k < len(actors) else "",
            bold=True,
            align=_CENTER,
            fill=_HEADER_FILL,
        )
    ws.merge_cells(start_row=h1, start_column=c_req, end_row=h1, end_column=c_out)
    put(ws, h1, c_req, "Mutu Baku", bold=True, align=_CENTER, fill=_HEADER_FILL)
    put(ws, h1, c_time, "", fill=_HEADER_FILL)
    put(ws, h1, c_out, "", fill=_HEADER_FILL)
    for col, label in ((c_req, "Kelengkapan"), (c_time, "Waktu"), (c_out, "Output")):
        put(ws, h2, col, label, bold=True, align=_CENTER, fill=_HEADER_FILL)
    _fit_row(ws, h2, widths, {c_first_actor + k: a for k, a in enumerate(actors)})

    row = h2 + 1
    count = len(sop.steps)
    for k, step in enumerate(sop.steps):
        symbol = step_symbol(step, k, count)
        put(ws, row, c_no, step.no, align=_CENTER)
        put(ws, row, c_act, step.activity)
        for j in range(n_act):
            mark = symbol if j < len(actors) and actors[j] in step.actors else ""
            put(ws, row, c_first_actor + j, mark, align=_CENTER, size=14, font=SYMBOL_FONT)
        put(ws, row, c_req, step.requirements)
        put(ws, row, c_time, step.duration.raw.strip(), align=_CENTER)
        put(ws, row, c_out, step.output)
        put(ws, row, c_note, step.note)
        _fit_row(
            ws,
            row,
            widths,
            {c_act: step.activity, c_req: step.requirements, c_out: step.output, c_note: step.note},
            minimum=3 if drawing and step.actors else 2,  # room for a drawn symbol
        )
        row += 1
    ws.merge_cells(start_row=row, start_column=c_no, end_row=row, end_column=c_req)
    put(
        ws,
        row,
        c_no,
        TOTAL_LABEL,
        bold=True,
        align=Alignment(horizontal="right", vertical="center"),
        fill=_TOTAL_FILL,
    )
    for col in range(c_no + 1, c_req + 1):
        ws.cell(row=row, column=col).border = _BORDER
    total = format_minutes(sop.total_minutes, sop.time_settings) if sop.total_minutes else "-"
    put(ws, row, c_time, total, bold=True, align=_CENTER, fill=_TOTAL_FILL)
    _fit_row(ws, row, widths, {c_time: total})  # "1 jam 20 menit" wraps in Waktu
    put(ws, row, c_out, "", fill=_TOTAL_FILL)
    put(ws, row, c_note, "", fill=_TOTAL_FILL)
    _print_setup(ws, f"{h1}:{h2}", f"C{h2 + 1}")
    drawings = getattr(ws.parent, "sop_drawings", None)
    if drawing and drawings is not None and sop.steps:
        for r in range(1, h1):
            ws.row_dimensions[r].height = ws.row_dimensions[r].height or DEFAULT_ROW_PT
        grid = sheet_grid(ws, row + 1, c_note + 1)
        chart = layout_flowchart(sop.steps, actors, grid, c_first_actor - 1, h2)
        drawings.append((ws.title, chart, grid))


def write_comparison(
    ws: Worksheet, comparison: GroupComparison, findings: GroupFindings | None
) -> None:
    """Every office's version of each aligned step, side by side (see ``side_by_side``)."""
    table = build_side_by_side(comparison, findings)
    offices = table.offices
    per = 3  # Langkah, Pelaksana, Waktu
    widths: dict[int, float] = {1: 5}
    for m in range(len(offices)):
        base = 2 + m * per
        widths.update({base: 30, base + 1: 13, base + 2: 9})
    c_notes = 2 + len(offices) * per
    widths[c_notes] = _notes_width(len(offices), per=52)
    _set_widths(ws, widths)
    # Printed in blocks of two offices (a page break after every pair, the Baris
    # column repeated), so each page is read at >= 8 pt; notes join the last block.
    # The title starts right of Baris so the repeated column prints nothing of it.
    first_block_end = min(c_notes, 1 + OFFICES_PER_PAGE * per)
    ws.merge_cells(start_row=1, start_column=2, end_row=1, end_column=first_block_end)
    put(
        ws,
        1,
        2,
        f"PERBANDINGAN LANGKAH: {table.title}",
        bold=True,
        align=_CENTER,
        border=False,
        size=12,
    )
    ws.merge_cells(start_row=2, start_column=2, end_row=2, end_column=first_block_end)
    put(
        ws,
        2,
        2,
        "Kuning: berbeda dari kantor lain · Merah muda: jauh berbeda · Abu-abu: langkah tidak ada"
        " · Biru: urutan berbeda",
        align=Alignment(horizontal="left", wrap_text=True),
        border=False,
        size=10,
    )
    ws.row_dimensions[2].height = 2 * _LINE_HEIGHT + 3
    h1, h2 = 4, 5
    ws.merge_cells(start_row=h1, start_column=1, end_row=h2, end_column=1)
    put(ws, h1, 1, "Baris", bold=True, align=_CENTER, fill=_HEADER_FILL)
    put(ws, h2, 1, "", fill=_HEADER_FILL)
    for m, office in enumerate(offices):
        base = 2 + m * per
        ws.merge_cells(start_row=h1, start_column=base, end_row=h1, end_column=base + per - 1)
        put(
            ws,
            h1,
            base,
            f"{office}\n{table.sop_titles[m]}",
            bold=True,
            align=_CENTER,
            fill=_HEADER_FILL,
        )
        for k, label in enumerate(CELL_FIELDS):
            if k:
                put(ws, h1, base + k, "", fill=_HEADER_FILL)
            put(ws, h2, base + k, label, bold=True, align=_CENTER, fill=_HEADER_FILL)
    ws.merge_cells(start_row=h1, start_column=c_notes, end_row=h2, end_column=c_notes)
    put(ws, h1, c_notes, "Catatan perbedaan", bold=True, align=_CENTER, fill=_HEADER_FILL)
    put(ws, h2, c_notes, "", fill=_HEADER_FILL)
    _fit_row(
        ws,
        h1,
        {c: 50 for c in widths},
        {2 + m * per: f"{o}\n{table.sop_titles[m]}" for m, o in enumerate(offices)},
        minimum=2,
    )

    row = h2 + 1
    for line in table.rows:
        put(ws, row, 1, line.number, align=_CENTER)
        values: dict[int, str] = {}
        for m, office_cells in enumerate(line.offices):
            base = 2 + m * per
            step, actors, waktu = office_cells.cells
            if not office_cells.present:
                for k, cell in enumerate(office_cells.cells):
                    put(ws, row, base + k, cell.text, fill=_STATUS_FILL.get(cell.status))
                continue
            put(ws, row, base, step.text, fill=_STATUS_FILL.get(step.status))
            put(ws, row, base + 1, actors.text, fill=_STATUS_FILL.get(actors.status))
            put(ws, row, base + 2, waktu.text, align=_CENTER, fill=_STATUS_FILL.get(waktu.status))
            values[base] = step.text
        notes = "\n".join(f"• {message}" for message in line.notes)
        put(ws, row, c_notes, notes)
        values[c_notes] = notes
        _fit_row(ws, row, widths, values, minimum=2)
        row += 1
    put(ws, row, 1, "", fill=_TOTAL_FILL)
    for m, sop in enumerate(comparison.sops):
        base = 2 + m * per
        ws.merge_cells(start_row=row, start_column=base, end_row=row, end_column=base + 1)
        put(
            ws,
            row,
            base,
            TOTAL_LABEL,
            bold=True,
            align=Alignment(horizontal="right"),
            fill=_TOTAL_FILL,
        )
        ws.cell(row=row, column=base + 1).border = _BORDER
        put(
            ws,
            row,
            base + 2,
            format_minutes(sop.total_minutes, sop.time_settings) if sop.total_minutes else "-",
            bold=True,
            align=_CENTER,
            fill=_TOTAL_FILL,
        )
    put(ws, row, c_notes, "", fill=_TOTAL_FILL)
    _fit_row(
        ws,
        row,
        widths,
        {
            2 + m * per + 2: format_minutes(sop.total_minutes, sop.time_settings)
            for m, sop in enumerate(comparison.sops)
            if sop.total_minutes
        },
    )
    _print_setup(ws, f"{h1}:{h2}", f"B{h2 + 1}")
    _print_in_blocks(ws, widths, per, len(offices), c_notes)


#: Offices printed side by side on one page of Perbandingan.
OFFICES_PER_PAGE = 2
_NOTES_MIN_WIDTH = 26


def _notes_width(n_offices: int, per: float) -> float:
    """Width of Catatan perbedaan: it prints with the last block of offices, so it
    takes the room a short last block leaves (a narrow column of long notes made
    every row of the sheet several lines taller)."""
    if n_offices <= OFFICES_PER_PAGE:
        return _NOTES_MIN_WIDTH
    in_last = n_offices - (n_offices - 1) // OFFICES_PER_PAGE * OFFICES_PER_PAGE
    return max(_NOTES_MIN_WIDTH, (OFFICES_PER_PAGE - in_last) * per)


def _width_px(width: float) -> float:
    return width * _PRINT_PX_PER_UNIT


def _print_in_blocks(
    ws: Worksheet, widths: Mapping[int, float], per: int, n_offices: int, c_notes: int
) -> None:
    """Page breaks after every :data:`OFFICES_PER_PAGE` offices, the first
    column repeated on each, at the one scale that fits the widest block."""
    blocks: list[list[int]] = []
    for start in range(0, n_offices, OFFICES_PER_PAGE):
        first = 2 + start * per
        last = 1 + min(n_offices, start + OFFICES_PER_PAGE) * per
        blocks.append(list(range(first, last + 1)))
    if blocks:
        blocks[-1].append(c_notes)
    else:
        blocks = [[c_notes]]
    widest = max(_width_px(widths[1]) + sum(_width_px(widths[c]) for c in b) for b in blocks)
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.fitToWidth = None
    ws.page_setup.fitToHeight = None
    ws.page_setup.scale = max(10, min(100, int(_PAGE_WIDTH_PX / widest * 100)))
    ws.print_title_cols = "A:A"
    for block in blocks[:-1]:
        ws.col_breaks.append(Break(id=block[-1]))


_STEP_REF = re.compile(r"^(?P<office>.*?)\s*langkah\s+(?P<no>\S+)$", re.IGNORECASE)


def _ranges(numbers: Sequence[str]) -> str:
    """ "1", "2", "3", "5", "7a" -> "1–3, 5, 7a" (runs of whole numbers joined)."""
    out: list[str] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            out.append(f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)))
            run.clear()

    for no in numbers:
        digits = no.rstrip(".")
        if digits.isdigit() and (not run or int(digits) == run[-1] + 1):
            run.append(int(digits))
            continue
        flush()
        if digits.isdigit():
            run.append(int(digits))
        else:
            out.append(no)
    flush()
    return ", ".join(out)


def step_ranges(steps: Sequence[str]) -> str:
    """Step references ("<office> langkah <no>") written compactly, one line per
    office: "Kecamatan A langkah 1–8, 10". A reference of another shape is kept."""
    offices: dict[str, list[str]] = {}
    others: list[str] = []
    for ref in steps:
        m = _STEP_REF.match(ref.strip())
        if m:
            offices.setdefault(m.group("office"), []).append(m.group("no"))
        else:
            others.append(ref)
    lines = [f"{office} langkah {_ranges(nos)}".strip() for office, nos in offices.items()]
    return "\n".join(lines + others)


def write_findings(ws: Worksheet, findings: Sequence[Finding]) -> None:
    widths = {1: 4, 2: 9, 3: 12, 4: 46, 5: 18, 6: 18, 7: 26}
    _set_widths(ws, widths)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=7)
    put(ws, 1, 1, "TEMUAN PERBEDAAN ANTARKANTOR", bold=True, align=_CENTER, border=False, size=12)
    header = ("No", "Tingkat", "Kategori", "Uraian", "Kantor", "Langkah", "Usulan rancangan")
    for c, label in enumerate(header, 1):
        put(ws, 3, c, label, bold=True, align=_CENTER, fill=_HEADER_FILL)
    for k, f in enumerate(findings, 1):
        r = 3 + k
        values = {
            4: f.message,
            5: ", ".join(f.offices),
            6: step_ranges(f.steps),
            7: f.proposed,
        }
        put(ws, r, 1, str(k), align=_CENTER)
        put(ws, r, 2, SEVERITY_LABEL[f.severity], align=_CENTER, fill=_SEVERITY_FILL[f.severity])
        put(ws, r, 3, CATEGORY_LABEL.get(f.category, f.category))
        for c, v in values.items():
            put(ws, r, c, v)
        _fit_row(ws, r, widths, values)
    _print_setup(ws, "3:3", "A4")


def write_sources(ws: Worksheet, choices: Sequence[Choice]) -> None:
    widths = {1: 9, 2: 14, 3: 50, 4: 30, 5: 26}  # 9: bold "Langkah" on one line
    _set_widths(ws, widths)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    put(
        ws,
        1,
        1,
        "SUMBER SETIAP PILIHAN DALAM RANCANGAN",
        bold=True,
        align=_CENTER,
        border=False,
        size=12,
    )
    for c, label in enumerate(("Langkah", "Bagian", "Isi", "Sumber (kantor)", "Aturan"), 1):
        put(ws, 3, c, label, bold=True, align=_CENTER, fill=_HEADER_FILL)
    for k, ch in enumerate(choices):
        r = 4 + k
        values = {3: ch.value, 4: ", ".join(ch.sources)}
        put(ws, r, 1, ch.step or "-", align=_CENTER)
        put(ws, r, 2, ch.field)
        put(ws, r, 3, ch.value)
        put(ws, r, 4, values[4])
        put(ws, r, 5, ch.rule)
        _fit_row(ws, r, widths, values)
    _print_setup(ws, "3:3", "A4")


@dataclass
class WorkbookParts:
    """What goes into a workbook besides the SOP itself (all optional)."""

    comparison: GroupComparison | None = None
    findings: GroupFindings | None = None
    choices: Sequence[Choice] = ()


def sop_workbook() -> Workbook:
    """An empty workbook with the lists the sheet writers fill: the notes of
    what a sheet could not hold (``sop_export_notes``, see :func:`put` and
    :func:`write_export_notes`) and the flowcharts to draw (``sop_drawings``,
    see :func:`write_procedure` and :func:`workbook_bytes`)."""
    wb = Workbook()
    wb.sop_export_notes = []
    wb.sop_drawings = []
    return wb


def build_workbook(sop: SOP, parts: WorkbookParts | None = None, drawing: bool = True) -> Workbook:
    """The workbook; the flowchart shapes are listed on ``wb.sop_drawings`` for
    :func:`export_workbook` to add (openpyxl does not write shapes)."""
    parts = parts or WorkbookParts()
    wb = sop_workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_IDENTITY
    write_identity(ws, sop)
    write_procedure(wb.create_sheet(SHEET_PROCEDURE), sop, drawing)
    if parts.comparison is not None and parts.comparison.sops:
        write_comparison(wb.create_sheet(SHEET_COMPARISON), parts.comparison, parts.findings)
    if parts.findings is not None:
        write_findings(wb.create_sheet(SHEET_FINDINGS), parts.findings.findings)
    if parts.choices:
        write_sources(wb.create_sheet(SHEET_SOURCES), parts.choices)
    wb.properties.title = _property(sop.title)
    wb.properties.creator = "SOP Harmoni"
    write_export_notes(wb)
    return wb


def write_export_notes(wb: Workbook) -> None:
    """The sheet "Catatan ekspor": what the sheets could not hold (the notes
    :func:`put` collects on ``wb.sop_export_notes``); none when nothing was cut."""
    if not getattr(wb, "sop_export_notes", None):
        return
    notes = wb.create_sheet(SHEET_NOTES)
    notes.column_dimensions["A"].width = 110
    notes.cell(row=1, column=1, value="Yang tidak muat di buku kerja ini").font = Font(bold=True)
    for row, text in enumerate(wb.sop_export_notes, start=2):
        notes.cell(row=row, column=1, value=safe_text(text))


def _property(text: str) -> str:
    return re.sub(r"[\x00-\x1f]", " ", safe_text(text))[:250]


def workbook_bytes(wb: Workbook) -> bytes:
    """The saved workbook with the flowcharts its Prosedur sheets listed on
    ``wb.sop_drawings`` drawn in (openpyxl writes no shapes)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    for sheet, chart, grid in getattr(wb, "sop_drawings", ()):
        data = add_drawing(data, sheet, chart, grid)
    return data


def export_workbook(
    sop: SOP,
    target: str | Path | IO[bytes] | None = None,
    parts: WorkbookParts | None = None,
    drawing: bool = True,
) -> bytes:
    """Write the workbook; returns its bytes (also saved to ``target`` when given).

    ``drawing``: the Prosedur sheet carries the flowchart as drawn shapes and
    arrows (the symbols stay in the cells beneath, for reading back)."""
    data = workbook_bytes(build_workbook(sop, parts, drawing))
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(data)
    elif target is not None:
        target.write(data)
    return data
