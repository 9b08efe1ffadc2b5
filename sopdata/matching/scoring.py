"""Batch scoring of candidate pairs: five signals per pair and their weighted mean.

Every signal of a pair is a dot product of two rows: title vectors, step-vector
blocks, or sparse rarity-weighted term rows. The corpus is packed once into
flat arrays (:class:`CorpusIndex`) and the candidate pairs are scored one first
SOP at a time against all its partners with a handful of numpy calls, so the
cost per pair is a few multiply-adds, not Python code.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sopdata.matching.profiles import SOPProfile
from sopdata.matching.settings import MatchSettings
from sopdata.text.textclean import normalise_key

# Signal weights (sum 1). Steps and key terms carry as much as the title: they
# are what separates look-alikes.
WEIGHTS: dict[str, float] = {
    "title": 0.30,
    "steps": 0.25,
    "terms": 0.25,
    "actors": 0.05,
    "content": 0.15,
}


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

        return cls(
            indptr, packed(ids), packed(kinds), packed(values), packed(own), np.zeros(offset)
        )

    def dots(self, i: int, rows: np.ndarray) -> np.ndarray:
        """``(len(rows), 3)``: per kind, the sum over shared ids of own(i) x value(other)."""
        s, e = self.indptr[i], self.indptr[i + 1]
        if s == e or not len(rows):
            return np.zeros((len(rows), 3))
        mine = self.ids[s:e]
        self.scratch[mine] = self.own[s:e]
        pos, seg, _ = _segments(self.indptr, rows)
        out = np.bincount(
            seg * 3 + self.kinds[pos],
            weights=self.scratch[self.ids[pos]] * self.values[pos],
            minlength=3 * len(rows),
        )
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
TITLE, STEPS, TERMS, ACTORS, CONTENT = range(len(SIGNALS))


def _present(p: SOPProfile) -> tuple[bool, ...]:
    """Which signals this SOP can take part in: a missing title (or the
    placeholder a reader gives an untitled SOP), step table or Pelaksana column
    is no evidence either way, so the signal is left out of the
    pair's score (the other weights are scaled up) instead of counting as 0."""
    has_steps = len(p.step_vecs) > 0
    has = {
        "title": p.sop.has_title and bool(normalise_key(p.sop.title)),
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
        offices = np.array(
            [office_ids.setdefault(p.office, len(office_ids)) for p in profiles], np.int64
        )
        titles = (
            np.stack([np.asarray(p.title_vec, np.float32).reshape(dim) for p in profiles])
            if n
            else np.zeros((0, dim), np.float32)
        )
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
        norms = np.sqrt(
            np.bincount(
                np.repeat(np.arange(n), np.diff(contents.indptr)), contents.values**2, minlength=n
            )
        )
        lengths = np.diff(contents.indptr)
        contents.values[:] /= np.repeat(np.where(norms > 0, norms, 1.0), lengths)
        actors = _vocab_rows([p.actor_roles for p in profiles], lambda _: 1.0)
        return cls(
            profiles=profiles,
            offices=offices,
            titles=titles,
            steps=steps,
            step_ptr=step_ptr,
            terms=_TermRows.of(
                [
                    (title_terms, np.ones(len(title_terms.ids))),
                    (contents, contents.values),
                    (actors, actors.values),
                ]
            ),
            title_total=np.bincount(
                np.repeat(np.arange(n), np.diff(title_terms.indptr)),
                title_terms.values,
                minlength=n,
            ),
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
        return ScoredPairs(
            self.first[keep],
            self.second[keep],
            self.features[keep],
            self.available[keep],
            self.score[keep],
        )

    @classmethod
    def concat(cls, parts: Sequence[ScoredPairs]) -> ScoredPairs:
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("first", "second", "features", "available", "score")
            )
        )

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
                _score_block(
                    index,
                    int(first[s]),
                    second[s:e],
                    feats[s:e],
                    avail[s:e],
                    keep[s:e],
                    settings,
                    floor,
                )
    scored = ScoredPairs(first, second, feats, avail, combined_scores(feats, avail))
    return scored.subset(keep) if floor is not None else scored


def combined_scores(features: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Weighted mean of the signals each pair has evidence for (0 with none)."""
    total = available @ _WEIGHT_VECTOR
    return np.divide(
        (features * available) @ _WEIGHT_VECTOR, total, out=np.zeros(len(features)), where=total > 0
    )


def _score_block(
    index: CorpusIndex,
    i: int,
    rows: np.ndarray,
    f: np.ndarray,
    avail: np.ndarray,
    keep: np.ndarray,
    settings: MatchSettings,
    floor: float | None,
) -> None:
    """Signals of SOP ``i`` against each SOP of ``rows``, written into ``f``; with
    ``floor``, ``keep`` tells which pairs can still reach it."""
    span = settings.ceiling - settings.background
    title = index.titles[rows] @ index.titles[i]
    f[:, TITLE] = np.clip((title - settings.background) / span, 0.0, 1.0)
    dots = index.terms.dots(i, rows)
    shared, common = dots[:, 0], dots[:, 2]
    union = index.title_total[i] + index.title_total[rows] - shared
    f[:, TERMS] = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    union = index.actor_count[i] + index.actor_count[rows] - common
    both = index.actor_count[i] * index.actor_count[rows] > 0
    f[:, ACTORS] = np.divide(common, union, out=np.zeros_like(common), where=both)
    f[:, CONTENT] = dots[:, 1]
    if floor is not None:
        f[:, STEPS] = 1.0  # the best the steps could do
        keep[:] = combined_scores(f, avail) >= floor
        f[:, STEPS] = 0.0
    a0, a1 = int(index.step_ptr[i]), int(index.step_ptr[i + 1])
    todo = np.flatnonzero(keep & (index.step_ptr[rows + 1] > index.step_ptr[rows]))
    if a1 == a0 or not len(todo):
        return
    pos, seg, lengths = _segments(index.step_ptr, rows[todo])
    # (steps of the others) x (steps of i): the tall operand first is the fast layout
    sim = index.steps[pos] @ index.steps[a0:a1].T
    starts = np.cumsum(lengths) - lengths
    best_of_i = np.clip(
        (np.maximum.reduceat(sim, starts, axis=0) - settings.background) / span, 0, 1
    )
    best_of_other = np.clip((sim.max(axis=1) - settings.background) / span, 0, 1)
    f[todo, STEPS] = (
        best_of_i.mean(axis=1) + np.bincount(seg, best_of_other, len(todo)) / lengths
    ) / 2
