"""Find equivalent SOPs across offices and line up their steps.

Title similarity alone cannot decide a match: e5 cosines bunch between 0.85 and
0.98, and look-alike procedures (a pension request and a leave request) score as
high as true twins. A pair's score therefore combines five signals, each in
0..1, each with a reason a reviewer can read:

* ``title``: cosine of the acronym-expanded titles, rescaled from the
  similarity unrelated titles typically have;
* ``steps``: how many steps of each SOP find a close step in the other;
* ``terms``: overlap of the key terms of the titles, weighted by how rare each
  term is across the corpus ("pensiun" weighs more than "pengajuan"), with
  acronyms and their synonyms folded together (LAKIP = LKj = Laporan Kinerja);
* ``actors``: shared Pelaksana roles;
* ``content``: TF-IDF cosine of the key terms of all step text (Kegiatan,
  Kelengkapan, Output): a term counts once per step that mentions it, so what
  a procedure keeps handling ("Dokumen Laporan Kinerja" in seven steps) weighs
  more than a passing mention; it works on OCR text too, where the columns
  are mixed into one.

The score is the weighted mean of the signals both SOPs have evidence for: a
missing title, step table or Pelaksana column is no evidence either way. The
weights are fixed and documented below; only the two thresholds that turn a
score into a relation are calibrated on labelled pairs (see ``calibrate``).
Which pairs end up equivalent also depends on the rest of the corpus (one SOP
per procedure per office, and groups; see :func:`decide`).

Scale: up to 400 SOPs every cross-office pair is scored; above that only each
SOP's nearest neighbours (the one quadratic step, a blocked top-k search; see
:func:`candidate_pairs`). Scoring is batched over flat arrays
(:class:`CorpusIndex`, :func:`score_pairs`), and reasons and alignments are
worked out only for the pairs someone reads.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from sopdata.matching.alignment import AlignedPair, AlignmentSettings, align_steps, relative
from sopdata.records import SOP
from sopdata.resources import DATA_DIR
from sopdata.text.fuzzy import ocr_distance
from sopdata.text.textclean import normalise_key

Relation = Literal["equivalent", "related", "different"]


class TextEncoder(Protocol):
    """What matching needs of an encoder (see ``embeddings.Encoder``)."""

    @property
    def name(self) -> str: ...

    def encode(self, texts: Sequence[str], *, progress: Callable[[int, int], None] | None = None) -> np.ndarray: ...


# Signal weights (sum 1). Steps and key terms carry as much as the title: they
# are what separates look-alikes.
WEIGHTS: dict[str, float] = {"title": 0.30, "steps": 0.25, "terms": 0.25, "actors": 0.05, "content": 0.15}

THRESHOLDS_FILE = DATA_DIR / "match_thresholds.json"


def encoder_family(name: str) -> str:
    """The settings entry of an encoder name: "e5", "tfidf", or the name itself
    (a local sentence-transformers model, which falls back to e5's entry)."""
    if name.startswith("e5") or not name:
        return "e5"
    if name.startswith("tfidf"):
        return "tfidf"
    return name.split("/")[0]


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds on the combined score, and the similarity scale of the embedding.

    Each encoder has its own entry in :data:`THRESHOLDS_FILE`: cosines mean
    different things to different encoders (two unrelated titles score ~0.85
    with e5 and ~0.05 with character TF-IDF).
    """

    equivalent: float = 0.55
    related: float = 0.40
    # Cosine two unrelated texts typically have with this encoder (e5 ~0.80).
    background: float = 0.80
    # Cosine at which two texts say the same thing.
    ceiling: float = 0.95

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE, encoder: str = "e5") -> MatchSettings:
        """The entry of ``encoder`` (a family, see :func:`encoder_family`); e5's
        entry for an encoder that has none."""
        entries = read_thresholds(path)
        data = entries.get(encoder) or entries.get("e5") or {}
        return cls(**{k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__})


def settings_for(profiles: Sequence[SOPProfile]) -> MatchSettings:
    """The saved settings of the encoder that made these profiles' vectors."""
    return MatchSettings.load(encoder=encoder_family(profiles[0].encoder if profiles else ""))


def read_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, Any]]:
    """Encoder family -> its calibrated settings (an older flat file is e5's)."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if "equivalent" in data:  # the flat format of the first calibration
        return {str(data.get("encoder", "e5")): data}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


# Words that say what kind of paper work a title is, not what it is about.
_GENERIC = set(
    ["sop", "standar", "operasional", "prosedur", "pengajuan", "pengusulan", "permohonan", "pelayanan", "penyusunan", "pengelolaan", "pemberian", "surat", "dan", "di", "ke", "dari", "untuk", "yang", "atau", "pada", "dengan", "dalam", "kepada", "oleh", "serta", "bagi", "atas", "tentang", "per", "sebagai", "pns", "pegawai", "asn", "kecamatan", "kabupaten", "proses", "kegiatan", "layanan", "penerbitan", "pembuatan", "usulan", "penyampaian"]
)


def key_terms(text: str) -> set[str]:
    """Key terms of a text: acronyms and their long forms folded to one concept
    (LAKIP = LKj = Laporan Kinerja), generic paperwork words dropped. Plain words
    are three letters or more; a glossary concept keeps its short token
    ("Reformasi Birokrasi" gives ``rb``)."""
    from sopdata.text.glossary import canonical_terms

    return {t for t in canonical_terms(text) if t not in _GENERIC}


ACTIONS_FILE = DATA_DIR / "actions.csv"


@functools.lru_cache(maxsize=1)
def _action_stems() -> tuple[tuple[str, str], ...]:
    import csv

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


def gram_similarity(a: list[set[str]], b: list[set[str]]) -> np.ndarray:
    """Dice overlap of character n-grams for every step pair."""
    out = np.zeros((len(a), len(b)))
    for i, ga in enumerate(a):
        for j, gb in enumerate(b):
            if ga and gb:
                out[i, j] = 2 * len(ga & gb) / (len(ga) + len(gb))
    return out


@dataclass
class SOPProfile:
    """An SOP with everything matching needs, computed once."""

    sop: SOP
    office: str
    title_vec: np.ndarray
    step_vecs: np.ndarray
    title_terms: set[str]
    actor_roles: set[str]
    content_terms: set[str]
    step_grams: list[set[str]] = field(default_factory=list)
    step_actions: list[set[str]] = field(default_factory=list)
    # How many steps mention each content term (1 when left empty).
    content_tf: dict[str, int] = field(default_factory=dict)
    # Name of the encoder that made the vectors: picks the matching settings.
    encoder: str = ""


class PairMatch:
    """Two SOPs of different offices, how alike they are and why.

    Attributes:
        a, b: the two SOPs.
        score: the combined score (0..1) that ranks pairs.
        relation: ``equivalent``, ``related`` or ``different``.
        features: the five signals behind the score.
        reasons: Indonesian sentences saying what agrees and what does not.
        alignment: step correspondences (only for equivalent pairs).

    A match that :func:`match_profiles` returns works out ``reasons`` and
    ``alignment`` the first time they are read: most pairs of a big corpus are
    never looked at. Both can also be passed in or assigned like plain fields;
    pickling (Streamlit's cache) stores them worked out.
    """

    __slots__ = ("a", "b", "score", "relation", "_features", "_reasons", "_alignment", "_source")

    def __init__(
        self,
        a: SOP,
        b: SOP,
        score: float,
        relation: Relation,
        features: dict[str, float] | None,
        reasons: list[str] | None = None,
        alignment: list[AlignedPair] | None = None,
        *,
        source: tuple[_MatchContext, int] | None = None,
    ) -> None:
        self.a = a
        self.b = b
        self.score = score
        self.relation: Relation = relation
        self._features = features  # None: row ``source[1]`` of the context, until first read
        self._reasons = reasons
        self._alignment = alignment
        self._source = source

    @property
    def features(self) -> dict[str, float]:
        if self._features is None:
            self._features = self._source[0].features(self._source[1]) if self._source is not None else {}
        return self._features

    @features.setter
    def features(self, value: dict[str, float]) -> None:
        self._features = value

    @property
    def reasons(self) -> list[str]:
        if self._reasons is None:
            self._reasons = self._source[0].reasons(self._source[1]) if self._source is not None else []
        return self._reasons

    @reasons.setter
    def reasons(self, value: list[str]) -> None:
        self._reasons = value

    @property
    def alignment(self) -> list[AlignedPair]:
        if self._alignment is None:
            self._alignment = self._source[0].alignment(self._source[1]) if self._source is not None else []
        return self._alignment

    @alignment.setter
    def alignment(self, value: list[AlignedPair]) -> None:
        self._alignment = value

    def __getstate__(self) -> dict[str, object]:
        return {
            "a": self.a, "b": self.b, "score": self.score, "relation": self.relation,
            "features": self.features, "reasons": self.reasons, "alignment": self.alignment,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return (f"PairMatch({self.a.title!r} <-> {self.b.title!r}, score={self.score:.4f}, "
                f"relation={self.relation!r})")

    def to_dict(self) -> dict[str, object]:
        return {
            "a": {"source_file": self.a.source_file, "title": self.a.title, "office": self.a.office},
            "b": {"source_file": self.b.source_file, "title": self.b.title, "office": self.b.office},
            "score": round(self.score, 4),
            "relation": self.relation,
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "reasons": self.reasons,
            "alignment": [
                {
                    "a_step": self.a.steps[p.a].no if p.a is not None else None,
                    "b_step": self.b.steps[p.b].no if p.b is not None else None,
                    "score": round(p.score, 4),
                }
                for p in self.alignment
            ],
        }


def office_key(sop: SOP) -> str:
    """The office a match must cross; the file stands in when no office is known."""
    return sop.office or f"berkas:{sop.source_file}"


def title_text(sop: SOP) -> str:
    from sopdata.text.glossary import expand_acronyms

    return expand_acronyms(sop.title)


def step_text(sop: SOP, i: int) -> str:
    from sopdata.text.glossary import expand_acronyms

    step = sop.steps[i]
    return expand_acronyms(" ".join(step.activity.split()))


def build_profiles(
    sops: Sequence[SOP],
    encoder: TextEncoder,
    progress: Callable[[int, int], None] | None = None,
) -> list[SOPProfile]:
    """Encode every title and step of the corpus in one batch (the cache sees it all)."""
    texts: list[str] = []
    spans: list[tuple[int, int]] = []
    for sop in sops:
        texts.append(title_text(sop))
        start = len(texts)
        texts.extend(step_text(sop, i) for i in range(len(sop.steps)))
        spans.append((start, len(texts)))
    vectors = encoder.encode(texts, progress=progress) if texts else np.zeros((0, 1), dtype=np.float32)
    profiles = []
    for sop, (start, end) in zip(sops, spans, strict=True):
        roles = {normalise_key(sop.canonical_actor(a)) for s in sop.steps for a in s.actors}
        step_content = [f"{s.activity} {s.requirements} {s.output}" for s in sop.steps]
        content_terms = key_terms(" ".join(step_content))
        mentions: Counter[str] = Counter()
        for text in step_content:
            mentions.update(key_terms(text) & content_terms)
        profiles.append(
            SOPProfile(
                sop=sop,
                office=office_key(sop),
                title_vec=vectors[start - 1],
                step_vecs=vectors[start:end],
                title_terms=key_terms(sop.title),
                actor_roles={r for r in roles if r},
                content_terms=content_terms,
                step_grams=[char_grams(s.activity) for s in sop.steps],
                step_actions=[step_actions(s.activity) for s in sop.steps],
                content_tf=dict(mentions),
                encoder=encoder.name,
            )
        )
    return profiles


# ----------------------------------------------------------------------------
# Batch scoring. Every signal of a pair is a dot product of two rows: title
# vectors, step-vector blocks, or sparse rarity-weighted term rows. The corpus
# is packed once into flat arrays (CorpusIndex) and the candidate pairs are
# scored one first SOP at a time against all its partners with a handful of
# numpy calls, so the cost per pair is a few multiply-adds, not Python code.
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ragged:
    """Rows of (id, value) entries of varying length, packed CSR-style."""

    indptr: np.ndarray
    ids: np.ndarray
    values: np.ndarray
    width: int  # number of distinct ids

    @classmethod
    def of(cls, rows: Sequence[dict[int, float]], width: int) -> _Ragged:
        indptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum([len(r) for r in rows], out=indptr[1:])
        total = int(indptr[-1])
        ids = np.fromiter((k for r in rows for k in r), np.int64, total)
        values = np.fromiter((v for r in rows for v in r.values()), np.float64, total)
        return cls(indptr, ids, values, width)


def _segments(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of the entries of ``rows`` laid end to end, the row (0..len(rows)-1)
    each belongs to, and each row's length."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    offsets = np.cumsum(lengths) - lengths
    pos = np.arange(int(lengths.sum())) + np.repeat(starts - offsets, lengths)
    seg = np.repeat(np.arange(len(rows)), lengths)
    return pos, seg, lengths


@dataclass(frozen=True)
class _TermRows:
    """Each SOP's title terms, content terms and Pelaksana roles packed into one
    row of entries (ids of the three kinds apart), so that one gather per SOP
    serves the three sparse dot products of all its pairs.

    ``values`` is what an entry contributes as the *other* SOP of a pair,
    ``own`` what it contributes as the first: title terms count their rarity
    weight once (shared weight), content terms multiply (cosine), roles count 1.
    """

    indptr: np.ndarray
    ids: np.ndarray
    kinds: np.ndarray  # 0 title term, 1 content term, 2 role
    values: np.ndarray
    own: np.ndarray
    scratch: np.ndarray  # one dense row, reused by every dots() call (always left all-zero)

    @classmethod
    def of(cls, parts: Sequence[tuple[_Ragged, np.ndarray]]) -> _TermRows:
        """``parts``: per kind, the rows and each entry's ``own`` value."""
        n = len(parts[0][0].indptr) - 1
        offset, row_of, ids, kinds, values, own = 0, [], [], [], [], []
        for kind, (rows, own_values) in enumerate(parts):
            row_of.append(np.repeat(np.arange(n), np.diff(rows.indptr)))
            ids.append(rows.ids + offset)
            kinds.append(np.full(len(rows.ids), kind, np.int64))
            values.append(rows.values)
            own.append(own_values)
            offset += rows.width
        order = np.argsort(np.concatenate(row_of), kind="stable")
        indptr = np.zeros(n + 1, np.int64)
        indptr[1:] = np.cumsum(sum(np.diff(rows.indptr) for rows, _ in parts))
        def packed(x: list[np.ndarray]) -> np.ndarray:
            return np.concatenate(x)[order]

        return cls(indptr, packed(ids), packed(kinds), packed(values), packed(own), np.zeros(offset))

    def dots(self, i: int, rows: np.ndarray) -> np.ndarray:
        """``(len(rows), 3)``: per kind, the sum over shared ids of own(i) x value(other)."""
        s, e = self.indptr[i], self.indptr[i + 1]
        if s == e or not len(rows):
            return np.zeros((len(rows), 3))
        mine = self.ids[s:e]
        self.scratch[mine] = self.own[s:e]
        pos, seg, _ = _segments(self.indptr, rows)
        out = np.bincount(seg * 3 + self.kinds[pos], weights=self.scratch[self.ids[pos]] * self.values[pos],
                          minlength=3 * len(rows))
        self.scratch[mine] = 0.0
        return out.astype(np.float64, copy=False).reshape(len(rows), 3)


def _idf(term_sets: Sequence[set[str]], min_df: int = 1) -> dict[str, float]:
    df: Counter[str] = Counter()
    for terms in term_sets:
        df.update(terms)
    n = max(len(term_sets), 1)
    return {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items() if c >= min_df}


def _tf_idf(term: str, tf: dict[str, int], idf: dict[str, float]) -> float | None:
    if term not in idf:
        return None  # seen in one SOP only (mostly OCR debris): cannot be shared
    return max(tf.get(term, 1), 1) * idf[term]


def _vocab_rows(
    term_sets: Sequence[set[str]],
    weight: Callable[[str], float | None] | Sequence[Callable[[str], float | None]],
) -> _Ragged:
    """Term sets as id rows; ``weight`` (one for all rows, or one per row) gives each
    term's value, ``None`` leaving it out."""
    vocab: dict[str, int] = {}
    rows = []
    for k, terms in enumerate(term_sets):
        row: dict[int, float] = {}
        row_weight = weight[k] if isinstance(weight, Sequence) else weight
        for t in sorted(terms):
            w = row_weight(t)
            if w is not None:
                row[vocab.setdefault(t, len(vocab))] = w
        rows.append(row)
    return _Ragged.of(rows, len(vocab))


SIGNALS: tuple[str, ...] = ("title", "steps", "terms", "actors", "content")
_WEIGHT_VECTOR = np.array([WEIGHTS[s] for s in SIGNALS])
_TITLE, _STEPS, _TERMS, _ACTORS, _CONTENT = range(len(SIGNALS))


def _present(p: SOPProfile) -> tuple[bool, ...]:
    """Which signals this SOP can take part in: a missing title, step table or
    Pelaksana column is no evidence either way, so the signal is left out of the
    pair's score (the other weights are scaled up) instead of counting as 0."""
    has_steps = len(p.step_vecs) > 0
    has = {
        "title": bool(normalise_key(p.sop.title)),
        "steps": has_steps,
        "terms": bool(p.title_terms),
        "actors": bool(p.actor_roles),
        "content": has_steps,
    }
    return tuple(has[name] for name in SIGNALS)


@dataclass
class CorpusIndex:
    """A corpus of profiles packed into flat arrays for batch scoring.

    Term rows carry rarity weights (``log((n + 1) / (df + 0.5))``): a term most
    SOPs share says little. Content rows are normalised to unit length.
    """

    profiles: Sequence[SOPProfile]
    offices: np.ndarray
    titles: np.ndarray
    steps: np.ndarray
    step_ptr: np.ndarray
    terms: _TermRows
    title_total: np.ndarray
    actor_count: np.ndarray
    # (n, 5): which signals an SOP has evidence for (a title, key terms, steps, Pelaksana)
    present: np.ndarray

    @classmethod
    def of(cls, profiles: Sequence[SOPProfile]) -> CorpusIndex:
        n = len(profiles)
        dim = int(profiles[0].title_vec.shape[-1]) if n else 1
        office_ids: dict[str, int] = {}
        offices = np.array([office_ids.setdefault(p.office, len(office_ids)) for p in profiles], np.int64)
        titles = (np.stack([np.asarray(p.title_vec, np.float32).reshape(dim) for p in profiles])
                  if n else np.zeros((0, dim), np.float32))
        counts = [len(p.step_vecs) for p in profiles]
        step_ptr = np.zeros(n + 1, np.int64)
        np.cumsum(counts, out=step_ptr[1:])
        steps = np.zeros((int(step_ptr[-1]), dim), np.float32)
        for p, s in zip(profiles, step_ptr[:-1].tolist(), strict=True):
            steps[s : s + len(p.step_vecs)] = p.step_vecs
        title_idf = _idf([p.title_terms for p in profiles])
        title_terms = _vocab_rows([p.title_terms for p in profiles], title_idf.get)
        content_idf = _idf([p.content_terms for p in profiles], min_df=2)
        contents = _vocab_rows(
            [p.content_terms for p in profiles],
            [functools.partial(_tf_idf, tf=p.content_tf, idf=content_idf) for p in profiles],
        )
        norms = np.sqrt(np.bincount(
            np.repeat(np.arange(n), np.diff(contents.indptr)), contents.values**2, minlength=n))
        lengths = np.diff(contents.indptr)
        contents.values[:] /= np.repeat(np.where(norms > 0, norms, 1.0), lengths)
        actors = _vocab_rows([p.actor_roles for p in profiles], lambda _: 1.0)
        return cls(
            profiles=profiles,
            offices=offices,
            titles=titles,
            steps=steps,
            step_ptr=step_ptr,
            terms=_TermRows.of([
                (title_terms, np.ones(len(title_terms.ids))),
                (contents, contents.values),
                (actors, actors.values),
            ]),
            title_total=np.bincount(np.repeat(np.arange(n), np.diff(title_terms.indptr)),
                                    title_terms.values, minlength=n),
            actor_count=np.diff(actors.indptr).astype(np.float64),
            present=np.array([_present(p) for p in profiles], bool).reshape(n, len(SIGNALS)),
        )

    def __len__(self) -> int:
        return len(self.profiles)




@dataclass
class ScoredPairs:
    """Signals and scores of many pairs at once (row k is pair ``first[k]``, ``second[k]``)."""

    first: np.ndarray
    second: np.ndarray
    features: np.ndarray
    available: np.ndarray  # (P, 5) bool: both SOPs have evidence for the signal
    score: np.ndarray

    def __len__(self) -> int:
        return len(self.first)

    def subset(self, keep: np.ndarray) -> ScoredPairs:
        return ScoredPairs(self.first[keep], self.second[keep], self.features[keep], self.available[keep],
                           self.score[keep])

    @classmethod
    def concat(cls, parts: Sequence[ScoredPairs]) -> ScoredPairs:
        return cls(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("first", "second", "features", "available", "score")))

    def feature_dict(self, k: int) -> dict[str, float]:
        return dict(zip(SIGNALS, self.features[k].tolist(), strict=True))


@contextlib.contextmanager
def _blas_single_thread() -> Iterator[None]:
    """Small matrix products run faster on one BLAS thread: OpenBLAS wakes and
    syncs its threads for each call, which costs more than a 10 x 400 product."""
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
    except ImportError:  # pragma: no cover
        yield
        return
    with threadpool_limits(1, user_api="blas"):
        yield


def score_pairs(
    index: CorpusIndex,
    first: np.ndarray,
    second: np.ndarray,
    settings: MatchSettings,
    floor: float | None = None,
) -> ScoredPairs:
    """The five signals and the combined score of the pairs ``(first[k], second[k])``.

    With ``floor``, a pair whose score cannot reach it even with perfect step
    coverage is dropped before its steps are compared (the step comparison is
    the only costly signal).
    """
    first = np.asarray(first, np.int64)
    second = np.asarray(second, np.int64)
    order = np.lexsort((second, first))
    first, second = first[order], second[order]
    n_pairs = len(first)
    feats = np.zeros((n_pairs, len(SIGNALS)))
    avail = index.present[first] & index.present[second]
    keep = np.ones(n_pairs, bool)
    cuts = np.flatnonzero(np.diff(first)) + 1
    with _blas_single_thread():
        for s, e in zip([0, *cuts.tolist()], [*cuts.tolist(), n_pairs], strict=True):
            if s < e:
                _score_block(index, int(first[s]), second[s:e], feats[s:e], avail[s:e], keep[s:e], settings,
                             floor)
    scored = ScoredPairs(first, second, feats, avail, combined_scores(feats, avail))
    return scored.subset(keep) if floor is not None else scored


def combined_scores(features: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Weighted mean of the signals each pair has evidence for (0 with none)."""
    total = available @ _WEIGHT_VECTOR
    return np.divide((features * available) @ _WEIGHT_VECTOR, total, out=np.zeros(len(features)),
                     where=total > 0)


def _score_block(index: CorpusIndex, i: int, rows: np.ndarray, f: np.ndarray, avail: np.ndarray,
                 keep: np.ndarray, settings: MatchSettings, floor: float | None) -> None:
    """Signals of SOP ``i`` against each SOP of ``rows``, written into ``f``; with
    ``floor``, ``keep`` tells which pairs can still reach it."""
    span = settings.ceiling - settings.background
    title = index.titles[rows] @ index.titles[i]
    f[:, _TITLE] = np.clip((title - settings.background) / span, 0.0, 1.0)
    dots = index.terms.dots(i, rows)
    shared, common = dots[:, 0], dots[:, 2]
    union = index.title_total[i] + index.title_total[rows] - shared
    f[:, _TERMS] = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    union = index.actor_count[i] + index.actor_count[rows] - common
    both = index.actor_count[i] * index.actor_count[rows] > 0
    f[:, _ACTORS] = np.divide(common, union, out=np.zeros_like(common), where=both)
    f[:, _CONTENT] = dots[:, 1]
    if floor is not None:
        f[:, _STEPS] = 1.0  # the best the steps could do
        keep[:] = combined_scores(f, avail) >= floor
        f[:, _STEPS] = 0.0
    a0, a1 = int(index.step_ptr[i]), int(index.step_ptr[i + 1])
    todo = np.flatnonzero(keep & (index.step_ptr[rows + 1] > index.step_ptr[rows]))
    if a1 == a0 or not len(todo):
        return
    pos, seg, lengths = _segments(index.step_ptr, rows[todo])
    # (steps of the others) x (steps of i): the tall operand first is the fast layout
    sim = index.steps[pos] @ index.steps[a0:a1].T
    starts = np.cumsum(lengths) - lengths
    best_of_i = np.clip((np.maximum.reduceat(sim, starts, axis=0) - settings.background) / span, 0, 1)
    best_of_other = np.clip((sim.max(axis=1) - settings.background) / span, 0, 1)
    f[todo, _STEPS] = (best_of_i.mean(axis=1) + np.bincount(seg, best_of_other, len(todo)) / lengths) / 2


def pair_features(index: CorpusIndex, i: int, j: int, settings: MatchSettings) -> dict[str, float]:
    """The five signals of one pair of the index (see :func:`score_pairs`)."""
    return score_pairs(index, np.array([i]), np.array([j]), settings).feature_dict(0)


# Embedding, letter n-grams, kind of act. The kind of act survives OCR damage best.
STEP_WEIGHTS = (0.25, 0.25, 0.5)


def step_similarity(pa: SOPProfile, pb: SOPProfile, sim: np.ndarray | None = None) -> np.ndarray:
    """Step similarity of a pair: embedding cosine and character n-gram overlap,
    each rescaled against its own matrix (see :func:`relative`), and the overlap
    of the steps' kinds of act (sign, send, register ...), averaged."""
    if sim is None:
        sim = pa.step_vecs @ pb.step_vecs.T
    grams = gram_similarity(pa.step_grams, pb.step_grams)
    acts = np.array([[_jaccard(x, y) for y in pb.step_actions] for x in pa.step_actions]).reshape(sim.shape)
    return STEP_WEIGHTS[0] * relative(sim) + STEP_WEIGHTS[1] * relative(grams) + STEP_WEIGHTS[2] * acts


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# Equivalent procedures run in the same order: steps at the same relative
# position get a small bonus that breaks ties in noisy (OCR) matrices.
POSITION_PRIOR = 0.2


def position_prior(n: int, m: int) -> np.ndarray:
    """1 on the diagonal of relative positions, falling to -1 at opposite ends."""
    i = np.arange(n)[:, None] / max(n - 1, 1)
    j = np.arange(m)[None, :] / max(m - 1, 1)
    return 1 - 2 * np.abs(i - j)


def align_pair(pa: SOPProfile, pb: SOPProfile, sim: np.ndarray | None = None,
               settings: AlignmentSettings | None = None) -> list[AlignedPair]:
    steps = step_similarity(pa, pb, sim)
    steps = steps + POSITION_PRIOR * position_prior(*steps.shape)
    return align_steps(steps, settings or AlignmentSettings())


def _on_topic(features: np.ndarray) -> np.ndarray:
    """Equivalent procedures are about the same thing: without a shared key term
    in the titles or in what the steps say (after folding synonyms), a high score
    is a look-alike, at most related."""
    return (features[:, _TERMS] > 0) | (features[:, _CONTENT] >= 0.2)


_RELATIONS: tuple[Relation, ...] = ("equivalent", "related", "different")


def reasons_for(pa: SOPProfile, pb: SOPProfile, features: dict[str, float], sim: np.ndarray,
                settings: MatchSettings, available: dict[str, bool] | None = None) -> list[str]:
    """Indonesian sentences saying what agrees (and what does not)."""
    available = available or {}
    if available.get("title", True):
        reasons = [f"kemiripan judul {features['title']:.0%}"]
    else:
        reasons = ["judul kosong atau tak terbaca: judul tidak dibandingkan"]
    shared = sorted(pa.title_terms & pb.title_terms)
    if shared:
        reasons.append("istilah kunci sama: " + ", ".join(shared))
    elif available.get("terms", True):
        reasons.append("tidak ada istilah kunci judul yang sama")
    if sim.size:
        close = int((sim.max(axis=1) >= settings.background + 0.6 * (settings.ceiling - settings.background)).sum())
        reasons.append(f"{close} dari {sim.shape[0]} langkah punya padanan dekat")
    for p in (pa, pb):
        if not len(p.step_vecs):
            reasons.append(f"SOP {p.sop.title or p.sop.source_file} tidak punya langkah: langkah tidak "
                           "dibandingkan, paling tinggi 'terkait'")
    actors = sorted(pa.actor_roles & pb.actor_roles)
    if actors:
        reasons.append("pelaksana sama: " + ", ".join(actors[:4]))
    content = sorted(pa.content_terms & pb.content_terms)
    if content:
        reasons.append(f"isi langkah sama ({features['content']:.0%}): " + ", ".join(content[:6]))
    return reasons


# Corpora up to this size compare every cross-office pair; bigger ones only
# each SOP's nearest neighbours (see candidate_pairs).
ALL_PAIRS_UP_TO = 400
NEIGHBOURS = 30


def candidate_pairs(profiles: Sequence[SOPProfile], k: int = NEIGHBOURS) -> tuple[np.ndarray, np.ndarray]:
    """Cross-office pairs worth scoring, as index arrays ``(first, second)`` with
    ``first < second``: all of them for a small corpus, else each SOP's ``k``
    nearest by title and by mean step vector (the rest cannot be equivalent).

    The neighbour search is the one quadratic part of matching: it compares
    every SOP with every other, in blocks, keeping only a running top-k (see
    ``embeddings.similarity.top_k_self``).
    """
    n = len(profiles)
    offices = np.array([p.office for p in profiles], dtype=object)
    if n <= ALL_PAIRS_UP_TO:
        first, second = np.triu_indices(n, 1)
    else:
        titles = np.stack([p.title_vec for p in profiles])
        centroids = np.stack([
            p.step_vecs.mean(axis=0) if len(p.step_vecs) else p.title_vec for p in profiles
        ])
        codes = _sorted_unique(np.concatenate([_nearest_codes(titles, k), _nearest_codes(centroids, k)]))
        first, second = codes // n, codes % n
    cross = offices[first] != offices[second]
    return first[cross].astype(np.int64), second[cross].astype(np.int64)


def _sorted_unique(codes: np.ndarray) -> np.ndarray:
    """``np.unique`` for int codes by sorting (numpy's hash-based path is slower here)."""
    codes = np.sort(codes)
    return codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes


def _nearest_codes(vectors: np.ndarray, k: int) -> np.ndarray:
    """Unordered pairs, coded ``i * n + j`` with i < j (repeats possible), where j is
    among i's ``k`` nearest rows or vice versa."""
    from embeddings.similarity import dot_score, top_k_self

    n = len(vectors)
    idx, _ = top_k_self(vectors, k + 1, score_function=dot_score)
    rows = np.repeat(np.arange(n), idx.shape[1])
    cols = idx.ravel()
    mask = rows != cols
    return np.minimum(rows[mask], cols[mask]) * n + np.maximum(rows[mask], cols[mask])


def nearest_pairs(vectors: np.ndarray, k: int) -> set[tuple[int, int]]:
    """Unordered index pairs (i < j) where j is among i's ``k`` nearest rows or vice versa."""
    n = len(vectors)
    return {(int(c // n), int(c % n)) for c in np.unique(_nearest_codes(vectors, k))}


@dataclass
class _MatchContext:
    """What lazily read ``PairMatch`` fields need: the matches' rows of the
    scoring arrays (row ``k`` is the match whose ``source`` is ``(context, k)``)."""

    profiles: Sequence[SOPProfile]
    settings: MatchSettings
    align: bool
    first: np.ndarray
    second: np.ndarray
    relation: np.ndarray
    feature_rows: np.ndarray
    available: np.ndarray
    rival: np.ndarray
    implied: np.ndarray
    direct: np.ndarray  # (m, 2) pairs equivalent on their own score
    align_settings: AlignmentSettings = field(default_factory=AlignmentSettings)

    @functools.cached_property
    def partners(self) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        for i, j in self.direct.tolist():
            out.setdefault(i, set()).add(j)
            out.setdefault(j, set()).add(i)
        return out

    def features(self, k: int) -> dict[str, float]:
        return dict(zip(SIGNALS, self.feature_rows[k].tolist(), strict=True))

    def reasons(self, k: int) -> list[str]:
        i, j = int(self.first[k]), int(self.second[k])
        pa, pb = self.profiles[i], self.profiles[j]
        out = reasons_for(pa, pb, self.features(k), pa.step_vecs @ pb.step_vecs.T, self.settings,
                          dict(zip(SIGNALS, self.available[k].tolist(), strict=True)))
        if self.rival[k] >= 0:
            r = self.profiles[int(self.rival[k])].sop
            out.append(f"dari kantor yang sama, {r.title} ({r.office or r.source_file}) lebih cocok: "
                       "satu kantor biasanya punya satu SOP per prosedur")
        if not math.isnan(self.implied[k]):
            bridge = sorted(self.partners.get(i, set()) & self.partners.get(j, set()))
            if bridge:
                r = self.profiles[bridge[0]].sop
                out.append(f"setara lewat kelompok prosedur: keduanya setara dengan {r.title} "
                           f"({r.office or r.source_file})")
            else:
                out.append(f"setara lewat kelompok prosedur (tautan terlemah {self.implied[k]:.0%})")
        return out

    def alignment(self, k: int) -> list[AlignedPair]:
        if not self.align or self.relation[k] != 0:
            return []
        return align_pair(self.profiles[int(self.first[k])], self.profiles[int(self.second[k])], None,
                          self.align_settings)


@dataclass
class _Decisions:
    """Relation and final score of every scored pair, and why they moved."""

    relation: np.ndarray  # int8 index into _RELATIONS
    score: np.ndarray
    rival: np.ndarray  # dominated pairs: the SOP that beat the weaker side; else -1
    implied: np.ndarray  # equivalent only through their group: the weakest link's score; else nan


def decide(scored: ScoredPairs, offices: np.ndarray, settings: MatchSettings) -> _Decisions:
    """Relations of scored pairs, in three steps.

    1. One office writes one SOP per procedure. When SOP *a* has a better
       on-topic partner (see :func:`_on_topic`) in *b*'s office than *b* (or *b*
       one in *a*'s), the pair is doubtful: a look-alike of the better one
       (Pengarsipan Surat Masuk/Keluar beside Surat Masuk). Its score is
       multiplied by ``score / rival score`` (the ratio test of Lowe's SIFT
       matching), so it ranks below its rival, and it is at most related.
    2. The others are equivalent when their score reaches the threshold, they
       are on topic and both SOPs have steps.
    3. Equivalent pairs form groups (one SOP per office, best pairs first, see
       :func:`group_matches`); a scored pair whose SOPs end up in one group is
       equivalent too, with at least the score of the weakest equivalent pair
       joining them (done by :func:`_join_groups`). OCR text that matches a
       twin's clean copy poorly can still join it through a third office.
    """
    score = scored.score.copy()
    on_topic = _on_topic(scored.features) & scored.available[:, _STEPS]
    rival = np.full(len(scored), -1, np.int64)
    if on_topic.any():
        best, partner = _rivals(scored.first, scored.second, score, on_topic, offices)
        beaten = best > score
        rival[beaten] = partner[beaten]
        score[beaten] *= score[beaten] / best[beaten]
    relation = np.where(score >= settings.related, 1, 2).astype(np.int8)
    relation[on_topic & (rival < 0) & (score >= settings.equivalent)] = 0
    return _Decisions(relation, score, rival, np.full(len(scored), np.nan))


def _rivals(first: np.ndarray, second: np.ndarray, score: np.ndarray, eligible: np.ndarray,
            offices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair (a, b): the best score of an ``eligible`` pair joining a to
    b's office or b to a's office, and the SOP on the far side of that pair
    (-inf and -1 where there is none)."""
    n_off = int(offices.max()) + 1
    key_a = first * n_off + offices[second]  # a towards b's office
    key_b = second * n_off + offices[first]  # b towards a's office
    idx = np.flatnonzero(eligible)
    keys = np.concatenate([key_a[idx], key_b[idx]])
    partner = np.concatenate([second[idx], first[idx]])
    values = np.concatenate([score[idx], score[idx]])
    order = np.lexsort((partner, -values, keys))
    head = order[np.r_[True, keys[order][1:] != keys[order][:-1]]]
    best_keys, best_values, best_partner = keys[head], values[head], partner[head]

    def lookup(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.minimum(np.searchsorted(best_keys, k), len(best_keys) - 1)
        found = best_keys[at] == k
        return np.where(found, best_values[at], -np.inf), np.where(found, best_partner[at], -1)

    (va, pa), (vb, pb) = lookup(key_a), lookup(key_b)
    use_a = va >= vb
    return np.where(use_a, va, vb), np.where(use_a, pa, pb)


def match_profiles(
    profiles: Sequence[SOPProfile],
    settings: MatchSettings | None = None,
    align: bool = True,
    keep: Relation = "related",
) -> list[PairMatch]:
    """Score every candidate pair; return those at ``keep`` or better, best first.

    Reasons and (for equivalent pairs, when ``align``) step alignments are
    worked out when first read.
    """
    settings = settings or settings_for(profiles)
    index = CorpusIndex.of(profiles)
    first, second = candidate_pairs(profiles)
    floor = None if keep == "different" else settings.related
    scored = score_pairs(index, first, second, settings, floor)
    decisions = decide(scored, index.offices, settings)
    scored, decisions = _join_groups(index, first, second, scored, decisions, settings)
    wanted = decisions.relation <= _RELATIONS.index(keep)
    order = np.flatnonzero(wanted)
    order = order[np.lexsort((decisions.relation[order], -decisions.score[order]))]
    direct = np.flatnonzero((decisions.relation == 0) & np.isnan(decisions.implied))
    context = _MatchContext(
        profiles, settings, align, scored.first[order], scored.second[order], decisions.relation[order],
        scored.features[order], scored.available[order], decisions.rival[order], decisions.implied[order],
        np.column_stack([scored.first[direct], scored.second[direct]]),
    )
    sops = [p.sop for p in profiles]
    with _no_gc():  # a million small objects: the cyclic collector would rescan them all, repeatedly
        return [
            PairMatch(sops[i], sops[j], score, _RELATIONS[rel], None, source=(context, k))
            for k, (i, j, score, rel) in enumerate(zip(
                context.first.tolist(), context.second.tolist(), decisions.score[order].tolist(),
                context.relation.tolist(), strict=True))
        ]


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _join_groups(index: CorpusIndex, first: np.ndarray, second: np.ndarray, scored: ScoredPairs,
                 decisions: _Decisions, settings: MatchSettings) -> tuple[ScoredPairs, _Decisions]:
    """Step 3 of :func:`decide`: candidate pairs inside one group become equivalent."""
    eq = np.flatnonzero(decisions.relation == 0)
    if not len(eq):
        return scored, decisions
    eq = eq[np.argsort(-decisions.score[eq], kind="stable")]
    tree = _MergeTree.build(len(index), index.offices.tolist(),
                            zip(scored.first[eq].tolist(), scored.second[eq].tolist(), strict=True),
                            decisions.score[eq].tolist())
    together = tree.root[first] == tree.root[second]
    # candidate pairs the floor dropped before scoring them fully
    scored_codes = scored.first * len(index) + scored.second  # sorted: score_pairs orders by pair
    codes = first * len(index) + second
    at = np.minimum(np.searchsorted(scored_codes, codes), max(len(scored_codes) - 1, 0))
    done = scored_codes[at] == codes if len(scored_codes) else np.zeros(len(codes), bool)
    missing = together & ~done
    if missing.any():
        extra = score_pairs(index, first[missing], second[missing], settings)
        scored = ScoredPairs.concat([scored, extra])
        decisions = _Decisions(
            np.concatenate([decisions.relation, np.full(len(extra), 2, np.int8)]),
            np.concatenate([decisions.score, extra.score]),
            np.concatenate([decisions.rival, np.full(len(extra), -1, np.int64)]),
            np.concatenate([decisions.implied, np.full(len(extra), np.nan)]),
        )
    inside = np.flatnonzero((tree.root[scored.first] == tree.root[scored.second]) & (decisions.relation != 0))
    if len(inside):
        weakest = tree.bottleneck(scored.first[inside], scored.second[inside])
        decisions.implied[inside] = weakest
        decisions.score[inside] = np.maximum(decisions.score[inside], weakest)
        decisions.relation[inside] = 0
    return scored, decisions


@dataclass
class _MergeTree:
    """Groups joined pair by pair, best first (Kruskal), kept as a tree: each join
    is a node above the two groups it joined, holding the joining pair's score.

    Two members of one group are linked through equivalent pairs; the weakest
    link on the best such chain is the score at their lowest common node.
    """

    root: np.ndarray  # group of each item (a representative member)
    parent: np.ndarray  # items 0..n-1, then join nodes; a top node is its own parent
    value: np.ndarray  # join nodes: the joining score
    depth: np.ndarray

    @classmethod
    def build(cls, n: int, offices: Sequence[object], edges: Iterable[tuple[int, int]],
              scores: Sequence[float]) -> _MergeTree:
        roots, joins = _merge_groups(n, offices, edges)
        parent = list(range(n + len(joins)))
        value = [np.inf] * n
        node_of = list(range(n))  # current top node of each group, by root
        for node, (keep_root, gone_root, edge) in enumerate(joins, start=n):
            parent[node_of[keep_root]] = node
            parent[node_of[gone_root]] = node
            node_of[keep_root] = node
            value.append(scores[edge])
        parent_arr = np.array(parent, np.int64)
        depth = np.zeros(len(parent), np.int64)
        for v in range(len(parent) - 1, -1, -1):  # parents have higher numbers
            if parent[v] != v:
                depth[v] = depth[parent[v]] + 1
        return cls(np.array(roots, np.int64), parent_arr, np.array(value), depth)

    def bottleneck(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Score of the lowest common join node of items ``x[k]`` and ``y[k]`` (same group)."""
        levels = max(1, int(self.depth.max()).bit_length())
        up = [self.parent]
        for _ in range(levels - 1):
            up.append(up[-1][up[-1]])
        x, y = x.copy(), y.copy()
        swap = self.depth[x] < self.depth[y]
        x[swap], y[swap] = y[swap], x[swap]
        diff = self.depth[x] - self.depth[y]
        for k in range(levels):
            lift = (diff >> k) & 1 == 1
            x[lift] = up[k][x[lift]]
        for k in range(levels - 1, -1, -1):
            move = up[k][x] != up[k][y]
            x[move], y[move] = up[k][x[move]], up[k][y[move]]
        common = np.where(x == y, x, self.parent[x])
        return self.value[common]


def _merge_groups(n: int, offices: Sequence[object], edges: Iterable[tuple[int, int]]
                  ) -> tuple[list[int], list[tuple[int, int, int]]]:
    """Union-find over ``edges`` taken in order, never joining two groups that share
    an office. Returns each item's group root, and each join as (root kept, root
    joined into it, edge number)."""
    parent = list(range(n))
    office_sets: dict[int, set[object]] = {k: {offices[k]} for k in range(n)}
    joins: list[tuple[int, int, int]] = []

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e, (x, y) in enumerate(edges):
        rx, ry = find(x), find(y)
        if rx == ry:
            continue
        sx, sy = office_sets[rx], office_sets[ry]
        if len(sx) < len(sy):
            rx, ry, sx, sy = ry, rx, sy, sx
        if not sx.isdisjoint(sy):
            continue  # would put two versions of one office in a group
        parent[ry] = rx
        sx |= sy
        del office_sets[ry]
        joins.append((rx, ry, e))
    return [find(x) for x in range(n)], joins


def group_matches(sops: Sequence[SOP], matches: Sequence[PairMatch]) -> list[list[SOP]]:
    """Procedure groups: equivalent pairs joined best-first, one SOP per office per group."""
    index = {id(s): k for k, s in enumerate(sops)}
    edges = [(index[id(m.a)], index[id(m.b)])
             for m in sorted(matches, key=lambda m: -m.score) if m.relation == "equivalent"]
    roots, _ = _merge_groups(len(sops), [office_key(s) for s in sops], edges)
    members: dict[int, list[int]] = {}
    for k, r in enumerate(roots):
        members.setdefault(r, []).append(k)
    groups = [[sops[k] for k in v] for v in members.values() if len(v) > 1]
    groups.sort(key=lambda g: (-len(g), g[0].title))
    return groups


def match_corpus(
    sops: Sequence[SOP],
    encoder: TextEncoder,
    settings: MatchSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[PairMatch], list[list[SOP]]]:
    """Pairs (related or better, best first) and procedure groups of a corpus."""
    profiles = build_profiles(sops, encoder, progress=progress)
    matches = match_profiles(profiles, settings)
    return matches, group_matches(sops, matches)
