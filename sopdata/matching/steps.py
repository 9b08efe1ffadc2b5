"""Step similarity of a pair of SOPs, and the step correspondences built on it.

The similarity is language-independent at its core: the embedding cosine
relative to the pair's own matrix, letter n-gram overlap (likewise relative),
the Pelaksana and the Mutu Baku Output. The Indonesian act lexicon
(``data/actions.csv``) adds evidence where it fires and is zero elsewhere: it
never holds a pair back.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sopdata.matching.alignment import (
    AlignedPair,
    AlignmentSettings,
    ItemLinks,
    StepAlignment,
    correspond,
    links,
    position_prior,
    relative,
    weak_links,
)
from sopdata.matching.profiles import SOPProfile, step_roles
from sopdata.matching.settings import THRESHOLDS_FILE, encoder_family, read_thresholds
from sopdata.matching.step_links import StepEdits
from sopdata.text.textclean import normalise_key

__all__ = [
    "POSITION_PRIOR",
    "STEP_WEIGHTS",
    "align_pair",
    "align_profiles",
    "alignment_settings",
    "gram_similarity",
    "hub_corrected",
    "item_evidence",
    "item_links",
    "position_prior",
    "step_evidence",
    "step_similarity",
]


def gram_similarity(a: list[set[str]], b: list[set[str]]) -> np.ndarray:
    """Dice overlap of character n-grams for every step pair."""
    out = np.zeros((len(a), len(b)))
    for i, ga in enumerate(a):
        for j, gb in enumerate(b):
            if ga and gb:
                out[i, j] = 2 * len(ga & gb) / (len(ga) + len(gb))
    return out


# Embedding (relative), letter n-grams (relative), kind of act (lexicon), Pelaksana, Output.
STEP_WEIGHTS = (1.0, 0.3, 1.0, 0.5, 0.2)

# Kept for callers of the old path alignment: the weight of the position prior
# now lives in ``AlignmentSettings.order_weight`` and only ranks candidates.
POSITION_PRIOR = AlignmentSettings().order_weight


#: Neighbours each step's typical similarity is taken over in :func:`hub_corrected`.
HUB_NEIGHBOURS = 3


def hub_corrected(sim: np.ndarray, k: int = HUB_NEIGHBOURS) -> np.ndarray:
    """Cosines read against each step's own neighbourhood (cross-domain
    similarity local scaling, CSLS: ``2 cos(i, j) - r_a(i) - r_b(j)``, with
    ``r_a(i)`` the mean of the ``k`` best cosines of row i and ``r_b(j)`` that
    of column j).

    A step read by OCR carries words of the neighbouring columns (Kelengkapan,
    Output: "Konsep Naskah Dinas", "Surat") and comes out close to every step of
    the other SOP; a short clean step ("Menyampaikan draf surat") likewise sits
    near every garbled one. Such a "hub" wins rows and columns it does not
    belong to; subtracting each step's typical similarity leaves how far a pair
    stands above what both its steps score anyway. Used only where a step was
    read through the OCR cleaning: on clean text a step that resembles several
    others often does correspond to several (University Admission: F1 .73 ->
    .63 with the correction everywhere).
    """
    if sim.ndim != 2 or min(sim.shape) <= 1:
        return sim
    ka, kb = min(k, sim.shape[1]), min(k, sim.shape[0])
    rows = np.sort(sim, axis=1)[:, -ka:].mean(axis=1, keepdims=True)
    cols = np.sort(sim, axis=0)[-kb:, :].mean(axis=0, keepdims=True)
    return 2 * sim - rows - cols


def step_similarity(pa: SOPProfile, pb: SOPProfile, sim: np.ndarray | None = None) -> np.ndarray:
    """Evidence that step i of ``pa`` and step j of ``pb`` are one step.

    Each signal adds and none subtracts: the embedding cosine and the letter
    n-gram overlap rescaled against their own matrix (:func:`relative`, negative
    cut to 0; the cosines first :func:`hub_corrected` where a step was read
    through the OCR cleaning), the overlap of the kinds of act (where the
    lexicon fires), shared Pelaksana and a shared Mutu Baku Output.
    """
    if sim is None:
        sim = pa.alignment_vecs @ pb.alignment_vecs.T
    shape = (len(pa.sop.steps), len(pb.sop.steps))
    if sim.shape != shape or 0 in shape:
        return np.zeros(shape)
    grams = gram_similarity(pa.step_grams, pb.step_grams)
    acts = _pairwise(pa.step_actions, pb.step_actions, shape)
    actors = _pairwise(_actor_sets(pa), _actor_sets(pb), shape)
    outputs = _pairwise(_output_sets(pa), _output_sets(pb), shape)
    if any(pa.step_ocr) or any(pb.step_ocr):
        sim = hub_corrected(sim)
    w = STEP_WEIGHTS
    return (
        w[0] * np.clip(relative(sim), 0, None)
        + w[1] * np.clip(relative(grams), 0, None)
        + w[2] * acts
        + w[3] * actors
        + w[4] * outputs
    )


def step_evidence(pa: SOPProfile, pb: SOPProfile, sim: np.ndarray | None = None) -> np.ndarray:
    """:func:`step_similarity` on the 0-1 scale: divided by the weights of the
    signals the pair can show. The embedding and the letter n-grams always
    count; the kind of act, the Pelaksana and the Output count only when both
    SOPs have them in some step (the lexicon fires on both, both name
    Pelaksana, both fill Output): a signal neither can show does not dilute the
    others."""
    steps = step_similarity(pa, pb, sim)
    if steps.size == 0:
        return steps
    w = STEP_WEIGHTS
    shown = (
        any(pa.step_actions) and any(pb.step_actions),
        _share_a_key(_actor_sets(pa), _actor_sets(pb)),
        any(_output_sets(pa)) and any(_output_sets(pb)),
    )
    total = w[0] + w[1] + sum(x for x, on in zip(w[2:], shown, strict=True) if on)
    return np.clip(steps / total, 0.0, 1.0)


def _share_a_key(a: Sequence[set[str]], b: Sequence[set[str]]) -> bool:
    """Whether a key of some step of ``a`` is a key of some step of ``b``: two
    SOPs whose Pelaksana share no name (each office names its roles its own
    way) can show nothing through them."""
    return bool(set().union(*a) & set().union(*b)) if a and b else False


def _pairwise(a: Sequence[set[str]], b: Sequence[set[str]], shape: tuple[int, int]) -> np.ndarray:
    if len(a) != shape[0] or len(b) != shape[1]:
        return np.zeros(shape)
    return np.array([[_jaccard(x, y) for y in b] for x in a], dtype=float).reshape(shape)


def _actor_sets(p: SOPProfile) -> list[set[str]]:
    """Each step's Pelaksana keys: the profile's, else computed (a profile built by hand)."""
    if len(p.step_roles) == len(p.sop.steps):
        return p.step_roles
    return step_roles(p.sop)


def _output_sets(p: SOPProfile) -> list[set[str]]:
    return [{w for w in normalise_key(s.output).split() if len(w) >= 4} for s in p.sop.steps]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@functools.lru_cache(maxsize=8)
def alignment_settings(encoder: str = "e5") -> AlignmentSettings:
    """The calibrated alignment settings of an encoder (its ``alignment`` entry in
    ``data/match_thresholds.json``; e5's for an encoder without one)."""
    return alignment_settings_from(read_thresholds(THRESHOLDS_FILE), encoder)


def alignment_settings_from(entries: dict[str, dict], encoder: str) -> AlignmentSettings:
    """The ``alignment`` entry of the encoder's family in ``entries`` (as
    :func:`read_thresholds` gives them), e5's when it has none; unknown keys are
    ignored, missing ones keep their defaults."""
    family = encoder_family(encoder)
    data = (entries.get(family) or {}).get("alignment") or (entries.get("e5") or {}).get(
        "alignment", {}
    )
    fields = AlignmentSettings.__dataclass_fields__
    kwargs = {k: type(getattr(AlignmentSettings(), k))(v) for k, v in data.items() if k in fields}
    return AlignmentSettings(**kwargs)


def align_profiles(
    pa: SOPProfile,
    pb: SOPProfile,
    sim: np.ndarray | None = None,
    settings: AlignmentSettings | None = None,
    edits: StepEdits | None = None,
) -> StepAlignment:
    """The step correspondences of two profiled SOPs (with a reviewer's
    ``edits``, see :func:`~sopdata.matching.alignment.correspond`), the links
    of their listed acts included (:func:`item_links`)."""
    settings = settings or alignment_settings(pa.encoder)
    steps = step_evidence(pa, pb, sim)
    return correspond(steps, settings, edits, item_links(item_evidence(pa, pb), settings))


@dataclass(frozen=True)
class ItemEvidence:
    """Step evidence between the items of two SOPs (:attr:`SOPProfile.items`:
    a listed step's acts one by one, the other steps whole) and, for each
    item, the index of its step."""

    evidence: np.ndarray
    step_a: tuple[int, ...]
    step_b: tuple[int, ...]


def item_evidence(pa: SOPProfile, pb: SOPProfile) -> ItemEvidence | None:
    """The evidence between the items of ``pa`` and ``pb``; None when neither
    SOP lists acts in a step."""
    if pa.items is None and pb.items is None:
        return None
    ia, ib = pa.items or pa, pb.items or pb
    step_a = pa.item_step if pa.items is not None else tuple(range(len(pa.sop.steps)))
    step_b = pb.item_step if pb.items is not None else tuple(range(len(pb.sop.steps)))
    return ItemEvidence(step_evidence(ia, ib), step_a, step_b)


def item_links(items: ItemEvidence | None, settings: AlignmentSettings) -> ItemLinks | None:
    """Step pairs linked through their items, with the best evidence of each,
    and the steps that list several acts.

    The items are linked as steps are (:func:`~sopdata.matching.alignment.links`:
    above the threshold, the best of their row and column): an act listed in
    one office's step that is the best match of another office's step links
    the two steps, so a listed step can stand against several steps of the
    other office (``digabung``), each through its own act. Where no act
    reaches the threshold, the weaker tier (when the settings turn it on) is
    searched among the acts too: :func:`~sopdata.matching.alignment.correspond`
    takes those links only where the steps as wholes have no link of their own.
    """
    if items is None:
        return None
    found = links(items.evidence, settings)
    weak = (
        weak_links(items.evidence, [], settings, (items.step_a, items.step_b))
        if settings.second_tier and not found
        else []
    )
    return ItemLinks(
        _by_step(found, items),
        _listed(items.step_a),
        _listed(items.step_b),
        _by_step(weak, items),
    )


def _by_step(pairs: list[tuple[int, int]], items: ItemEvidence) -> dict[tuple[int, int], float]:
    """Item pairs as the step pairs they belong to, with the best evidence of each."""
    out: dict[tuple[int, int], float] = {}
    for u, v in pairs:
        key = (items.step_a[u], items.step_b[v])
        out[key] = max(out.get(key, 0.0), float(items.evidence[u, v]))
    return out


def _listed(step_of_item: tuple[int, ...]) -> frozenset[int]:
    """Steps that own more than one item."""
    return frozenset(i for i, n in Counter(step_of_item).items() if n > 1)


def align_pair(
    pa: SOPProfile,
    pb: SOPProfile,
    sim: np.ndarray | None = None,
    settings: AlignmentSettings | None = None,
    edits: StepEdits | None = None,
) -> list[AlignedPair]:
    """Flat step pairs of :func:`align_profiles` (gaps included), in order."""
    return align_profiles(pa, pb, sim, settings, edits).pairs()
