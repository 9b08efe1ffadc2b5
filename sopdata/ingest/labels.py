"""Tolerant recognition of the SOP form's label words.

Readers find a step table by its column names (Kegiatan, Pelaksana, Mutu Baku,
Kelengkapan, Waktu, Output, Keterangan) and a scanned table by its "URAIAN
PROSEDUR" heading. OCR and careless typing misspell them ("Kelenghapan",
"Pelaksama", "0utput", "Wakiu", "URALAN PROSEDLR"); instead of listing the
misspellings one document shows, a word is compared with the vocabulary:

* :func:`fold` maps characters OCR confuses to one representative (``rn`` -> ``m``, ``ri`` -> ``n``,
  ``l``/``1``/``i``/``|`` -> ``i``, ``0`` -> ``o``, ``h`` -> ``k``, ``c`` -> ``e`` ...);
* the folded word is then within a bounded edit distance
  (:func:`sopdata.text.fuzzy.edit_distance`, the readers' one distance) of a folded
  label word (see :func:`max_distance`), or, for a header cell
  wrapped over two lines, a prefix of one ("Kelengk", "Keteran").

Pure functions, no state; every reader's header detection uses :func:`label_word`.
"""

from __future__ import annotations

import functools
import re

from sopdata.text.fuzzy import edit_distance

#: The column words of a step table (Permenpan RB 35/2012 and the variants offices
#: print), each with the column it names.
COLUMN_WORDS: dict[str, str] = {
    "kegiatan": "kegiatan",
    "aktivitas": "kegiatan",
    "uraian": "kegiatan",
    "prosedur": "kegiatan",
    "pelaksana": "pelaksana",
    "mutu": "mutu",
    "baku": "mutu",
    "kelengkapan": "kelengkapan",
    "persyaratan": "kelengkapan",
    "waktu": "waktu",
    "output": "output",
    "keluaran": "output",
    "keterangan": "keterangan",
}

# Characters (and pairs) OCR reads for one another, folded to one representative.
_PAIRS = (("rn", "m"), ("ri", "n"), ("vv", "w"), ("cl", "d"), ("ii", "u"))
_CHARS = str.maketrans(
    {
        "1": "i",
        "l": "i",
        "|": "i",
        "!": "i",
        "j": "i",
        "í": "i",
        "0": "o",
        "h": "k",
        "c": "e",
        "5": "s",
        "8": "b",
        "v": "u",
        "q": "g",
        "9": "g",
    }
)
_WORD = re.compile(r"[0-9A-Za-z|!í]+")
#: The shortest prefix of a label word that is taken for it (a wrapped header cell).
MIN_PREFIX = 5


def fold(word: str) -> str:
    """``word`` lowercased with OCR-confusable characters mapped to one representative."""
    w = word.lower()
    for a, b in _PAIRS:
        w = w.replace(a, b)
    return w.translate(_CHARS)


def max_distance(length: int) -> int:
    """Edits allowed between a word and a label word of ``length`` letters: none below
    5 letters ("baku" is not "buku", "bank"), one up to 10, two from 11."""
    return 0 if length < 5 else 1 if length <= 10 else 2


@functools.cache
def _folded_vocabulary(words: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((fold(w), w) for w in words)


@functools.lru_cache(maxsize=16384)
def label_word(token: str, vocabulary: tuple[str, ...] = tuple(COLUMN_WORDS)) -> str | None:
    """The vocabulary word ``token`` spells, however misspelt, or None.

    >>> label_word("Kelenghapan"), label_word("0UTPUT"), label_word("buku")
    ('kelengkapan', 'output', None)
    """
    t = fold(token)
    if len(t) < 3:
        return None
    best: tuple[float, str] | None = None
    for folded, word in _folded_vocabulary(vocabulary):
        # two edits only on a long word that starts right ("Perlengkapan" is no "Kelengkapan")
        limit = max_distance(len(word)) if t[0] == folded[0] else min(1, max_distance(len(word)))
        d = edit_distance(t, folded, limit)
        if d > limit and MIN_PREFIX <= len(t) < len(folded):
            # a header cell wrapped over two lines: the first line holds a prefix
            limit = max_distance(len(t)) - 1
            d = edit_distance(t, folded[: len(t)], limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, word)
    return best[1] if best else None


def label_words(line: str, vocabulary: tuple[str, ...] = tuple(COLUMN_WORDS)) -> list[str]:
    """The vocabulary words a line spells, in order (``"Kegiatan Pelaksama Wakiu"`` -> 3)."""
    out = []
    for m in _WORD.finditer(line):
        word = label_word(m.group(0), vocabulary)
        if word:
            out.append(word)
    return out


def is_heading_pair(first: str, second: str) -> bool:
    """Two words that spell "URAIAN PROSEDUR" (a scanned table's heading), misread or not."""
    return (
        label_word(first, ("uraian",)) == "uraian"
        and label_word(second, ("prosedur",)) == "prosedur"
    )


def canonical_labels(cell: str, vocabulary: tuple[str, ...] = tuple(COLUMN_WORDS)) -> str:
    """``cell`` with every misspelt vocabulary word written as spelled, the rest kept:
    a header cell "Pelaksama" -> "pelaksana", "Uraian Kegiatn" -> "Uraian kegiatan"."""
    return _WORD.sub(lambda m: label_word(m.group(0), vocabulary) or m.group(0), cell)
