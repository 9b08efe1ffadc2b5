"""Hostile documents (issue 15): each ends within seconds with SOPs or one Indonesian message."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time

import pytest

from sopdata.errors import SOPLoadError
from sopdata.ingest import html, isolate, pdf, table_rows
from sopdata.ingest.isolate import Limits, load_isolated, load_path_isolated
from sopdata.ingest.loaders import LoadResult, load_bytes
from sopdata.review.workspace import load_documents
from tests.support import hostile
from tests.support.paths import CORPUS
from tests.support.sopfiles import scanned_pdf


def _ends_quickly(data: bytes, name: str, seconds: float = 5.0) -> str:
    """Load in-process; the outcome ("N SOP" or the message) within ``seconds``."""
    started = time.perf_counter()
    try:
        outcome = f"{len(load_bytes(data, name).sops)} SOP"
    except SOPLoadError as exc:
        outcome = exc.message
    assert time.perf_counter() - started < seconds, outcome
    return outcome


def test_grid_before_of_a_billion_is_clamped():
    outcome = _ends_quickly(hostile.grid_before_docx(1_000_000_000), "grid.docx")
    # read like any other document (its identity, or the message that it has no step
    # table), quickly and without a MemoryError
    assert outcome == "1 SOP" or "tabel langkah" in outcome


@pytest.mark.parametrize("tag", ["gridBefore", "gridAfter"])
def test_grid_values_are_clamped_to_the_row_width(tag):
    import io

    from sopdata.ingest.docx import MAX_GRID_COLUMNS, read_docx

    doc = read_docx(io.BytesIO(hostile.grid_before_docx(10**9, tag)), "g.docx")
    assert max(len(r) for r in doc.rows) <= MAX_GRID_COLUMNS


def test_zip_member_lying_about_its_size_is_measured_while_inflating(monkeypatch):
    monkeypatch.setattr(table_rows, "MAX_UNZIPPED_MEMBER", 2 * 1024 * 1024)
    for data, name in (
        (hostile.zip_bomb_docx(8 * 1024 * 1024, lie=False), "bom.docx"),
        (hostile.zip_bomb_xlsx(8 * 1024 * 1024), "bom.xlsx"),
    ):
        outcome = _ends_quickly(data, name)
        assert "terlalu besar setelah dibuka" in outcome or "rusak" in outcome, outcome
    # the header says 10 bytes: the count, not the header, refuses it
    outcome = _ends_quickly(hostile.zip_bomb_docx(8 * 1024 * 1024, lie=True), "bohong.docx")
    assert "terlalu besar" in outcome or "rusak" in outcome, outcome


def test_html_spans_cannot_multiply_the_grid():
    started = time.perf_counter()
    doc = html.read_html(hostile.span_html(4000))
    assert time.perf_counter() - started < 3
    assert max(len(r) for r in doc.rows) <= html.MAX_COLUMNS
    assert any("lebih lebar" in w for w in doc.warnings)


def test_inflating_pdf_page_is_bounded_inside_the_page():
    outcome = _ends_quickly(hostile.inflating_pdf(120_000), "berat.pdf", seconds=4)
    assert outcome.startswith("Dokumen terlalu berat untuk dibaca (batas"), outcome
    outcome = _ends_quickly(hostile.inflating_pdf(2_000_000), "bom.pdf", seconds=4)
    assert "isi halaman lebih dari" in outcome, outcome


def test_pdf_page_time_is_checked_while_the_page_is_laid_out(monkeypatch):
    monkeypatch.setattr(pdf, "PAGE_TIME_S", 0.2)
    monkeypatch.setattr(pdf, "MAX_PAGE_OBJECTS", 10**9)
    outcome = _ends_quickly(hostile.inflating_pdf(150_000), "lambat.pdf", seconds=3)
    assert "waktu baca halaman habis" in outcome, outcome


def test_long_waktu_cell_ends_quickly():
    outcome = _ends_quickly(hostile.long_waktu_text(100_000), "waktu.txt", seconds=2)
    assert outcome == "1 SOP"
    (sop,) = load_bytes(hostile.long_waktu_text(100_000), "waktu.txt").sops
    assert any("lebih dari 5.000 karakter dipotong" in w for w in sop.warnings), sop.warnings


# --- the isolated worker ---------------------------------------------------------------


def _spin(data: bytes, name: str) -> LoadResult:
    while True:
        pass


def _hog(data: bytes, name: str) -> LoadResult:
    blocks = []
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))


def _crash(data: bytes, name: str) -> LoadResult:
    os.kill(os.getpid(), signal.SIGSEGV)
    raise AssertionError("unreachable")


def _segfault(data: bytes, name: str) -> LoadResult:
    import ctypes

    ctypes.string_at(0)  # a real invalid read, as a C extension's bug would do
    raise AssertionError("unreachable")


def _abort(data: bytes, name: str) -> LoadResult:
    os.abort()


def _abort_near_the_cap(data: bytes, name: str) -> LoadResult:
    held = bytearray(b"\x01") * (400 * 1024 * 1024)  # written, so resident
    assert held[-1] == 1
    # Held long enough for the parent's sampler (every 0.1 s): a caller larger
    # than 400 MB (pytest with the model loaded) hides wait4's figure.
    time.sleep(0.5)
    os.abort()  # as a C allocator does when RLIMIT_AS refuses it


def _bug(data: bytes, name: str) -> LoadResult:
    raise KeyError("a reader's bug")


def _sleep(data: bytes, name: str) -> LoadResult:
    time.sleep(60)
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    "target,limits,expected",
    [
        (_spin, Limits(memory_mb=1024, cpu_s=1, wall_s=20), "1 detik CPU"),
        (_hog, Limits(memory_mb=512, cpu_s=20, wall_s=20), "512 MB memori"),
        (_abort_near_the_cap, Limits(memory_mb=768, cpu_s=20, wall_s=20), "768 MB memori"),
        (_sleep, Limits(memory_mb=1024, cpu_s=5, wall_s=1), "waktu 1 detik"),
    ],
    ids=["cpu", "memory", "abort-at-the-memory-cap", "wall-clock"],
)
def test_isolated_worker_caps_end_in_one_message(target, limits, expected):
    started = time.perf_counter()
    with pytest.raises(SOPLoadError) as info:
        load_isolated(b"x", "berat.txt", limits, target=target)
    assert time.perf_counter() - started < 15
    assert info.value.message.startswith("Dokumen terlalu berat untuk dibaca (batas")
    assert expected in info.value.message, info.value.message


def _sleep_with_a_child(data: bytes, name: str) -> LoadResult:
    import subprocess

    child = subprocess.Popen(
        ["sleep", "60"]
    )  # inherits the worker's pipes, as a stray helper would
    with open(data.decode(), "w") as fp:
        fp.write(str(child.pid))
    time.sleep(60)
    raise AssertionError("unreachable")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fp:
            return fp.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except OSError:
        return False


def test_the_wall_clock_ends_the_workers_children_too(tmp_path):
    pid_file = tmp_path / "child.pid"
    started = time.perf_counter()
    with pytest.raises(SOPLoadError, match="batas waktu 8 detik"):
        load_isolated(
            str(pid_file).encode(), "lambat.pdf", Limits(wall_s=8), target=_sleep_with_a_child
        )
    assert time.perf_counter() - started < 20  # not the child's 60 s
    assert pid_file.exists()  # the child was started before the deadline
    time.sleep(0.5)
    assert not _alive(int(pid_file.read_text()))


@pytest.mark.parametrize(
    "target,sig",
    [(_crash, signal.SIGSEGV), (_segfault, signal.SIGSEGV), (_abort, signal.SIGABRT)],
    ids=["sigsegv-sent", "sigsegv-real", "sigabrt"],
)
def test_a_crashed_worker_is_not_called_too_heavy(target, sig):
    with pytest.raises(SOPLoadError) as info:
        load_isolated(b"x", "rusak.pdf", Limits(memory_mb=1024, cpu_s=20, wall_s=20), target=target)
    assert info.value.message == (
        f"Pembaca dokumen berhenti tak terduga (sinyal {int(sig)}); dokumen dilewati."
    )


def test_a_crash_is_a_crash_even_when_the_caller_is_large():
    """A server holding a model is large; the worker it starts must not inherit
    that size in the diagnosis (Linux carries the caller's high-water mark into
    ``wait4``'s figure across vfork + exec)."""
    ballast = bytearray(700 * 1024 * 1024)  # the caller touches 700 MB
    ballast[::4096] = b"x" * len(ballast[::4096])
    with pytest.raises(SOPLoadError) as info:
        load_isolated(b"x", "rusak.pdf", Limits(memory_mb=1024, cpu_s=20, wall_s=20), target=_crash)
    del ballast
    assert info.value.message.startswith("Pembaca dokumen berhenti tak terduga")


def test_a_crash_is_a_crash_when_the_caller_grows_as_the_worker_starts(monkeypatch):
    """The caller's peak read before the worker starts is not what the worker
    inherits: a caller (its other threads, the start itself) that grows in
    between made a crashed worker read as one over the memory cap."""
    ballast = bytearray(700 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])
    grown = []
    start = subprocess.Popen

    def growing_popen(*args, **kwargs):  # type: ignore[no-untyped-def]
        more = bytearray(40 * 1024 * 1024)
        more[::4096] = b"x" * len(more[::4096])
        grown.append(more)
        return start(*args, **kwargs)

    monkeypatch.setattr(isolate.subprocess, "Popen", growing_popen)
    with pytest.raises(SOPLoadError) as info:
        load_isolated(b"x", "rusak.pdf", Limits(memory_mb=1024, cpu_s=20, wall_s=20), target=_crash)
    del ballast
    grown.clear()
    assert info.value.message.startswith("Pembaca dokumen berhenti tak terduga")


def test_isolated_worker_turns_an_unexpected_error_into_a_message():
    with pytest.raises(SOPLoadError, match="tidak dapat dibaca \\(KeyError\\)"):
        load_isolated(b"x", "bug.txt", target=_bug)


def test_isolated_reading_gives_the_same_sops_as_in_process():
    path = CORPUS / "setda-bagian-organisasi-sop.txt"
    here = load_bytes(path.read_bytes(), path.name)
    there = load_path_isolated(path)
    assert [s.to_dict() for s in there.sops] == [s.to_dict() for s in here.sops]
    with pytest.raises(SOPLoadError, match="kosong"):
        load_isolated(b"", "kosong.txt")


def test_load_documents_survives_any_error(monkeypatch):
    def boom(data: bytes, name: str) -> LoadResult:
        raise MemoryError

    monkeypatch.setattr("sopdata.review.workspace.load_isolated", boom)
    good = (CORPUS / "setda-bagian-organisasi-sop.txt").read_bytes()
    docs = load_documents([("a.txt", "a", good)])
    assert docs[0].error.startswith("Dokumen terlalu berat untuk dibaca")
    monkeypatch.setattr("sopdata.review.workspace.load_isolated", _bug)
    assert load_documents([("a.txt", "a", good)])[0].error.startswith("Dokumen tidak dapat dibaca")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_ocr_progress_reaches_the_caller_page_by_page():
    """A real 4-page scan read by OCR in the capped worker: the caller hears each page."""
    heard: list[tuple[str, int, int]] = []
    docs = load_documents(
        [("pindaian.pdf", "p", scanned_pdf(4))], progress=lambda n, d, t: heard.append((n, d, t))
    )
    assert heard == [("pindaian.pdf", page, 4) for page in range(5)]
    assert docs[0].sops or docs[0].error  # read, or refused with its message


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_cli_progress_lines_on_stderr(tmp_path, capsys):
    path = tmp_path / "buku.pdf"
    path.write_bytes(scanned_pdf(2))
    # a page of one title line may hold no SOP: the progress is what is tested
    with contextlib.suppress(SOPLoadError):
        load_path_isolated(path, report_progress=True)
    err = capsys.readouterr().err
    assert "OCR buku.pdf: halaman 1/2 selesai\nOCR buku.pdf: halaman 2/2 selesai\n" in err
    assert "@@progress" not in err


@pytest.mark.parametrize("tag", ["script", "style", "title", "svg"])
def test_html_with_an_element_left_open_inside_a_table_ends(tag):
    """A page cut (or mangled) inside a skipped element ("<script>" never closed)
    within a table: the reader ends and keeps the cells read. It looped forever
    before (found by the mutated-HTML fuzz test); a subprocess keeps a regression
    from hanging the suite."""
    import subprocess
    import sys

    page = f"<table><tr><td>Menerima surat</td><td>5 menit<{tag}>var x = 1;"
    code = (
        "import sys; from sopdata.ingest.html import read_html; "
        "print(read_html(sys.stdin.read()).rows[0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=page, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['Menerima surat', '5 menit']"
