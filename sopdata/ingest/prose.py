"""Read a procedure written as prose (``kind = "prosedur"``).

Two layouts, tried in order:

* an announced list: a line that announces the steps ("Berikut adalah langkah
  dan persyaratannya :", "Langkah-langkah:", "Prosedur:") followed by a list
  of three or more items (1., 1), a., 7.1.1, -, •); the list's items are the
  steps (:func:`sopdata.ingest.listing.group_steps`);
* running text: from the first paragraph that speaks of the procedure
  (prosedur, langkah, tata cara, alur), each sentence whose subject is an actor
  of the glossary ("Pemohon mengajukan ...", "Selanjutnya, staff Kelurahan
  akan ...") is a step; a sentence stating how long the whole takes ("Waktu
  yang diperlukan ... paling lama 1 hari kerja") is the completion time.

The title is the first title-like line, else the subject of a defining
sentence ("Surat Keterangan Domisili adalah ..."). Documents with an SOP AP
identity block or step table are declined, as by the Standar Pelayanan reader.
"""

from __future__ import annotations

import re

from sopdata.form import SOPKind
from sopdata.ingest.identity import find_office
from sopdata.ingest.listing import opening_actors, split_marker, stated_duration
from sopdata.ingest.service_standard import (
    build_sop,
    declines,
    definition_subject,
    document_lines,
    match_label,
    pick_title,
    title_acronyms,
)
from sopdata.records import SOP, Step, untitled
from sopdata.text.textclean import smart_title

_ANNOUNCES = re.compile(
    r"\b(langkah|prosedur|tata\s*cara|alur|mekanisme|tahapan|cara\s+(?:mengurus|membuat|pengurusan)|sop)\b",
    re.I,
)
_SPEAKS_OF_PROCEDURE = re.compile(r"\b(prosedur|langkah|tata\s*cara|alur|mekanisme)\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_TOTAL_TIME = re.compile(r"^\s*(?:waktu|lama|jangka\s+waktu)\b", re.I)
#: Longest text read as running-text prose: a longer one without lists is a
#: booklet or an article, not one procedure.
MAX_RUNNING_TEXT = 8000
#: Fewest items of an announced list read as a procedure.
MIN_LIST_STEPS = 3


def _announced_list(lines: list[str]) -> tuple[int, list[str]] | None:
    """(index of the announcing line, the list's lines) of the first announced list."""
    for k, line in enumerate(lines):
        if not line.rstrip().endswith(":") or not _ANNOUNCES.search(line):
            continue
        block: list[str] = []
        marked = 0
        for nxt in lines[k + 1 :]:
            family, _label, _text = split_marker(nxt)
            if family == "plain" and block and nxt.rstrip().endswith(":"):
                break  # the next announced block
            if family == "plain" and not block:
                break
            if family == "plain" and match_label(nxt) is not None:
                break
            block.append(nxt)
            marked += family != "plain"
        if marked >= MIN_LIST_STEPS:
            return k, block
    return None


def _read_list(source_file: str, lines: list[str]) -> list[SOP]:
    found = _announced_list(lines)
    if found is None:
        return []
    k, block = found
    title = pick_title(lines[:k], [definition_subject(lines[:k])])
    sop = build_sop(
        source_file,
        smart_title(title, title_acronyms()) if title else untitled(1),
        "prosedur",
        block,
        [],
    )
    if len(sop.steps) < MIN_LIST_STEPS:
        return []
    sop.title_raw = title
    return [sop]


def _read_running_text(source_file: str, lines: list[str]) -> list[SOP]:
    start = next((k for k, line in enumerate(lines) if _SPEAKS_OF_PROCEDURE.search(line)), None)
    if start is None:
        return []
    sentences = [
        s.strip() for line in lines[start:] for s in _SENTENCE_END.split(line) if s.strip()
    ]
    steps: list[str] = []
    completion = ""
    for sentence in sentences:
        if _TOTAL_TIME.match(sentence) and stated_duration(sentence):
            completion = stated_duration(sentence)
            continue
        if opening_actors([Step(no="", activity=sentence)]):
            steps.append(f"- {sentence}")
    if len(steps) < MIN_LIST_STEPS:
        return []
    title = pick_title(lines[:start], [definition_subject(lines)])
    title = title or definition_subject(lines)
    sop = build_sop(
        source_file,
        smart_title(title, title_acronyms()) if title else untitled(1),
        "prosedur",
        steps,
        [],
        completion,
    )
    if len(sop.steps) < MIN_LIST_STEPS:
        return []
    sop.title_raw = title
    return [sop]


def read_prose(text: str, source_file: str) -> list[SOP]:
    """The procedure of a prose document; [] when it holds none (or is an SOP AP)."""
    if declines(text):
        return []
    lines = document_lines(text)
    sops = _read_list(source_file, lines)
    if not sops and len(text) <= MAX_RUNNING_TEXT:
        sops = _read_running_text(source_file, lines)
    if sops:
        office, kab = find_office(text)
        for sop in sops:
            sop.office = sop.office or office
            sop.kabupaten = sop.kabupaten or kab
    return sops


# --- a document that names its procedure but holds no steps -------------------------

#: A heading that names a procedure document: "SOP ...", "Standar Operasional Prosedur
#: ...", "Standar Pelayanan ...", "Persyaratan ...", "Tata Cara ...", "Mekanisme ...".
_NAMED_HEADING = re.compile(
    r"^(?:(?P<sop>SOP|S\.O\.P\.?|Standar\s+Operasional(?:\s+dan)?\s+Prosedur|Prosedur|"
    r"Tata\s+Cara|Mekanisme|Alur)|(?P<sp>Standar\s+Pelayanan|Persyaratan))\b"
    r"(?P<subject>(?:\s+\S+){2,18})$",
    re.I,
)
# The same named in quotes in a preface: 'penyusunan "Buku Saku Standar Operasional ..."'.
_QUOTED_TITLE = re.compile(
    r"[\"“]([^\"“”]{0,60}\b(?:Standar\s+Operasional|SOP)\b[^\"“”]{5,120})[\"”]", re.I
)
#: The warning of an SOP read from its title alone.
NO_STEPS_WARNING = "SOP dibaca dari judulnya saja: isi langkahnya secara manual"


def read_named_document(text: str, source_file: str) -> list[SOP]:
    """The SOP a document names in a heading (or in quotes in its preface) when no
    reader found its steps: its title, office and kind, no steps, and a warning.
    [] when the text names no procedure."""
    lines = [" ".join(x.split()) for x in text.splitlines() if x.strip()][:15]
    title = ""
    kind: SOPKind = "prosedur"
    for line in lines:
        m = _NAMED_HEADING.match(line.strip(" :"))
        if m and not line.endswith((".", ",")) and len(line) <= 160:
            title = line.strip(" :")
            kind = "standar_pelayanan" if m.group("sp") else "prosedur"
            break
    if not title:
        q = _QUOTED_TITLE.search(" ".join(text[:5000].split()))
        if not q:
            return []
        title = q.group(1).strip()
    sop = SOP(source_file=source_file, title=title, title_raw=title, kind=kind)
    sop.office, sop.kabupaten = find_office(text)
    sop.warnings.append(NO_STEPS_WARNING)
    return [sop]
