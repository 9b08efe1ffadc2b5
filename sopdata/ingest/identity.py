"""The identity block of an SOP (Nomor SOP, dates, Disahkan oleh, Nama SOP) and its
paired sections (Dasar Hukum | Kualifikasi Pelaksana, Keterkaitan |
Peralatan/Perlengkapan, Peringatan | Pencatatan dan Pendataan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sopdata.form import HEADER_FIELDS, SECTION_FIELDS
from sopdata.text.textclean import (
    OFFICE_KINDS,
    SMALL_WORDS,
    collapse_spaces,
    smart_title,
    split_items,
    strip_markup,
)

# How each label of the form (sopdata.form) is printed, OCR slips included.
_LABEL_PATTERNS: dict[str, re.Pattern[str]] = {
    "number": re.compile(r"\bno(?:mor)?\.?\s*sop\b", re.I),
    "date_created": re.compile(r"\b(?:tanggal|tgl)\.?\s*pembuatan\b", re.I),
    "date_revised": re.compile(r"\b(?:tanggal|tgl)\.?\s*revisi\b", re.I),
    "date_approved": re.compile(r"\b(?:tanggal|tgl)\.?\s*pengesahan\b", re.I),
    "date_effective": re.compile(r"\b(?:tanggal|tgl|tel)\.?\s*efekti[fl]\b", re.I),
    "approved_by": re.compile(r"\bdisahkan\s*ol\w*\b", re.I),
    "title": re.compile(r"\b(?:nama|judul)\s*sop\b", re.I),
    "legal_basis": re.compile(r"^\W*dasar\s+hukum\W*$", re.I),
    "qualifications": re.compile(r"^\W*kualifikas[il|]?(\s+pelaksana)?\W*$", re.I),
    "related_sops": re.compile(r"^\W*keterkaitan\W*$", re.I),
    "equipment": re.compile(r"^\W*peralatan(\s*(/|dan)\s*perlengkapan)?\W*$", re.I),
    "warning": re.compile(r"^\W*peringatan\W*$", re.I),
    "records": re.compile(r"^\W*pencatatan\s+dan\s+pendataan\W*$", re.I),
}
# Identity fields of the header, in the form's order: attribute of SOP, label pattern.
FIELD_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (f.attr, _LABEL_PATTERNS[f.attr]) for f in HEADER_FIELDS
)
# Section headers of the two-column part of the identity block.
SECTION_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (f.attr, _LABEL_PATTERNS[f.attr]) for f in SECTION_FIELDS
)

_PEMKAB = re.compile(r"PEMERINTAH\s+KABUPATEN\s+([A-Z][A-Za-z]+)", re.I)
_PEMKOT = re.compile(r"\bPEMERINTAH\s+KOTA\s+([A-Z]{3,}(?:[ ][A-Z]{3,})?)\b")
_KAB_OR_KOTA = re.compile(r"(?<!KEPALA )\b(KABUPATEN|KOTA)\s+([A-Z][A-Z]{2,})\b")
# A village-level unit named inside a line a PDF's text extraction ran together
# ("PEMERINTAH KOTA MEDAN KELURAHAN SEI PUTIH TIMUR-I KECAMATAN MEDAN PETISAH"): its
# name is the capitalised words up to the next unit word; a "KEPALA KELURAHAN X" is
# the signature's title, not the letterhead.
_INLINE_UNIT = re.compile(
    r"(?<![A-Za-z])(?<!KEPALA )(KELURAHAN|DESA|PUSKESMAS|UNIVERSITAS)[ ]+"
    r"([A-Z][A-Z0-9.\-]*(?![a-z])(?:[ ][A-Z][A-Z0-9.\-]*(?![a-z])){0,3})"
)
_UNIT_WORDS = frozenset(
    {"KECAMATAN", "KABUPATEN", "KOTA", "PEMERINTAH", "KELURAHAN", "DESA", "NIP", "JL", "JALAN"}
)
_PROVINSI = re.compile(r"\bPROVINSI\s+([A-Z]{3,}(?:[ ](?!KABUPATEN|KOTA)[A-Z]{3,})?)\b")
_KAB_OR_KOTA_PROSE = re.compile(
    r"(?<!Bupati )\b(Kabupaten|Kota)\s+([A-Z][a-z]{2,}(?:\s+(?:Timur|Barat|Utara|Selatan|Tengah))?)\b"
)
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


# The unit that issued an SOP, as its letterhead names it in capitals on a line
# (or table cell) of its own, above the step table: "DINAS KESEHATAN",
# "KELURAHAN CITRODIWANGSAN", "SEKRETARIAT DAERAH" + "BAGIAN ORGANISASI".
_UNIT_HEADER = re.compile(
    r"^(?:DINAS|BADAN|INSPEKTORAT|SATUAN\s+POLISI|SEKRETARIAT|KELURAHAN|DESA|PUSKESMAS|"
    r"RUMAH\s+SAKIT|RSUD|UPTD?|KANTOR|BAGIAN|KEMENTERIAN|DIREKTORAT|UNIVERSITAS|INSTITUT|"
    r"POLITEKNIK|PENGADILAN|KEJAKSAAN|KEPOLISIAN|POLRES|POLSEK|MADRASAH|SEKOLAH|"
    r"(?:SD|SMP|SMA|SMK|MTS|MAN|MIN)\s+NEGERI)\b[A-Z0-9 .,&()/'-]{0,90}$"
)
# A letterhead line that ends with a unit word goes on with the unit's name on the
# next line ("KANTOR KEMENTERIAN" / "AGAMA PROVINSI", "DINAS" / "KESEHATAN").
_UNIT_CONTINUES = re.compile(
    r"\b(?:KANTOR|KEMENTERIAN|DINAS|BADAN|PENGADILAN|UNIVERSITAS|DIREKTORAT|UPTD?\.?|MADRASAH)$"
)
_DOCUMENT_HEADING = re.compile(
    r"^(?:SOP|STANDART?\s+OPERASIONAL\s+PROSEDUR(?:\s+\(SOP\))?|STANDART?\s+PELAYANAN)\s+"
    r"(?=(?:KEMENTERIAN|DINAS|BADAN|KANTOR|KECAMATAN|KELURAHAN|DESA|PUSKESMAS|UPTD?|"
    r"SEKRETARIAT|INSPEKTORAT|PENGADILAN|UNIVERSITAS)\b)"
)
# A letterhead line ending in a fragment of a word cut at the line's end ("PENCATATAN S").
_CUT_WORD = re.compile(r"\s(?!DI$|KE$|DAN$)[A-Z]{1,2}$")
_NAME_LINE = re.compile(r"^[A-Z][A-Z .&'-]{2,60}$")
_UNIT_LABEL = re.compile(
    r"^[^\w\n]*+(?:unit\s+kerja|satuan\s+kerja|perangkat\s+daerah|unit\s+organisasi|skpd|opd)"
    r"(?>[^\S\n]*?[:\t])[^\S\n]*+(\S.{2,90})$",
    re.I | re.M,
)
_KANTOR_OF_PLACE = re.compile(r"^KANTOR\s+(?=(?:KECAMATAN|KELURAHAN|DESA)\b)")
_STEP_TABLE_HEADER = re.compile(r"kegiatan.*pelaksana|pelaksana.*kegiatan", re.I)
_UNIT_ACRONYMS = frozenset(
    {"RSUD", "UPT", "UPTD", "DPRD", "BPBD", "BKD", "BKPSDM", "DPMPTSP", "SATPOL", "PP"}
    | {"SD", "SMP", "SMA", "SMK", "MTS", "MAN", "MIN", "IB", "IA", "II"}
)


def _unit_name(raw: str) -> str:
    """ "SEKRETARIAT DAERAH (BAGIAN ORGANISASI)" -> "Sekretariat Daerah (Bagian Organisasi)"."""
    name = collapse_spaces(raw).strip(" .,:;-")
    parts = re.split(r"(\([^()]*\))", name)
    # the parenthesised part on its own, or smart_title would keep a short word in it upper-case
    cased = [
        f"({smart_title(p[1:-1], _UNIT_ACRONYMS)})"
        if p.startswith("(")
        else smart_title(p, _UNIT_ACRONYMS)
        for p in parts
        if p.strip()
    ]
    return " ".join(cased)


def _letterhead_unit(text: str) -> str:
    """The issuing unit from the letterhead lines before the first step table;
    "" when there is none. A kelurahan or desa wins over its kecamatan line,
    a bagian is named with the sekretariat above it."""
    head: list[str] = []
    for line in text.splitlines()[:80]:
        if _STEP_TABLE_HEADER.search(line):
            break
        head.append(line)
    label = _UNIT_LABEL.search("\n".join(head))
    if label:
        return _unit_name(label.group(1).split("\t")[0])
    cells = [collapse_spaces(strip_markup(c)) for line in head for c in line.split("\t")]
    # a cover heading naming the unit: "SOP KEMENTERIAN AGAMA", "STANDAR PELAYANAN DINAS ..."
    cells = [_DOCUMENT_HEADING.sub("", c) for c in cells if c]
    for k in range(len(cells) - 1):
        if _UNIT_CONTINUES.search(cells[k]) and _NAME_LINE.match(cells[k + 1]):
            cells[k] = f"{cells[k]} {cells[k + 1]}"
        elif (
            _UNIT_HEADER.match(cells[k])
            and _CUT_WORD.search(cells[k])
            and _NAME_LINE.match(cells[k + 1])
        ):
            cells[k] = cells[k] + cells[k + 1]  # a word cut by the line's end: "S" / "IPIL ..."
    # "KANTOR KECAMATAN X" is Kecamatan X (found below), "KANTOR KELURAHAN Y" is Kelurahan Y
    cells = [_KANTOR_OF_PLACE.sub("", c) for c in cells]
    units = [c for c in cells if c.isupper() and _UNIT_HEADER.match(c)]
    if not units:
        return ""
    secretariat = next((u for u in units if u.startswith("SEKRETARIAT")), "")
    bagian = next((u for u in units if u.startswith("BAGIAN")), "")
    if bagian and secretariat:
        return f"{_unit_name(secretariat)} ({_unit_name(bagian)})"
    village = next((u for u in units if u.startswith(("KELURAHAN", "DESA"))), "")
    first = village or next((u for u in units if not u.startswith("BAGIAN")), "")
    return _unit_name(first)


def _parent_government(text: str) -> str:
    """The kabupaten (its name: "Lumajang") or the kota ("Kota Medan") an office
    belongs to: from "PEMERINTAH KABUPATEN/KOTA X", else a "KABUPATEN X" or
    "KOTA X" in capitals (a kota is named with the word, so that Kota Madiun and
    Kabupaten Madiun stay apart)."""
    m = _PEMKAB.search(text)
    if m:
        return m.group(1).title()
    k = _PEMKOT.search(text)
    if k:
        words = k.group(1).split()
        name = " ".join(words[:1] + [w for w in words[1:2] if w not in _UNIT_WORDS])
        return f"Kota {smart_title(name)}"
    for g in _KAB_OR_KOTA.finditer(text[:3000]):
        if g.group(2) not in _NOT_PLACE and g.group(2) not in _UNIT_WORDS:
            name = smart_title(g.group(2))
            return name if g.group(1) == "KABUPATEN" else f"Kota {name}"
    # a provincial office (BPS, Kanwil): "PROVINSI BENGKULU" in its letterhead
    p = _PROVINSI.search(text[:3000])
    if p and p.group(1) not in _NOT_PLACE:
        return f"Provinsi {smart_title(p.group(1))}"
    # named in a sentence: "... Kabupaten Samosir", "di Kota Malang"
    for g in _KAB_OR_KOTA_PROSE.finditer(text[:6000]):
        if g.group(2).upper() not in _NOT_PLACE:
            return g.group(2) if g.group(1) == "Kabupaten" else f"Kota {g.group(2)}"
    return ""


def _inline_unit(text: str) -> str:
    """A kelurahan, desa or puskesmas named in capitals inside a line, before the
    step table."""
    head = text[:3000]
    table = _STEP_TABLE_HEADER.search(head)
    head = head[: table.start()] if table else head
    for m in _INLINE_UNIT.finditer(head):
        words = []
        for w in m.group(2).split():
            if w in _UNIT_WORDS or not w.isupper():
                break
            words.append(w)
        if words and words[0] not in _NOT_PLACE and words[0] not in {"NO", "HALAMAN"}:
            return _unit_name(f"{m.group(1)} {' '.join(words)}")
    return ""


# An office named at the end of a title: "SOP Pengajuan Cuti Pada Pengadilan Agama X".
_TITLE_OFFICE = re.compile(rf"\b(?:pada|di)\s+((?:{OFFICE_KINDS})\b[^()]{{3,80}})$", re.I)


def office_from_title(title: str) -> str:
    """The office a title names at its end after "pada"/"di", "" when none."""
    m = _TITLE_OFFICE.search(collapse_spaces(title))
    return _unit_name(m.group(1)) if m else ""


def without_office_suffix(title: str, office: str) -> str:
    """ "SOP Surat Pindah Kecamatan Jogoroto" -> "SOP Surat Pindah": the office is
    a column of its own, and equivalent SOPs of other offices lack the suffix."""
    if not office or " " not in office:
        return title
    kind, name = office.split(" ", 1)
    if kind.lower() == "kecamatan":  # a place name alone is safe to strip
        prefix = r"(?:kecamatan|kec\.?)?\s*"
    else:  # "Kesehatan" alone may be the procedure's own word: strip only "Dinas Kesehatan"
        prefix = rf"{re.escape(kind)}\s+"
    pattern = re.compile(rf"\s+{prefix}{re.escape(name)}\s*$", re.I)
    return pattern.sub("", title)


def find_office(text: str) -> tuple[str, str]:
    """(office, kabupaten) named in an identity block's text, "" where absent.

    The office is the issuing unit: a "Unit Kerja:" style label, else the
    letterhead's unit line (Dinas, Badan, Kelurahan, Sekretariat Daerah with its
    Bagian, ...), else the Kecamatan named in capitals or by its Camat.
    """
    kab = _parent_government(text)
    office = _letterhead_unit(text) or _inline_unit(text)
    if office:
        return office, kab
    for m in _KECAMATAN.finditer(text):
        name = m.group(1)
        if name.upper() not in _NOT_PLACE and name.isupper():
            office = f"Kecamatan {name.title()}"
            break
    if not office:
        m2 = _CAMAT.search(text)
        if m2 and m2.group(1) not in _NOT_PLACE:
            office = f"Kecamatan {m2.group(1).title()}"
    if not office:
        office = _prose_unit(text)
    return office, kab


# A unit named in running text ("di lingkungan pemerintah Desa Slamparejo", "tamu SMK
# Negeri 2 Dumai", "Pelaksana Kantor Kecamatan Lasem"): a kecamatan, kelurahan, desa,
# puskesmas or state school followed by its capitalised name.
_PROSE_UNIT = re.compile(
    r"(?<!Kepala )(?<!Sekretaris )(?<!Perangkat )(?<!Pemerintahan )(?<![A-Za-z])"
    r"(Kecamatan|Kelurahan|Desa|Puskesmas|(?:SD|SMP|SMA|SMK|MTs|MAN)\s+Negeri\s+\d{1,2})"
    r"\s+([A-Z][a-z]{2,}(?:[ -][A-Z][a-z]{2,})?)\b"
)
# Words that follow a unit's kind without naming it: another kind, "setempat", and
# the function words and connectives that open the next sentence where a heading
# ran into it ("Verifikasi Data di Kecamatan Setelah dokumen diterima ...").
_PROSE_NOT_NAME = frozenset(
    {"Kabupaten", "Kota", "Kecamatan", "Kelurahan", "Desa", "Setempat"}
    | {w.title() for w in SMALL_WORDS}
    | {
        "Setelah",
        "Sebelum",
        "Apabila",
        "Jika",
        "Bila",
        "Kemudian",
        "Selanjutnya",
        "Sesuai",
        "Akan",
        "Ini",
        "Itu",
        "Tersebut",
        "Melalui",
        "Maka",
        "Agar",
        "Bahwa",
        "Secara",
        "Sudah",
        "Telah",
        "Dapat",
        "Harus",
    }
)


def _prose_unit(text: str) -> str:
    """The unit running text names most often in its first pages, "" when none."""
    counts: dict[str, int] = {}
    for m in _PROSE_UNIT.finditer(text[:6000]):
        words = m.group(2).replace("-", " - ").split()
        if words[0] in _PROSE_NOT_NAME:
            continue
        if len(words) > 1 and words[-1] in _PROSE_NOT_NAME:
            words = words[:1]
        name = f"{collapse_spaces(m.group(1))} {' '.join(words).replace(' - ', '-')}"
        counts[name] = counts.get(name, 0) + 1
    if not counts:
        return ""
    return max(counts, key=lambda n: counts[n])


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
        rest = plain[m.end() :].strip(" :")
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
