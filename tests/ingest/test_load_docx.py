"""Word details the official-layout tests do not reach: symbol-font bullets,
shapes floating over the table, tracked changes and content controls."""

from __future__ import annotations

import copy
import io

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from sopdata.ingest.docx import read_docx
from sopdata.ingest.loaders import load_document
from tests.support.renderings import word_document
from tests.support.sopfiles import NS_DECL, docx_from_sops, drawingml_run


@pytest.fixture(scope="module")
def decision_sop(sops_by_file):
    return next(
        s
        for s in sops_by_file["setda-bagian-organisasi-sop.txt"]
        if s.title == "Pengajuan Kartu PNS dan Kartu Istri/Suami"
    )


def _edit(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    document = docx.Document(io.BytesIO(data))
    change(document)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _step_cell(document, step: int, column: int):  # type: ignore[no-untyped-def]
    table = document.tables[-1]
    return table.rows[3 + step].cells[column]  # two header rows and the column-number row


def test_symbol_font_bullets_in_kegiatan_become_list_lines(decision_sop):
    def change(document):  # type: ignore[no-untyped-def]
        cell = _step_cell(document, 0, 1)
        for paragraph in cell.paragraphs:
            first_run = paragraph._p.find(qn("w:r"))
            first_run.addprevious(
                parse_xml(f'<w:r {NS_DECL}><w:sym w:font="Wingdings" w:char="F0D8"/></w:r>')
            )

    (sop,) = load_document(
        io.BytesIO(_edit(docx_from_sops([decision_sop]), change)), "bullet.docx"
    ).sops
    assert sop.steps[0].activity == decision_sop.steps[0].activity
    assert sop.steps[0].marks == decision_sop.steps[0].marks


def test_shapes_floating_over_the_table_are_not_read_as_marks(decision_sop):
    def change(document):  # type: ignore[no-untyped-def]
        paragraph = _step_cell(document, 0, 1).paragraphs[0]
        for mark in "□◇□⬭":
            paragraph._p.append(parse_xml(drawingml_run(mark)))

    data = _edit(docx_from_sops([decision_sop]), change)
    (sop,) = load_document(io.BytesIO(data), "melayang.docx").sops
    assert sop.steps[0].activity == decision_sop.steps[0].activity
    assert any("melayang" in w for w in sop.warnings)
    assert sop.steps[1].marks == decision_sop.steps[1].marks  # other cells keep their marks


def test_tracked_deletions_are_dropped_and_insertions_kept(decision_sop):
    def change(document):  # type: ignore[no-untyped-def]
        p = _step_cell(document, 2, 1).paragraphs[0]._p
        p.append(
            parse_xml(
                f'<w:del {NS_DECL} w:id="1" w:author="x"><w:r><w:delText> LAMA</w:delText></w:r></w:del>'
            )
        )
        p.append(
            parse_xml(
                f'<w:ins {NS_DECL} w:id="2" w:author="x"><w:r><w:t xml:space="preserve"> segera</w:t></w:r></w:ins>'
            )
        )

    (sop,) = load_document(
        io.BytesIO(_edit(docx_from_sops([decision_sop]), change)), "revisi.docx"
    ).sops
    assert sop.steps[2].activity == decision_sop.steps[2].activity + " segera"


def test_table_inside_a_content_control(decision_sop):
    def change(document):  # type: ignore[no-untyped-def]
        tbl = document.tables[-1]._tbl
        sdt = parse_xml(f"<w:sdt {NS_DECL}><w:sdtPr/><w:sdtContent/></w:sdt>")
        tbl.addprevious(sdt)
        sdt.find(qn("w:sdtContent")).append(tbl)

    (sop,) = load_document(
        io.BytesIO(_edit(docx_from_sops([decision_sop]), change)), "kontrol.docx"
    ).sops
    assert len(sop.steps) == len(decision_sop.steps)


def test_nested_table_rows_follow_the_outer_row(decision_sop):
    """An SOP laid out inside a one-cell frame table still reads."""

    def change(document):  # type: ignore[no-untyped-def]
        body = document.element.body
        frame = document.add_table(rows=1, cols=1)._tbl
        cell = frame.find(qn("w:tr")).find(qn("w:tc"))
        for child in list(body):
            if child is not frame and child.tag in (qn("w:tbl"), qn("w:p")):
                cell.append(copy.deepcopy(child))
                body.remove(child)
        cell.append(parse_xml(f"<w:p {NS_DECL}/>"))

    data = _edit(docx_from_sops([decision_sop]), change)
    doc = read_docx(io.BytesIO(data), "bingkai.docx")
    assert doc.tables >= 2
    (sop,) = load_document(io.BytesIO(data), "bingkai.docx").sops
    assert [s.marks for s in sop.steps] == [s.marks for s in decision_sop.steps]


@pytest.mark.parametrize(
    "name",
    [
        "016_samarinda_kec_sungaipinang_sp_surat_pengantar_nikah.txt",  # Standar Pelayanan, unlabelled
        "037_minsel_kecamatan_sp_pengesahan_legalisir_dokumen.txt",
        "045_kemenag_kab_pasuruan_sp_permohonan_usul_cuti.txt",  # components with labels
        "042_polres_cirebon_mekanisme_pengurusan_skck.txt",  # a written procedure
        "044_smkn2_dumai_sop_penerimaan_tamu.txt",
        "021_puskesmas_perhentianraja_pemberian_imunisasi_injeksi_polio.txt",  # Puskesmas
        "046_kemenag_kab_sumbawa_sop_perencanaan_anggaran_dipa.txt",  # SOP AP as text
    ],
)
def test_a_word_document_without_a_step_table_reads_as_its_text(name: str) -> None:
    """A Standar Pelayanan, a written procedure or a Puskesmas SOP typed in
    Word: the same SOPs as its text dump. Before, Word was read only for a step
    table and these were refused ("tidak memuat tabel langkah SOP")."""
    from sopdata.ingest.loaders import load_bytes, parse_document_text
    from tests.support.paths import TEST_DATA

    text = (TEST_DATA / "realdocs" / "docs" / name).read_text(encoding="utf-8")
    expected = [(s.title, [x.activity for x in s.steps]) for s in parse_document_text(text, name)]
    got = load_bytes(word_document(text), name.replace(".txt", ".docx")).sops
    assert [(s.title, [x.activity for x in s.steps]) for s in got] == expected
    assert any(steps for _, steps in expected)
