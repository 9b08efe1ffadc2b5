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
per procedure per office, and groups; see :func:`~sopdata.matching.decide.decide`).

Scale: up to 400 SOPs every cross-office pair is scored; above that only each
SOP's nearest neighbours (the one quadratic step, a blocked top-k search; see
:func:`~sopdata.matching.candidates.candidate_pairs`). Scoring is batched over flat arrays
(:mod:`sopdata.matching.scoring`), and reasons and alignments are
worked out only for the pairs someone reads.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sopdata.matching.candidates import candidate_pairs
from sopdata.matching.decide import decide, join_groups
from sopdata.matching.groups import group_matches
from sopdata.matching.pairs import MatchContext, PairMatch
from sopdata.matching.profiles import SOPProfile, build_profiles
from sopdata.matching.scoring import CorpusIndex, score_pairs
from sopdata.matching.settings import RELATIONS, MatchSettings, Relation, settings_for
from sopdata.records import SOP

if TYPE_CHECKING:  # the embeddings package loads scikit-learn
    from embeddings.base import Encoder


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
    scored, decisions = join_groups(index, first, second, scored, decisions, settings)
    wanted = decisions.relation <= RELATIONS.index(keep)
    order = np.flatnonzero(wanted)
    order = order[np.lexsort((decisions.relation[order], -decisions.score[order]))]
    direct = np.flatnonzero((decisions.relation == 0) & np.isnan(decisions.implied))
    context = MatchContext(
        profiles,
        settings,
        align,
        scored.first[order],
        scored.second[order],
        decisions.relation[order],
        scored.features[order],
        scored.available[order],
        decisions.rival[order],
        decisions.implied[order],
        np.column_stack([scored.first[direct], scored.second[direct]]),
    )
    sops = [p.sop for p in profiles]
    with (
        _no_gc()
    ):  # a million small objects: the cyclic collector would rescan them all, repeatedly
        return [
            PairMatch(sops[i], sops[j], score, RELATIONS[rel], None, source=(context, k))
            for k, (i, j, score, rel) in enumerate(
                zip(
                    context.first.tolist(),
                    context.second.tolist(),
                    decisions.score[order].tolist(),
                    context.relation.tolist(),
                    strict=True,
                )
            )
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


def match_corpus(
    sops: Sequence[SOP],
    encoder: Encoder,
    settings: MatchSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[PairMatch], list[list[SOP]]]:
    """Pairs (related or better, best first) and procedure groups of a corpus."""
    profiles = build_profiles(sops, encoder, progress=progress)
    matches = match_profiles(profiles, settings)
    return matches, group_matches(sops, matches)
