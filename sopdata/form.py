"""The vocabulary of the Permenpan RB 35/2012 SOP form, declared once.

Everything that reads, edits, checks or writes an SOP names the identity fields
and the flowchart symbols from here, so that a reader, the editor, the findings
and the workbook never disagree on a label or a symbol. This module imports
nothing from ``sopdata``.

* :data:`IDENTITY_FIELDS`: the identity block in the order of the form, each
  field with the attribute of :class:`~sopdata.records.SOP` that holds it and
  its label as printed on the form.
* :data:`TERMINATOR`, :data:`PROCESS`, :data:`DECISION`, :data:`CONNECTOR`: the
  flowchart symbol written for each kind of step; :func:`mark_kind` tells the
  kind of a mark as found in a document (readers accept look-alikes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# --- identity block -------------------------------------------------------------


@dataclass(frozen=True)
class IdentityField:
    """One field of the identity block.

    Attributes:
        attr: the attribute of ``SOP`` that holds it.
        label: the label as printed on the form.
        is_list: a list section (one item a line) rather than one text.
        required: the form asks every SOP to fill it (a compliance finding when empty).
        printed: the official form prints it (``date_approved`` is a line some
            offices add; it is read and edited, never written on the form).
    """

    attr: str
    label: str
    is_list: bool = False
    required: bool = False
    printed: bool = True


#: The identity block in the order of the form: the header (Nomor SOP .. Nama SOP),
#: then the six sections, printed in pairs (see :data:`SECTION_PAIRS`).
IDENTITY_FIELDS: tuple[IdentityField, ...] = (
    IdentityField("number", "Nomor SOP", required=True),
    IdentityField("date_created", "Tanggal Pembuatan", required=True),
    IdentityField("date_revised", "Tanggal Revisi"),
    IdentityField("date_approved", "Tanggal Pengesahan", printed=False),
    IdentityField("date_effective", "Tanggal Efektif", required=True),
    IdentityField("approved_by", "Disahkan oleh", required=True),
    IdentityField("title", "Nama SOP"),
    IdentityField("legal_basis", "Dasar Hukum", is_list=True, required=True),
    IdentityField("qualifications", "Kualifikasi Pelaksana", is_list=True, required=True),
    IdentityField("related_sops", "Keterkaitan", is_list=True, required=True),
    IdentityField("equipment", "Peralatan/Perlengkapan", is_list=True, required=True),
    IdentityField("warning", "Peringatan", required=True),
    IdentityField("records", "Pencatatan dan Pendataan", is_list=True, required=True),
)
_BY_ATTR = {f.attr: f for f in IDENTITY_FIELDS}
_FIRST_SECTION = "legal_basis"

#: The header of the identity block: Nomor SOP, the dates, Disahkan oleh, Nama SOP.
HEADER_FIELDS: tuple[IdentityField, ...] = tuple(
    f for f in IDENTITY_FIELDS[: [g.attr for g in IDENTITY_FIELDS].index(_FIRST_SECTION)]
)
#: The sections under the header: Dasar Hukum .. Pencatatan dan Pendataan.
SECTION_FIELDS: tuple[IdentityField, ...] = IDENTITY_FIELDS[len(HEADER_FIELDS) :]
#: The sections as the form prints them: left | right, three rows.
SECTION_PAIRS: tuple[tuple[IdentityField, IdentityField], ...] = tuple(
    (SECTION_FIELDS[k], SECTION_FIELDS[k + 1]) for k in range(0, len(SECTION_FIELDS), 2)
)
#: Fields every SOP must fill (Nama SOP is checked on its own, it has no blank form line).
REQUIRED_FIELDS: tuple[IdentityField, ...] = tuple(f for f in IDENTITY_FIELDS if f.required)


def identity_field(attr: str) -> IdentityField:
    """The field held by ``attr`` (KeyError for an attribute that is not one)."""
    return _BY_ATTR[attr]


def label_of(attr: str) -> str:
    """The printed label of the identity field held by ``attr``."""
    return _BY_ATTR[attr].label


# --- kinds of procedure document ----------------------------------------------

SOPKind = Literal["sop_ap", "standar_pelayanan", "sop_puskesmas", "prosedur"]
#: What kind of document a procedure was read from, with its Indonesian name.
#: ``sop_ap``: SOP Administrasi Pemerintahan (Permenpan RB 35/2012: identity block and
#: step table with Pelaksana columns and Mutu Baku); ``standar_pelayanan``: a service
#: standard (Permenpan RB 15/2014 components: Persyaratan, Sistem/Mekanisme dan Prosedur,
#: Jangka Waktu, Biaya/Tarif, Produk Pelayanan); ``sop_puskesmas``: an accreditation SOP
#: of a health centre (Pengertian, Tujuan, Kebijakan, Referensi, Prosedur/Langkah-langkah,
#: Unit Terkait); ``prosedur``: any other written procedure (numbered paragraphs,
#: ISO-style Uraian Prosedur, a list of steps in prose).
SOP_KINDS: dict[SOPKind, str] = {
    "sop_ap": "SOP Administrasi Pemerintahan",
    "standar_pelayanan": "Standar Pelayanan",
    "sop_puskesmas": "SOP Puskesmas",
    "prosedur": "Prosedur tertulis",
}
#: The same kinds in a word or two, for a narrow table column.
SOP_KINDS_SHORT: dict[SOPKind, str] = {
    "sop_ap": "SOP AP",
    "standar_pelayanan": "Standar Pelayanan",
    "sop_puskesmas": "SOP Puskesmas",
    "prosedur": "Prosedur",
}

#: Components of a Standar Pelayanan kept on the SOP (not on the SOP AP form):
#: Persyaratan (a list), Jangka Waktu Penyelesaian, Biaya/Tarif and Produk
#: Pelayanan, each as printed. Empty on an SOP AP.
SERVICE_FIELDS: tuple[IdentityField, ...] = (
    IdentityField("requirements", "Persyaratan", is_list=True, printed=False),
    IdentityField("completion_time", "Jangka Waktu Penyelesaian", printed=False),
    IdentityField("fee", "Biaya/Tarif", printed=False),
    IdentityField("product", "Produk Pelayanan", printed=False),
)


# --- flowchart symbols ----------------------------------------------------------

MarkKind = Literal["terminator", "process", "decision", "connector"]

#: Start and end of the procedure (a capsule), U+2B2D.
TERMINATOR = "\u2b2d"  # ⬭
#: An activity, U+25A1.
PROCESS = "\u25a1"  # □
#: A decision with Ya/Tidak branches, U+25C7.
DECISION = "\u25c7"  # ◇
#: Off-page connector, U+25EF.
CONNECTOR = "\u25ef"  # ◯

#: The symbol written for each kind.
SYMBOL: dict[MarkKind, str] = {
    "terminator": TERMINATOR,
    "process": PROCESS,
    "decision": DECISION,
    "connector": CONNECTOR,
}
#: Characters a reader accepts as each kind (look-alikes of other fonts included).
ACCEPTED: dict[MarkKind, frozenset[str]] = {
    "terminator": frozenset(TERMINATOR + "\u2b2c\u2b2e\u2b2f"),  # ⬭ ⬬ ⬮ ⬯
    "process": frozenset(
        PROCESS + "\u25a0\u25a2\u25ad\u25af\u25fb\u25fc\u2b1c\u2b1b"
    ),  # □ ■ ▢ ▭ ▯ ◻ ◼ ⬜ ⬛
    "decision": frozenset(DECISION + "\u25c6\u25ca\u2b26\u2b25\u2662"),  # ◇ ◆ ◊ ⬦ ⬥ ♢
    "connector": frozenset(CONNECTOR + "\u25cb"),  # ◯ ○
}
#: Every character read as a flowchart symbol.
SYMBOLS: frozenset[str] = frozenset().union(*ACCEPTED.values())

#: Texts in an actor column that label a decision's branches, not a symbol.
DECISION_LABELS: frozenset[str] = frozenset({"ya", "tidak", "y", "t", "yes", "no"})


def mark_kind(mark: str) -> MarkKind | None:
    """The kind of the first symbol in a mark as found in a document, or None
    when it holds none (a Ya/Tidak label, an unknown character)."""
    for c in mark:
        for kind, chars in ACCEPTED.items():
            if c in chars:
                return kind
    return None


def has_decision(mark: str) -> bool:
    """Whether a mark holds a decision symbol anywhere (◇ or a look-alike)."""
    return any(c in ACCEPTED["decision"] for c in mark)


def is_decision_label(mark: str) -> bool:
    """A Ya/Tidak branch label rather than a symbol."""
    return mark.strip().lower() in DECISION_LABELS


def lane_annotations(marks: dict[str, str]) -> set[str]:
    """Actor columns of one step row whose mark is words printed beside the
    flowchart, not the step's symbol.

    A flowchart writes connector labels ("Tatap muka", "Via Email", "Tujuan
    Disposisi") in the lanes it passes through. In a row whose box is a symbol
    in some lane, a lane holding only words (not a Ya/Tidak label) is such a
    label, and its column is not a Pelaksana of the step. A row with no symbol
    anywhere (its shapes drawn and lost) keeps its words as marks.
    """
    if not any(mark_kind(m) for m in marks.values()):
        return set()
    return {
        name
        for name, m in marks.items()
        if mark_kind(m) is None and not is_decision_label(m) and sum(c.isalpha() for c in m) >= 2
    }
