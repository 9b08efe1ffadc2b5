"""Relations of scored pairs: thresholds, one SOP per procedure per office, groups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sopdata.matching.groups import MergeTree
from sopdata.matching.scoring import (
    CONTENT,
    STEPS,
    TERMS,
    TITLE,
    CorpusIndex,
    ScoredPairs,
    score_pairs,
)
from sopdata.matching.settings import MatchSettings


def _on_topic(features: np.ndarray) -> np.ndarray:
    """Equivalent procedures are about the same thing: without a shared key term
    in the titles or in what the steps say (after folding synonyms), a high score
    is a look-alike, at most related."""
    return (features[:, TERMS] > 0) | (features[:, CONTENT] >= 0.2)


#: An SOP whose document prints no title says what procedure it is only through
#: its steps, and the steps of services look alike in form ("receive the file,
#: check it, sign, hand over"): an untitled SOP of a kecamatan scores as high
#: with its marriage and legalisation services as with its true twin. Without a
#: title a pair is therefore equivalent only when most of what its steps handle
#: is shared (the content signal); otherwise it is at most related.
UNTITLED_CONTENT = 0.5


@dataclass
class Decisions:
    """Relation and final score of every scored pair, and why they moved."""

    relation: np.ndarray  # int8 index into RELATIONS
    score: np.ndarray
    rival: np.ndarray  # dominated pairs: the SOP that beat the weaker side; else -1
    implied: np.ndarray  # equivalent only through their group: the weakest link's score; else nan


def decide(scored: ScoredPairs, offices: np.ndarray, settings: MatchSettings) -> Decisions:
    """Relations of scored pairs, in three steps.

    1. One office writes one SOP per procedure. When SOP *a* has a better
       on-topic partner (see :func:`_on_topic`) in *b*'s office than *b* (or *b*
       one in *a*'s), the pair is doubtful: a look-alike of the better one
       (Pengarsipan Surat Masuk/Keluar beside Surat Masuk). Its score is
       multiplied by ``score / rival score`` (the ratio test of Lowe's SIFT
       matching), so it ranks below its rival, and it is at most related.
    2. The others are equivalent when their score reaches the threshold, they
       are on topic and both SOPs have steps (and titles, see
       :data:`UNTITLED_CONTENT`); a pair where one SOP has no steps
       is equivalent on its title and identity when its titles share a key term
       and it clears the threshold by ``title_only_margin``, with its score
       lowered by ``title_only_confidence``.
    3. Equivalent pairs form groups (one SOP per office, best pairs first, see
       :func:`group_matches`); a scored pair whose SOPs end up in one group is
       equivalent too, with at least the score of the weakest equivalent pair
       joining them (done by :func:`join_groups`). OCR text that matches a
       twin's clean copy poorly can still join it through a third office.
    """
    score = scored.score.copy()
    # what procedure the pair is: both titles, or (untitled) most of the steps' content
    named = scored.available[:, TITLE] | (scored.features[:, CONTENT] >= UNTITLED_CONTENT)
    on_topic = _on_topic(scored.features) & scored.available[:, STEPS] & named
    rival = np.full(len(scored), -1, np.int64)
    stepped_partner = np.full(len(scored), -1, np.int64)
    if on_topic.any():
        best, partner = _rivals(scored.first, scored.second, score, on_topic, offices)
        stepped_partner = partner
        beaten = best > score
        rival[beaten] = partner[beaten]
        score[beaten] *= score[beaten] / best[beaten]
    relation = np.where(score >= settings.related, 1, 2).astype(np.int8)
    relation[on_topic & (rival < 0) & (score >= settings.equivalent)] = 0
    # A partial SOP (title and identity, no steps) can be equivalent on those alone
    # when its title shares key terms and clears the threshold with a margin; the
    # score it keeps is lowered (less confidence: no step was compared).
    partial = (
        ~scored.available[:, STEPS]
        & (scored.features[:, TERMS] > 0)
        & (score >= settings.equivalent + settings.title_only_margin)
    )
    # an on-topic partner with steps in the same office wins over a partial SOP
    lost = partial & (stepped_partner >= 0)
    rival[lost] = stepped_partner[lost]
    partial &= ~lost
    if partial.any():  # one SOP per office among partial pairs too
        best, partner = _rivals(scored.first, scored.second, score, partial, offices)
        beaten = partial & (best > score)
        rival[beaten] = partner[beaten]
        partial &= ~beaten
    relation[partial] = 0
    score[partial] *= settings.title_only_confidence
    return Decisions(relation, score, rival, np.full(len(scored), np.nan))


def _rivals(
    first: np.ndarray,
    second: np.ndarray,
    score: np.ndarray,
    eligible: np.ndarray,
    offices: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
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


def join_groups(
    index: CorpusIndex,
    first: np.ndarray,
    second: np.ndarray,
    scored: ScoredPairs,
    decisions: Decisions,
    settings: MatchSettings,
) -> tuple[ScoredPairs, Decisions]:
    """Step 3 of :func:`decide`: candidate pairs inside one group become equivalent."""
    eq = np.flatnonzero(decisions.relation == 0)
    if not len(eq):
        return scored, decisions
    eq = eq[np.argsort(-decisions.score[eq], kind="stable")]
    tree = MergeTree.build(
        len(index),
        index.offices.tolist(),
        zip(scored.first[eq].tolist(), scored.second[eq].tolist(), strict=True),
        decisions.score[eq].tolist(),
    )
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
        decisions = Decisions(
            np.concatenate([decisions.relation, np.full(len(extra), 2, np.int8)]),
            np.concatenate([decisions.score, extra.score]),
            np.concatenate([decisions.rival, np.full(len(extra), -1, np.int64)]),
            np.concatenate([decisions.implied, np.full(len(extra), np.nan)]),
        )
    inside = np.flatnonzero(
        (tree.root[scored.first] == tree.root[scored.second]) & (decisions.relation != 0)
    )
    if len(inside):
        weakest = tree.bottleneck(scored.first[inside], scored.second[inside])
        decisions.implied[inside] = weakest
        decisions.score[inside] = np.maximum(decisions.score[inside], weakest)
        decisions.relation[inside] = 0
    return scored, decisions
