"""Read one document in a worker process with memory, CPU and wall-clock caps.

A hostile or broken upload may still find work the readers' own bounds miss
(a parser library's worst case, a segfault in a C extension). Read in the app's
process, it would hold the GIL for every reviewer's session and could take the
server down with it. Here each document is read in a fresh child process
(``forkserver``: the readers are imported once in the server, so a child starts
in milliseconds) that sets ``RLIMIT_AS`` and ``RLIMIT_CPU`` on itself; the
parent waits at most :attr:`Limits.wall_s` seconds and then kills it. Whatever
ends the child, the caller gets the SOPs or one :class:`SOPLoadError`:
"Dokumen terlalu berat untuk dibaca (batas …)".

The caps come from the environment where set: ``SOP_HARMONI_PARSE_MEMORY_MB``,
``SOP_HARMONI_PARSE_CPU_S``, ``SOP_HARMONI_PARSE_WALL_S``; and
``SOP_HARMONI_PARSE_ISOLATION=0`` reads in-process (for debugging).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sopdata.errors import SOPLoadError
from sopdata.ingest.loaders import MAX_BYTES, LoadResult, load_bytes, load_path

#: Modules the fork server imports once, so that each child starts warm.
PRELOAD = ["sopdata.ingest.isolate", "docx", "openpyxl", "pdfplumber"]


@dataclass(frozen=True)
class Limits:
    """Caps on reading one document."""

    memory_mb: int = 1536
    cpu_s: int = 60
    wall_s: float = 90.0

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


_context_lock = threading.Lock()
_context: Any = None


def _mp_context() -> Any:
    """The ``forkserver`` context (``spawn`` where there is none), started once."""
    global _context
    with _context_lock:
        if _context is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if "forkserver" in methods:
                ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


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


def _child(
    conn: Connection,
    target: Callable[[bytes, str], LoadResult],
    data: bytes,
    name: str,
    limits: Limits,
) -> None:
    """The worker: cap itself, read, send back ("ok", result) or ("error", message)."""
    try:
        _cap_self(limits)
        try:
            conn.send(("ok", target(data, name)))
        except SOPLoadError as exc:
            conn.send(("error", exc.message))
        except MemoryError:
            conn.send(("error", too_heavy(name, f"{limits.memory_mb} MB memori").message))
        except RecursionError:
            conn.send(("error", "Struktur dokumen tidak dapat dibaca."))
        except Exception as exc:
            conn.send(("error", f"Dokumen tidak dapat dibaca ({type(exc).__name__})."))
    finally:
        conn.close()


def _load(data: bytes, name: str) -> LoadResult:
    return load_bytes(data, name)


def load_isolated(
    data: bytes,
    name: str,
    limits: Limits | None = None,
    target: Callable[[bytes, str], LoadResult] = _load,
) -> LoadResult:
    """``load_bytes(data, name)`` in a capped worker process.

    Args:
        target: what the worker runs (a module-level function); tests pass a
            runaway one.

    Raises:
        SOPLoadError: the document's own message, or "Dokumen terlalu berat
            untuk dibaca (batas …)" when a cap ended the worker.
    """
    if len(data) > MAX_BYTES:  # refused without a worker (same message as in-process)
        return load_bytes(data, name)
    if os.environ.get("SOP_HARMONI_PARSE_ISOLATION", "1") == "0":
        return target(data, name)
    limits = limits or Limits.from_env()
    ctx = _mp_context()
    receive, send = ctx.Pipe(duplex=False)
    worker = ctx.Process(
        target=_child, args=(send, target, data, name, limits), name="sop-reader", daemon=True
    )
    worker.start()
    send.close()
    deadline = time.monotonic() + limits.wall_s
    try:
        outcome: tuple[str, Any] | None = None
        finished = receive.poll(max(0.0, deadline - time.monotonic()))
        if finished:
            try:
                outcome = receive.recv()
            except (EOFError, OSError):  # the worker died before sending anything
                outcome = None
        if outcome is None:
            if not finished:
                worker.kill()
                worker.join(5)
                raise too_heavy(name, f"waktu {limits.wall_s:.0f} detik")
            worker.join(5)
            raise too_heavy(name, _why_it_died(worker.exitcode, limits))
        worker.join(5)
        kind, value = outcome
        if kind == "ok":
            return value
        raise SOPLoadError(str(value), name)
    finally:
        receive.close()
        if worker.is_alive():
            worker.kill()
            worker.join(5)
        worker.close()


def _why_it_died(exitcode: int | None, limits: Limits) -> str:
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        if sig in (signal.SIGXCPU, signal.SIGKILL):
            return f"{limits.cpu_s} detik CPU" if sig == signal.SIGXCPU else limits.describe()
    return f"{limits.memory_mb} MB memori"  # a crash while allocating, most often


def load_path_isolated(path: str | Path, limits: Limits | None = None) -> LoadResult:
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
    return load_isolated(data, path.name, limits)
