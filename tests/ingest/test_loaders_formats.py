"""Word, Excel, HTML and PDF files built from the seed SOPs load into the same
records as the text parser gives for the seed text itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from sopdata.ingest.loaders import Format, detect_format, load_bytes, load_document, load_path
from sopdata.records import SOP
from tests.support.paths import CORPUS, ROOT
from tests.support.sopfiles import (
    LIBREOFFICE,
    MARK_STYLES,
    docx_from_dump,
    docx_from_sops,
    html_from_dump,
    libreoffice_convert,
    xlsx_export_layout,
    xlsx_from_dump,
    xlsx_handmade,
)

# The four table-dump seeds (the fifth is OCR text with no table to rebuild).
TABLE_SEEDS = [
    "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt",
    "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt",
    "lumajang-kec-sumbersuko-rekomendasi-ot.txt",
    "setda-bagian-organisasi-sop.txt",
]
MULTI_SOP_SEED = "setda-bagian-organisasi-sop.txt"
DECISION_SOP = "Pengajuan Kartu PNS dan Kartu Istri/Suami"
IDENTITY_FIELDS = (
    "number",
    "date_created",
    "date_revised",
    "date_approved",
    "date_effective",
    "approved_by",
    "legal_basis",
    "qualifications",
    "related_sops",
    "equipment",
    "warning",
    "records",
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def assert_same_sops(
    got: list[SOP], ref: list[SOP], identity: bool = True, exact_text: bool = True
) -> None:
    """Title, actors, steps (activity, marks, actors, Waktu, Mutu Baku) and identity equal.

    ``exact_text=False`` compares cell texts with whitespace and line breaks
    collapsed (a PDF keeps a list item's line break only where it can tell).
    """
    same = (lambda a, b: a == b) if exact_text else (lambda a, b: _flat(a) == _flat(b))
    assert [s.title for s in got] == [s.title for s in ref]
    for g, r in zip(got, ref, strict=True):
        assert [a.raw for a in g.actors] == [a.raw for a in r.actors], r.title
        assert [a.name for a in g.actors] == [a.name for a in r.actors], r.title
        assert len(g.steps) == len(r.steps), r.title
        for gs, rs in zip(g.steps, r.steps, strict=True):
            where = f"{r.title} langkah {rs.no}"
            assert gs.no == rs.no, where
            assert same(gs.activity, rs.activity), where
            assert gs.marks == rs.marks, where
            assert gs.actors == rs.actors, where
            assert gs.is_decision == rs.is_decision, where
            assert gs.duration.raw == rs.duration.raw, where
            assert gs.duration.minutes == rs.duration.minutes, where
            assert same(gs.requirements, rs.requirements), where
            assert same(gs.output, rs.output), where
            assert same(gs.note, rs.note), where
        assert g.total_minutes == r.total_minutes
        if identity:
            for name in IDENTITY_FIELDS:
                assert getattr(g, name) == getattr(r, name), (r.title, name)


def _ref(sops_by_file, seed: str) -> list[SOP]:
    return sops_by_file[seed]


# ----------------------------------------------------------------------------- Word


@pytest.mark.parametrize("style", MARK_STYLES)
@pytest.mark.parametrize("seed", TABLE_SEEDS)
def test_docx_official_layout_matches_text_parser(sops_by_file, seed, style):
    """Identity table, two-row header with merged cells, marks as text, DrawingML
    shapes (with VML fallback), legacy VML shapes or Wingdings symbols."""
    ref = _ref(sops_by_file, seed)
    result = load_bytes(docx_from_sops(ref, marks=style), Path(seed).stem + ".docx")
    assert result.format is Format.DOCX
    assert_same_sops(result.sops, ref)
    if seed != MULTI_SOP_SEED:  # the Setda office comes from the corpus provenance note
        assert [s.office for s in result.sops] == [s.office for s in ref]


@pytest.mark.parametrize("seed", TABLE_SEEDS)
def test_docx_of_the_whole_dump_matches_text_parser(sops_by_file, seed):
    """Every tab-separated run of the dump as a Word table, other lines as paragraphs."""
    ref = _ref(sops_by_file, seed)
    sops = load_document(
        io.BytesIO(docx_from_dump((CORPUS / seed).read_text(encoding="utf-8"))), "dump.docx"
    ).sops
    assert_same_sops(sops, ref)


def test_docx_multi_sop_document_keeps_every_sop_in_order(sops_by_file):
    ref = _ref(sops_by_file, MULTI_SOP_SEED)
    sops = load_document(io.BytesIO(docx_from_sops(ref, marks="drawingml")), "buku.docx").sops
    assert len(sops) == 25
    assert [s.index_in_file for s in sops] == list(range(25))
    assert {s.source_file for s in sops} == {"buku.docx"}


@pytest.mark.parametrize("style", MARK_STYLES)
def test_docx_decision_step_read_from_drawn_diamond(sops_by_file, style):
    ref = next(s for s in _ref(sops_by_file, MULTI_SOP_SEED) if s.title == DECISION_SOP)
    (sop,) = load_document(io.BytesIO(docx_from_sops([ref], marks=style)), "kartu.docx").sops
    step2 = sop.steps[1]
    assert step2.marks == {"PNS": "□", "Pengelola Kepegawaian": "◇"}
    assert step2.is_decision and not sop.steps[0].is_decision
    assert sop.steps[0].marks["Pengelola Kepegawaian"] == "Tidak"  # a branch label, not an actor
    assert sop.steps[0].actors == ["PNS"]


# ----------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("seed", TABLE_SEEDS)
def test_html_page_of_the_dump_matches_text_parser(sops_by_file, seed):
    """Cells keep their markup fragments (<ul>, <p>, <b>); the SOP text is plain."""
    ref = _ref(sops_by_file, seed)
    page = html_from_dump((CORPUS / seed).read_text(encoding="utf-8"))
    result = load_bytes(page.encode("utf-8"), Path(seed).stem + ".html")
    assert result.format is Format.HTML
    assert_same_sops(result.sops, ref)
    for sop in result.sops:
        for step in sop.steps:
            assert "<" not in step.activity + step.requirements + step.output
    assert load_document(io.BytesIO(page.encode("utf-8")), "x.html").sops[0].title == ref[0].title


def test_html_rowspan_and_colspan_place_cells_on_the_grid():
    page = """<html><body><h2>SOP PENERBITAN SURAT KETERANGAN</h2>
    <table><thead>
    <tr><th rowspan="2">No</th><th rowspan="2">Kegiatan</th><th colspan="3">Pelaksana</th>
        <th colspan="3">Mutu Baku</th><th rowspan="2">Keterangan</th></tr>
    <tr><th>Pemohon</th><th>Staf</th><th>Camat</th><th>Kelengkapan</th><th>Waktu</th><th>Output</th></tr>
    </thead><tbody>
    <tr><td>1</td><td>Mulai</td><td>&#11053;</td><td></td><td></td><td></td><td></td><td></td>
        <td rowspan="3">Dilayani&nbsp;pada hari kerja</td></tr>
    <tr><td>2</td><td>Memeriksa berkas<br>dan <b>menolak</b> bila tidak lengkap</td><td></td><td>&#9671;</td>
        <td></td><td>Berkas &amp; KTP</td><td>15 menit</td><td>Berkas</td></tr>
    <tr><td>3</td><td><ul><li>Menandatangani surat</li><li>Memberi cap</li></ul></td><td></td><td></td>
        <td>&#9633;</td><td>Konsep surat</td><td>1 jam</td><td>Surat keterangan</td></tr>
    </tbody></table></body></html>"""
    (sop,) = load_document(io.BytesIO(page.encode()), "surat.html").sops
    assert sop.title == "Penerbitan Surat Keterangan"
    assert [a.raw for a in sop.actors] == ["Pemohon", "Staf", "Camat"]
    assert [s.marks for s in sop.steps] == [{"Pemohon": "⬭"}, {"Staf": "◇"}, {"Camat": "□"}]
    assert sop.steps[1].activity == "Memeriksa berkas\ndan menolak bila tidak lengkap"
    assert sop.steps[1].requirements == "Berkas & KTP"
    assert sop.steps[2].activity.splitlines() == ["Menandatangani surat", "Memberi cap"]
    assert sop.steps[0].note == "Dilayani pada hari kerja"  # rowspan: once, on its first row
    assert sop.steps[1].note == ""
    assert sop.total_minutes == 75


def test_html_fragment_without_table_goes_to_the_text_parser():
    text = (CORPUS / MULTI_SOP_SEED).read_text(encoding="utf-8")
    data = ("<html><body>\n" + text + "\n</body></html>").encode()
    result = load_bytes(data, "fragmen.html")
    assert result.format is Format.HTML
    assert len(result.sops) == 25


# ----------------------------------------------------------------------------- Excel


@pytest.mark.parametrize("seed", TABLE_SEEDS)
def test_xlsx_sheet_of_the_dump_matches_text_parser(sops_by_file, seed):
    ref = _ref(sops_by_file, seed)
    data = xlsx_from_dump((CORPUS / seed).read_text(encoding="utf-8"))
    result = load_bytes(data, Path(seed).stem + ".xlsx")
    assert result.format is Format.XLSX
    assert_same_sops(result.sops, ref)


EXPORT_CASES = [
    ("lumajang-kec-candipuro-pengumpulan-data-kinerja.txt", "Pengumpulan Data Kinerja"),
    ("lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt", "Rekrutmen Tenaga Kontrak"),
    (MULTI_SOP_SEED, DECISION_SOP),
    (MULTI_SOP_SEED, "Surat Keluar"),
]


@pytest.mark.parametrize("seed,title", EXPORT_CASES)
def test_xlsx_export_layout_reads_identitas_and_prosedur_only(sops_by_file, seed, title):
    """Identitas (label | value, paired list columns) + Prosedur (two-row merged
    header, ⬭/□/◇ marks, 'Jumlah waktu' row); Perbandingan and Temuan are skipped."""
    ref = next(s for s in _ref(sops_by_file, seed) if s.title == title)
    sops = load_document(io.BytesIO(xlsx_export_layout(ref)), "harmoni.xlsx").sops
    assert_same_sops(sops, [ref])
    text = repr([s.to_dict() for s in sops])
    assert "tidak boleh terbaca" not in text
    assert "Jumlah waktu" not in text


def test_xlsx_export_layout_keeps_each_list_section_apart(sops_by_file):
    ref = _ref(sops_by_file, "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt")[0]
    (sop,) = load_document(io.BytesIO(xlsx_export_layout(ref)), "harmoni.xlsx").sops
    assert len(sop.legal_basis) == 5
    assert sop.related_sops == ["SOP Penyusunan SAKIP"]
    assert sop.equipment == [
        "Alat Tulis Kantor",
        "Komputer",
        "Printer",
        "Lembar Kerja dan Rencana Kerja",
    ]
    assert sop.records == ["Disimpan dalam bentuk file softcopy dan hardcopy"]


@pytest.mark.parametrize("seed", TABLE_SEEDS[:3])
def test_xlsx_handmade_sheet_with_two_merged_header_rows(sops_by_file, seed):
    """Title rows, 'label | : | value' identity rows (value merged across columns),
    No/Kegiatan/Keterangan merged down, Pelaksana and Mutu Baku merged across."""
    ref = _ref(sops_by_file, seed)[0]
    (sop,) = load_document(io.BytesIO(xlsx_handmade(ref)), "lembar.xlsx").sops
    assert_same_sops([sop], [ref], identity=False)
    for name in ("number", "date_created", "approved_by"):
        assert getattr(sop, name) == getattr(ref, name)
    assert sop.office == ref.office


def test_xlsx_numbers_and_dates_are_read_as_text():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nomor SOP", "700/16/SOP/2024"])
    ws.append(["Tanggal Pembuatan", dt.date(2024, 1, 14)])
    ws.append(["Nama SOP", "Penerbitan Surat Pindah"])
    ws.append([])
    ws.append(["No", "Kegiatan", "Staf", "Camat", "Kelengkapan", "Waktu", "Output"])
    ws.append([1, "Menerima berkas", "□", None, "KTP", "10 menit", "Berkas"])
    ws.append([2.0, "Menandatangani surat", None, "□", "Konsep", 0.5, "Surat"])
    buf = io.BytesIO()
    wb.save(buf)
    (sop,) = load_document(io.BytesIO(buf.getvalue()), "pindah.xlsx").sops
    assert sop.date_created == "14 Januari 2024"
    assert [s.no for s in sop.steps] == ["1", "2"]
    assert [s.actors for s in sop.steps] == [["Staf"], ["Camat"]]
    assert sop.steps[1].duration.raw == "0.5"


# ----------------------------------------------------------------------------- detection


@pytest.mark.parametrize("name", ["sop.docx", "sop.txt", "unduhan", "sop.DOC"])
def test_word_file_is_recognised_by_content_not_by_name(sops_by_file, name):
    data = docx_from_sops(_ref(sops_by_file, "lumajang-kec-sumbersuko-rekomendasi-ot.txt"))
    assert detect_format(data, name) is Format.DOCX
    assert load_bytes(data, name).format is Format.DOCX


@pytest.mark.parametrize("name", ["harmoni.xlsx", "harmoni.zip", "harmoni"])
def test_excel_file_is_recognised_by_content_not_by_name(sops_by_file, name):
    ref = _ref(sops_by_file, "lumajang-kec-sumbersuko-rekomendasi-ot.txt")[0]
    data = xlsx_export_layout(ref)
    assert detect_format(data, name) is Format.XLSX
    assert load_bytes(data, name).sops[0].title == ref.title


# ----------------------------------------------------------------------------- PDF (LibreOffice)

needs_libreoffice = pytest.mark.skipif(
    LIBREOFFICE is None,
    reason="libreoffice not installed (apt-get install libreoffice-writer); it renders the test PDFs",
)
PDF_CASES = [(seed, "text") for seed in TABLE_SEEDS] + [(MULTI_SOP_SEED, "drawingml")]


@pytest.fixture(scope="session")
def seed_pdfs(tmp_path_factory, sops_by_file) -> dict[tuple[str, str], Path]:
    """The official-layout Word files of the table seeds, printed to PDF by LibreOffice
    in one run (with character marks, and the Setda book with drawn shapes)."""
    folder = tmp_path_factory.mktemp("pdf")
    docs = []
    for seed, style in PDF_CASES:
        path = folder / f"{Path(seed).stem}-{style}.docx"
        path.write_bytes(docx_from_sops(sops_by_file[seed], marks=style))
        docs.append(path)
    pdfs = libreoffice_convert(docs, "pdf", folder)
    return dict(zip(PDF_CASES, pdfs, strict=True))


@needs_libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("seed,style", PDF_CASES)
def test_pdf_printed_from_word_matches_text_parser(sops_by_file, seed_pdfs, seed, style):
    """Tables found from their ruling lines, rows split by a page break joined
    again, drawn □/◇ read as marks; text compared with line breaks collapsed."""
    ref = sops_by_file[seed]
    result = load_path(seed_pdfs[(seed, style)])
    assert result.format is Format.PDF
    assert_same_sops(result.sops, ref, exact_text=False)


@needs_libreoffice
@pytest.mark.slow
def test_pdf_decision_step_from_drawn_diamond(seed_pdfs):
    result = load_path(seed_pdfs[(MULTI_SOP_SEED, "drawingml")])
    sop = next(s for s in result.sops if s.title == DECISION_SOP)
    assert sop.steps[1].is_decision
    assert sop.steps[1].actors == ["PNS", "Pengelola Kepegawaian"]


def test_cli_parses_word_excel_and_html_files(tmp_path, sops_by_file):
    ref = _ref(sops_by_file, "lumajang-kec-sumbersuko-rekomendasi-ot.txt")
    text = (CORPUS / "lumajang-kec-sumbersuko-rekomendasi-ot.txt").read_text(encoding="utf-8")
    files = {
        "sop.docx": docx_from_sops(ref, marks="vml"),
        "sop.xlsx": xlsx_export_layout(ref[0]),
        "sop.html": html_from_dump(text).encode("utf-8"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-m", "sopdata", "parse", *(str(tmp_path / n) for n in files), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    parsed = json.loads(proc.stdout)
    assert [p["source_file"] for p in parsed] == list(files)
    assert {p["title"] for p in parsed} == {ref[0].title}
    assert {len(p["steps"]) for p in parsed} == {len(ref[0].steps)}
