"""Read one document in a worker process with memory, CPU and wall-clock caps.

A hostile or broken upload may still find work the readers' own bounds miss
(a parser library's worst case, a segfault in a C extension). Read in the app's
process, it would hold the GIL for every reviewer's session and could take the
server down with it. Here each document is read by a fresh worker,
``python -m sopdata.ingest.isolate``, that sets ``RLIMIT_AS`` and
``RLIMIT_CPU`` on itself; the parent waits at most :attr:`Limits.wall_s`
seconds and then kills it. Whatever ends the worker, the caller gets the SOPs
or one :class:`SOPLoadError`: "Dokumen terlalu berat untuk dibaca (batas …)"
when a cap ended it (``MemoryError`` under ``RLIMIT_AS``, ``SIGXCPU``, a kill
by the wall clock or the kernel's ``SIGKILL``), "Pembaca dokumen berhenti tak
terduga (sinyal 11); dokumen dilewati." when it crashed (a segfault or an
abort in a C extension, far below the memory cap).

The worker reports the progress of OCR (page i of n) as lines on its stderr;
the parent reads them in the calling thread, so a Streamlit page can draw a
progress bar from the callback.

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
import re
import signal
import subprocess
import sys
import threading
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


def crashed(name: str, sig: int) -> SOPLoadError:
    """The message for a worker that died by a signal no cap sends (a crash)."""
    return SOPLoadError(
        f"Pembaca dokumen berhenti tak terduga (sinyal {sig}); dokumen dilewati.", name
    )


#: Progress of OCR, page ``done`` of ``total``.
Progress = Callable[[int, int], None]

#: The line the worker writes on stderr after each page read by OCR.
_PROGRESS_LINE = re.compile(rb"^@@progress (\d{1,6}) (\d{1,6})$")

#: Signals a cap sends: SIGXCPU (RLIMIT_CPU), SIGKILL (the wall clock here, the
#: kernel's OOM killer or the hard CPU limit).
_CAP_SIGNALS = frozenset({signal.SIGXCPU, signal.SIGKILL})

#: A crash with a peak resident size at least half of the memory cap is
#: counted as the memory cap (a C allocator that aborts or dereferences NULL
#: when RLIMIT_AS refuses it memory).
_NEAR_CAP = 0.5


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
    """:func:`_load` writing the progress of OCR on a scan to stderr, page by page."""

    def report(done: int, total: int) -> None:
        print(f"@@progress {done} {total}", file=sys.stderr, flush=True)

    return load_bytes(data, name, progress=report)


def _print_progress(name: str) -> Progress:
    """The CLI's progress: one line on stderr per page read."""

    def report(done: int, total: int) -> None:
        if done:
            print(f"OCR {name}: halaman {done}/{total} selesai", file=sys.stderr, flush=True)

    return report


def load_isolated(
    data: bytes,
    name: str,
    limits: Limits | None = None,
    target: Callable[[bytes, str], LoadResult] = _load,
    report_progress: bool = False,
    progress: Progress | None = None,
) -> LoadResult:
    """``load_bytes(data, name)`` in a capped worker process.

    Args:
        target: what the worker runs, a module-level function (tests pass a
            runaway one); the worker imports it by name.
        report_progress: print the progress of OCR (page i/n) on stderr (the CLI).
        progress: hears ``(pages_done, pages_total)`` after each page read by
            OCR, in the calling thread (the app's progress bar). The worker's
            other stderr output is passed on with ``report_progress`` and
            discarded otherwise.

    Raises:
        SOPLoadError: the document's own message; "Dokumen terlalu berat untuk
            dibaca (batas …)" when a cap ended the worker; "Pembaca dokumen
            berhenti tak terduga (sinyal N) …" when it crashed.
    """
    if len(data) > MAX_BYTES:  # refused without a worker (same message as in-process)
        return load_bytes(data, name)
    if report_progress and progress is None:
        progress = _print_progress(name)
    if os.environ.get("SOP_HARMONI_PARSE_ISOLATION", "1") == "0":
        return load_bytes(data, name, progress=progress) if target is _load else target(data, name)
    limits = limits or Limits.from_env()
    if progress is not None and target is _load:
        target = _load_reporting
    request = pickle.dumps((f"{target.__module__}:{target.__qualname__}", data, name, limits))
    worker = subprocess.Popen(
        [sys.executable, "-m", "sopdata.ingest.isolate"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO_ROOT,  # the worker imports the project (and the tests' targets) from here
        start_new_session=True,  # its own process group: the deadline ends its children too
    )
    timed_out = threading.Event()

    def kill_at_deadline() -> None:
        timed_out.set()
        try:
            os.killpg(worker.pid, signal.SIGKILL)  # the worker and any Tesseract it runs
        except (ProcessLookupError, PermissionError):
            worker.kill()

    deadline = threading.Timer(limits.wall_s, kill_at_deadline)
    deadline.daemon = True
    out = bytearray()
    feeder = threading.Thread(target=_feed, args=(worker, request, out), daemon=True)
    peak = _PeakWatch(worker.pid)
    deadline.start()
    feeder.start()
    peak.start()
    try:
        assert worker.stderr is not None
        for line in worker.stderr:  # until the worker ends (or is killed)
            _heard(line, progress, report_progress)
        feeder.join()
        returncode, reaped_mb = _reap(worker)
        # wait4 carries the caller's peak at the worker's start. That peak only
        # grows, so read after the worker ends it bounds what was carried; read
        # before the start, the caller's growth in between was taken for the worker's.
        if reaped_mb > _vm_hwm_mb(os.getpid()):  # the worker's own
            peak.mb = max(peak.mb, reaped_mb)
    finally:
        peak.stop()
        deadline.cancel()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    if timed_out.is_set():
        raise too_heavy(name, f"waktu {limits.wall_s:.0f} detik")
    if not out:
        raise _why_it_died(name, returncode, peak.mb, limits)
    kind, value = pickle.loads(bytes(out))
    if kind == "ok":
        return value
    raise SOPLoadError(str(value), name)


def _feed(worker: subprocess.Popen[bytes], request: bytes, out: bytearray) -> None:
    """Write the request to the worker and collect its answer (a thread of its own,
    so that neither pipe fills while the caller reads the progress)."""
    assert worker.stdin is not None and worker.stdout is not None
    try:
        worker.stdin.write(request)
        worker.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # it died before reading: its exit status says why
    out.extend(worker.stdout.read())


def _heard(line: bytes, progress: Progress | None, passthrough: bool) -> None:
    """One line of the worker's stderr: a page of progress, or output to pass on."""
    m = _PROGRESS_LINE.match(line.rstrip(b"\r\n"))
    if m is not None:
        if progress is not None:
            progress(int(m.group(1)), int(m.group(2)))
    elif passthrough:
        sys.stderr.write(line.decode("utf-8", "replace"))
        sys.stderr.flush()


def _reap(worker: subprocess.Popen[bytes]) -> tuple[int, float]:
    """Wait for the worker: its exit status and ``wait4``'s peak resident size
    (MB; 0 when not known). ``Popen.wait`` reaps with ``waitpid``, which drops
    the child's resource usage, hence ``wait4``."""
    try:
        _, status, usage = os.wait4(worker.pid, 0)
    except ChildProcessError:  # reaped already (the deadline's kill polls it)
        return worker.wait(), 0.0
    worker.returncode = os.waitstatus_to_exitcode(status)
    return worker.returncode, usage.ru_maxrss / 1024  # kB on Linux


class _PeakWatch:
    """The worker's peak resident size (MB), sampled from ``/proc/PID/status``
    (``VmHWM``) while it runs.

    Not ``wait4``'s ``ru_maxrss``: Linux carries the high-water mark of the
    process image replaced by ``exec`` into it, and ``subprocess`` starts the
    worker from the caller's image (vfork), so a crash of a worker started by a
    1 GB server would read as a 1 GB worker. ``wait4``'s figure is used only
    where it exceeds the caller's own peak (so it is the worker's); otherwise a
    peak reached in the last 0.1 s before a crash can be missed, and the crash
    is reported as a crash.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=1)

    def _run(self) -> None:
        while not self._done.is_set():
            self.mb = max(self.mb, _vm_hwm_mb(self.pid))
            self._done.wait(0.1)


def _vm_hwm_mb(pid: int) -> float:
    """``VmHWM`` of a running process in MB (0 when gone or unknown)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fp:
            for line in fp:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _why_it_died(name: str, returncode: int, peak_mb: float, limits: Limits) -> SOPLoadError:
    """The message for a worker that ended without an answer."""
    if returncode < 0:
        sig = -returncode
        if sig == signal.SIGXCPU:
            return too_heavy(name, f"{limits.cpu_s} detik CPU")
        if sig == signal.SIGKILL:
            return too_heavy(name, limits.describe())
        if peak_mb < _NEAR_CAP * limits.memory_mb:
            return crashed(name, sig)
    return too_heavy(name, f"{limits.memory_mb} MB memori")  # exit(1) after a failed allocation


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
