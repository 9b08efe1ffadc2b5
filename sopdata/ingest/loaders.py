"""Load SOP documents from file objects.

Every loader takes a binary file object and its name, detects the format from
the content (not only the extension) and returns the SOPs found, or raises
:class:`~sopdata.errors.SOPLoadError` with one Indonesian sentence.
"""

from __future__ import annotations

import enum
import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sopdata.errors import SOPLoadError
from sopdata.ingest.docx import read_docx
from sopdata.ingest.flattened import no_sop_message, parse_flattened
from sopdata.ingest.html import read_html
from sopdata.ingest.ocr import Progress, ScanDocument, attach_low_confidence, read_scan
from sopdata.ingest.parse_ocr import parse_ocr
from sopdata.ingest.parse_text import parse_rows, parse_tables
from sopdata.ingest.pdf import ScannedPDFError, read_pdf
from sopdata.ingest.prose import read_named_document, read_prose
from sopdata.ingest.quality import finalise
from sopdata.ingest.service_standard import read_service_standard
from sopdata.ingest.table_rows import TableDocument, pipe_rows_as_tabs
from sopdata.ingest.transcript import single_spaced, without_site_chrome
from sopdata.ingest.xlsx import read_xlsx
from sopdata.records import SOP
from sopdata.text.glossary import default_glossary

#: Said of an SOP whose document names no issuing office.
NO_OFFICE_WARNING = "kantor (kecamatan/bagian) tidak disebut dalam dokumen; isi secara manual"

#: Largest document accepted (bytes). Real SOP books are a few MB at most.
MAX_BYTES = 25 * 1024 * 1024
#: Longest cell (or text line cell) read; longer ones are cut, with a warning,
#: before any parser's regex sees them.
MAX_CELL_CHARS = 5000


def _clip(cell: str) -> str:
    return cell[:MAX_CELL_CHARS]


def clip_rows(rows: list[list[str]]) -> int:
    """Cut every cell of ``rows`` longer than :data:`MAX_CELL_CHARS` (in place); how many were."""
    cut = 0
    for row in rows:
        for k, cell in enumerate(row):
            if len(cell) > MAX_CELL_CHARS:
                row[k] = _clip(cell)
                cut += 1
    return cut


def clip_text(text: str) -> tuple[str, int]:
    """``text`` with every tab-separated cell of a line cut at :data:`MAX_CELL_CHARS`."""
    if len(text) <= MAX_CELL_CHARS:
        return text, 0
    cut = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if len(line) > MAX_CELL_CHARS:
            cells = line.split("\t")
            cut += sum(len(c) > MAX_CELL_CHARS for c in cells)
            lines[i] = "\t".join(_clip(c) for c in cells)
    return ("\n".join(lines), cut) if cut else (text, 0)


def clip_warning(cut: int) -> str:
    limit = f"{MAX_CELL_CHARS:,}".replace(",", ".")
    return f"{cut} sel/baris lebih dari {limit} karakter dipotong; sisanya tidak dibaca"


class Format(enum.Enum):
    TEXT = "text"
    HTML = "html"
    DOCX = "docx"
    XLSX = "xlsx"
    PDF = "pdf"
    ZIP = "zip"
    OLE = "ole"
    IMAGE = "image"
    BINARY = "binary"


@dataclass
class LoadResult:
    sops: list[SOP]
    format: Format
    warnings: list[str] = field(default_factory=list)


def detect_format(head: bytes, name: str = "") -> Format:
    """The document's format from its bytes (extension only as a tie-break).

    Given the whole file, a ZIP package is recognised by its member names
    (``word/document.xml``, ``xl/workbook.xml``); given only its first bytes,
    by the names of the first members. An OLE compound file (``D0CF11E0``) is
    an old binary .doc/.xls or a password-protected .docx/.xlsx.
    """
    if b"%PDF-" in head[:1024]:
        return Format.PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(head, name)
    if head.startswith(OLE_MAGIC):
        return Format.OLE
    if utf16 := utf16_encoding(head):  # UTF-16 text: its NUL bytes are no sign of a binary
        decoded = head[:8192].decode(utf16, errors="ignore").lower()
        html = "<html" in decoded or "<table" in decoded or "<!doctype html" in decoded
        return Format.HTML if html else Format.TEXT
    if (
        head.startswith(IMAGE_MAGIC)
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or _is_bmp(head)
    ):
        return Format.IMAGE
    if head.startswith((b"\x7fELF", b"MZ")):
        return Format.BINARY
    sample = head[:4096]
    if sample.count(b"\x00") > len(sample) // 100 + 1:
        return Format.BINARY
    lowered = sample.lower()
    if b"<html" in lowered or b"<table" in lowered or b"<!doctype html" in lowered:
        return Format.HTML
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and controls > len(sample) * 0.05:
        return Format.BINARY
    return Format.TEXT


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def utf16_without_bom(head: bytes) -> str:
    """ "utf-16-le" or "utf-16-be" for UTF-16 text saved without its BOM (some
    exports do: every other byte of Latin text is NUL, on one side only), else ""."""
    sample = head[:4096]
    half = len(sample) // 2
    if half < 32:
        return ""
    even = sample[0 : 2 * half : 2].count(0) / half
    odd = sample[1 : 2 * half : 2].count(0) / half
    if odd >= 0.4 and even <= 0.05:
        return "utf-16-le"
    if even >= 0.4 and odd <= 0.05:
        return "utf-16-be"
    return ""


def utf16_encoding(data: bytes) -> str:
    """The codec that decodes ``data`` as UTF-16 text ("utf-16" with its BOM, the
    byte order without it), or "" when it is no UTF-16 text."""
    return "utf-16" if data.startswith(UTF16_BOMS) else utf16_without_bom(data)


def _is_bmp(head: bytes) -> bool:
    """A BMP file: "BM" and a known DIB header size (a text may start with "BM" too)."""
    return (
        head[:2] == b"BM"
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little")
        in (
            12,
            40,
            52,
            56,
            64,
            108,
            124,
        )
    )


#: Page images read by OCR: PNG, JPEG, TIFF (both byte orders), GIF; BMP by :func:`_is_bmp`.
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8")

#: What ``zipfile`` raises on a damaged archive; NotImplementedError for a
#: header that asks for an unknown zip version or compression method.
ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError)


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist()
    except ZIP_ERRORS:
        return None


def _zip_format(data: bytes, name: str) -> Format:
    names = _zip_names(data)
    if names is not None:
        if "word/document.xml" in names or any(n.startswith("word/document") for n in names):
            return Format.DOCX
        if "xl/workbook.xml" in names or any(n.startswith("xl/workbook") for n in names):
            return Format.XLSX
        return Format.ZIP
    # Only the first bytes, or a damaged archive: the first members' names, then the extension.
    if b"word/" in data[:8192]:
        return Format.DOCX
    if b"xl/" in data[:8192]:
        return Format.XLSX
    lower = name.lower()
    if lower.endswith((".docx", ".docm")):
        return Format.DOCX
    if lower.endswith((".xlsx", ".xlsm")):
        return Format.XLSX
    return Format.ZIP


def describe_ole(data: bytes) -> str:
    """Why an OLE compound file cannot be read, in one Indonesian sentence."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return (
            "Berkas dilindungi kata sandi (terenkripsi); buka di Word/Excel, hapus kata sandinya, "
            "lalu simpan ulang sebagai .docx atau .xlsx."
        )
    if "WordDocument".encode("utf-16-le") in data:
        return (
            "Berkas Word format lama (.doc) tidak didukung; buka di Word lalu simpan sebagai .docx."
        )
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "Berkas Excel format lama (.xls) tidak didukung; buka di Excel lalu simpan sebagai .xlsx."
    return "Berkas Office format lama tidak didukung; simpan sebagai .docx atau .xlsx."


def describe_zip(data: bytes) -> str:
    """Why a ZIP that is neither .docx nor .xlsx cannot be read."""
    names = _zip_names(data)
    if names is None:
        return "Berkas ZIP/Office rusak atau terpotong; simpan ulang dokumennya lalu unggah lagi."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except ZIP_ERRORS:
        mimetype = b""
    if b"opendocument.text" in mimetype:
        return "Dokumen OpenDocument (.odt) belum didukung; simpan sebagai .docx lalu unggah lagi."
    if b"opendocument.spreadsheet" in mimetype:
        return "Lembar kerja OpenDocument (.ods) belum didukung; simpan sebagai .xlsx lalu unggah lagi."
    return "Berkas ZIP ini bukan dokumen Word (.docx) atau Excel (.xlsx)."


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Bytes to text: UTF-16 (with its BOM or without); UTF-8 (with BOM); Windows-1252 when no
    line is UTF-8. A file mixing the two (one pasted line) is decoded line by
    line, with a warning, so one stray byte does not turn every "½" into "Â½"."""
    if utf16 := utf16_encoding(data):
        text = data.decode(utf16, errors="replace")
        bad = text.count("\ufffd")
        return text, [f"{bad} karakter tidak terbaca diganti dengan '\ufffd'"] if bad else []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    out: list[str] = []
    legacy = 0
    utf8 = 0
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
            utf8 += any(b > 0x7F for b in line)
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
            legacy += 1
    if out and out[0].startswith("\ufeff"):
        out[0] = out[0][1:]
    text = "\n".join(out)
    warnings = []
    if utf8:  # both encodings in one file
        warnings.append(
            f"{legacy} baris bukan UTF-8 dibaca sebagai Windows-1252 (berkas campuran); periksa hurufnya"
        )
    bad = text.count("\ufffd")
    if bad:
        warnings.append(f"{bad} karakter tidak terbaca diganti dengan '\ufffd'")
    return text, warnings


#: Readers of a document's text, tried in order before the OCR reader: the first
#: that finds SOPs wins (each returns [] for a text that is not its layout):
#: tab-separated step tables, SOP AP tables flattened by text extraction (and
#: Puskesmas SOPs, identity-only SOPs), Standar Pelayanan, prose procedures.
TEXT_READERS: tuple[Callable[[str, str], list[SOP]], ...] = (
    parse_tables,
    parse_flattened,
    read_service_standard,
    read_prose,
)


def parse_document_text(text: str, source_file: str) -> list[SOP]:
    """All SOPs of a document's text: table dumps first (tables drawn with pipes
    read as tab-separated rows, :func:`~sopdata.ingest.table_rows.pipe_rows_as_tabs`),
    then the other text layouts (:data:`TEXT_READERS`), OCR text otherwise. A
    document-sharing site's transcript is read without the site's lines
    (:func:`~sopdata.ingest.transcript.without_site_chrome`), a copy with no
    line directly under another single-spaced
    (:func:`~sopdata.ingest.transcript.single_spaced`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = pipe_rows_as_tabs(without_site_chrome(single_spaced(text)))
    sops: list[SOP] = []
    for reader in TEXT_READERS:
        sops = reader(text, source_file)
        if sops:
            break
    ocr = not sops
    if ocr:
        sops = parse_ocr(text, source_file, acronyms=_acronyms())
    if not sops:
        # never refuse what can be read: a document that names its procedure
        sops = read_named_document(text, source_file)
        ocr = False
    return finalise(sops, ocr=ocr)


def _acronyms() -> frozenset[str]:
    return frozenset(default_glossary().acronym_words())


#: The opening of the "no SOP" message of each format, the parts the document
#: lacks following it (:func:`~sopdata.ingest.flattened.no_sop_message`).
_NO_SOP_OPENINGS = {
    "docx": "Dokumen Word ini tidak memuat SOP",
    "xlsx": "Buku kerja Excel ini tidak memuat SOP",
    "html": "Halaman HTML ini tidak memuat SOP",
    "pdf": "Teks PDF ini tidak memuat SOP",
    "ocr": "Teks hasil OCR pindaian ini tidak memuat SOP",
}


def sops_from_table_document(doc: TableDocument, source_file: str, kind: str) -> list[SOP]:
    """The SOPs of a document read into rows (Word, Excel, HTML, PDF), checked.

    The rows go through the same reader as text dumps; where they hold no step
    table and the format has a text fallback (HTML fragments, PDF text), the
    text parser reads that instead, and then the rows' own text (one row a
    line, cells between tabs): a Word document holding a Standar Pelayanan or
    a written procedure reads as its text dump does, an identity block without
    a step table is an SOP without steps. The reader's warnings are added to
    every SOP.

    Raises:
        SOPLoadError: no SOP found.
    """
    sops = finalise(parse_rows(doc.rows, source_file, breaks=doc.breaks)) if doc.rows else []
    if not sops and doc.fallback_text.strip():
        sops = parse_document_text(doc.fallback_text, source_file)
    if not sops:
        # no step table: the rows' text, one row a line, read as a text dump of
        # the document would be (a Standar Pelayanan, a written procedure, an
        # identity block or a title alone)
        rows_text = "\n".join("\t".join(cells) for cells in doc.rows)
        sops = parse_document_text(rows_text, source_file) if doc.rows else []
        if not sops:
            text = doc.fallback_text or rows_text
            message = no_sop_message(text, _NO_SOP_OPENINGS.get(kind, _NO_SOP_OPENINGS["docx"]))
            if doc.partial:
                message = f"{message[:-1]} ({doc.partial})."
            raise SOPLoadError(message, source_file)
    for sop in sops:
        sop.warnings.extend(doc.warnings)
    return sops


def read_table_document(fmt: Format, data: bytes, name: str) -> TableDocument:
    """Rows of a Word, Excel, PDF or HTML document (the reader for ``fmt``)."""
    if fmt is Format.DOCX:
        return read_docx(io.BytesIO(data), name)
    if fmt is Format.XLSX:
        return read_xlsx(io.BytesIO(data), name)
    if fmt is Format.PDF:
        return read_pdf(io.BytesIO(data), name)
    if fmt is Format.HTML:
        text, warnings = decode_text(data)
        doc = read_html(text)
        doc.warnings[:0] = warnings
        return doc
    raise ValueError(f"not a table format: {fmt}")


#: Most characters of a document's text shown to a reviewer reading it by hand.
MAX_DOCUMENT_TEXT = 200_000


def document_text(data: bytes, name: str) -> str:
    """The text of a document as a reviewer reads it beside an empty SOP editor
    (the manual rescue of a document the readers could not read): text and HTML
    pages as text, Word/Excel/PDF tables one row a line with cells separated by
    tabs, then the rest of the text. A scan has no text layer to show ("").
    Never raises: an unreadable document has no text to show.
    """
    if not data or len(data) > MAX_BYTES:
        return ""
    try:
        fmt = detect_format(data, name)
        if fmt is Format.TEXT:
            text = decode_text(data)[0]
        elif fmt in (Format.DOCX, Format.XLSX, Format.PDF, Format.HTML):
            doc = read_table_document(fmt, data, name)
            rows = "\n".join("\t".join(cell for cell in row if cell) for row in doc.rows)
            text = "\n\n".join(part for part in (rows, doc.fallback_text) if part.strip())
        else:
            return ""
    except (SOPLoadError, ScannedPDFError, RecursionError, MemoryError, *ZIP_ERRORS):
        return ""
    return text.replace("\r\n", "\n").replace("\x00", "")[:MAX_DOCUMENT_TEXT]


def load_document(
    fp: BinaryIO, name: str, max_bytes: int = MAX_BYTES, progress: Progress | None = None
) -> LoadResult:
    """Read one uploaded/opened document into SOP records.

    The format is detected from the content: text dumps, HTML pages, Word
    (.docx), Excel (.xlsx), PDF with a text layer, and scans (PDF pages without
    one, page images) read by OCR, ``progress(pages_done, pages_total)`` hearing
    after every page.

    Raises:
        SOPLoadError: empty, too large, unreadable, or holding no SOP.
    """
    data = fp.read(max_bytes + 1)
    if not data:
        raise SOPLoadError("Berkas kosong (0 byte).", name)
    if len(data) > max_bytes:
        raise SOPLoadError(
            f"Berkas terlalu besar (lebih dari {max_bytes // (1024 * 1024)} MB); pecah dokumen per bagian.",
            name,
        )
    fmt = detect_format(data, name)
    if fmt is Format.BINARY:
        raise SOPLoadError("Berkas bukan dokumen teks, Word, PDF, atau Excel yang dikenali.", name)
    if fmt is Format.OLE:
        raise SOPLoadError(describe_ole(data), name)
    if fmt is Format.ZIP:
        raise SOPLoadError(describe_zip(data), name)
    if fmt in (Format.DOCX, Format.XLSX, Format.PDF, Format.HTML, Format.IMAGE):
        doc: TableDocument
        try:
            if fmt is Format.IMAGE:
                doc = read_scan(data, name, "image", progress)
            else:
                try:
                    doc = read_table_document(fmt, data, name)
                except ScannedPDFError:  # no text layer: OCR
                    doc = read_scan(data, name, "pdf", progress)
            cut = clip_rows(doc.rows)
            doc.fallback_text, cut_text = clip_text(doc.fallback_text)
            if cut or cut_text:
                doc.warnings.append(clip_warning(max(cut, cut_text)))
            kind = "ocr" if isinstance(doc, ScanDocument) else fmt.value
            sops = sops_from_table_document(doc, name, kind)
        except RecursionError as exc:  # pathological nesting in malformed markup
            raise SOPLoadError("Struktur dokumen tidak dapat dibaca.", name) from exc
        if isinstance(doc, ScanDocument):
            attach_low_confidence(sops, doc)
        warnings = doc.warnings
    else:
        text, warnings = decode_text(data)
        if not text.strip():
            raise SOPLoadError("Berkas hanya berisi spasi; tidak ada teks SOP.", name)
        text, cut = clip_text(text)
        if cut:
            warnings.append(clip_warning(cut))
        try:
            sops = parse_document_text(text, name)
        except RecursionError as exc:
            raise SOPLoadError("Struktur dokumen tidak dapat dibaca.", name) from exc
        if not sops:
            raise SOPLoadError(no_sop_message(text), name)
        for sop in sops:
            sop.warnings.extend(warnings)
    sha = hashlib.sha256(data).hexdigest()
    for sop in sops:
        sop.document_sha256 = sha
        if not sop.office:
            sop.warnings.append(NO_OFFICE_WARNING)
    return LoadResult(sops=sops, format=fmt, warnings=warnings)


def load_path(
    path: str | Path, max_bytes: int = MAX_BYTES, progress: Progress | None = None
) -> LoadResult:
    path = Path(path)
    try:
        with path.open("rb") as fp:
            return load_document(fp, path.name, max_bytes=max_bytes, progress=progress)
    except OSError as exc:
        raise SOPLoadError(f"Berkas tidak dapat dibuka ({exc.strerror}).", path.name) from exc


def load_bytes(
    data: bytes, name: str, max_bytes: int = MAX_BYTES, progress: Progress | None = None
) -> LoadResult:
    return load_document(io.BytesIO(data), name, max_bytes=max_bytes, progress=progress)
