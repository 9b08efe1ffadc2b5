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
* ``content``: shared key terms of all step text (Kegiatan, Kelengkapan,
  Output), rarity-weighted like ``terms``; it works on OCR text too, where the
  columns are mixed into one.

The weights are fixed and documented below; only the two thresholds that turn a
score into a relation are calibrated on labelled pairs (see ``calibrate``).
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from sopdata.alignment import AlignedPair, AlignmentSettings, align_steps, relative
from sopdata.records import SOP
from sopdata.textclean import normalise_key

Relation = Literal["equivalent", "related", "different"]


class TextEncoder(Protocol):
    """What matching needs of an encoder (see ``embeddings.Encoder``)."""

    @property
    def name(self) -> str: ...

    def encode(self, texts: Sequence[str], *, progress: Callable[[int, int], None] | None = None) -> np.ndarray: ...


# Signal weights (sum 1). Steps and key terms carry as much as the title: they
# are what separates look-alikes.
WEIGHTS: dict[str, float] = {"title": 0.30, "steps": 0.25, "terms": 0.25, "actors": 0.05, "content": 0.15}

THRESHOLDS_FILE = Path(__file__).resolve().parent / "data" / "match_thresholds.json"


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds on the combined score, and the similarity floor of the embedding."""

    equivalent: float = 0.55
    related: float = 0.40
    # Cosine two unrelated texts typically have with this encoder (e5 ~0.80).
    background: float = 0.80
    # Cosine at which two texts say the same thing.
    ceiling: float = 0.95

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> MatchSettings:
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__})
        return cls()


# Words that say what kind of paper work a title is, not what it is about.
_GENERIC = set(
    ["sop", "standar", "operasional", "prosedur", "pengajuan", "pengusulan", "permohonan", "pelayanan", "penyusunan", "pengelolaan", "pemberian", "surat", "dan", "di", "ke", "dari", "untuk", "yang", "atau", "pada", "dengan", "dalam", "kepada", "oleh", "serta", "bagi", "atas", "tentang", "per", "sebagai", "pns", "pegawai", "asn", "kecamatan", "kabupaten", "proses", "kegiatan", "layanan", "penerbitan", "pembuatan", "usulan", "penyampaian"]
)


def key_terms(text: str) -> set[str]:
    """Key terms of a text: acronyms and their long forms folded to one concept
    (LAKIP = LKj = Laporan Kinerja), generic paperwork words dropped."""
    from sopdata.glossary import canonical_terms

    return {t for t in canonical_terms(text) if t not in _GENERIC and len(t) > 2}


ACTIONS_FILE = Path(__file__).resolve().parent / "data" / "actions.csv"


@functools.lru_cache(maxsize=1)
def _action_stems() -> tuple[tuple[str, str], ...]:
    import csv

    with ACTIONS_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return tuple((normalise_key(stem), r["action"]) for r in rows for stem in r["stems"].split("|"))


def step_actions(text: str) -> set[str]:
    """What kind of act a step is (sign, send, register, check ...), from the
    administrative verbs in ``data/actions.csv``; OCR-damaged words count when
    they share most of their letter trigrams with a stem ("menendatangeni")."""
    key = f" {normalise_key(text)} "
    found = {action for stem, action in _action_stems() if " " in stem and f" {stem} " in key}
    for word in key.split():
        for stem, action in _action_stems():
            if action in found or " " in stem:
                continue
            if word == stem or (len(stem) >= 5 and word.startswith(stem)):
                found.add(action)
            elif len(word) >= 7 and len(stem) >= 7 and word[0] == stem[0]:
                # OCR damage inside the word; the first letter must agree, since
                # pe-/me- flips the meaning ("pengantar" letter vs "mengantar" deliver).
                ga, gb = char_grams(word), char_grams(stem)
                if 2 * len(ga & gb) / (len(ga) + len(gb)) >= 0.55:
                    found.add(action)
    return found


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


@dataclass
class PairMatch:
    """Two SOPs of different offices, how alike they are and why."""

    a: SOP
    b: SOP
    score: float
    relation: Relation
    features: dict[str, float]
    reasons: list[str]
    alignment: list[AlignedPair] = field(default_factory=list)

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
    from sopdata.glossary import expand_acronyms

    return expand_acronyms(sop.title)


def step_text(sop: SOP, i: int) -> str:
    from sopdata.glossary import expand_acronyms

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
        content = " ".join(f"{s.activity} {s.requirements} {s.output}" for s in sop.steps)
        profiles.append(
            SOPProfile(
                sop=sop,
                office=office_key(sop),
                title_vec=vectors[start - 1],
                step_vecs=vectors[start:end],
                title_terms=key_terms(sop.title),
                actor_roles={r for r in roles if r},
                content_terms=key_terms(content),
                step_grams=[char_grams(s.activity) for s in sop.steps],
                step_actions=[step_actions(s.activity) for s in sop.steps],
            )
        )
    return profiles


def _idf(profiles: Sequence[SOPProfile], attr: str = "title_terms", min_df: int = 1) -> dict[str, float]:
    df: Counter[str] = Counter()
    for p in profiles:
        df.update(getattr(p, attr))
    n = max(len(profiles), 1)
    return {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items() if c >= min_df}


@dataclass(frozen=True)
class Weighted:
    """A term set with its rarity weights, totals precomputed once per corpus."""

    weights: dict[str, float]
    total: float
    norm: float

    @classmethod
    def of(cls, terms: set[str], idf: dict[str, float], default: float | None) -> Weighted:
        # default=None drops terms missing from idf (seen in one SOP only: mostly OCR debris)
        weights = {t: idf.get(t, default) for t in terms if t in idf or default is not None}
        clean = {t: float(w) for t, w in weights.items() if w is not None}
        return cls(clean, sum(clean.values()), math.sqrt(sum(w * w for w in clean.values())))

    def _shared(self, other: Weighted, power: int) -> float:
        small, large = (self, other) if len(self.weights) <= len(other.weights) else (other, self)
        return sum(w**power for t, w in small.weights.items() if t in large.weights)

    def overlap(self, other: Weighted) -> float:
        """Weighted Jaccard: shared weight over the weight of the union."""
        inter = self._shared(other, 1)
        union = self.total + other.total - inter
        return inter / union if union > 0 else 0.0

    def cosine(self, other: Weighted) -> float:
        if not self.norm or not other.norm:
            return 0.0
        return self._shared(other, 2) / (self.norm * other.norm)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass
class CorpusWeights:
    """Rarity weights of every profile's title and content terms in one corpus."""

    titles: list[Weighted]
    contents: list[Weighted]

    @classmethod
    def of(cls, profiles: Sequence[SOPProfile]) -> CorpusWeights:
        idf = _idf(profiles)
        default = max(idf.values(), default=1.0)
        content_idf = _idf(profiles, "content_terms", min_df=2)
        return cls(
            [Weighted.of(p.title_terms, idf, default) for p in profiles],
            [Weighted.of(p.content_terms, content_idf, None) for p in profiles],
        )


def pair_features(
    pa: SOPProfile, pb: SOPProfile, settings: MatchSettings,
    ta: Weighted, tb: Weighted, ca: Weighted, cb: Weighted,
) -> tuple[dict[str, float], np.ndarray]:
    """The five signals of a pair, and the step-similarity matrix behind ``steps``.

    ``ta``/``tb`` and ``ca``/``cb`` are the pair's weighted title and content
    terms (see :class:`CorpusWeights`).
    """
    span = settings.ceiling - settings.background
    title = min(1.0, max(0.0, (float(pa.title_vec @ pb.title_vec) - settings.background) / span))
    if len(pa.step_vecs) and len(pb.step_vecs):
        sim = pa.step_vecs @ pb.step_vecs.T
        covered_a = np.clip((sim.max(axis=1) - settings.background) / span, 0, 1).mean()
        covered_b = np.clip((sim.max(axis=0) - settings.background) / span, 0, 1).mean()
        steps = float(covered_a + covered_b) / 2
    else:
        sim, steps = np.zeros((0, 0)), 0.0
    features = {
        "title": title,
        "steps": steps,
        "terms": ta.overlap(tb),
        "actors": _jaccard(pa.actor_roles, pb.actor_roles),
        "content": ca.cosine(cb),
    }
    return features, sim


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


def combined_score(features: dict[str, float]) -> float:
    return sum(WEIGHTS[k] * features[k] for k in WEIGHTS)


def relation_of(score: float, features: dict[str, float], settings: MatchSettings) -> Relation:
    # Equivalent procedures are about the same thing: without a shared key term
    # in the titles or in what the steps produce (after folding synonyms), a high
    # score is a look-alike, at most related.
    if score >= settings.equivalent and (features["terms"] > 0 or features["content"] >= 0.2):
        return "equivalent"
    if score >= settings.related:
        return "related"
    return "different"


def reasons_for(pa: SOPProfile, pb: SOPProfile, features: dict[str, float], sim: np.ndarray,
                settings: MatchSettings) -> list[str]:
    """Indonesian sentences saying what agrees (and what does not)."""
    reasons = [f"kemiripan judul {features['title']:.0%}"]
    shared = sorted(pa.title_terms & pb.title_terms)
    if shared:
        reasons.append("istilah kunci sama: " + ", ".join(shared))
    else:
        reasons.append("tidak ada istilah kunci judul yang sama")
    if sim.size:
        close = int((sim.max(axis=1) >= settings.background + 0.6 * (settings.ceiling - settings.background)).sum())
        reasons.append(f"{close} dari {sim.shape[0]} langkah punya padanan dekat")
    actors = sorted(pa.actor_roles & pb.actor_roles)
    if actors:
        reasons.append("pelaksana sama: " + ", ".join(actors[:4]))
    content = sorted(pa.content_terms & pb.content_terms)
    if content:
        reasons.append(f"isi langkah sama ({features['content']:.0%}): " + ", ".join(content[:6]))
    return reasons


def candidate_pairs(profiles: Sequence[SOPProfile], k: int = 30) -> list[tuple[int, int]]:
    """Cross-office pairs worth scoring: all of them for a small corpus, else each SOP's
    ``k`` nearest by title and by mean step vector (the rest cannot be equivalent)."""
    n = len(profiles)
    offices = [p.office for p in profiles]
    if n <= 400:
        return [(i, j) for i in range(n) for j in range(i + 1, n) if offices[i] != offices[j]]
    titles = np.stack([p.title_vec for p in profiles])
    centroids = np.stack([
        p.step_vecs.mean(axis=0) if len(p.step_vecs) else p.title_vec for p in profiles
    ])
    pairs = nearest_pairs(titles, k) | nearest_pairs(centroids, k)
    return sorted((i, j) for i, j in pairs if offices[i] != offices[j])


def nearest_pairs(vectors: np.ndarray, k: int) -> set[tuple[int, int]]:
    """Unordered index pairs (i < j) where j is among i's ``k`` nearest rows or vice versa."""
    from embeddings.similarity import dot_score, top_k

    idx, _ = top_k(vectors, vectors, k + 1, score_function=dot_score)
    out: set[tuple[int, int]] = set()
    for i, row in enumerate(idx):
        for j in row:
            j = int(j)
            if j != i:
                out.add((min(i, j), max(i, j)))
    return out


def match_profiles(
    profiles: Sequence[SOPProfile],
    settings: MatchSettings | None = None,
    align: bool = True,
    keep: Relation = "related",
) -> list[PairMatch]:
    """Score every candidate pair; return those at ``keep`` or better, best first."""
    settings = settings or MatchSettings.load()
    weights = CorpusWeights.of(profiles)
    keep_levels = {"equivalent": {"equivalent"}, "related": {"equivalent", "related"},
                   "different": {"equivalent", "related", "different"}}[keep]
    out = []
    align_settings = AlignmentSettings()
    for i, j in candidate_pairs(profiles):
        pa, pb = profiles[i], profiles[j]
        features, sim = pair_features(
            pa, pb, settings, weights.titles[i], weights.titles[j], weights.contents[i], weights.contents[j]
        )
        score = combined_score(features)
        relation = relation_of(score, features, settings)
        if relation not in keep_levels:
            continue
        match = PairMatch(pa.sop, pb.sop, score, relation, features, reasons_for(pa, pb, features, sim, settings))
        if align and relation == "equivalent":
            match.alignment = align_pair(pa, pb, sim, align_settings)
        out.append(match)
    out.sort(key=lambda m: -m.score)
    return out


def group_matches(sops: Sequence[SOP], matches: Sequence[PairMatch]) -> list[list[SOP]]:
    """Procedure groups: equivalent pairs joined best-first, one SOP per office per group."""
    index = {id(s): k for k, s in enumerate(sops)}
    parent = list(range(len(sops)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    members: dict[int, list[int]] = {k: [k] for k in range(len(sops))}
    for m in sorted(matches, key=lambda m: -m.score):
        if m.relation != "equivalent":
            continue
        ra, rb = find(index[id(m.a)]), find(index[id(m.b)])
        if ra == rb:
            continue
        offices_a = {office_key(sops[k]) for k in members[ra]}
        offices_b = {office_key(sops[k]) for k in members[rb]}
        if offices_a & offices_b:
            continue  # would put two versions of one office in a group
        parent[rb] = ra
        members[ra].extend(members.pop(rb))
    groups = [[sops[k] for k in sorted(v)] for v in members.values() if len(v) > 1]
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
