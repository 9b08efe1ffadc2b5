"""Indonesian sentences saying why two SOPs match (or do not)."""

from __future__ import annotations

import numpy as np

from sopdata.matching.profiles import SOPProfile
from sopdata.matching.settings import MatchSettings


def reasons_for(
    pa: SOPProfile,
    pb: SOPProfile,
    features: dict[str, float],
    sim: np.ndarray,
    settings: MatchSettings,
    available: dict[str, bool] | None = None,
    relation: str | None = None,
) -> list[str]:
    """Indonesian sentences saying what agrees (and what does not); ``relation``
    (the decision they explain) keeps them from contradicting it."""
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
        close = int(
            (
                sim.max(axis=1)
                >= settings.background + 0.6 * (settings.ceiling - settings.background)
            ).sum()
        )
        reasons.append(f"{close} dari {sim.shape[0]} langkah punya padanan dekat")
    for p in (pa, pb):
        if not len(p.step_vecs):
            name = p.sop.title or p.sop.source_file
            if relation == "equivalent":
                reasons.append(
                    f"SOP {name} tidak punya langkah: tidak ada langkah untuk dibandingkan, "
                    "setara menurut judul dan identitas saja (keyakinan lebih rendah)"
                )
            else:
                reasons.append(
                    f"SOP {name} tidak punya langkah: langkah tidak dibandingkan, "
                    "hanya judul dan identitas"
                )
    actors = sorted(pa.actor_roles & pb.actor_roles)
    if actors:
        reasons.append("pelaksana sama: " + ", ".join(actors[:4]))
    content = sorted(pa.content_terms & pb.content_terms)
    if content:
        reasons.append(f"isi langkah sama ({features['content']:.0%}): " + ", ".join(content[:6]))
    return reasons
