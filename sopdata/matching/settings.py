"""Thresholds that turn a pair's score into a relation, per encoder.

Each encoder family has its entry in :data:`THRESHOLDS_FILE` (written by
``python -m sopdata evaluate --calibrate``): cosines mean different things to
different encoders.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sopdata.matching.profiles import SOPProfile
from sopdata.resources import DATA_DIR

Relation = Literal["equivalent", "related", "different"]
RELATIONS: tuple[Relation, ...] = ("equivalent", "related", "different")

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
    # An SOP without steps is equivalent on its title and identity only this far
    # above ``equivalent``, and keeps its score times ``title_only_confidence``.
    title_only_margin: float = 0.05
    title_only_confidence: float = 0.85

    @property
    def query_min_cosine(self) -> float:
        """Cosine at which a title says what a search query says even without a
        shared key term: two thirds of the way from ``background`` to ``ceiling``
        (0.9 with e5)."""
        return round(self.background + 2 / 3 * (self.ceiling - self.background), 4)

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
