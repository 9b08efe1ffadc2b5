"""The side-by-side table of a group: built once, written by the workbook as is."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from sopdata.export.excel import WorkbookParts, export_workbook
from sopdata.export.side_by_side import CELL_FIELDS, MISSING_TEXT, STATUS_COLOUR, build_side_by_side
from sopdata.findings import find_differences
from sopdata.harmonise import harmonise
from sopdata.matching.compare import merge_alignments
from tests.test_findings import gold_group


@pytest.fixture(scope="module")
def surat_keluar(sops_by_file):
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    # Jogoroto's sending step as the reviewer reads it in the scan: its OCR text is
    # garbled, and a garbled step's Waktu is not compared (issue 16).
    sops[0].steps[
        5
    ].activity = (
        "Agendaris surat menyampaikan surat kepada alamat yang dituju dengan buku ekspedisi"
    )
    comparison = merge_alignments(sops, 1, alignments)
    return comparison, find_differences(comparison)


def test_one_row_per_aligned_step_three_cells_per_office(surat_keluar):
    comparison, findings = surat_keluar
    table = build_side_by_side(comparison, findings)
    assert table.offices == tuple(comparison.offices)
    assert table.sop_titles == tuple(s.title for s in comparison.sops)
    assert table.title == comparison.sops[comparison.pivot].title
    assert [r.number for r in table.rows] == [str(k + 1) for k in range(len(comparison.rows))]
    for line, aligned in zip(table.rows, comparison.rows, strict=True):
        assert len(line.offices) == len(comparison.sops)
        for m, cells in enumerate(line.offices):
            steps = comparison.steps(aligned, m)
            assert cells.present == bool(steps)
            if not steps:
                assert [c.text for c in cells.cells] == [MISSING_TEXT, "", ""]
                assert {c.status for c in cells.cells} == {"missing"}
            else:
                assert cells.step.text.startswith(f"{steps[0].no}. ")
                assert cells.step.status == "same"


def test_marks_follow_the_findings(surat_keluar):
    comparison, findings = surat_keluar
    table = build_side_by_side(comparison, findings)
    # The sending row: 1 Harl against 20 menit, both far apart.
    far = [c.waktu for r in table.rows for c in r.offices if c.waktu.text in ("1 Harl", "20 menit")]
    assert len(far) == 2 and {c.status for c in far} == {"outlier"}
    assert {c.colour for c in far} == {STATUS_COLOUR["outlier"]}
    actor_rows = {f.row for f in findings.findings if f.category == "actor"}
    for r, line in enumerate(table.rows):
        assert line.notes == tuple(f.message for f in findings.findings if f.row == r)
        for cells in line.offices:
            if cells.present:
                assert (cells.actors.status == "differs") == (r in actor_rows)
    # Without findings only the missing steps are marked.
    bare = build_side_by_side(comparison)
    assert {c.status for r in bare.rows for o in r.offices for c in o.cells} <= {"same", "missing"}
    assert all(not r.notes for r in bare.rows)


def test_the_workbook_writes_the_same_cells(surat_keluar):
    comparison, findings = surat_keluar
    table = build_side_by_side(comparison, findings)
    draft = harmonise(comparison)
    data = export_workbook(draft.sop, parts=WorkbookParts(comparison, findings, draft.choices))
    ws = load_workbook(io.BytesIO(data))["Perbandingan"]
    assert [ws.cell(row=5, column=2 + k).value for k in range(3)] == list(CELL_FIELDS)
    for k, line in enumerate(table.rows):
        row = 6 + k
        assert ws.cell(row=row, column=1).value == line.number
        for m, cells in enumerate(line.offices):
            for j, cell in enumerate(cells.cells):
                written = ws.cell(row=row, column=2 + 3 * m + j)
                assert (written.value or "") == cell.text
                fill = written.fill.fgColor.rgb if written.fill.fill_type else None
                assert (fill[-6:] if fill else None) == cell.colour
        notes = ws.cell(row=row, column=2 + 3 * len(table.offices)).value or ""
        assert notes == "\n".join(f"• {n}" for n in line.notes)


def test_a_step_done_in_another_order_is_marked_not_dropped():
    from sopdata.matching.alignment import AlignedPair
    from tests.support.builders import small_sop

    steps = [("Menerima berkas", "Staf", ""), ("Memverifikasi berkas", "Kasubag", "")]
    steps += [("Menandatangani surat", "Camat", "")]
    a = small_sop("Kecamatan A", steps)
    b = small_sop("Kecamatan B", [steps[0], steps[2], steps[1]])
    b.steps[1].no, b.steps[2].no = "5", "6"
    pairs = [
        AlignedPair(0, 0, 1.0),
        AlignedPair(1, 2, 0.9, "urutan berbeda"),
        AlignedPair(2, 1, 1.0),
    ]
    comparison = merge_alignments([a, b], 0, {1: pairs})
    table = build_side_by_side(comparison, find_differences(comparison))
    # one row per pivot step, in the pivot's order: nothing falls into a gap
    assert len(table.rows) == 3
    moved = table.rows[1].offices[1].step
    assert "urutan berbeda: langkah 6 di Kecamatan B" in moved.text
    assert moved.status == "order" and moved.colour == STATUS_COLOUR["order"]
    assert any("urutan berbeda" in n for n in table.rows[1].notes)


def test_a_merged_step_says_digabung():
    from sopdata.matching.alignment import AlignedPair
    from tests.support.builders import small_sop

    a = small_sop("Kecamatan A", [("Memeriksa dan memaraf konsep", "Kasubag", "")])
    b = small_sop("Kecamatan B", [("Memeriksa konsep", "Kasubag", ""), ("Memaraf", "Kasubag", "")])
    pairs = [AlignedPair(0, 0, 1.0, "digabung"), AlignedPair(0, 1, 0.9, "digabung")]
    table = build_side_by_side(merge_alignments([a, b], 0, {1: pairs}))
    assert len(table.rows) == 1
    assert table.rows[0].offices[1].step.text.endswith("[digabung]")


def test_a_step_listing_acts_keeps_them_apart_in_its_cell(surat_keluar):
    """The Setda book's step 5 lists four acts one a line; its cell (page and
    workbook alike) keeps them apart with "; ", not run together."""
    comparison, findings = surat_keluar
    table = build_side_by_side(comparison, findings)
    pivot = comparison.pivot
    texts = [r.offices[pivot].step.text for r in table.rows]
    five = next(t for t in texts if t.startswith("5. "))
    assert five.startswith(
        "5. Memberi nomor agenda surat; Memperbanyak sesuai kebutuhan; Dimasukan ke amplop surat; "
    )
    one_act = next(t for t in texts if t.startswith("4. "))
    assert ";" not in one_act
