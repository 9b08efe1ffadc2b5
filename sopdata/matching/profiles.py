"""What matching needs of each SOP, computed once: vectors, key terms, roles."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sopdata.records import SOP, Step
from sopdata.text.glossary import opening_actor
from sopdata.text.items import activity_items
from sopdata.text.ocr_words import matching_text
from sopdata.text.terms import (
    activity_text,
    char_grams,
    key_terms,
    spelling_variants,
    step_actions,
    step_text,
    title_terms,
    title_text,
)
from sopdata.text.textclean import normalise_key

if TYPE_CHECKING:  # the embeddings package loads scikit-learn
    from embeddings.base import Encoder


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
    # Each step's Pelaksana as matching keys (:func:`step_roles`); empty: not computed.
    step_roles: list[set[str]] = field(default_factory=list)
    # Which steps step alignment read through the OCR cleaning (unreadable as printed).
    step_ocr: list[bool] = field(default_factory=list)
    # Step vectors for step alignment where some step was read through the OCR
    # cleaning (None: ``step_vecs``); pair scoring keeps ``step_vecs``.
    align_vecs: np.ndarray | None = None
    # Where some step's Kegiatan lists several acts one a line
    # (:func:`~sopdata.text.items.activity_items`): a profile of the SOP with
    # one step per item (a step without items stays whole), each keeping its
    # step's Pelaksana and Output; step alignment compares these too. None: no
    # step lists acts.
    items: SOPProfile | None = None
    # For each step of ``items``: the index of the step it is an item of.
    item_step: tuple[int, ...] = ()

    @property
    def alignment_vecs(self) -> np.ndarray:
        """The step vectors step alignment compares."""
        return self.step_vecs if self.align_vecs is None else self.align_vecs


def office_key(sop: SOP) -> str:
    """The office a match must cross; the file stands in when no office is known."""
    return sop.office or f"berkas:{sop.source_file}"


def role_key(name: str) -> str:
    """An actor name as a matching key: normalised, spelling variants folded
    ("PNS", "ASN" and "Pegawai" give one key)."""
    key = normalise_key(name)
    return spelling_variants().get(key, key)


def step_roles(sop: SOP, infer: bool = False) -> list[set[str]]:
    """Each step's Pelaksana as matching keys (:func:`role_key` of the canonical
    names). With ``infer``, an SOP that declares no Pelaksana in any step (OCR
    lost its columns) takes each step's subject from the opening of its
    Kegiatan (:func:`~sopdata.text.glossary.opening_actor` on the
    :func:`~sopdata.text.ocr_words.matching_text`): "Camat menandatangani ...".
    """
    if any(s.actors for s in sop.steps) or not infer:
        return [
            {k for k in (role_key(sop.canonical_actor(a)) for a in s.actors) if k}
            for s in sop.steps
        ]
    out = []
    for s in sop.steps:
        key = role_key(opening_actor(matching_text(s.activity)))
        out.append({key} if key else set())
    return out


def _ocr_read(text: str) -> str | None:
    """The OCR-cleaned text of a step when cleaning changes it, else None."""
    clean = matching_text(text)
    return clean if clean != text else None


def build_profiles(
    sops: Sequence[SOP],
    encoder: Encoder,
    progress: Callable[[int, int], None] | None = None,
    ocr_text: bool | None = None,
) -> list[SOPProfile]:
    """Encode every title and step of the corpus in one batch (the cache sees it all).

    With ``ocr_text`` (by default the encoder's calibrated setting,
    ``AlignmentSettings.ocr_text``: on for e5, off for TF-IDF), step alignment
    reads a step that reads as OCR as :func:`~sopdata.text.ocr_words.matching_text`
    gives it (its vector in ``align_vecs``, its letter n-grams, its kinds of
    act), and an SOP without Pelaksana columns takes its steps' subjects from
    the text (:func:`step_roles`). Pair scoring keeps the vectors of the steps
    as read (``step_vecs``). The acts a step lists one a line are encoded in
    the same batch, for :attr:`SOPProfile.items`.
    """
    if ocr_text is None:
        from sopdata.matching.steps import alignment_settings  # steps imports this module

        ocr_text = alignment_settings(encoder.name).ocr_text
    texts: list[str] = []
    spans: list[tuple[int, int]] = []
    cleaned: list[list[str | None]] = []
    for sop in sops:
        texts.append(title_text(sop))
        start = len(texts)
        texts.extend(step_text(sop, i) for i in range(len(sop.steps)))
        spans.append((start, len(texts)))
        cleaned.append([_ocr_read(s.activity) if ocr_text else None for s in sop.steps])
    extra = [
        step_text(sop, i, True)
        for sop, c in zip(sops, cleaned, strict=True)
        for i, x in enumerate(c)
        if x
    ]
    # The acts listed in a step (not one read through the OCR cleaning).
    listed = [
        [[] if x else activity_items(s.activity) for s, x in zip(sop.steps, c, strict=True)]
        for sop, c in zip(sops, cleaned, strict=True)
    ]
    item_texts = [
        activity_text(item) for per_sop in listed for per_step in per_sop for item in per_step
    ]
    extra += item_texts
    vectors = (
        encoder.encode(texts + extra, progress=progress)
        if texts
        else np.zeros((0, 1), dtype=np.float32)
    )
    next_extra = len(texts)
    next_item = len(vectors) - len(item_texts)
    profiles = []
    for sop, (start, end), clean, items in zip(sops, spans, cleaned, listed, strict=True):
        roles = {normalise_key(sop.canonical_actor(a)) for s in sop.steps for a in s.actors}
        step_content = [f"{s.activity} {s.requirements} {s.output}" for s in sop.steps]
        content_terms = key_terms(" ".join(step_content))
        mentions: Counter[str] = Counter()
        for text in step_content:
            mentions.update(key_terms(text) & content_terms)
        step_vecs = vectors[start:end]
        align_vecs = None
        if any(clean):
            align_vecs = step_vecs.copy()
            for i, x in enumerate(clean):
                if x:
                    align_vecs[i] = vectors[next_extra]
                    next_extra += 1
        read = [x or s.activity for x, s in zip(clean, sop.steps, strict=True)]
        profile = SOPProfile(
            sop=sop,
            office=office_key(sop),
            title_vec=vectors[start - 1],
            step_vecs=step_vecs,
            title_terms=title_terms(sop),
            actor_roles={r for r in roles if r},
            content_terms=content_terms,
            step_grams=[char_grams(t) for t in read],
            step_actions=[step_actions(t) for t in read],
            content_tf=dict(mentions),
            encoder=encoder.name,
            step_roles=step_roles(sop, infer=ocr_text),
            step_ocr=[bool(x) for x in clean],
            align_vecs=align_vecs,
        )
        if any(items):
            count = sum(len(x) for x in items)
            profile.items, profile.item_step = _item_profile(
                profile, items, vectors[next_item : next_item + count]
            )
            next_item += count
        profiles.append(profile)
    return profiles


def _item_profile(
    profile: SOPProfile, items: list[list[str]], item_vecs: np.ndarray
) -> tuple[SOPProfile, tuple[int, ...]]:
    """``profile`` with every step that lists acts replaced by one step per
    act (its vector from ``item_vecs``, in order), and for each step of the
    result the index of the step it comes from."""
    steps: list[Step] = []
    owner: list[int] = []
    rows: list[np.ndarray] = []
    grams: list[set[str]] = []
    acts: list[set[str]] = []
    k = 0
    for i, (step, listed) in enumerate(zip(profile.sop.steps, items, strict=True)):
        if not listed:
            steps.append(step)
            owner.append(i)
            rows.append(profile.alignment_vecs[i])
            grams.append(profile.step_grams[i])
            acts.append(profile.step_actions[i])
            continue
        for item in listed:
            steps.append(dataclasses.replace(step, activity=item))
            owner.append(i)
            rows.append(item_vecs[k])
            grams.append(char_grams(item))
            acts.append(step_actions(item))
            k += 1
    sub = dataclasses.replace(
        profile,
        sop=dataclasses.replace(profile.sop, steps=steps),
        step_vecs=np.array(rows),
        step_grams=grams,
        step_actions=acts,
        step_roles=[profile.step_roles[i] for i in owner] if profile.step_roles else [],
        step_ocr=[profile.step_ocr[i] for i in owner] if profile.step_ocr else [],
        align_vecs=None,
        items=None,
        item_step=(),
    )
    return sub, tuple(owner)
