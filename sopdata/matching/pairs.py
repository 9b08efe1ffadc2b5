"""A matched pair of SOPs whose reasons and alignment are worked out when first read."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sopdata.matching.alignment import AlignedPair, AlignmentSettings
from sopdata.matching.profiles import SOPProfile
from sopdata.matching.reasons import reasons_for
from sopdata.matching.scoring import SIGNALS
from sopdata.matching.settings import RELATIONS, MatchSettings, Relation
from sopdata.matching.steps import align_pair
from sopdata.records import SOP


class PairMatch:
    """Two SOPs of different offices, how alike they are and why.

    Attributes:
        a, b: the two SOPs.
        score: the combined score (0..1) that ranks pairs.
        relation: ``equivalent``, ``related`` or ``different``.
        features: the five signals behind the score.
        reasons: Indonesian sentences saying what agrees and what does not.
        alignment: step correspondences (only for equivalent pairs).

    A match that :func:`match_profiles` returns works out ``reasons`` and
    ``alignment`` the first time they are read: most pairs of a big corpus are
    never looked at. Both can also be passed in or assigned like plain fields;
    pickling (Streamlit's cache) stores them worked out.
    """

    __slots__ = ("a", "b", "score", "relation", "_features", "_reasons", "_alignment", "_source")

    def __init__(
        self,
        a: SOP,
        b: SOP,
        score: float,
        relation: Relation,
        features: dict[str, float] | None,
        reasons: list[str] | None = None,
        alignment: list[AlignedPair] | None = None,
        *,
        source: tuple[MatchContext, int] | None = None,
    ) -> None:
        self.a = a
        self.b = b
        self.score = score
        self.relation: Relation = relation
        self._features = features  # None: row ``source[1]`` of the context, until first read
        self._reasons = reasons
        self._alignment = alignment
        self._source = source

    @property
    def features(self) -> dict[str, float]:
        if self._features is None:
            self._features = (
                self._source[0].features(self._source[1]) if self._source is not None else {}
            )
        return self._features

    @features.setter
    def features(self, value: dict[str, float]) -> None:
        self._features = value

    @property
    def reasons(self) -> list[str]:
        if self._reasons is None:
            self._reasons = (
                self._source[0].reasons(self._source[1]) if self._source is not None else []
            )
        return self._reasons

    @reasons.setter
    def reasons(self, value: list[str]) -> None:
        self._reasons = value

    @property
    def alignment(self) -> list[AlignedPair]:
        if self._alignment is None:
            self._alignment = (
                self._source[0].alignment(self._source[1]) if self._source is not None else []
            )
        return self._alignment

    @alignment.setter
    def alignment(self, value: list[AlignedPair]) -> None:
        self._alignment = value

    def __getstate__(self) -> dict[str, object]:
        return {
            "a": self.a,
            "b": self.b,
            "score": self.score,
            "relation": self.relation,
            "features": self.features,
            "reasons": self.reasons,
            "alignment": self.alignment,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return (
            f"PairMatch({self.a.title!r} <-> {self.b.title!r}, score={self.score:.4f}, "
            f"relation={self.relation!r})"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "a": {
                "source_file": self.a.source_file,
                "title": self.a.title,
                "office": self.a.office,
            },
            "b": {
                "source_file": self.b.source_file,
                "title": self.b.title,
                "office": self.b.office,
            },
            "score": round(self.score, 4),
            "relation": self.relation,
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "reasons": self.reasons,
            "alignment": [
                {
                    "a_step": self.a.steps[p.a].no if p.a is not None else None,
                    "b_step": self.b.steps[p.b].no if p.b is not None else None,
                    "score": round(p.score, 4),
                    "kind": p.kind,
                }
                for p in self.alignment
            ],
        }


@dataclass
class MatchContext:
    """What lazily read ``PairMatch`` fields need: the matches' rows of the
    scoring arrays (row ``k`` is the match whose ``source`` is ``(context, k)``)."""

    profiles: Sequence[SOPProfile]
    settings: MatchSettings
    align: bool
    first: np.ndarray
    second: np.ndarray
    relation: np.ndarray
    feature_rows: np.ndarray
    available: np.ndarray
    rival: np.ndarray
    implied: np.ndarray
    direct: np.ndarray  # (m, 2) pairs equivalent on their own score
    #: None: the calibrated settings of the profiles' encoder.
    align_settings: AlignmentSettings | None = None

    @functools.cached_property
    def partners(self) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        for i, j in self.direct.tolist():
            out.setdefault(i, set()).add(j)
            out.setdefault(j, set()).add(i)
        return out

    def features(self, k: int) -> dict[str, float]:
        return dict(zip(SIGNALS, self.feature_rows[k].tolist(), strict=True))

    def reasons(self, k: int) -> list[str]:
        i, j = int(self.first[k]), int(self.second[k])
        pa, pb = self.profiles[i], self.profiles[j]
        out = reasons_for(
            pa,
            pb,
            self.features(k),
            pa.step_vecs @ pb.step_vecs.T,
            self.settings,
            dict(zip(SIGNALS, self.available[k].tolist(), strict=True)),
            RELATIONS[int(self.relation[k])],
        )
        if self.rival[k] >= 0:
            r = self.profiles[int(self.rival[k])].sop
            out.append(
                f"dari kantor yang sama, {r.title} ({r.label}) lebih cocok: "
                "satu kantor biasanya punya satu SOP per prosedur"
            )
        if not math.isnan(self.implied[k]):
            bridge = sorted(self.partners.get(i, set()) & self.partners.get(j, set()))
            if bridge:
                r = self.profiles[bridge[0]].sop
                out.append(
                    f"setara lewat kelompok prosedur: keduanya setara dengan {r.title} ({r.label})"
                )
            else:
                out.append(
                    f"setara lewat kelompok prosedur (tautan terlemah {self.implied[k]:.0%})"
                )
        return out

    def alignment(self, k: int) -> list[AlignedPair]:
        if not self.align or self.relation[k] != 0:
            return []
        pa, pb = self.profiles[int(self.first[k])], self.profiles[int(self.second[k])]
        if not pa.sop.steps or not pb.sop.steps:
            return []  # a partial SOP: no step to stand against another
        return align_pair(
            self.profiles[int(self.first[k])],
            self.profiles[int(self.second[k])],
            None,
            self.align_settings,
        )
