"""The identity block of an SOP (Nomor SOP, dates, Disahkan oleh, Nama SOP) and its
paired sections (Dasar Hukum | Kualifikasi Pelaksana, Keterkaitan |
Peralatan/Perlengkapan, Peringatan | Pencatatan dan Pendataan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sopdata.textclean import collapse_spaces, split_items, strip_markup

# Identity fields: label pattern -> attribute of SOP.
FIELD_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"\bno(?:mor)?\.?\s*sop\b", re.I)),
    ("date_created", re.compile(r"\b(?:tanggal|tgl)\.?\s*pembuatan\b", re.I)),
    ("date_revised", re.compile(r"\b(?:tanggal|tgl)\.?\s*revisi\b", re.I)),
    ("date_approved", re.compile(r"\b(?:tanggal|tgl)\.?\s*pengesahan\b", re.I)),
    ("date_effective", re.compile(r"\b(?:tanggal|tgl|tel)\.?\s*efekti[fl]\b", re.I)),
    ("approved_by", re.compile(r"\bdisahkan\s*ol\w*\b", re.I)),
    ("title", re.compile(r"\bnama\s*sop\b", re.I)),
)

# Section headers of the two-column part of the identity block.
SECTION_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("legal_basis", re.compile(r"^\W*dasar\s+hukum\W*$", re.I)),
    ("qualifications", re.compile(r"^\W*kualifikas[il|]?(\s+pelaksana)?\W*$", re.I)),
    ("related_sops", re.compile(r"^\W*keterkaitan\W*$", re.I)),
    ("equipment", re.compile(r"^\W*peralatan(\s*(/|dan)\s*perlengkapan)?\W*$", re.I)),
    ("warning", re.compile(r"^\W*peringatan\W*$", re.I)),
    ("records", re.compile(r"^\W*pencatatan\s+dan\s+pendataan\W*$", re.I)),
)

_PEMKAB = re.compile(r"PEMERINTAH\s+KABUPATEN\s+([A-Z][A-Za-z]+)", re.I)
_KECAMATAN = re.compile(r"\bKECAMATAN\s+([A-Z][A-Za-z]+)")
_CAMAT = re.compile(r"\bCAMAT\s+([A-Z][A-Z]+)\b")
_NOT_PLACE = {"DAN", "YANG", "DI", "KABUPATEN", "KECAMATAN", "SEBAGAI", "SELAKU", "PADA"}


def match_section(cell: str) -> str | None:
    text = collapse_spaces(strip_markup(cell)).strip(" :")
    for name, pattern in SECTION_LABELS:
        if pattern.match(text):
            return name
    return None


def match_field(text: str) -> tuple[str, re.Match[str]] | None:
    for name, pattern in FIELD_LABELS:
        m = pattern.search(text)
        if m:
            return name, m
    return None


def find_office(text: str) -> tuple[str, str]:
    """(office, kabupaten) named in an identity block's text, "" where absent."""
    kab = ""
    m = _PEMKAB.search(text)
    if m:
        kab = m.group(1).title()
    office = ""
    for m in _KECAMATAN.finditer(text):
        name = m.group(1)
        if name.upper() not in _NOT_PLACE and name.isupper():
            office = f"Kecamatan {name.title()}"
            break
    if not office:
        m2 = _CAMAT.search(text)
        if m2 and m2.group(1) not in _NOT_PLACE:
            office = f"Kecamatan {m2.group(1).title()}"
    return office, kab


@dataclass
class IdentityBlock:
    """Identity fields collected while reading the lines before a step table."""

    fields: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[str]] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)
    title_source: str = ""

    def set_field(self, name: str, value: str) -> None:
        value = collapse_spaces(strip_markup(value)).strip(" :;")
        if value in {"-", "--"}:
            value = ""
        if name not in self.fields or not self.fields[name]:
            self.fields[name] = value

    def add_items(self, section: str, cell: str) -> None:
        items = split_items(cell)
        if items:
            self.sections.setdefault(section, []).extend(items)

    @property
    def has_content(self) -> bool:
        return bool(self.fields or self.sections)


def feed_tab_line(block: IdentityBlock, cells: list[str], layout: dict[int, str]) -> dict[int, str]:
    """Read one tab-separated identity line; returns the (possibly new) section layout.

    ``layout`` maps a cell index to the section its column currently holds,
    set by a header line such as "Dasar Hukum<TAB><TAB>Kualifikasi Pelaksana".
    """
    block.text.append("\t".join(cells))
    non_empty = [(i, c) for i, c in enumerate(cells) if c.strip()]
    if not non_empty:
        return layout
    sections = [(i, match_section(c)) for i, c in non_empty]
    if all(s for _, s in sections):
        return {i: s for i, s in sections if s}
    # Key/value fields: a label cell followed by its value (same cell after ':' or next cells).
    consumed = False
    for pos, (_i, c) in enumerate(non_empty):
        plain = collapse_spaces(strip_markup(c))
        found = match_field(plain)
        if not found:
            continue
        name, m = found
        rest = plain[m.end():].strip(" :")
        if not rest:
            rest = " ".join(collapse_spaces(strip_markup(x)) for _, x in non_empty[pos + 1 :])
        block.set_field(name, rest)
        if name == "title":
            block.title_source = "nama_sop"
        consumed = True
        break
    if consumed or not layout:
        return layout
    for i, c in non_empty:
        section = layout.get(i)
        if section is None:
            # Cells may drift by one column (a merged cell); take the nearest header column.
            nearest = min(layout, key=lambda k: abs(k - i))
            section = layout[nearest]
        block.add_items(section, c)
    return layout
