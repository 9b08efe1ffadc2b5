"""OCR-aware text for matching: misread words corrected, debris dropped.

A step read by OCR from a scanned book ("Sekretaris menyampalkan surat dinas
kepada 4 Konsep Maskah Dinas 10 ekt Surat di Agendarts") shares few words and
letter n-grams with the same step typed cleanly by another office, and its
embedding drifts with the noise. Matching therefore reads such a step through
:func:`matching_text`: a text that reads as OCR (its
:func:`~sopdata.text.readability.readability` below
:data:`~sopdata.text.readability.READABLE_THRESHOLD`) is rewritten word by word
(:func:`clean_ocr_text`):

* a word the word list knows stays as written;
* an unknown word becomes the nearest word of the vocabulary (:class:`Vocabulary`:
  the word list of the readability score, i.e. ``data/indonesian_words.txt``,
  the glossary and the readable words of the corpus) when it is close under the
  OCR-confusable distance (:func:`~sopdata.text.fuzzy.ocr_distance`, a look-alike
  substitution such as a/e or l/i costing half an edit) and no other word is as
  close: "Maskah" → "naskah", "menyampalkan" → "menyampaikan";
* debris is dropped: tokens without letters ("5:;:", "10"), single letters,
  and unknown lower-case words with no near vocabulary word ("ekt");
* an unknown word in capitals is kept (an acronym or a name: "BKDPP").

A word glued to the next at a lower-to-upper case change is split first
("EasiEasubag" → "Easi Easubag" → "kasi kasubag"). A readable text comes back
as it was: the cleaning never touches clean tables. The displayed text is never
changed; only the encoder, the letter n-grams and the act lexicon read this one.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from sopdata.text.fuzzy import ocr_distance
from sopdata.text.readability import READABLE_THRESHOLD, is_known, lexicon, readability

__all__ = [
    "MIN_VOCABULARY_SHARE",
    "CleanedText",
    "Vocabulary",
    "clean_ocr",
    "clean_ocr_text",
    "correct_word",
    "default_vocabulary",
    "max_distance",
    "matching_text",
]

# Letter runs; a lower-to-upper case change inside one starts a new word.
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CASE_SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])")


def max_distance(length: int) -> float:
    """How far (OCR distance) an unknown word of ``length`` letters may be from
    the word it is corrected to: one edit up to 5 letters, one and a half up to
    8, two beyond; words of three letters or fewer are never corrected (too many
    words lie one edit away)."""
    if length <= 3:
        return 0.0
    if length <= 5:
        return 1.0
    if length <= 8:
        return 1.5
    return 2.0


@dataclass(frozen=True)
class Vocabulary:
    """Words a misread word may be corrected to, indexed for the nearest-word search.

    Attributes:
        words: the words (lower case), longest first in each length.
        by_bigram: letter bigram -> indices of the words holding it.
    """

    words: tuple[str, ...]
    by_bigram: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, words: set[str] | frozenset[str]) -> Vocabulary:
        clean = sorted({w.lower() for w in words if len(w) >= 4 and w.isalpha()})
        index: defaultdict[str, list[int]] = defaultdict(list)
        for k, w in enumerate(clean):
            for g in _bigrams(w):
                index[g].append(k)
        return cls(tuple(clean), {g: tuple(ks) for g, ks in index.items()})

    def nearest(self, word: str, limit: float) -> str | None:
        """The one vocabulary word within ``limit`` of ``word`` (OCR distance), or
        None when there is none or two lie equally near.

        Candidates share enough letter bigrams to be within ``limit`` (an edit
        breaks at most two bigrams), so only a few distances are computed.
        """
        grams = _bigrams(word)
        counts: defaultdict[int, int] = defaultdict(int)
        for g in grams:
            for k in self.by_bigram.get(g, ()):
                counts[k] += 1
        best: list[tuple[float, str]] = []
        for k, shared in counts.items():
            cand = self.words[k]
            need = max(len(word), len(cand)) - 1 - 2 * int(limit + 0.5)
            if shared < need or abs(len(cand) - len(word)) > limit:
                continue
            d = ocr_distance(word, cand, limit)
            if d <= limit:
                best.append((d, cand))
        if not best:
            return None
        best.sort()
        if len(best) > 1 and best[1][0] == best[0][0]:
            return None
        return best[0][1]


def _bigrams(word: str) -> set[str]:
    return {word[i : i + 2] for i in range(len(word) - 1)}


@functools.cache
def default_vocabulary() -> Vocabulary:
    """The word list of the readability score (:func:`~sopdata.text.readability.lexicon`)."""
    return Vocabulary.of(lexicon())


def _fold(text: str) -> str:
    """Ligatures and accents folded ("ﬁ" → "fi"), case kept."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def correct_word(word: str, vocabulary: Vocabulary | None = None) -> str | None:
    """What one letter run of OCR text becomes in the matching text.

    The word as written when the word list knows it (or it is an acronym-like
    run of capitals), the nearest vocabulary word when one is close enough
    (:func:`max_distance`) and alone at that distance, None (dropped) otherwise.
    """
    if len(word) < 2:
        return None
    if is_known(word):
        return word
    if word.isupper() and len(word) >= 2:
        return word
    vocab = vocabulary or default_vocabulary()
    limit = max_distance(len(word))
    if limit <= 0:
        return None
    return vocab.nearest(word.lower(), limit)


@functools.lru_cache(maxsize=1 << 14)
def _correct_cached(word: str) -> str | None:
    return correct_word(word)


@dataclass(frozen=True)
class CleanedText:
    """The result of :func:`clean_ocr`.

    Attributes:
        text: the kept words (as written, or corrected) joined by single spaces.
        words: how many words (letter runs of two letters or more) the text had.
        in_vocabulary: how many of them the word list knows or could correct
            (capitals kept as acronyms do not count).
    """

    text: str
    words: int
    in_vocabulary: int

    @property
    def vocabulary_share(self) -> float:
        """Share of the words the vocabulary accounts for (1 with no words)."""
        return self.in_vocabulary / self.words if self.words else 1.0


def clean_ocr(text: str, vocabulary: Vocabulary | None = None) -> CleanedText:
    """``text`` with every word corrected or dropped by :func:`correct_word`
    (words glued at a case change split first), and how much of it the
    vocabulary accounts for."""
    out = []
    words = in_vocabulary = 0
    for run in _WORD.findall(text):  # symbols ("™") are no letters; ligatures ("ﬁ") are
        for word in _CASE_SPLIT.split(_fold(run)):
            fixed = _correct_cached(word) if vocabulary is None else correct_word(word, vocabulary)
            if len(word) >= 2:
                words += 1
                in_vocabulary += bool(fixed) and not (fixed == word and _acronym_only(word))
            if fixed:
                out.append(fixed)
    return CleanedText(" ".join(out), words, in_vocabulary)


def _acronym_only(word: str) -> bool:
    """A run of capitals kept only because it may be an acronym."""
    return word.isupper() and not is_known(word)


def clean_ocr_text(text: str, vocabulary: Vocabulary | None = None) -> str:
    """Just the text of :func:`clean_ocr`."""
    return clean_ocr(text, vocabulary).text


#: The cleaning applies only where the vocabulary accounts for more than this share
#: of the words: below it the text is in another language (an English process
#: model scores low on readability too), and cleaning would only erase it.
MIN_VOCABULARY_SHARE = 0.5


@functools.lru_cache(maxsize=1 << 14)
def matching_text(text: str) -> str:
    """The text matching reads: ``text`` itself when it is readable
    (:data:`~sopdata.text.readability.READABLE_THRESHOLD`) or when the vocabulary
    accounts for no more than :data:`MIN_VOCABULARY_SHARE` of its words (another
    language), else the text of :func:`clean_ocr`."""
    if readability(text).score >= READABLE_THRESHOLD:
        return text
    cleaned = clean_ocr(text)
    if cleaned.vocabulary_share <= MIN_VOCABULARY_SHARE or not cleaned.text:
        return text
    return cleaned.text
