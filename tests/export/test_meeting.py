"""The meeting pack on real groups of the bundled corpus (TF-IDF): the workbook opened
with openpyxl, the berita acara with python-docx."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from embeddings import get_encoder
from sopdata.export.meeting import (
    ATTENDEE_HEADER,
    ATTENDEE_ROWS,
    SHEET_NAME_MAX,
    MeetingGroup,
    MeetingPackError,
    meeting_group,
    meeting_pack,
    sheet_names,
)
from sopdata.findings import find_differences
from sopdata.harmonise import harmonise
from sopdata.matching.compare import compare_group
from sopdata.matching.match import match_corpus
from sopdata.review.store import WorkStore
from sopdata.review.workspace import Group, build_groups

WHEN = datetime(2026, 11, 29, 7, 35, tzinfo=UTC)


@pytest.fixture(scope="module")
def groups(corpus_sops) -> list[Group]:  # type: ignore[no-untyped-def]
    matches, _ = match_corpus(corpus_sops, get_encoder("tfidf"))
    return build_groups(corpus_sops, matches)


@pytest.fixture(scope="module")
def chosen(groups: list[Group], tmp_path_factory: pytest.TempPathFactory) -> list[MeetingGroup]:
    """Three groups: Laporan Kinerja agreed with a saved draft, Surat Keluar discussed,
    the OT recommendation never reviewed."""
    ws = WorkStore(Path(tmp_path_factory.mktemp("meeting")) / "work.sqlite3")
    encoder = get_encoder("tfidf")
    picked = [
        next(g for g in groups if g.title == t)
        for t in (
            "Laporan Kinerja",
            "Surat Keluar",
            "Pelayanan Rekomendasi Surat Keterangan Organisasi Terlarang (OT)",
        )
    ]
    out = []
    for k, group in enumerate(picked):
        comparison = compare_group(group.sops, encoder)
        proposal = harmonise(comparison).sop
        if k == 0:
            edited = proposal.to_dict()
            edited["steps"][0]["activity"] = "Menyusun laporan kinerja bulanan (disepakati rapat)"
            ws.save_draft(group.id, edited, "Sari", note="rapat 1")
            ws.set_group_status(group.id, "dibahas", "Sari")
            ws.set_group_status(group.id, "disepakati", "Budi")
        if k == 1:
            ws.set_group_status(group.id, "dibahas", "Sari")
        out.append(
            meeting_group(
                group,
                proposal,
                find_differences(comparison).findings,
                ws.latest_draft(group.id),
                ws.group_statuses().get(group.id),
            )
        )
    return out


def test_the_workbook_has_a_summary_then_procedure_and_findings_per_group(chosen) -> None:  # type: ignore[no-untyped-def]
    pack = meeting_pack(chosen, WHEN)
    wb = load_workbook(io.BytesIO(pack.workbook))
    names = sheet_names(chosen)
    assert wb.sheetnames == ["Ringkasan", *(n for pair in names for n in pair)]
    assert names[0] == ("1 Prosedur - Laporan Kinerja", "1 Temuan - Laporan Kinerja")
    assert all(len(n) <= SHEET_NAME_MAX for n in wb.sheetnames)

    summary = [row for row in wb["Ringkasan"].iter_rows(min_row=5, values_only=True) if row[0]]
    assert [r[1] for r in summary] == [g.title for g in chosen]
    assert [r[3] for r in summary] == ["Disepakati", "Dibahas", "Belum ditinjau"]
    assert summary[0][4].startswith("Budi, ") and summary[0][4].endswith(" WIB")
    assert summary[2][4] == "-"
    assert summary[0][5] == "Rancangan versi 1" and summary[2][5].startswith("Usulan otomatis")
    assert summary[0][2].split("\n") == list(chosen[0].offices)
    for row, group in zip(summary, chosen, strict=True):
        assert row[6] == len(group.findings)
        top = group.top_findings()
        if top:
            assert top[0].message in row[7] and row[7].count("\n") == len(top) - 1
        else:
            assert row[7] == "-"
    assert any(g.findings for g in chosen)

    # the agreed group's Prosedur is its saved draft, not the proposal
    procedure = wb[names[0][0]]
    activities = [r[1] for r in procedure.iter_rows(min_row=7, values_only=True)]
    assert "Menyusun laporan kinerja bulanan (disepakati rapat)" in activities
    findings = wb[names[1][1]]
    assert findings["A1"].value == "TEMUAN PERBEDAAN ANTARKANTOR"
    messages = [r[3] for r in findings.iter_rows(min_row=4, values_only=True) if r[3]]
    assert messages == [f.message for f in chosen[1].findings]


def test_every_procedure_sheet_carries_its_drawn_flowchart(chosen) -> None:  # type: ignore[no-untyped-def]
    """The meeting's Prosedur sheets have the same drawn flowchart as the single
    export: one drawing part per Prosedur sheet, one shape per step."""
    pack = meeting_pack(chosen, WHEN)
    wb = load_workbook(io.BytesIO(pack.workbook))
    with zipfile.ZipFile(io.BytesIO(pack.workbook)) as z:
        names = z.namelist()
        drawings = sorted(n for n in names if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n))
        assert len(drawings) == len(chosen)
        for k, (procedure, findings) in enumerate(sheet_names(chosen)):
            sheet_part = f"xl/worksheets/sheet{wb.sheetnames.index(procedure) + 1}.xml"
            assert "<drawing " in z.read(sheet_part).decode()
            findings_part = f"xl/worksheets/sheet{wb.sheetnames.index(findings) + 1}.xml"
            assert "<drawing " not in z.read(findings_part).decode()
            rels = z.read(f"xl/worksheets/_rels/sheet{wb.sheetnames.index(procedure) + 1}.xml.rels")
            target = re.search(rb'Target="../drawings/(drawing\d+\.xml)"', rels).group(1).decode()
            xml = z.read(f"xl/drawings/{target}").decode()
            shapes = re.findall(r'<xdr:cNvSpPr(?![^>]*txBox="1")', xml)
            steps = chosen[k].sop.steps
            assert len(shapes) >= len(steps)
            assert xml.count("flowChartTerminator") >= 2


def test_the_berita_acara_lists_agreed_groups_findings_and_blank_attendees(chosen) -> None:  # type: ignore[no-untyped-def]
    pack = meeting_pack(chosen, WHEN)
    doc = docx.Document(io.BytesIO(pack.minutes))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BERITA ACARA" in text and "Tempat\t: …" in text and "Hari/tanggal\t: …" in text
    agreed = text.split("B. Kelompok prosedur yang disepakati")[1].split("C. Temuan")[0]
    assert "Laporan Kinerja" in agreed and "disepakati" in agreed
    assert "Surat Keluar" not in agreed and "Organisasi Terlarang" not in agreed
    discussed = text.split("C. Temuan yang dibahas")[1]
    for group in chosen:
        assert group.title in discussed
        for f in group.top_findings(3):
            assert f.message in discussed
    groups_table, attendees, signatures = doc.tables
    assert [c.text for c in groups_table.rows[0].cells] == ["No", "Prosedur", "Kantor", "Status"]
    assert [r.cells[3].text for r in groups_table.rows[1:]] == [
        "Disepakati",
        "Dibahas",
        "Belum ditinjau",
    ]
    assert tuple(c.text for c in attendees.rows[0].cells) == ATTENDEE_HEADER
    assert len(attendees.rows) == 1 + ATTENDEE_ROWS
    assert all(c.text == "" for r in attendees.rows[1:] for c in r.cells)
    roles = [signatures.rows[0].cells[k].text for k in range(2)]
    assert roles == ["Pimpinan Rapat", "Notulis"]
    assert "14:35 WIB" in text


def test_without_agreed_groups_the_berita_acara_says_so(chosen) -> None:  # type: ignore[no-untyped-def]
    doc = docx.Document(io.BytesIO(meeting_pack(chosen[1:], WHEN).minutes))
    assert any("Belum ada kelompok prosedur yang disepakati" in p.text for p in doc.paragraphs)


def test_no_group_is_a_message() -> None:
    with pytest.raises(MeetingPackError) as caught:
        meeting_pack([])
    assert "Pilih sedikitnya satu kelompok" in caught.value.message


@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        (["Surat Keluar"], [("1 Prosedur - Surat Keluar", "1 Temuan - Surat Keluar")]),
        (
            ["Pelayanan Rekomendasi Surat Keterangan Organisasi Terlarang (OT)"],
            [("1 Prosedur - Pelayanan Rekomend", "1 Temuan - Pelayanan Rekomendas")],
        ),
        (
            ["Izin: cuti/sakit [PNS]?"],
            [("1 Prosedur - Izin cuti sakit PN", "1 Temuan - Izin cuti sakit PNS")],
        ),
        (
            ["", "Surat"],
            [
                ("1 Prosedur - Kelompok", "1 Temuan - Kelompok"),
                ("2 Prosedur - Surat", "2 Temuan - Surat"),
            ],
        ),
    ],
)
def test_sheet_names(chosen, titles: list[str], expected: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    groups = [MeetingGroup(f"g:{k}", t, ("Kantor A",), chosen[0].sop) for k, t in enumerate(titles)]
    names = sheet_names(groups)
    assert names == expected
    flat = [n for pair in names for n in pair]
    assert len({n.casefold() for n in flat}) == len(flat)
