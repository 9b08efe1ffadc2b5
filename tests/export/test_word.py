"""The harmonised SOP as a Word document, reopened with python-docx."""

from __future__ import annotations

import copy
import io

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt

from sopdata.export.excel import IDENTITY_LABELS, procedure_actors
from sopdata.export.word import MIN_FONT_PT, export_docx
from sopdata.form import DECISION, PROCESS, TERMINATOR
from sopdata.harmonise import harmonise
from sopdata.matching.compare import merge_alignments
from tests.support.builders import gold_group


@pytest.fixture(scope="module")
def draft(sops_by_file):
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    sop = copy.deepcopy(harmonise(merge_alignments(sops, 1, alignments)).sop)
    sop.approved_by = "Camat Jogoroto"
    return sop


def _texts(cells) -> list[str]:
    return [c.text for c in cells]


def test_identity_steps_and_signature(draft):
    doc = Document(io.BytesIO(export_docx(draft, authority="Pemerintah Kabupaten Lumajang")))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    identity, sections, steps, signature = doc.tables
    assert identity.cell(0, 0).text.startswith("PEMERINTAH KABUPATEN LUMAJANG")
    assert [identity.cell(r, 1).text for r in range(len(IDENTITY_LABELS))] == [
        label for _, label in IDENTITY_LABELS
    ]
    values = {identity.cell(r, 1).text: identity.cell(r, 2).text for r in range(6)}
    assert values["Nama SOP"] == draft.title and values["Disahkan oleh"] == "Camat Jogoroto"
    assert sections.cell(0, 0).text == "Dasar Hukum"
    assert sections.cell(1, 0).text.startswith("1. " + draft.legal_basis[0])

    actors = procedure_actors(draft)
    n = len(actors)
    head1, head2 = _texts(steps.rows[0].cells), _texts(steps.rows[1].cells)
    assert head1[:3] == ["No", "Kegiatan", "Pelaksana"] and head1[-1] == "Keterangan"
    assert head1[2 + n] == "Mutu Baku"
    assert head2[2 : 2 + n] == actors
    assert head2[2 + n : 5 + n] == ["Kelengkapan", "Waktu", "Output"]
    for row in steps.rows[:2]:  # both header rows repeat on every printed page
        assert row._tr.trPr.find(qn("w:tblHeader")) is not None
    body = steps.rows[2:-1]
    assert len(body) == len(draft.steps)
    for k, (row, step) in enumerate(zip(body, draft.steps, strict=True)):
        cells = _texts(row.cells)
        assert cells[0] == step.no and cells[1] == step.activity
        symbol = TERMINATOR if k in (0, len(draft.steps) - 1) else PROCESS
        assert cells[2 : 2 + n] == [symbol if a in step.actors else "" for a in actors]
        assert cells[3 + n] == step.duration.raw.strip()
    assert steps.rows[-1].cells[0].text == "Jumlah waktu"
    assert "Disahkan oleh" in signature.cell(0, 1).text
    assert "Camat Jogoroto" in signature.cell(0, 1).text
    sizes = [r.font.size for p in doc.paragraphs for r in p.runs if r.font.size is not None] + [
        r.font.size
        for t in doc.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
        if r.font.size is not None
    ]
    assert sizes and min(sizes) >= Pt(MIN_FONT_PT)


def test_decision_symbol_and_hostile_text(draft):
    sop = copy.deepcopy(draft)
    actor = sop.steps[1].actors[0] if sop.steps[1].actors else procedure_actors(sop)[0]
    sop.steps[1].actors, sop.steps[1].marks = [actor], {actor: DECISION}
    sop.steps[2].activity = "<b>Periksa</b>\x07 =1+1"
    doc = Document(io.BytesIO(export_docx(sop)))
    steps = doc.tables[2]
    cells = _texts(steps.rows[3].cells)
    assert DECISION in cells
    assert _texts(steps.rows[4].cells)[1] == "Periksa =1+1"


@pytest.mark.slow
def test_cli_harmonise_writes_docx(harmonise_cli_run):
    assert harmonise_cli_run.proc.returncode == 0, harmonise_cli_run.proc.stderr
    doc = Document(str(harmonise_cli_run.docx))
    assert len(doc.tables) == 4 and doc.tables[2].rows[0].cells[1].text == "Kegiatan"
