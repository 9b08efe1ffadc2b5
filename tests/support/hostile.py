"""Small hostile documents, built at test time (nothing big is committed).

Each reproduces an attack the red team measured (issue 15): a tiny file that
inflates, a grid value of a billion, spans that multiply, a PDF page whose
content stream inflates to megabytes of text operators.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import docx

from tests.support.sopfiles import pdf_file


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = replace.get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def small_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Nama SOP: Uji")
    table = document.add_table(rows=2, cols=3)
    for i, text in enumerate(("No", "Kegiatan", "Pelaksana")):
        table.cell(0, i).text = text
    for i, text in enumerate(("1", "Menerima berkas", "Staf")):
        table.cell(1, i).text = text
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def grid_before_docx(value: int = 1_000_000_000, tag: str = "gridBefore") -> bytes:
    """A Word table row that claims ``value`` empty grid columns before (or after) it."""
    data = small_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    xml = re.sub(
        r"<w:tr\b[^>]*>",
        lambda m: f'{m.group(0)}<w:trPr><w:{tag} w:val="{value}"/></w:trPr>',
        xml,
        count=1,
    )
    return _rezip(data, {"word/document.xml": xml.encode("utf-8")})


def zip_bomb_docx(inflated: int = 300 * 1024 * 1024, lie: bool = True) -> bytes:
    """A .docx with an extra member of ``inflated`` zero bytes; with ``lie`` its
    local and central headers claim 10 bytes."""
    raw = _with_padding(small_docx(), "word/media/padding.bin", inflated)
    if not lie:
        return raw
    return _lie_about_sizes(raw, b"word/media/padding.bin")


def zip_bomb_xlsx(inflated: int = 300 * 1024 * 1024) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["No", "Kegiatan", "Pelaksana"])
    buf = io.BytesIO()
    wb.save(buf)
    raw = _with_padding(buf.getvalue(), "xl/media/padding.bin", inflated)
    return _lie_about_sizes(raw, b"xl/media/padding.bin")


def _with_padding(data: bytes, member: str, inflated: int) -> bytes:
    out = io.BytesIO(data)
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open(member, "w", force_zip64=True) as fp,
    ):
        chunk = b"\x00" * (1024 * 1024)
        for _ in range(inflated // len(chunk)):
            fp.write(chunk)
    return out.getvalue()


def _lie_about_sizes(raw: bytes, member: bytes) -> bytes:
    """Rewrite the member's uncompressed size to 10 in its central directory entry
    (zipfile trusts the central directory) and drop its zip64 extra."""
    buf = bytearray(raw)
    at = buf.rfind(b"PK\x01\x02" + b"", 0)
    while at != -1:
        name_len = int.from_bytes(buf[at + 28 : at + 30], "little")
        name = bytes(buf[at + 46 : at + 46 + name_len])
        if name == member:
            buf[at + 24 : at + 28] = (10).to_bytes(4, "little")
            break
        at = buf.rfind(b"PK\x01\x02", 0, at)
    return bytes(buf)


def span_html(cells: int = 2000) -> str:
    """A table whose every cell spans 100 columns and 1000 rows."""
    head = "<tr><td>No</td><td>Kegiatan</td><td>Pelaksana</td></tr>"
    rows = "".join(
        "<tr>" + '<td colspan="100" rowspan="1000">x</td>' * 10 + "</tr>"
        for _ in range(cells // 10)
    )
    return f"<html><body><p>Nama SOP: Uji</p><table>{head}{rows}</table></body></html>"


def inflating_pdf(operators: int = 120_000) -> bytes:
    """One page whose zlib-compressed content stream holds ``operators`` text
    show operators (a few KB on disk, megabytes once inflated)."""
    ops = b"BT /F1 1 Tf " + b"(a) Tj " * operators + b"ET"
    stream = zlib.compress(ops, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return pdf_file(objects)


def long_waktu_text(digits: int = 100_000) -> bytes:
    """A text dump whose one step has a Waktu cell of ``digits`` digits."""
    return (
        "Nama SOP: Uji\n"
        "No\tKegiatan\tPelaksana\tKelengkapan\tWaktu\tOutput\n"
        f"1\tMenerima berkas\t□\tBerkas\t{'9' * digits} menit\tBerkas\n"
    ).encode()
