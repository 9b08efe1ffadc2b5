"""Read one document in a worker process with memory, CPU and wall-clock caps.

A hostile or broken upload may still find work the readers' own bounds miss
(a parser library's worst case, a segfault in a C extension). Read in the app's
process, it would hold the GIL for every reviewer's session and could take the
server down with it. Here each document is read by a fresh worker,
``python -m sopdata.ingest.isolate``, that sets ``RLIMIT_AS`` and
``RLIMIT_CPU`` on itself; the parent waits at most :attr:`Limits.wall_s`
seconds and then kills it. Whatever ends the worker, the caller gets the SOPs
or one :class:`SOPLoadError`: "Dokumen terlalu berat untuk dibaca (batas …)".

A plain subprocess, not ``multiprocessing``: Streamlit runs each page as
``__main__``, and multiprocessing's spawn/forkserver children re-run
``__main__`` (the page itself) before they start. The worker costs a Python
start and the readers' imports, 0.2-0.9 s a document, paid once per upload
(the app caches the result and stores a failure).

The caps come from the environment where set: ``SOP_HARMONI_PARSE_MEMORY_MB``,
``SOP_HARMONI_PARSE_CPU_S``, ``SOP_HARMONI_PARSE_WALL_S``; and
``SOP_HARMONI_PARSE_ISOLATION=0`` reads in-process (for debugging).
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sopdata.errors import SOPLoadError
from sopdata.ingest.loaders import MAX_BYTES, LoadResult, load_bytes, load_path
from sopdata.resources import REPO_ROOT


@dataclass(frozen=True)
class Limits:
    """Caps on reading one document."""

    memory_mb: int = 1536
    cpu_s: int = 60
    # A scan is read by OCR page by page (Tesseract children, each bounded by the OCR
    # reader's own per-page and total budgets: 90 s and 300 s); the worker's own CPU
    # stays capped at cpu_s.
    wall_s: float = 330.0

    @classmethod
    def from_env(cls) -> Limits:
        env = os.environ.get
        return cls(
            memory_mb=int(env("SOP_HARMONI_PARSE_MEMORY_MB", cls.memory_mb)),
            cpu_s=int(env("SOP_HARMONI_PARSE_CPU_S", cls.cpu_s)),
            wall_s=float(env("SOP_HARMONI_PARSE_WALL_S", cls.wall_s)),
        )

    def describe(self) -> str:
        return f"{self.memory_mb} MB memori, {self.cpu_s} detik CPU, {self.wall_s:.0f} detik"


def too_heavy(name: str, limit: str) -> SOPLoadError:
    """The message for a document that hit a cap."""
    return SOPLoadError(f"Dokumen terlalu berat untuk dibaca (batas {limit}).", name)


def _cap_self(limits: Limits) -> None:
    import resource

    memory = limits.memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or memory < hard:
        resource.setrlimit(resource.RLIMIT_AS, (memory, hard))
    used = int(resource.getrusage(resource.RUSAGE_SELF).ru_utime)
    soft = used + limits.cpu_s
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _run_worker() -> None:
    """The worker: read the request from stdin, cap itself, read the document,
    write ("ok", LoadResult) or ("error", message) to stdout, pickled."""
    target_ref, data, name, limits = pickle.loads(sys.stdin.buffer.read())
    _cap_self(limits)
    try:
        module, _, function = target_ref.partition(":")
        target = getattr(importlib.import_module(module), function)
        outcome: tuple[str, Any] = ("ok", target(data, name))
    except SOPLoadError as exc:
        outcome = ("error", exc.message)
    except MemoryError:
        outcome = ("error", too_heavy(name, f"{limits.memory_mb} MB memori").message)
    except RecursionError:
        outcome = ("error", "Struktur dokumen tidak dapat dibaca.")
    except Exception as exc:
        outcome = ("error", f"Dokumen tidak dapat dibaca ({type(exc).__name__}).")
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


def _load(data: bytes, name: str) -> LoadResult:
    return load_bytes(data, name)


def _load_reporting(data: bytes, name: str) -> LoadResult:
    """:func:`_load` printing the progress of OCR on a scan to stderr, page by page."""

    def report(done: int, total: int) -> None:
        print(f"OCR {name}: halaman {done}/{total} selesai", file=sys.stderr, flush=True)

    return load_bytes(data, name, progress=report)


def load_isolated(
    data: bytes,
    name: str,
    limits: Limits | None = None,
    target: Callable[[bytes, str], LoadResult] = _load,
    report_progress: bool = False,
) -> LoadResult:
    """``load_bytes(data, name)`` in a capped worker process.

    Args:
        target: what the worker runs, a module-level function (tests pass a
            runaway one); the worker imports it by name.
        report_progress: the worker prints the progress of OCR (page i/n) on
            this process's stderr (the CLI); otherwise its stderr is discarded.

    Raises:
        SOPLoadError: the document's own message, or "Dokumen terlalu berat
            untuk dibaca (batas …)" when a cap ended the worker.
    """
    if len(data) > MAX_BYTES:  # refused without a worker (same message as in-process)
        return load_bytes(data, name)
    if os.environ.get("SOP_HARMONI_PARSE_ISOLATION", "1") == "0":
        return target(data, name)
    limits = limits or Limits.from_env()
    if report_progress and target is _load:
        target = _load_reporting
    request = pickle.dumps((f"{target.__module__}:{target.__qualname__}", data, name, limits))
    worker = subprocess.Popen(
        [sys.executable, "-m", "sopdata.ingest.isolate"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None if report_progress else subprocess.DEVNULL,
        cwd=REPO_ROOT,  # the worker imports the project (and the tests' targets) from here
    )
    try:
        out, _ = worker.communicate(request, timeout=limits.wall_s)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        raise too_heavy(name, f"waktu {limits.wall_s:.0f} detik") from None
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    if not out:
        raise too_heavy(name, _why_it_died(worker.returncode, limits))
    kind, value = pickle.loads(out)
    if kind == "ok":
        return value
    raise SOPLoadError(str(value), name)


def _why_it_died(exitcode: int | None, limits: Limits) -> str:
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        if sig in (signal.SIGXCPU, signal.SIGKILL):
            return f"{limits.cpu_s} detik CPU" if sig == signal.SIGXCPU else limits.describe()
    return f"{limits.memory_mb} MB memori"  # a crash while allocating, most often


def load_path_isolated(
    path: str | Path, limits: Limits | None = None, report_progress: bool = False
) -> LoadResult:
    """:func:`load_isolated` of a file (the CLI's reader); a file too large or
    unreadable is refused in-process, as :func:`load_path` does."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return load_path(path)
        data = path.read_bytes()
    except OSError:
        return load_path(path)  # its message: "Berkas tidak dapat dibuka (...)"
    return load_isolated(data, path.name, limits, report_progress=report_progress)


if __name__ == "__main__":
    _run_worker()
