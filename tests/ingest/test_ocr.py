"""Scanned SOPs read by OCR: the table rebuilt from the ruled lines, symbols from
their outlines, Tesseract's words placed in cells (issue 18).

The fast tests draw pages with OpenCV; the slow ones print seed SOPs (Word with
drawn symbols → PDF → page images) and compare what is read with the seed records.
"""

from __future__ import annotations

import io
import shutil

import numpy as np
import pytest

from sopdata.errors import SOPLoadError
from sopdata.form import DECISION, PROCESS, TERMINATOR
from sopdata.ingest import ocr
from sopdata.ingest.loaders import Format, detect_format, load_bytes
from sopdata.records import SOP, Step
from sopdata.text.fuzzy import edit_distance
from tests.support.scans import PDFTOPPM, degrade, scan_document, score
from tests.support.sopfiles import LIBREOFFICE, scanned_pdf

cv2 = pytest.importorskip("cv2")

HAS_TESSERACT = shutil.which("tesseract") is not None
needs_tesseract = pytest.mark.skipif(
    not HAS_TESSERACT, reason="tesseract not installed (apt-get install tesseract-ocr-ind)"
)
PPI = 300.0


def _png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def _shape(kind: str, size: tuple[int, int] = (95, 57)) -> np.ndarray:
    """A cell image (ink 255) with one drawn outline of ``kind``."""
    w, h = size
    image = np.zeros((h + 60, w + 80), np.uint8)
    x0, y0 = 30, 25
    if kind == "rect":
        cv2.rectangle(image, (x0, y0), (x0 + w, y0 + h), 255, 3)
    elif kind == "diamond":
        pts = np.array(
            [[x0 + w // 2, y0], [x0 + w, y0 + h // 2], [x0 + w // 2, y0 + h], [x0, y0 + h // 2]]
        )
        cv2.polylines(image, [pts], True, 255, 3)
    elif kind == "capsule":
        r = h // 2
        cv2.line(image, (x0 + r, y0), (x0 + w - r, y0), 255, 3)
        cv2.line(image, (x0 + r, y0 + h), (x0 + w - r, y0 + h), 255, 3)
        cv2.ellipse(image, (x0 + r, y0 + r), (r, r), 0, 90, 270, 255, 3)
        cv2.ellipse(image, (x0 + w - r, y0 + r), (r, r), 0, -90, 90, 255, 3)
    elif kind == "ellipse":
        cv2.ellipse(image, (x0 + w // 2, y0 + h // 2), (w // 2, h // 2), 0, 0, 360, 255, 3)
    elif kind == "arrow":
        cv2.arrowedLine(image, (x0, y0 + h // 2), (x0 + w, y0 + h // 2), 255, 3, tipLength=0.3)
    return image


@pytest.mark.parametrize(
    "kind,mark",
    [
        ("rect", PROCESS),
        ("diamond", DECISION),
        ("capsule", TERMINATOR),
        ("ellipse", TERMINATOR),
        ("arrow", None),
        ("empty", None),
    ],
)
def test_symbol_told_by_the_hole_its_outline_encloses(kind, mark):
    found = ocr.symbol_in(_shape(kind), PPI)
    assert (found[0] if found else None) == mark


def test_symbol_touching_the_cell_border_is_still_found():
    cell = np.zeros((140, 260), np.uint8)
    cv2.rectangle(cell, (0, 0), (259, 139), 255, 3)  # the cell's borders
    cv2.rectangle(cell, (12, 0), (107, 57), 255, 3)  # a box hanging from the top border
    found = ocr.symbol_in(cell, PPI)
    assert found is not None and found[0] == PROCESS


def _table_page(angle: float = 0.0) -> np.ndarray:
    """A grey page with a ruled table: 3 columns, a header cell merged over columns 2-3."""
    page = np.full((1400, 2000), 255, np.uint8)
    xs, ys = [200, 500, 1100, 1700], [300, 400, 500, 700, 900]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 3)
    for x in xs:
        top = ys[0] if x in (xs[0], xs[1], xs[-1]) else ys[1]  # no border between the merged pair
        cv2.line(page, (x, top), (x, ys[-1]), 0, 3)
    cv2.rectangle(page, (520, 520), (615, 577), 0, 3)  # a process box in row 3, column 2
    if angle:
        page = ocr.rotate(page, angle)
    return page


def test_grid_rebuilt_with_its_merged_cell():
    page = _table_page()
    grids, _ = ocr.find_grids(ocr.binarise(page, PPI), PPI)
    assert len(grids) == 1
    grid = grids[0]
    assert len(grid.xs) == 4 and len(grid.ys) == 5
    assert grid.cells[(0, 1)] == (0, 1, 1, 3)  # merged over two columns
    assert grid.locate(1400, 350) == (0, 1)
    assert grid.locate(1400, 450) == (1, 2)
    assert grid.locate(100, 100) is None


@pytest.mark.parametrize("angle", [-3.0, -1.2, 2.5])
def test_skew_estimated_from_the_ruled_lines(angle):
    page = _table_page(angle)
    skew = ocr.estimate_skew(ocr.binarise(page, PPI), PPI)
    assert skew is not None and abs(skew - angle) < 0.3
    straight = ocr.rotate(page, -skew)
    grids, _ = ocr.find_grids(ocr.binarise(straight, PPI), PPI)
    assert len(grids) == 1 and len(grids[0].xs) == 4 and len(grids[0].ys) == 5


def test_tesseract_tsv_words():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t91.5\tSurat\n"
        "5\t1\t1\t1\t1\t2\t45\t20\t30\t12\t40\t \n"
    )
    (word,) = ocr.parse_tsv(tsv)
    assert (word.text, word.left, word.conf, word.line) == ("Surat", 10, 91.5, (1, 1, 1, 1))


@pytest.mark.parametrize(
    "head", [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"II*\x00", b"MM\x00*", b"GIF89a"]
)
def test_page_images_are_recognised_by_content(head):
    assert detect_format(head + bytes(200), "scan.bin") is Format.IMAGE


def test_damaged_image_has_a_message():
    message = _load_error(b"\x89PNG\r\n\x1a\n" + bytes(100), "rusak.png")
    assert "Gambar" in message


def _load_error(data: bytes, name: str) -> str:
    with pytest.raises(SOPLoadError) as info:
        load_bytes(data, name)
    return info.value.message


def test_tesseract_missing_is_said_with_the_install_line(monkeypatch):
    monkeypatch.setenv("SOP_HARMONI_TESSERACT", "tesseract-yang-tidak-ada")
    for data, name in ((scanned_pdf(2), "pindaian.pdf"), (_png(_table_page()), "hal.png")):
        message = _load_error(data, name)
        assert "Tesseract belum terpasang" in message and ocr.INSTALL_HINT in message
    assert "(2 halaman)" in _load_error(scanned_pdf(2), "pindaian.pdf")


@needs_tesseract
def test_page_too_skewed_is_refused():
    message = _load_error(_png(_table_page(angle=14.0)), "miring.png")
    assert "terlalu miring" in message and "14°" in message


@needs_tesseract
def test_blank_page_has_no_text():
    blank = np.full((1169, 827), 255, np.uint8)
    assert "tidak menemukan teks" in _load_error(_png(blank), "kosong.png")


@needs_tesseract
def test_too_many_pages_are_refused(monkeypatch):
    monkeypatch.setattr(ocr, "MAX_PAGES", 1)
    message = _load_error(scanned_pdf(4), "tebal.pdf")
    assert "4 halaman" in message and "pecah dokumen" in message


def test_low_confidence_cell_named_in_its_sops_warnings():
    def sop(title: str, activity: str) -> SOP:
        return SOP(source_file="x", title=title, steps=[Step(no="3", activity=activity)])

    a, b = sop("A", "Menerima berkas"), sop("B", "Memverifikasi berkas permohonan")
    doc = ocr.ScanDocument()
    doc.low_confidence = [
        ocr.LowConfidenceCell("Memverifikasi berkas", 54.2, step="3", column="Kegiatan"),
        ocr.LowConfidenceCell("Kabupaten Lumajang", 61.0),
    ]
    ocr.attach_low_confidence([a, b], doc)
    assert "sel dengan keyakinan OCR rendah: langkah 3 Kegiatan (54%)" in b.warnings
    assert not any("langkah 3" in w for w in a.warnings)
    assert "sel dengan keyakinan OCR rendah: 'Kabupaten Lumajang' (61%)" in a.warnings


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3


# ----------------------------------------------------------------------------- seed scans

needs_tools = pytest.mark.skipif(
    not (HAS_TESSERACT and LIBREOFFICE and PDFTOPPM),
    reason="needs tesseract-ocr-ind, libreoffice and pdftoppm (.ci/run installs them)",
)
SUMBERSUKO = "lumajang-kec-sumbersuko-rekomendasi-ot"
SETDA = "setda-bagian-organisasi-sop"


@pytest.fixture(scope="session")
def seed_scans(tmp_path_factory):
    """The seed documents printed once per session: {(name, dpi): [page PNG paths]}."""
    from tests.support.scans import print_pdfs, render_pages, scan_truth

    truth = scan_truth()
    truth = {name: truth[name] for name in (SUMBERSUKO, SETDA)}
    folder = tmp_path_factory.mktemp("scans")
    pdfs = print_pdfs(truth, folder)
    pages = {
        (SUMBERSUKO, 300): render_pages(pdfs[SUMBERSUKO], 300, folder),
        (SETDA, 150): render_pages(pdfs[SETDA], 150, folder),
    }
    return truth, pages


@needs_tools
@pytest.mark.slow
def test_clean_300_dpi_page_reads_like_the_seed(seed_scans):
    truth, pages = seed_scans
    (page,) = pages[(SUMBERSUKO, 300)]
    seen: list[tuple[int, int]] = []
    result = load_bytes(
        page.read_bytes(), "sumbersuko.png", progress=lambda d, t: seen.append((d, t))
    )
    assert result.format is Format.IMAGE
    assert seen == [(0, 1), (1, 1)]
    s = score(result.sops, truth[SUMBERSUKO])
    assert s.step_count_share == 1.0 and s.actor_f1 == 1.0 and s.waktu_share == 1.0
    assert s.cer <= 0.02
    (sop,) = result.sops
    ref = truth[SUMBERSUKO][0]
    assert [st.marks for st in sop.steps] == [st.marks for st in ref.steps]
    assert {TERMINATOR, PROCESS, DECISION} <= {m for st in sop.steps for m in st.marks.values()}


@needs_tools
@pytest.mark.slow
def test_noisy_rotated_150_dpi_scan_as_pdf(seed_scans):
    """A poor scan (150 dpi, noise, blur, 1-3° turned, JPEG) saved as an image-only PDF."""
    truth, pages = seed_scans
    images = [
        degrade(cv2.imread(str(p), cv2.IMREAD_GRAYSCALE), seed=k)
        for k, p in enumerate(pages[(SETDA, 150)])
    ]
    seen: list[tuple[int, int]] = []
    result = load_bytes(
        scan_document(images, 150, pdf=True), "setda.pdf", progress=lambda d, t: seen.append((d, t))
    )
    assert result.format is Format.PDF
    assert seen == [(k, len(images)) for k in range(len(images) + 1)]
    s = score(result.sops, truth[SETDA])
    assert s.step_count_share == 1.0
    assert s.actor_f1 >= 0.9 and s.waktu_share >= 0.85
    assert s.cer <= 0.06
    warnings = [w for sop in result.sops for w in sop.warnings]
    assert any(w.startswith("sel dengan keyakinan OCR rendah: langkah ") for w in warnings)


def test_image_document_helper_round_trips():
    from PIL import Image

    images = [_png(_table_page()), _png(_table_page(1.0))]
    tif = scan_document(images, 300, pdf=False)
    assert Image.open(io.BytesIO(tif)).n_frames == 2
    assert detect_format(tif) is Format.IMAGE


def _fake_pages(monkeypatch) -> list[int]:
    """read_page replaced by one that reads a line of text per page at once."""
    seen: list[int] = []

    def read_page(command, gray, name, number, timeout_s=ocr.PAGE_TIMEOUT_S):
        seen.append(number)
        return ocr.PageRead([(10, 0, f"halaman {number}")], f"halaman {number}", 2)

    monkeypatch.setattr(ocr, "read_page", read_page)
    monkeypatch.setattr(ocr, "tesseract_command", lambda name="", pages=0: "tesseract")
    return seen


def test_time_budget_stops_reading_with_a_warning(monkeypatch):
    seen = _fake_pages(monkeypatch)
    monkeypatch.setattr(ocr, "TIME_BUDGET_S", 0.0)
    doc = ocr.read_scan(scanned_pdf(3), "tebal.pdf", "pdf")
    assert seen == [1]
    assert doc.partial == "hanya 1 dari 3 halaman yang dibaca"
    assert "hanya 1 halaman pertama yang dibaca OCR" in doc.warnings[0]


def test_progress_heard_after_every_page(monkeypatch):
    _fake_pages(monkeypatch)
    heard: list[tuple[int, int]] = []
    doc = ocr.read_scan(
        scanned_pdf(3), "buku.pdf", "pdf", progress=lambda d, t: heard.append((d, t))
    )
    assert heard == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert doc.pages == 3 and doc.rows == [["halaman 1"], ["halaman 2"], ["halaman 3"]]


@pytest.mark.slow
@pytest.mark.skipif(LIBREOFFICE is None, reason="libreoffice not installed; it writes the PDFs")
def test_password_protected_scan_is_refused_with_a_message(tmp_path):
    """A scan (a page image, no text layer) in a PDF that opens only with a password."""
    import docx
    import pdfplumber

    from tests.support.sopfiles import libreoffice_convert

    image = tmp_path / "halaman.png"
    image.write_bytes(_png(_table_page()))
    word = docx.Document()
    word.add_picture(str(image))
    source = tmp_path / "pindaian.docx"
    word.save(str(source))
    (open_pdf,) = libreoffice_convert([source], "pdf", tmp_path / "terbuka")
    with pdfplumber.open(open_pdf) as pdf:  # without the password: a scan, no text layer
        assert not (pdf.pages[0].extract_text() or "").strip()
    options = (
        'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"rahasia"}}'
    )
    (locked,) = libreoffice_convert([source], options, tmp_path / "terkunci")
    message = _load_error(locked.read_bytes(), "pindaian.pdf")
    assert message == "PDF dilindungi kata sandi; buka kuncinya lalu simpan ulang sebelum diunggah."


def test_a_scanned_pdf_page_pdfium_cannot_load_gets_a_clear_message(monkeypatch):
    """Found by the loader fuzz: a damaged scan whose page pdfium refuses
    ("Failed to load page") raised pdfium's own error out of the OCR reader."""
    import pypdfium2 as pdfium

    class Damaged:
        def __init__(self, data: bytes) -> None:
            pass

        def __len__(self) -> int:
            return 2

        def __getitem__(self, index: int) -> object:
            raise pdfium.PdfiumError("Failed to load page.")

        def close(self) -> None:
            pass

    monkeypatch.setattr(pdfium, "PdfDocument", Damaged)
    total, pages = ocr.pdf_page_images(scanned_pdf(2), "pindaian.pdf")
    assert total == 2
    with pytest.raises(SOPLoadError, match="halaman 1 tidak dapat dibaca"):
        next(pages)
