"""The vocabulary of the SOP form: which words say what a procedure is about.

* :data:`STOPWORDS`: words too common in SOP text to say anything (the
  Indonesian function words of :data:`~sopdata.text.textclean.SMALL_WORDS`
  and a few more); :func:`canonical_terms` drops them;
* :data:`GENERIC_WORDS`: words that say what kind of paper work a title is,
  not what it is about; :func:`key_terms` drops them too;
* :func:`step_actions`: the kind of act a step is (sign, send, register ...),
  from the administrative verbs of ``data/actions.csv``;
* :func:`title_text`, :func:`step_text`: the texts an encoder sees, acronyms
  spelled out.
"""

from __future__ import annotations

import csv
import functools
import re

from sopdata.records import SOP
from sopdata.resources import DATA_DIR
from sopdata.text.fuzzy import ocr_distance
from sopdata.text.glossary import Glossary, expand_acronyms, find_concepts
from sopdata.text.ocr_words import matching_text
from sopdata.text.textclean import SMALL_WORDS, normalise_key, procedure_title

# Words too common in SOP text to say anything about what a procedure is.
STOPWORDS = SMALL_WORDS | frozenset(
    [
        "sesuai",
        "tersebut",
        "ini",
        "itu",
        "akan",
        "telah",
        "sudah",
        "bila",
        "jika",
        "maka",
        "agar",
        "guna",
        "yg",
        "dr",
        "kpd",
        "sbg",
        "sop",
        "the",
        "of",
    ]
)

# Words that say what kind of paper work a title is, not what it is about.
GENERIC_WORDS = frozenset(
    [
        "sop",
        "sp",
        "standar",
        "operasional",
        "prosedur",
        "pengajuan",
        "pengusulan",
        "permohonan",
        "pelayanan",
        "penyusunan",
        "pengelolaan",
        "pemberian",
        "surat",
        "pns",
        "pegawai",
        "asn",
        "kecamatan",
        "kabupaten",
        "proses",
        "kegiatan",
        "layanan",
        "penerbitan",
        "pembuatan",
        "usulan",
        "penyampaian",
    ]
)


def canonical_terms(text: str, glossary: Glossary | None = None) -> set[str]:
    """Key terms of a text, with every name of one concept folded to one token.

    "Penyusunan LAKIP", "Penyusunan LKj" and "Penyusunan Laporan Kinerja" all
    give {"penyusunan", "lakip"}. Other words come back lower-cased, stop words
    and words shorter than three letters dropped.
    """
    terms, rest = find_concepts(text, glossary)
    variants = spelling_variants()
    for w in re.findall(r"[A-Za-z]+", rest):
        w = w.lower()
        if len(w) >= 3 and w not in STOPWORDS:
            terms.add(variants.get(w, w))
    return terms


VARIANTS_FILE = DATA_DIR / "variants.csv"


@functools.lru_cache(maxsize=1)
def spelling_variants() -> dict[str, str]:
    """Spelling variant -> the canonical spelling ("ijin" -> "izin"), from
    ``data/variants.csv``."""
    out: dict[str, str] = {}
    if not VARIANTS_FILE.exists():
        return out
    with VARIANTS_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            canonical = normalise_key(row.get("canonical") or "")
            for v in (row.get("variants") or "").split("|"):
                if normalise_key(v) and canonical:
                    out[normalise_key(v)] = canonical
    return out


# A document code or number inside a title ("SOP-BKD-01", "800/123/2019"):
# any token holding a digit.
_CODE_RE = re.compile(r"\S*\d\S*")


def title_terms(sop: SOP) -> set[str]:
    """Key terms of an SOP's title that say what the procedure is: document
    codes and numbers and the words of the office's own name (and its
    kabupaten) left out, since they differ from office to office. An untitled
    SOP's placeholder ("SOP tanpa judul #1") has none: two untitled SOPs do not
    share a title."""
    if not sop.has_title:
        return set()
    title = _CODE_RE.sub(" ", _without_office(sop.title or ""))
    own = canonical_terms(f"{sop.office} {getattr(sop, 'kabupaten', '')}")
    return key_terms(title) - own


def key_terms(text: str) -> set[str]:
    """Key terms of a text: acronyms and their long forms folded to one concept
    (LAKIP = LKj = Laporan Kinerja), stop words and generic paperwork words
    dropped. Plain words are three letters or more; a glossary concept keeps its
    short token ("Reformasi Birokrasi" gives ``rb``)."""
    return {t for t in canonical_terms(text) if t not in GENERIC_WORDS and t not in SMALL_WORDS}


def _without_office(title: str) -> str:
    """:func:`~sopdata.text.textclean.procedure_title`, unless nothing but
    paperwork words would be left ("Pelayanan di Desa Wisata" keeps its place:
    it is what the service is about)."""
    shorter = procedure_title(title)
    return shorter if shorter != title and key_terms(shorter) else title


def title_text(sop: SOP) -> str:
    """An SOP's title as an encoder sees it: acronyms spelled out."""
    return expand_acronyms(sop.title)


def step_text(sop: SOP, i: int, ocr_text: bool = False) -> str:
    """Step ``i``'s activity as an encoder sees it: spaces collapsed, acronyms
    spelled out; with ``ocr_text``, read through
    :func:`~sopdata.text.ocr_words.matching_text` first (OCR debris cleaned)."""
    activity = sop.steps[i].activity
    if ocr_text:
        activity = matching_text(activity)
    return activity_text(activity)


def activity_text(activity: str) -> str:
    """A Kegiatan (or one of its items) as an encoder sees it: spaces
    collapsed, acronyms spelled out."""
    return expand_acronyms(" ".join(activity.split()))


ACTIONS_FILE = DATA_DIR / "actions.csv"


@functools.lru_cache(maxsize=1)
def _action_stems() -> tuple[tuple[str, str], ...]:
    with ACTIONS_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return tuple((normalise_key(stem), r["action"]) for r in rows for stem in r["stems"].split("|"))


def step_actions(text: str) -> set[str]:
    """What kind of act a step is (sign, send, register, check ...), from the
    administrative verbs in ``data/actions.csv`` (see :func:`word_actions`)."""
    key = f" {normalise_key(text)} "
    found = {action for stem, action in _action_stems() if " " in stem and f" {stem} " in key}
    for word in key.split():
        found |= word_actions(word)
    return found


@functools.lru_cache(maxsize=1 << 16)
def word_actions(word: str) -> frozenset[str]:
    """The kinds of act one (normalised) word names.

    A word counts when it is a stem, holds a stem of five letters or more
    ("pengiriman", "dikirimkan" hold "kirim"), or, OCR damage allowed, starts
    like a verb stem of seven letters or more ("mangirimian" for "mengirim":
    one OCR edit; "menendatangeni": most letter trigrams shared). The first
    letter must agree, since pe-/me- flips the meaning ("pengantar" letter vs
    "mengantar" deliver).
    """
    found: set[str] = set()
    for stem, action in _action_stems():
        if action in found or " " in stem:
            continue
        if word == stem or (len(stem) >= 5 and stem in word):
            found.add(action)
        elif len(word) >= 7 and len(stem) >= 7 and word[0] == stem[0]:
            if len(word) >= len(stem) and ocr_distance(word[: len(stem)], stem) <= 1:
                found.add(action)
                continue
            ga, gb = char_grams(word), char_grams(stem)
            if 2 * len(ga & gb) / (len(ga) + len(gb)) >= 0.55:
                found.add(action)
    return frozenset(found)


def char_grams(text: str, n: int = 3) -> set[str]:
    """Character n-grams of the words of a text (robust to OCR-damaged words)."""
    out: set[str] = set()
    for word in normalise_key(text).split():
        padded = f" {word} "
        out.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out
