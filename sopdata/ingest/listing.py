"""Lists of procedure steps written as text: the shared step splitter of the
readers for documents without an SOP AP step table (Standar Pelayanan, prose
procedures).

A procedure written as text marks its steps in one of a few ways: numbers
("1.", "2)", "7.1.1"), letters ("a.", "b)"), bullets ("-", "•", ">"), or lines
with no marker at all (flowchart boxes flattened to text, one sentence a line).
Items may run on in one paragraph ("1. Pemohon ... 2. Petugas ..."), be wrapped
over several lines, or carry sub-items of another marker. The rule here: the
marker of the first item is the step marker; items with another marker, and
unmarked lines, belong to the step above them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sopdata.records import Step
from sopdata.text.durations import parse_duration
from sopdata.text.textclean import collapse_spaces

# "1.", "1)", "(1)", "1.2" ...
_NUMBER = re.compile(
    r"^\(?(\d{1,2}(?:\.\d{1,2}){0,3})(?:\s*[.)]+|(?<=\d\.\d)\s|(?<=\d\.\d\d)\s)\s*"
)
_LETTER = re.compile(r"^\(?([a-zA-Z])(?:\s*[.)]+)\s*(?=\S)")
_ROMAN = re.compile(r"^([IVX]{1,4})\s*[.)]\s*(?=\S)")
_BULLET = re.compile(r"^([-–—•>*·▪●○◦➢►✓]+)\s*")
#: A bare marker line ("3.", "e.", "-") whose text is on the next line.
BARE_MARKER = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*|[a-zA-Z]|[IVX]{1,4})\s*[.)]?\s*$")
#: Branch labels of a flowchart flattened to text ("Berkas Tidak Lengkap", "Ya").
_BRANCH = re.compile(
    r"^\W*(?:(?:berkas|dokumen|data|persyaratan|permohonan)\s+)?(?:tidak\s+|belum\s+)?"
    r"(?:lengkap|sesuai|valid|benar|memenuhi(?:\s+syarat)?|disetujui|ok)\W*$"
    r"|^\W*(?:ya|tidak|yes|no)\W*$",
    re.I,
)
# A duration stated inside a step: "maksimal 15 menit", "paling lama 1 (satu) hari kerja".
_STATED_TIME = re.compile(
    r"(?:(?:maksimal|maks\.?|paling\s+lama|selambat-lambatnya|dalam\s+waktu|kurang\s+lebih|±)\s*)?"
    r"\b\d{1,3}(?:[.,]\d+)?\s*(?:\([a-z ]+\)\s*)?"
    r"(?:menit|jam|hari(?:\s+kerja)?|minggu|bulan)\b",
    re.I,
)
#: More unmarked lines than this in a block is running text, not a procedure.
MAX_PLAIN_STEPS = 15
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


@dataclass
class Item:
    """One marked item of a list: its marker family, ordinal and text."""

    family: str  # "number", "letter", "roman", "bullet", "plain"
    label: str  # the marker as printed ("1", "a", "-"), "" for plain lines
    text: str
    sub: list[str] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        return collapse_spaces(" ".join([self.text, *self.sub]))


def _roman(s: str) -> int:
    total = 0
    prev = 0
    for ch in reversed(s.upper()):
        v = _ROMAN_VALUES.get(ch, 0)
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def split_marker(line: str) -> tuple[str, str, str]:
    """(family, marker, text) of one line; family "plain" when it has no marker."""
    s = line.strip()
    m = _NUMBER.match(s)
    if m and not re.match(r"^\d{1,3}(?:[.,]\d+)?\s*(?:menit|jam|hari|orang|lembar)\b", s, re.I):
        return "number", m.group(1), s[m.end() :]
    m = _ROMAN.match(s)
    if m and len(m.group(1)) > 1:
        return "roman", m.group(1), s[m.end() :]
    m = _LETTER.match(s)
    if m:
        return "letter", m.group(1).lower(), s[m.end() :]
    m = _BULLET.match(s)
    if m and not re.match(r"^-\d", s):
        return "bullet", m.group(1)[0], s[m.end() :]
    return "plain", "", s


def _next_ordinal(family: str, label: str) -> str | None:
    if family == "number" and label.isdigit():
        return str(int(label) + 1)
    if family == "letter" and len(label) == 1 and label.isalpha() and label.lower() != "z":
        return chr(ord(label.lower()) + 1)
    return None


def _split_run_on(family: str, label: str, text: str) -> list[tuple[str, str]]:
    """A paragraph holding the next items too ("... 2. Berkas diterima ... 3. Apabila"):
    split at the next ordinals, in order, each after a space and before a letter."""
    out: list[tuple[str, str]] = []
    current_label, rest = label, text
    while True:
        nxt = _next_ordinal(family, current_label)
        if nxt is None:
            break
        marker = re.escape(nxt) + (r"\s*[.)]" if family == "number" else r"[.)]")
        m = re.search(rf"(?:(?<=\s)|(?<=[;,.]))(?:{marker})\s+(?=[A-Za-z(\"'])", rest)
        if not m or m.start() == 0:
            break
        out.append((current_label, rest[: m.start()].strip()))
        current_label, rest = nxt, rest[m.end() :]
    out.append((current_label, rest.strip()))
    return out


def read_items(lines: list[str]) -> list[Item]:
    """The items of a block of lines, markers recognised, run-on items split."""
    items: list[Item] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        family, label, text = split_marker(line)
        if family in ("number", "letter"):
            for lab, part in _split_run_on(family, label, text):
                items.append(Item(family, lab, part))
        else:
            items.append(Item(family, label, text))
    return items


def _is_continuation(prev: str, line: str) -> bool:
    """A wrapped line: the line above does not end a sentence and this one goes on in lower case."""
    return bool(line) and (line[0].islower() or line[0] in ",;)") and not prev.endswith((".", ":"))


def group_steps(lines: list[str]) -> list[Item]:
    """The steps of a procedure block: items of the first marker family, with
    everything else folded into the step above.

    * Numbered, lettered or bulleted steps: the first item's family decides;
      lines with another marker or none are sub-items or wrapped text.
    * Bullets only, some ending with ":" (phase headings, "Proses ini meliputi:"):
      the headings are the steps and the bullets under them their sub-items.
    * Unmarked lines first (a flowchart flattened to text, sentences one a
      line): each unmarked line is a step, bullets under it are sub-items, and
      flowchart branch labels ("Berkas Tidak Lengkap") are dropped.
    """
    items = [i for i in read_items(lines) if i.text or i.family != "bullet"]
    items = [i for i in items if not (i.family == "plain" and _BRANCH.match(i.text))]
    items = [i for i in items if i.text.strip(" -–.:;|")]
    if not items:
        return []
    marked = [i.family for i in items if i.family in ("number", "letter")]
    if len(marked) >= 2:
        top = marked[0]
        # an intro line before the first numbered step ("Prosedur pelayanan:") is no step
        while items and items[0].family != top and items[0].text.rstrip().endswith(":"):
            items.pop(0)
    else:
        top = items[0].family
        while (
            len(items) > 1
            and items[0].family == "plain"
            and items[0].text.rstrip().endswith(":")
            and items[1].family != "plain"
        ):
            if top != "plain" or sum(1 for i in items if i.family == "plain") > 1:
                break
            items.pop(0)
            top = items[0].family
    if not items:
        return []
    if top == "bullet":
        headed = [i for i in items if i.text.rstrip().endswith(":")]
        if len(headed) >= 2 and items[0].text.rstrip().endswith(":"):
            steps: list[Item] = []
            for it in items:
                if it.text.rstrip().endswith(":") or not steps:
                    steps.append(Item("bullet", it.label, it.text))
                else:
                    steps[-1].sub.append(it.text)
            return steps
    if top == "plain" and sum(1 for i in items if i.family == "plain") > MAX_PLAIN_STEPS:
        return []  # running text, not a list of steps
    steps = []
    expected: str | None = None
    for it in items:
        same_family = it.family == top
        # a number out of sequence that is a sub-list ("1." .. "3." inside step 2) is
        # folded only when it restarts at 1 and the list above went past 1
        if (
            same_family
            and top in ("number", "letter")
            and steps
            and expected is not None
            and it.label in ("1", "a")
            and steps[-1].label not in ("", "1", "a")
            and it.label != expected
        ):
            steps[-1].sub.append(it.text)
            continue
        if same_family:
            if top == "plain" and steps and _is_continuation(steps[-1].full_text, it.text):
                steps[-1].sub.append(it.text)
                continue
            steps.append(Item(it.family, it.label, it.text))
            expected = _next_ordinal(it.family, it.label)
        elif steps:
            steps[-1].sub.append(it.text if it.family == "plain" else f"{it.label} {it.text}")
        else:
            steps.append(Item(it.family, it.label, it.text))
    return steps


def stated_duration(text: str) -> str:
    """The duration a step's text states ("maksimal 15 menit"), "" when none."""
    m = _STATED_TIME.search(text)
    return m.group(0).strip() if m else ""


def make_steps(items: list[Item]) -> list[Step]:
    """Step records of grouped items, numbered in order; a Waktu stated in the text is read."""
    steps: list[Step] = []
    for k, it in enumerate(items, 1):
        text = it.full_text
        if not text:
            continue
        step = Step(no=str(k), activity=text)
        waktu = stated_duration(text)
        if waktu:
            step.duration = parse_duration(waktu)
        steps.append(step)
    return steps


_LEADING_CONNECTIVE = re.compile(
    r"^(?:selanjutnya|kemudian|lalu|setelah\s+itu|berikutnya)\s*,?\s*", re.I
)


def opening_actors(steps: list[Step], max_words: int = 5) -> list[str]:
    """Actor names (as printed) that open step sentences, found in the glossary
    ("Petugas front office menerima ...", "Camat menandatangani ...").

    Only exact glossary names count (no fuzzy match): a name merely mentioned
    later in the sentence, or a word one letter away from a role, is no actor.
    The longest name opening the sentence wins.
    """
    from sopdata.text.glossary import actor_key, default_glossary

    index = default_glossary().actor_index
    found: dict[str, str] = {}
    for step in steps:
        text = _LEADING_CONNECTIVE.sub("", step.activity)
        words = re.findall(r"[A-Za-z][A-Za-z.]*", text[:80])[:max_words]
        for n in range(len(words), 0, -1):
            key = actor_key(" ".join(words[:n]))
            if key in index:
                printed = " ".join(words[:n]).rstrip(".")
                found.setdefault(key, printed)
                break
    return list(found.values())
