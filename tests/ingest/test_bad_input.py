"""Bad input: a clear Indonesian message and the parser's own error type, never a traceback."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sopdata.errors import SOPLoadError
from sopdata.ingest.loaders import MAX_BYTES, load_bytes
from tests.support.paths import CORPUS, ROOT


def _zip_of(name: str, content: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, content)
    return buf.getvalue()


BAD_INPUTS = [
    ("kosong.txt", b"", "kosong"),
    ("spasi.txt", b"   \n\t\n  ", "spasi"),
    ("junk.bin", bytes(range(256)) * 64, "bukan dokumen"),
    ("gambar.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "Gambar tidak dapat dibuka"),
    (
        "surat.txt",
        b"Kepada Yth. Bapak Camat\nDengan hormat, bersama ini kami sampaikan.\n",
        "Tidak ditemukan SOP",
    ),
    ("arsip.zip", _zip_of("foto.jpg", b"\xff\xd8\xff"), "ZIP"),
]


@pytest.mark.parametrize("name,data,fragment", BAD_INPUTS)
def test_bad_input_gets_a_clear_message(name, data, fragment):
    with pytest.raises(SOPLoadError) as err:
        load_bytes(data, name)
    assert fragment in err.value.message
    assert err.value.source == name


def test_too_large_file_is_refused_before_parsing():
    data = b"a" * (MAX_BYTES + 10)
    with pytest.raises(SOPLoadError, match="terlalu besar"):
        load_bytes(data, "besar.txt")


def test_undecodable_bytes_are_replaced_and_reported():
    text = (CORPUS / "setda-bagian-organisasi-sop.txt").read_bytes()
    # Invalid UTF-8 that is also invalid cp1252 (0x81, 0x8d, 0x8f, 0x90, 0x9d are undefined there).
    broken = text.replace(b"Menyetujui", b"Meny\x81\x8d\x90tujui", 1)
    result = load_bytes(broken, "rusak.txt")
    assert len(result.sops) == 25
    assert any("tidak terbaca" in w for w in result.warnings)


def test_one_bad_sop_does_not_lose_the_others():
    text = (CORPUS / "setda-bagian-organisasi-sop.txt").read_text(encoding="utf-8")
    # Wreck the step table of the 3rd SOP (Perjanjian Kinerja): header row gone, rows garbled.
    start = text.index("SOP PERJANJIAN KINERJA")
    end = text.index("SOP LAPORAN KINERJA")
    wrecked = text[:start] + "SOP PERJANJIAN KINERJA\n\n\x07\x07 ### ~~~\n" + text[end:]
    result = load_bytes(wrecked.encode(), "sebagian-rusak.txt")
    titles = [s.title for s in result.sops]
    assert "Laporan Kinerja" in titles and "Surat Keluar" in titles
    assert len(result.sops) >= 24


def test_cli_reports_bad_file_in_one_line_and_exits_nonzero(tmp_path):
    bad = tmp_path / "kosong.txt"
    bad.write_bytes(b"")
    good = CORPUS / "lumajang-kec-sumbersuko-rekomendasi-ot.txt"
    proc = subprocess.run(
        [sys.executable, "-m", "sopdata", "parse", str(bad), str(good), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "Berkas kosong" in proc.stderr
    assert "Traceback" not in proc.stderr
    import json

    sops = json.loads(proc.stdout)
    assert [s["title"] for s in sops] == [
        "Pelayanan Rekomendasi Surat Keterangan Organisasi Terlarang (OT)"
    ]


def test_cli_missing_file(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sopdata", "parse", str(tmp_path / "tidak-ada.txt")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "tidak dapat dibuka" in proc.stderr
    assert "Traceback" not in proc.stderr


SEED_TEXT = (CORPUS / "setda-bagian-organisasi-sop.txt").read_text(encoding="utf-8")[:6000]
OCR_TEXT = (CORPUS / "jombang-kec-jogoroto-buku-sop-ocr.txt").read_text(encoding="utf-8")[
    20000:26000
]


@st.composite
def mutated_documents(draw):
    base = draw(st.sampled_from([SEED_TEXT, OCR_TEXT]))
    ops = draw(
        st.lists(
            st.tuples(st.integers(0, len(base)), st.integers(0, 400), st.text(max_size=30)),
            max_size=8,
        )
    )
    text = base
    for pos, length, insert in ops:
        pos = min(pos, len(text))
        text = text[:pos] + insert + text[pos + length :]
    return text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_mutated_documents_raise_only_the_parser_error(text):
    try:
        result = load_bytes(text.encode("utf-8", errors="surrogatepass"), "mutasi.txt")
    except SOPLoadError:
        return
    for sop in result.sops:
        assert 0.0 <= sop.confidence <= 1.0
        sop.to_dict()


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=3000)
    | st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_random_bytes_raise_only_the_parser_error(data):
    try:
        load_bytes(data, "acak.txt")
    except SOPLoadError as exc:
        assert exc.message
