"""The list items of a Kegiatan cell: several acts written one a line.

Offices write a step either as one act ("Penandatanganan surat keluar") or as
a cell listing several ("Memberi nomor agenda surat / Memperbanyak sesuai
kebutuhan / Dimasukan ke amplop surat / Disampaikan ke Petugas Caraka"), where
another office writes each act as a step of its own. Step alignment compares
the items too, so that one office's listed step can stand against several
steps of another (``digabung``).

A line break is not always an item: text taken from a PDF keeps the breaks of
a wrapped sentence ("... buku agenda / laporan bulanan tiap" + "tanggal 29.").
"""

from __future__ import annotations

from sopdata.ingest.listing import split_marker
from sopdata.text.textclean import SMALL_WORDS

# Words that join a phrase to what comes before: a line ending on one goes on
# in the next, a line starting with one goes on from the last ("Send Letter" +
# "Of Acceptance"). Indonesian function words and their English counterparts
# (labels of other benchmarks).
_JOINING = SMALL_WORDS | frozenset(
    {"yg", "dgn", "utk", "and", "by", "for", "in", "of", "or", "to", "with"}
)
# A wrapped line may also end on an article.
_WRAP_ENDINGS = _JOINING | frozenset({"a", "an", "the"})

#: An item has at least this many words ("Mendisposisi surat", not "Kabag").
MIN_ITEM_WORDS = 2


def activity_items(activity: str) -> list[str]:
    """The items of a Kegiatan that lists several acts one a line, list markers
    stripped; ``[]`` when it is one act (one line, or a sentence wrapped over
    lines).

    Lines are items when every line has at least :data:`MIN_ITEM_WORDS` words,
    every line after the first starts with a list marker or a capital letter
    (not a function word's: "Of Acceptance"), and no line but the last ends on
    a function word ("ke", "dan", "untuk" ...): a wrapped sentence breaks
    anywhere, a list starts each act anew.
    """
    lines = [line.strip() for line in activity.splitlines() if line.strip()]
    if len(lines) < 2:
        return []
    items = []
    for k, line in enumerate(lines):
        family, _, text = split_marker(line)
        text = text.strip()
        words = text.split()
        if len(words) < MIN_ITEM_WORDS:
            return []
        if k > 0 and family == "plain" and (not text[0].isupper() or words[0].lower() in _JOINING):
            return []
        if k < len(lines) - 1 and words[-1].lower().strip(",;:") in _WRAP_ENDINGS:
            return []
        items.append(text)
    return items


def activity_line(activity: str) -> str:
    """A Kegiatan on one line, for a table cell or a picker: its listed acts
    joined by "; " (the list stays readable as a list), else its words joined
    by single spaces."""
    items = activity_items(activity)
    return "; ".join(" ".join(i.split()) for i in items) if items else " ".join(activity.split())
