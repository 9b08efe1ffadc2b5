"""Dasar Hukum (the legal bases an SOP cites), keyed so that two wordings of one
regulation are one: "Peraturan Pemerintah No. 96 Tahun 2000 tentang ..." and
"PP Nomor 96 Th. 2000" name the same regulation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sopdata.records import SOP
from sopdata.text.textclean import normalise_key

_REGULATION_KINDS: tuple[tuple[str, str, str], ...] = (
    # (pattern, key, label)
    (r"undang[- ]undang|\buu\b", "uu", "Undang-Undang"),
    (r"peraturan pemerintah|\bpp\b", "pp", "Peraturan Pemerintah"),
    (r"peraturan presiden|\bperpres\b", "perpres", "Peraturan Presiden"),
    (r"peraturan menteri|\bpermen\w*", "permen", "Peraturan Menteri"),
    (r"keputusan menteri|\bkepmen\w*", "kepmen", "Keputusan Menteri"),
    (r"peraturan daerah|\bperda\b", "perda", "Peraturan Daerah"),
    (
        r"peraturan bupati|peraturan walikota|\bperbup\b|\bperwal\b",
        "perbup",
        "Peraturan Bupati/Wali Kota",
    ),
    (r"keputusan bupati|keputusan walikota", "kepbup", "Keputusan Bupati/Wali Kota"),
    (r"surat edaran", "se", "Surat Edaran"),
)
_NUMBER = re.compile(r"\b(?:nomor|no)\b\.?\s*+(?::\s*+)?([0-9][0-9./a-z-]*+)", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:tahun|th)\b\.?\s*((?:19|20|21)\d\d)\b", re.IGNORECASE)
_ANY_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


def regulation_key(text: str) -> tuple[str, str]:
    """A legal basis as (key, short label): kind, number and year, so that
    "Peraturan Pemerintah No. 96 Tahun 2000 tentang ..." and "PP Nomor 96 Th. 2000"
    are one regulation. Texts that name no kind and number key on their words."""
    flat = " ".join(text.split())
    lower = flat.lower()
    number = _NUMBER.search(flat)
    year = _YEAR.search(flat) or _ANY_YEAR.search(flat)
    for pattern, key, label in _REGULATION_KINDS:
        if re.search(pattern, lower) and number:
            num = number.group(1).rstrip(".").lower()
            yr = year.group(1) if year else ""
            short = f"{label} Nomor {num}" + (f" Tahun {yr}" if yr else "")
            return f"{key}:{num}:{yr}", short
    return "text:" + normalise_key(flat)[:80], flat[:100]


def legal_basis_union(sops: Sequence[SOP]) -> list[tuple[str, list[int]]]:
    """Every legal basis of the group once (the fullest wording), with the members citing it,
    ordered by the hierarchy of regulations, then year."""
    rank = {key: k for k, (_, key, _) in enumerate(_REGULATION_KINDS)}
    chosen: dict[str, str] = {}
    members: dict[str, list[int]] = {}
    for m, s in enumerate(sops):
        for text in s.legal_basis:
            key, _ = regulation_key(text)
            clean = " ".join(text.split())
            # Keep the wording with "tentang" and the fewest stray characters: OCR mixes columns.
            if key not in chosen or _basis_quality(clean) > _basis_quality(chosen[key]):
                chosen[key] = clean
            members.setdefault(key, [])
            if m not in members[key]:
                members[key].append(m)

    def order(key: str) -> tuple[int, str]:
        kind, _, rest = key.partition(":")
        year = rest.rsplit(":", 1)[-1] if kind != "text" else ""
        return (rank.get(kind, len(rank)), year)

    return [(chosen[k], members[k]) for k in sorted(chosen, key=order)]


def _basis_quality(text: str) -> float:
    words = text.split()
    if not words:
        return 0.0
    clean = sum(1 for w in words if re.fullmatch(r"[A-Za-z0-9.,/()'-]+", w))
    return ("tentang" in text.lower()) + clean / len(words) - len(words) / 200
