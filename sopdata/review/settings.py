"""The reviewer's settings, typed: what the sidebar sets and the store keeps.

:class:`ReviewSettings` is read from the store's key-value settings with
:meth:`ReviewSettings.from_saved` (a missing or unreadable value falls back to
its default, so an old or hand-edited store never breaks the app) and written
back with :meth:`ReviewSettings.to_saved`. Pages get it from the view and pass
it on explicitly; the encoder's own ``MatchSettings`` (thresholds, in
``sopdata.matching``) are a separate thing.

:func:`with_durations` re-reads the Waktu of parsed SOPs with the working day's
length; the app (through ``workspace.apply_settings``) and the CLI
(``--jam-kerja``) both use it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sopdata.harmonise import WaktuRule
from sopdata.records import SOP
from sopdata.text.durations import STANDARD_DURATION_SETTINGS, DurationSettings, parse_duration

#: The hours per working day a reviewer may choose (the sidebar's bounds).
MIN_HOURS_PER_DAY = 4.0
MAX_HOURS_PER_DAY = 12.0


def _rule(value: object) -> WaktuRule:
    if value == "min":
        return "min"
    if value == "max":
        return "max"
    return "median"


@dataclass(frozen=True)
class ReviewSettings:
    """The reviewer's settings.

    Attributes:
        hours_per_working_day: how long "1 hari" is (default the documented
            7.5 h of :data:`STANDARD_DURATION_SETTINGS`).
        waktu_rule: how the harmonised draft picks Waktu: "median", "min", "max".
        encoder: the similarity model's spec ("e5", "tfidf", "st:/folder").
        reviewer: the reviewer's name, written on every saved correction/draft.
        authority: the harmonising authority ("Pemerintah Kabupaten Lumajang,
            Bagian Organisasi Sekretariat Daerah"): the identity of every
            harmonised draft (see ``sopdata.harmonise.authority_identity``).
    """

    hours_per_working_day: float = STANDARD_DURATION_SETTINGS.hours_per_working_day
    waktu_rule: WaktuRule = "median"
    encoder: str = "e5"
    reviewer: str = ""
    authority: str = ""

    @property
    def durations(self) -> DurationSettings:
        """The settings Waktu are read and written with."""
        return replace(STANDARD_DURATION_SETTINGS, hours_per_working_day=self.hours_per_working_day)

    @classmethod
    def from_saved(cls, saved: Mapping[str, Any]) -> ReviewSettings:
        """Settings from the store's key-value settings; a missing or bad value keeps its default."""
        default = cls()
        hours = saved.get("hours_per_working_day")
        try:
            hours_value = (
                float(hours) if hours is not None and not isinstance(hours, bool) else math.nan
            )
        except (TypeError, ValueError):
            hours_value = math.nan
        if not (MIN_HOURS_PER_DAY <= hours_value <= MAX_HOURS_PER_DAY):  # also rejects NaN
            hours_value = default.hours_per_working_day
        encoder = saved.get("encoder")
        reviewer = saved.get("reviewer")
        authority = saved.get("authority")
        return cls(
            hours_per_working_day=hours_value,
            waktu_rule=_rule(saved.get("waktu_rule")),
            encoder=encoder.strip()
            if isinstance(encoder, str) and encoder.strip()
            else default.encoder,
            reviewer=reviewer if isinstance(reviewer, str) else default.reviewer,
            authority=" ".join(authority.split()) if isinstance(authority, str) else "",
        )

    def to_saved(self) -> dict[str, str | float]:
        """The store's key-value form (what :meth:`from_saved` reads back)."""
        return {
            "encoder": self.encoder,
            "hours_per_working_day": self.hours_per_working_day,
            "waktu_rule": self.waktu_rule,
            "reviewer": self.reviewer,
            "authority": self.authority,
        }


def with_durations(sops: Sequence[SOP], settings: DurationSettings) -> list[SOP]:
    """The SOPs with every Waktu re-read with ``settings`` (from its printed text).

    An SOP already read with them is returned as is; the others are copies, so
    the input (often a cached object) is never changed.
    """
    out = []
    for sop in sops:
        if all(step.duration.settings == settings for step in sop.steps):
            out.append(sop)
            continue
        sop = copy.deepcopy(sop)
        for step in sop.steps:
            step.duration = parse_duration(step.duration.raw, settings)
        out.append(sop)
    return out
