"""Indonesian sentences saying why two SOPs match (or do not)."""

from __future__ import annotations

import numpy as np

from sopdata.matching.profiles import SOPProfile
from sopdata.matching.settings import MatchSettings
from sopdata.text.textclean import normalise_title_key


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
        reasons = [_title_reason(pa, pb, features["title"], relation)]
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
        if close == 0 and relation == "equivalent":
            reasons.append(
                f"tidak ada dari {sim.shape[0]} langkah yang berpadanan dekat (teks langkah "
                "berbeda atau rusak): setara menurut judul dan isi SOP"
            )
        else:
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


#: Title similarity (encoder scale, 0-1) from which a pair judged not equivalent
#: gets no percentage: "kemiripan judul 100%" would read as the same procedure.
LOOKALIKE_TITLE = 0.9


def _title_reason(pa: SOPProfile, pb: SOPProfile, title: float, relation: str | None) -> str:
    """The title sentence; on a pair judged related or different with look-alike
    titles it says the titles differ instead of a near-100% figure."""
    if relation in ("related", "different") and round(title, 2) >= LOOKALIKE_TITLE:
        a, b = pa.sop.title.strip(), pb.sop.title.strip()
        if normalise_title_key(a) == normalise_title_key(b):
            return "judul sama, tetapi isi prosedurnya berbeda"
        return f"judul mirip tetapi tidak sama: {a} / {b}"
    return f"kemiripan judul {title:.0%}"
