"""Post-parse pass shared by every loader: canonical actor names, actors read
from the activity text when the flowchart marks were lost, and the warnings
and confidence a reviewer reads."""

from __future__ import annotations

import re

from sopdata.records import SOP
from sopdata.text.glossary import normalise_actor
from sopdata.text.textclean import normalise_key

# Start and end rows of a Permenpan flowchart carry no Mutu Baku.
_TERMINATOR = re.compile(r"^\W*(mulai|selesai|start|end|finish)\W*$", re.I)


def is_terminator(activity: str) -> bool:
    return bool(_TERMINATOR.match(activity.strip()))


def canonicalise_actors(sop: SOP) -> None:
    for actor in sop.actors:
        if not actor.canonical:
            actor.canonical = normalise_actor(actor.raw)[0]


def infer_actors(sop: SOP) -> int:
    """Fill empty actor lists from the activity's subject ("Camat menandatangani").

    Only a column whose name (or canonical name) opens the activity counts, so
    nothing is guessed from a name merely mentioned later in the sentence.
    Returns how many steps got actors this way.
    """
    if not sop.actors:
        return 0
    keys = []
    for actor in sop.actors:
        for name in {actor.raw, actor.canonical}:
            key = normalise_key(name)
            if key:
                keys.append((key, actor.raw))
    keys.sort(key=lambda kv: -len(kv[0]))
    filled = 0
    for step in sop.steps:
        if step.actors or is_terminator(step.activity):
            continue
        opening = normalise_key(step.activity)[:60]
        for key, raw in keys:
            if opening.startswith(key + " "):
                step.actors = [raw]
                step.actors_inferred = True
                filled += 1
                break
    return filled


def assess(sop: SOP, ocr: bool = False) -> None:
    """Add reviewer-readable warnings and set ``sop.confidence`` (0..1)."""
    warnings = sop.warnings
    steps = [s for s in sop.steps if not is_terminator(s.activity)]
    score = 1.0
    if not sop.steps:
        warnings.append("tabel langkah tidak ditemukan atau kosong")
        score -= 0.6
    if not sop.has_title:
        score -= 0.2
    if steps:
        no_actor = [s.no for s in steps if not s.actors]
        if len(no_actor) == len(steps) and sop.actors:
            warnings.append("kolom pelaksana kosong: simbol flowchart hilang")
        elif no_actor:
            warnings.append(f"pelaksana tidak ditandai pada langkah {', '.join(no_actor)}")
        inferred = [s.no for s in steps if s.actors_inferred]
        if inferred:
            warnings.append(
                f"pelaksana dibaca dari teks kegiatan pada langkah {', '.join(inferred)}"
            )
        score -= 0.2 * len(no_actor) / len(steps)
        unreadable = [s for s in steps if s.duration.kind == "unknown"]
        for s in unreadable:
            warnings.append(f"waktu tidak terbaca pada langkah {s.no}: '{s.duration.raw}'")
        for s in steps:
            if s.duration.kind == "lead_time":
                warnings.append(
                    f"langkah {s.no}: '{s.duration.raw}' adalah tenggat, bukan lama kegiatan"
                )
        empty = [s.no for s in steps if s.duration.kind == "empty"]
        if empty:
            warnings.append(f"waktu kosong pada langkah {', '.join(empty)}")
        score -= 0.2 * (len(unreadable) + len(empty)) / len(steps)
        numbers = [int(s.no) for s in sop.steps if s.no.isdigit()]
        if numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
            warnings.append(f"nomor langkah tidak berurutan: {', '.join(map(str, numbers))}")
            score -= 0.05
    identity = [sop.number, sop.date_created, sop.approved_by, *sop.legal_basis]
    if not any(identity):
        warnings.append("blok identitas SOP (Nomor, tanggal, Dasar Hukum ...) tidak ada di dokumen")
        score -= 0.05
    if ocr:
        score = min(score, 0.6)
    sop.confidence = max(0.0, min(1.0, round(score, 3)))


# A list bullet left in front of a title ("• SOP Pengajuan Cuti"): the title
# line was an item of a list (a transcript site's page, a bulleted heading).
_LEADING_BULLET = re.compile(r"^[•●▪■◦‣∙·*>–-]+\s+")


def without_bullet(title: str) -> str:
    """A title without a list bullet in front of it."""
    return _LEADING_BULLET.sub("", title).strip() or title


def finalise(sops: list[SOP], ocr: bool = False) -> list[SOP]:
    """The pass every loader ends with: the title without a list bullet,
    canonical actors, inferred actors, assessment."""
    for sop in sops:
        sop.title = without_bullet(sop.title)
        canonicalise_actors(sop)
        infer_actors(sop)
        assess(sop, ocr=ocr)
    return sops
