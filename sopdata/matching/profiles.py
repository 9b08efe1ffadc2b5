"""What matching needs of each SOP, computed once: vectors, key terms, roles."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sopdata.records import SOP
from sopdata.text.terms import (
    char_grams,
    key_terms,
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


def office_key(sop: SOP) -> str:
    """The office a match must cross; the file stands in when no office is known."""
    return sop.office or f"berkas:{sop.source_file}"


def build_profiles(
    sops: Sequence[SOP],
    encoder: Encoder,
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
    vectors = (
        encoder.encode(texts, progress=progress) if texts else np.zeros((0, 1), dtype=np.float32)
    )
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
                title_terms=title_terms(sop),
                actor_roles={r for r in roles if r},
                content_terms=content_terms,
                step_grams=[char_grams(s.activity) for s in sop.steps],
                step_actions=[step_actions(s.activity) for s in sop.steps],
                content_tf=dict(mentions),
                encoder=encoder.name,
            )
        )
    return profiles
