"""How readable one cell of an SOP is: a score from 0 (garbage) to 1 (clean text).

OCR of a scanned SOP book gives cells such as ``an mat ﬂlgh n AKTU ﬂ'l.ltpl.lt
Surat Camat``: a few real words drowned in fragments. The harmonised draft must
never take such a cell when another office wrote the step readably, and a
reviewer must see at a glance which text to check against the source.

The score (:func:`readability`) combines:

* **known words** (weight :data:`KNOWN_WEIGHT`): the share of the cell's words
  found in a word list (:func:`lexicon`) built from the glossary
  (``data/actors.csv`` canonical names, ``data/acronyms.csv`` acronyms and
  expansions, ``data/actions.csv`` stems), the cleanly-parsed corpus text (the
  tables of the bundled corpus, not its OCR book) and a compact Indonesian word
  list committed as ``data/indonesian_words.txt`` (no maintained Indonesian
  lexicon package is installable offline). A word is known as written, or once
  the usual Indonesian affixes are stripped (``mendisposisikan`` → ``disposisi``);
  an unknown word in capitals of three letters or more counts half (a name or
  an acronym such as "SRIKANDI");
* **character statistics** (weight ``1 - KNOWN_WEIGHT``): the share of letters
  among the visible characters, less penalties for runs of odd punctuation
  (``5:::``, ``‘ .``), one-letter fragments (``B``, ``n``) and digits glued to
  letters (``Eﬁt4``), each as a share of the tokens.

A cell with no words (empty, "-", "5 menit") scores 1: there is nothing to
misread. A cell scoring below :data:`READABLE_THRESHOLD` is "tidak terbaca".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from sopdata.resources import CORPUS_DIR, DATA_DIR

#: A cell scoring below this is unreadable ("teks tidak terbaca, periksa sumber").
#: Set on the bundled corpus: every one of the 555 filled cells of its clean
#: tables scores ≥ 0.9, while 117 of the 122 cells of its OCR book score below
#: (the garbled ones 0.3–0.75; tests/text/test_readability.py holds both kinds).
READABLE_THRESHOLD = 0.85
#: Weight of the known-word share in the score; the rest is character statistics.
KNOWN_WEIGHT = 0.7
#: The flag written on a draft step whose text had to be kept unreadable.
UNREADABLE_FLAG = "teks tidak terbaca, periksa sumber"
#: Corpus files read through OCR: their words are not evidence of spelling.
_OCR_MARKER = "-ocr"

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TOKEN = re.compile(r"\S+")
_ODD_RUN = re.compile(r"[^\w\s,.;:()/\-&'\"%]|[:;,.'\"]{2,}|[^\w\s]{3,}")
_GLUED = re.compile(r"(?:[^\W\d_]\d|\d[^\W\d_])", re.UNICODE)
_TAG = re.compile(r"<[^>]+>")
# Units and list markers that may stand glued to a number ("3jam", "1hari", "2a").
_GLUED_OK = re.compile(r"^\d+(?:[.,]\d+)?(?:jam|hari|menit|mnt|minggu|bulan|tahun|[a-z])$", re.I)

_PREFIXES = (
    "memper", "menye", "meng", "meny", "mem", "men", "me", "diper", "di", "ber", "be",
    "ter", "te", "peng", "peny", "pem", "pen", "per", "pe", "ke", "se",
)  # fmt: skip
_SUFFIXES = ("kannya", "annya", "kan", "an", "nya", "i", "lah")


@dataclass(frozen=True)
class Readability:
    """The score of one text and what it is made of.

    Attributes:
        score: 0..1, below :data:`READABLE_THRESHOLD` the text is unreadable.
        words: how many words (letter runs of two or more) the text has.
        known: how many of them the word list knows.
        letters: share of letters among the visible characters.
    """

    score: float
    words: int
    known: int
    letters: float

    @property
    def readable(self) -> bool:
        return self.score >= READABLE_THRESHOLD


def _fold(word: str) -> str:
    """Lower case, ligatures and accents folded ("ﬁ" → "fi")."""
    text = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


@cache
def lexicon() -> frozenset[str]:
    """Every known word (folded): glossary, clean corpus tables, the Indonesian word list."""
    words: set[str] = set()

    def add(text: str) -> None:
        words.update(_fold(w) for w in _WORD.findall(text) if len(w) >= 2)

    for line in (DATA_DIR / "indonesian_words.txt").read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith("#"):
            add(line)
    import csv

    for name, columns in (
        ("actors.csv", ("canonical", "spelled_out")),
        ("acronyms.csv", ("acronym", "expansion")),
        ("actions.csv", ("label", "stems")),
        ("variants.csv", ("canonical", "variants")),
    ):
        with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for column in columns:
                    add(row.get(column) or "")
    if CORPUS_DIR.is_dir():
        for path in sorted(CORPUS_DIR.glob("*.txt")):
            if _OCR_MARKER not in path.stem and path.name != "README.md":
                add(_TAG.sub(" ", path.read_text(encoding="utf-8", errors="replace")))
    return frozenset(words)


def _stems(word: str) -> list[str]:
    """The word with the usual Indonesian affixes stripped, longest first."""
    out = []
    for suffix in ("", *_SUFFIXES):
        if suffix and not word.endswith(suffix):
            continue
        base = word[: len(word) - len(suffix)] if suffix else word
        for prefix in ("", *_PREFIXES):
            if prefix and not base.startswith(prefix):
                continue
            root = base[len(prefix) :]
            if len(root) >= 3:
                out.append(root)
                # meN- drops the root's first consonant: menulis → tulis, memeriksa → periksa
                if prefix in ("men", "pen"):
                    out.append("t" + root)
                if prefix in ("mem", "pem"):
                    out.append("p" + root)
                if prefix in ("meny", "peny"):
                    out.append("s" + root)
                if prefix in ("meng", "peng"):
                    out.append("k" + root)
    return out


def is_known(word: str, words: frozenset[str] | None = None) -> bool:
    """Whether the word list knows ``word``, as written or without its affixes."""
    known = lexicon() if words is None else words
    folded = _fold(word)
    return folded in known or any(stem in known for stem in _stems(folded))


def readability(text: str) -> Readability:
    """The readability of one cell (see the module docstring)."""
    tokens = _TOKEN.findall(text)
    words = [w for w in _WORD.findall(text) if len(w) >= 2]
    visible = [c for c in text if not c.isspace()]
    letters = sum(c.isalpha() for c in visible) / len(visible) if visible else 1.0
    if not words:
        return Readability(1.0, 0, 0, letters)
    known = sum(is_known(w) for w in words)
    # An unknown word in capitals may be a name or an acronym ("SRIKANDI"): half credit.
    guessed = sum(0.5 for w in words if w.isupper() and len(w) >= 3 and not is_known(w))
    known_share = (known + guessed) / len(words)
    n = max(len(tokens), 1)
    odd = sum(1 for t in tokens if _ODD_RUN.search(t)) / n
    fragments = sum(1 for t in tokens if len(t) == 1 and t.isalpha() and t.lower() not in "ae") / n
    glued = (
        sum(1 for t in tokens if _GLUED.search(t) and not _GLUED_OK.match(t.strip(".,;:()"))) / n
    )
    characters = max(0.0, min(1.0, letters) - odd - fragments - glued)
    score = KNOWN_WEIGHT * known_share + (1 - KNOWN_WEIGHT) * characters
    return Readability(round(score, 3), len(words), known, round(letters, 3))


def readability_score(text: str) -> float:
    """Just the score of :func:`readability` (0..1)."""
    return readability(text).score


def is_readable(text: str) -> bool:
    """Whether the cell scores at least :data:`READABLE_THRESHOLD`."""
    return readability(text).score >= READABLE_THRESHOLD
