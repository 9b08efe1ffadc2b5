"""The exported workbook, checked cell by cell, and opened by LibreOffice."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from sopdata.export.excel import TOTAL_LABEL, WorkbookParts, export_workbook, step_ranges
from sopdata.findings import SEVERITY_LABEL, find_differences
from sopdata.form import DECISION, HEADER_FIELDS, PROCESS, TERMINATOR
from sopdata.harmonise import harmonise
from sopdata.matching.compare import merge_alignments
from sopdata.records import Step
from sopdata.text.durations import format_minutes, parse_duration
from tests.support.builders import gold_group, letters_at_eight_hours
from tests.support.sopfiles import LIBREOFFICE, libreoffice_convert


@pytest.fixture(scope="module")
def surat_keluar(sops_by_file):
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    comparison = merge_alignments(sops, 1, alignments)
    # The draft's identity is the harmonising authority's (issue 16), not one office's.
    draft = harmonise(comparison, authority="Pemerintah Kabupaten Jombang, Bagian Organisasi")
    findings = find_differences(comparison, proposal=draft)
    data = export_workbook(draft.sop, parts=WorkbookParts(comparison, findings, draft.choices))
    return draft, comparison, findings, data


def _rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_sheets_and_identity(surat_keluar):
    draft, *_, data = surat_keluar
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Identitas", "Prosedur", "Perbandingan", "Temuan", "Sumber"]
    ws = wb["Identitas"]
    labels = {ws.cell(row=r, column=3).value: ws.cell(row=r, column=4).value for r in range(1, 7)}
    assert list(labels) == [f.label for f in HEADER_FIELDS if f.printed]
    assert list(labels) == [
        "Nomor SOP",
        "Tanggal Pembuatan",
        "Tanggal Revisi",
        "Tanggal Efektif",
        "Disahkan oleh",
        "Nama SOP",
    ]  # the Permenpan form, as printed
    assert labels["Nama SOP"] == draft.sop.title
    assert ws["A1"].value.startswith("PEMERINTAH KABUPATEN JOMBANG")
    column_a = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    column_c = [ws.cell(row=r, column=3).value for r in range(1, ws.max_row + 1)]
    for heading in ("Dasar Hukum", "Keterkaitan", "Peringatan"):
        assert heading in column_a
    for heading in ("Kualifikasi Pelaksana", "Peralatan/Perlengkapan", "Pencatatan dan Pendataan"):
        assert heading in column_c
    basis = column_a[column_a.index("Dasar Hukum") + 1]
    assert basis == "1. " + draft.sop.legal_basis[0]


def test_procedure_sheet_layout_symbols_and_total(surat_keluar):
    draft, *_, data = surat_keluar
    sop = draft.sop
    ws = load_workbook(io.BytesIO(data))["Prosedur"]
    header1 = [c.value for c in ws[5]]
    header2 = [c.value for c in ws[6]]
    actors = [a.raw for a in sop.actors]
    n = len(actors)
    assert header1[:3] == ["No", "Kegiatan", "Pelaksana"]
    assert header1[2 + n] == "Mutu Baku" and header1[-1] == "Keterangan"
    assert header2[2 : 2 + n] == actors
    assert header2[2 + n : 5 + n] == ["Kelengkapan", "Waktu", "Output"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"C5:{ws.cell(row=5, column=2 + n).coordinate}" in merged  # Pelaksana spans its actors
    for k, step in enumerate(sop.steps):
        row = [c.value for c in ws[7 + k]]
        assert row[0] == step.no and row[1] == step.activity
        marks = row[2 : 2 + n]
        expected_symbol = TERMINATOR if k in (0, len(sop.steps) - 1) else PROCESS
        assert marks == [expected_symbol if a in step.actors else None for a in actors]
        if k == 0:
            assert (
                "⬭" in marks
            )  # the capsule of Permenpan 35/2012, the symbol the readers read back
        assert (row[3 + n] or "") == step.duration.raw
    total_row = [c.value for c in ws[7 + len(sop.steps)]]
    assert total_row[0] == TOTAL_LABEL
    assert total_row[3 + n] == format_minutes(sop.total_minutes, sop.time_settings)
    # Meeting-ready print setup.
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$6"
    assert ws.freeze_panes == "C7"
    assert ws["B7"].alignment.wrap_text and ws["B7"].border.left.style == "thin"


def test_decision_symbol(surat_keluar):
    draft, *_ = surat_keluar
    sop = copy.deepcopy(draft.sop)
    sop.steps[1].actors = ["Kabag"]
    sop.steps[1].marks = {"Kabag": DECISION}
    ws = load_workbook(io.BytesIO(export_workbook(sop)))["Prosedur"]
    actors = [c.value for c in ws[6]]
    assert ws.cell(row=8, column=actors.index("Kabag") + 1).value == DECISION


def test_comparison_and_findings_sheets(surat_keluar):
    _, comparison, findings, data = surat_keluar
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Perbandingan"]
    assert ws.max_row == 5 + len(comparison.rows) + 1
    texts = [c.value for row in ws.iter_rows(min_row=6) for c in row]
    assert "— tidak ada —" in texts
    # The sending row: 1 Harl against 20 menit; Jogoroto's step is garbled OCR, so its
    # Waktu is not compared (issue 16: one "teks tidak terbaca" finding instead).
    cells = [c for row in ws.iter_rows(min_row=6) for c in row if c.value in ("1 Harl", "20 menit")]
    assert len(cells) == 2 and not any(c.fill.fgColor.rgb.endswith("F8CBAD") for c in cells)
    ws = wb["Temuan"]
    body = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(body) == len(findings.findings)
    assert [r[1] for r in body] == [SEVERITY_LABEL[f.severity] for f in findings.findings]
    assert [r[3] for r in body] == [f.message for f in findings.findings]
    assert [r[6] or "" for r in body] == [f.proposed for f in findings.findings]
    assert any(r[6] for r in body)  # the draft's proposed values are exported


def _all_cells(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_no_formula_ever(surat_keluar):
    draft, *_ = surat_keluar
    sop = copy.deepcopy(draft.sop)
    nasty = {
        "activity": '=HYPERLINK("http://contoh.invalid","klik")',
        "requirements": "+62 811 000",
        "output": "@SUM(A1:A3)",
        "note": "-1+1",
    }
    sop.steps[0] = Step(
        no="1",
        activity=nasty["activity"],
        actors=sop.steps[0].actors,
        marks=sop.steps[0].marks,
        requirements=nasty["requirements"],
        duration=parse_duration("5 menit"),
        output=nasty["output"],
        note=nasty["note"],
    )
    sop.steps[1].activity = "<b>Memeriksa</b> draf<br>surat <script>alert(1)</script>"
    sop.title = "=1+1"
    sop.legal_basis.append("\tcmd|' /C calc'!A0")
    data = export_workbook(sop)
    cells = _all_cells(data)
    assert all(c.data_type != "f" for c in cells)
    by_value = {c.value: c for c in cells if isinstance(c.value, str)}
    for text in nasty.values():
        assert by_value[text].data_type == "s" and by_value[text].quotePrefix
    assert "Memeriksa draf\nsurat alert(1)" in by_value
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_export_is_quick_enough_to_use(surat_keluar):
    draft, comparison, findings, _ = surat_keluar
    data = export_workbook(draft.sop, parts=WorkbookParts(comparison, findings, draft.choices))
    assert data[:2] == b"PK" and len(data) > 5000


@pytest.mark.slow
@pytest.mark.skipif(
    LIBREOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)"
)
def test_libreoffice_opens_the_workbook(surat_keluar, tmp_path):
    *_, data = surat_keluar
    path = tmp_path / "harmonisasi.xlsx"
    path.write_bytes(data)
    (pdf,) = libreoffice_convert([path], "pdf", tmp_path)
    assert pdf.exists()
    head = pdf.read_bytes()
    assert head.startswith(b"%PDF") and head.count(b"/Type /Page") + head.count(b"/Type/Page") >= 5


@pytest.mark.slow
def test_cli_harmonise_writes_workbook_and_json(harmonise_cli_run):
    proc, out = harmonise_cli_run.proc, harmonise_cli_run.workbook
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert {s["title"] for s in payload["sops"]} == {"Pengelolaan Surat Keluar", "Surat Keluar"}
    # Jogoroto's OCR steps are one "teks tidak terbaca" finding (issue 16), with what
    # the draft does about them; the garbled rows are optional steps, not draft steps.
    garbled = [f for f in payload["findings"] if f["category"] == "unreadable"]
    assert len(garbled) == 1 and garbled[0]["offices"] == ["Kecamatan Jogoroto"]
    assert "opsional" in garbled[0]["proposed"]
    assert payload["harmonised"]["steps"] and payload["optional"]
    assert all(s["actors"] for s in payload["harmonised"]["steps"])
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["Identitas", "Prosedur"]
    assert proc.stderr.strip() == ""


@pytest.mark.parametrize("office", ["", "Kecamatan Jogoroto"])
def test_exported_workbook_loads_back_into_the_same_sop(surat_keluar, office):
    """Round trip: export -> the project's own xlsx loader gives the same SOP."""
    from sopdata.ingest.loaders import load_bytes

    draft, comparison, findings, _ = surat_keluar
    sop = copy.deepcopy(draft.sop)
    sop.office = office
    sop.number = "065/01/415.67/2026"
    sop.approved_by = "Sekretaris Daerah"
    data = export_workbook(sop, parts=WorkbookParts(comparison, findings, draft.choices))
    result = load_bytes(data, "harmonisasi.xlsx")
    assert len(result.sops) == 1  # Perbandingan, Temuan and Sumber are not read as SOPs
    back = result.sops[0].to_dict()
    expected = sop.to_dict()
    assert (
        back["document_sha256"] == hashlib.sha256(data).hexdigest()
    )  # the workbook is a new document
    for key in ("source_file", "warnings", "confidence", "document_sha256"):
        back.pop(key), expected.pop(key)
    if not office:
        back.pop("office"), expected.pop("office")
    assert back == expected


def test_totals_are_written_with_an_eight_hour_day():
    """Prosedur's total row and Perbandingan's totals: 480 minutes is "1 hari" at 8 h a day."""
    comparison = letters_at_eight_hours(("1 hari", ""))
    found = find_differences(comparison)
    draft = harmonise(comparison)
    assert draft.sop.total_minutes == 480
    wb = load_workbook(
        io.BytesIO(
            export_workbook(draft.sop, parts=WorkbookParts(comparison, found, draft.choices))
        )
    )
    ws = wb["Prosedur"]
    n = len(draft.sop.actors)
    total_row = next(r for r in _rows(ws) if r[0] == TOTAL_LABEL)
    assert total_row[3 + n] == "1 hari"
    comparison_totals = next(r for r in _rows(wb["Perbandingan"]) if TOTAL_LABEL in r)
    assert [v for v in comparison_totals if isinstance(v, str) and "hari" in v] == [
        "1 hari",
        "1 hari",
    ]
    everything = [v for ws in wb for r in _rows(ws) for v in r if isinstance(v, str)]
    assert not any("1 hari 30 menit" in v for v in everything)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([], ""),
        (["Kecamatan A langkah 3"], "Kecamatan A langkah 3"),
        (
            [f"Kecamatan A langkah {k}" for k in range(1, 9)],
            "Kecamatan A langkah 1–8",
        ),
        (
            ["Kecamatan A langkah 1", "Kecamatan A langkah 2", "Kecamatan A langkah 5"],
            "Kecamatan A langkah 1, 2, 5",
        ),
        (
            [
                "Kecamatan A langkah 1.",
                "Kecamatan B langkah 4",
                "Kecamatan A langkah 2.",
                "Kecamatan A langkah 3.",
                "Kecamatan A langkah 7a",
            ],
            "Kecamatan A langkah 1–3, 7a\nKecamatan B langkah 4",
        ),
        (["rancangan"], "rancangan"),
    ],
)
def test_step_ranges(steps, expected):
    assert step_ranges(steps) == expected


def test_print_setup_of_identity_comparison_and_findings(surat_keluar):
    *_, findings, data = surat_keluar
    wb = load_workbook(io.BytesIO(data))
    identity = wb["Identitas"]
    assert identity.page_setup.orientation == "landscape"
    assert identity["D1"].font.sz >= 11 and identity["C1"].font.sz >= 11
    comparison = wb["Perbandingan"]
    assert comparison.print_title_cols == "$A:$A" and comparison.print_title_rows == "$4:$5"
    assert not comparison.sheet_properties.pageSetUpPr.fitToPage
    assert 70 <= comparison.page_setup.scale <= 100
    sizes = {c.font.sz for row in comparison.iter_rows(min_row=2) for c in row if c.value}
    assert min(sizes) * comparison.page_setup.scale / 100 >= 8
    temuan = wb["Temuan"]
    written = [r[5] for r in temuan.iter_rows(min_row=4, values_only=True)]
    assert written == [step_ranges(f.steps) or None for f in findings.findings]
    assert all(
        len((w or "").split("\n")) <= len({s.split(" langkah")[0] for s in f.steps}) or not w
        for w, f in zip(written, findings.findings, strict=True)
    )
