"""Load SOP documents from file objects.

Every loader takes a binary file object and its name, detects the format from
the content (not only the extension) and returns the SOPs found, or raises
:class:`~sopdata.errors.SOPLoadError` with one Indonesian sentence.
"""

from __future__ import annotations

import csv
import enum
import functools
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sopdata.errors import SOPLoadError
from sopdata.records import SOP

#: Largest document accepted (bytes). Real SOP books are a few MB at most.
MAX_BYTES = 25 * 1024 * 1024


class Format(enum.Enum):
    TEXT = "text"
    HTML = "html"
    DOCX = "docx"
    XLSX = "xlsx"
    PDF = "pdf"
    ZIP = "zip"
    BINARY = "binary"


@dataclass
class LoadResult:
    sops: list[SOP]
    format: Format
    warnings: list[str] = field(default_factory=list)


def detect_format(head: bytes, name: str = "") -> Format:
    """The document's format from its first bytes (extension only as a tie-break)."""
    if head.startswith(b"%PDF"):
        return Format.PDF
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in head:
            return Format.DOCX
        if b"xl/" in head:
            return Format.XLSX
        lower = name.lower()
        if lower.endswith(".docx"):
            return Format.DOCX
        if lower.endswith((".xlsx", ".xlsm")):
            return Format.XLSX
        return Format.ZIP
    if head.startswith((b"\xd0\xcf\x11\xe0", b"\x7fELF", b"MZ", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
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


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Bytes to text: UTF-8 (with BOM), then Windows-1252; odd bytes replaced and reported."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return text, [f"{bad} karakter tidak terbaca diganti dengan '\ufffd'"]


def parse_document_text(text: str, source_file: str) -> list[SOP]:
    """All SOPs of a document's text: table dumps first, OCR text otherwise."""
    from sopdata.parse_ocr import parse_ocr
    from sopdata.parse_text import parse_tables
    from sopdata.quality import assess, canonicalise_actors, infer_actors

    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    sops = parse_tables(text, source_file)
    ocr = not sops
    if ocr:
        sops = parse_ocr(text, source_file, acronyms=_acronyms())
    for sop in sops:
        canonicalise_actors(sop)
        infer_actors(sop)
        assess(sop, ocr=ocr)
    return sops


def _acronyms() -> frozenset[str]:
    from sopdata.glossary import default_glossary

    return frozenset(default_glossary().acronym_words())


def load_document(fp: BinaryIO, name: str, max_bytes: int = MAX_BYTES) -> LoadResult:
    """Read one uploaded/opened document into SOP records.

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
    fmt = detect_format(data[:8192], name)
    if fmt is Format.BINARY:
        raise SOPLoadError("Berkas bukan dokumen teks, Word, PDF, atau Excel yang dikenali.", name)
    if fmt is Format.ZIP:
        raise SOPLoadError("Berkas ZIP ini bukan dokumen Word (.docx) atau Excel (.xlsx).", name)
    if fmt in (Format.DOCX, Format.XLSX, Format.PDF):
        raise SOPLoadError(
            f"Format {fmt.value.upper()} belum didukung oleh pemuat ini; simpan sebagai teks (.txt).",
            name,
        )
    text, warnings = decode_text(data)
    if fmt is Format.HTML:
        from sopdata.textclean import strip_markup

        text = strip_markup(text)
    if not text.strip():
        raise SOPLoadError("Berkas hanya berisi spasi; tidak ada teks SOP.", name)
    try:
        sops = parse_document_text(text, name)
    except RecursionError as exc:  # pathological nesting in malformed markup
        raise SOPLoadError("Struktur dokumen tidak dapat dibaca.", name) from exc
    if not sops:
        raise SOPLoadError(
            "Tidak ditemukan SOP: tidak ada tabel langkah (Kegiatan/Pelaksana) atau 'Nama SOP'.",
            name,
        )
    _apply_provenance(sops, hashlib.sha256(data).hexdigest())
    for sop in sops:
        sop.warnings.extend(warnings)
        if not sop.office:
            sop.warnings.append("kantor (kecamatan/bagian) tidak disebut dalam dokumen; isi secara manual")
    return LoadResult(sops=sops, format=fmt, warnings=warnings)


def load_path(path: str | Path, max_bytes: int = MAX_BYTES) -> LoadResult:
    path = Path(path)
    try:
        with path.open("rb") as fp:
            return load_document(fp, path.name, max_bytes=max_bytes)
    except OSError as exc:
        raise SOPLoadError(f"Berkas tidak dapat dibuka ({exc.strerror}).", path.name) from exc


def load_bytes(data: bytes, name: str, max_bytes: int = MAX_BYTES) -> LoadResult:
    return load_document(io.BytesIO(data), name, max_bytes=max_bytes)


# ----------------------------------------------------------------------------- bundled corpus

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"


@functools.lru_cache(maxsize=1)
def _provenance_by_hash() -> dict[str, dict[str, str]]:
    path = CORPUS_DIR / "provenance.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return {row["sha256"]: row for row in csv.DictReader(fh) if row.get("sha256")}


def _apply_provenance(sops: list[SOP], digest: str) -> None:
    """Fill office/kabupaten of a bundled-corpus document from its provenance note
    (matched by content hash) where the text itself does not name them."""
    info = _provenance_by_hash().get(digest)
    if not info:
        return
    for sop in sops:
        if not sop.office:
            sop.office = info["office"]
        if not sop.kabupaten and not info["kabupaten"].startswith("("):
            sop.kabupaten = info["kabupaten"]


def load_corpus(paths: Iterable[Path] | None = None) -> list[SOP]:
    """The SOPs of the bundled corpus (or of the given paths), in file order."""
    files = sorted(paths) if paths is not None else sorted(CORPUS_DIR.glob("*.txt"))
    sops: list[SOP] = []
    for path in files:
        sops.extend(load_path(path).sops)
    return sops
