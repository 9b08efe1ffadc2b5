"""Actor names and acronyms normalised to canonical forms from editable data files.

Two CSV files in ``sopdata/data/`` hold the vocabulary; a reviewer extends them
(or supplies a CSV of the same columns) without touching code:

* ``actors.csv`` (``pattern,canonical,spelled_out``): a Pelaksana alias as it
  may be printed ("Sekcam", "Ka. Subag", "Petugas Front Office") and the
  canonical short name and spelled-out form it stands for.
* ``acronyms.csv`` (``acronym,expansion,aliases,context``): an acronym, its
  expansion, other names of the *same thing* separated by ``|`` (other
  acronyms such as "LKj" for "LAKIP", or long forms such as "Laporan Kinerja"),
  and, only for an acronym with two meanings (SPM, PPK, SKM), words of the
  surrounding text that select this meaning.

Rows linked through their aliases form one concept: "LAKIP", "LKj" and
"Laporan Kinerja" all give the key term ``lakip``; "TAPKIN", "PK" and
"Perjanjian Kinerja" give ``tapkin``. Ambiguous acronyms get the token of the
meaning their context selects ("spm:surat-perintah-membayar").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Protocol

from sopdata.grouping import DisjointSet
from sopdata.resources import DATA_DIR
from sopdata.text.fuzzy import ocr_distance
from sopdata.text.textclean import SMALL_WORDS

ACTOR_COLUMNS = ("pattern", "canonical", "spelled_out")
ACRONYM_COLUMNS = ("acronym", "expansion", "aliases", "context")


class GlossaryError(ValueError):
    """A glossary CSV a reviewer has to fix (the message names file and line)."""


@dataclass(frozen=True)
class ActorAlias:
    pattern: str
    canonical: str
    spelled_out: str


@dataclass(frozen=True)
class Acronym:
    acronym: str
    expansion: str
    aliases: tuple[str, ...] = ()
    context: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        """How the acronym may be written: as listed, in capitals, one-word aliases."""
        one_word = tuple(a for a in self.aliases if " " not in a)
        return tuple(dict.fromkeys((self.acronym, self.acronym.upper(), *one_word)))

    @property
    def long_forms(self) -> tuple[str, ...]:
        """Names of two words or more ("Laporan Kinerja"); "Langsung" (LS) is too common."""
        return tuple(dict.fromkeys(f for f in (self.expansion, *self.aliases) if " " in f.strip()))


# --- reading the CSV files ---------------------------------------------------


def _split_list(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def _read_rows(source: str | Path, columns: tuple[str, ...], required: int) -> list[dict[str, str]]:
    """Rows of a glossary CSV; a path or the CSV text itself."""
    if isinstance(source, Path) or "\n" not in source:
        name = str(source)
        text = Path(source).read_text(encoding="utf-8-sig")  # Excel writes a BOM
    else:
        name, text = "<csv>", source
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in columns[:required] if c not in header]
    if missing:
        raise GlossaryError(f"{name}: kolom tidak ada: {', '.join(missing)} (header: {header})")
    rows = []
    for line_no, row in enumerate(reader, start=2):
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not any(clean.values()):
            continue
        empty = [c for c in columns[:required] if not clean.get(c)]
        if empty:
            raise GlossaryError(f"{name} baris {line_no}: kolom kosong: {', '.join(empty)}")
        rows.append(clean)
    return rows


def read_actor_csv(source: str | Path) -> list[ActorAlias]:
    """Actor aliases from a CSV path (or CSV text) with columns pattern,canonical,spelled_out."""
    return [
        ActorAlias(r["pattern"], r["canonical"], r.get("spelled_out") or r["canonical"])
        for r in _read_rows(source, ACTOR_COLUMNS, 2)
    ]


def read_acronym_csv(source: str | Path) -> list[Acronym]:
    """Acronyms from a CSV path (or CSV text) with columns acronym,expansion[,aliases,context]."""
    return [
        Acronym(
            r["acronym"],
            r["expansion"],
            _split_list(r.get("aliases", "")),
            _split_list(r.get("context", "")),
        )
        for r in _read_rows(source, ACRONYM_COLUMNS, 2)
    ]


# --- actor keys --------------------------------------------------------------

# Spelling variants folded before lookup (applied to the key without spaces).
_KEY_REWRITES = (
    (re.compile(r"subbag"), "subag"),
    (re.compile(r"subagian"), "subag"),
    (re.compile(r"kasie"), "kasi"),
    (re.compile(r"^ptgs?"), "petugas"),
)


def actor_key(text: str) -> str:
    """The lookup key of an actor name: lower case, no punctuation, no spaces.

    Spaces go because the scans split and join words at random ("Kasub ag",
    "Ka. Subag", "Kasubbag" all give "kasubag").
    """
    t = text.lower().replace("&", " dan ")
    t = re.sub(r"[^0-9a-z]+", "", t)
    for pattern, repl in _KEY_REWRITES:
        t = pattern.sub(repl, t)
    return t


def clean_actor(text: str) -> str:
    """An actor name as printed, tidied: markup, bullets and extra spaces gone."""
    t = re.sub(r"<[^>]+>", " ", text)
    t = re.sub(r"\s+", " ", t).strip(" \t-–•:;,.")
    return t


# --- the glossary ------------------------------------------------------------


@dataclass(frozen=True)
class Glossary:
    """Actor aliases and acronyms; build with :meth:`load` or :func:`load_glossary`."""

    actors: tuple[ActorAlias, ...] = ()
    acronyms: tuple[Acronym, ...] = ()

    @classmethod
    def load(
        cls,
        extra_actor_rows: Iterable[ActorAlias | Mapping[str, str]] = (),
        extra_acronym_rows: Iterable[Acronym | Mapping[str, str]] = (),
        *,
        builtin: bool = True,
    ) -> Glossary:
        """The built-in vocabulary extended by extra rows.

        An extra actor row replaces a built-in row with the same key; an extra
        acronym replaces every built-in row of the same acronym (the office
        knows which meaning it uses).
        """
        base = (
            cls(
                actors=tuple(read_actor_csv(DATA_DIR / "actors.csv")),
                acronyms=tuple(read_acronym_csv(DATA_DIR / "acronyms.csv")),
            )
            if builtin
            else cls()
        )
        return base.extended(extra_actor_rows, extra_acronym_rows)

    def extended(
        self,
        extra_actor_rows: Iterable[ActorAlias | Mapping[str, str]] = (),
        extra_acronym_rows: Iterable[Acronym | Mapping[str, str]] = (),
    ) -> Glossary:
        """This glossary with extra rows, replacing rows as :meth:`load` does."""
        extra_actors = [_as_actor(r) for r in extra_actor_rows]
        extra_acronyms = [_as_acronym(r) for r in extra_acronym_rows]
        replaced_keys = {actor_key(a.pattern) for a in extra_actors}
        replaced_acronyms = {a.acronym for a in extra_acronyms}
        return Glossary(
            actors=(
                *(a for a in self.actors if actor_key(a.pattern) not in replaced_keys),
                *extra_actors,
            ),
            acronyms=(
                *(a for a in self.acronyms if a.acronym not in replaced_acronyms),
                *extra_acronyms,
            ),
        )

    def acronym_words(self) -> set[str]:
        """Acronyms as written in capitals ("SKCK", "LAKIP"): they stay upper-case in titles."""
        return {
            a.acronym.upper() for a in self.acronyms if a.acronym.isupper() or len(a.acronym) <= 6
        }

    @cached_property
    def actor_index(self) -> dict[str, tuple[str, str]]:
        """Actor key -> (canonical, spelled out); later rows win."""
        return {actor_key(a.pattern): (a.canonical, a.spelled_out) for a in self.actors}

    @cached_property
    def concept_tokens(self) -> tuple[str, ...]:
        """The key-term token of each acronym row (rows linked by aliases share one)."""
        return _concept_tokens(self.acronyms)

    @cached_property
    def spelling_index(self) -> dict[str, tuple[int, ...]]:
        """Acronym spelling as written -> the rows it may mean."""
        out: dict[str, list[int]] = {}
        for i, a in enumerate(self.acronyms):
            for s in a.spellings:
                if i not in out.setdefault(s, []):
                    out[s].append(i)
        # "LKj" is LAKIP's alias and its own row: the own row(s) win
        return {
            s: tuple([i for i in rows if s.upper() == self.acronyms[i].acronym.upper()] or rows)
            for s, rows in out.items()
        }

    @cached_property
    def spelling_re(self) -> re.Pattern[str] | None:
        spellings = sorted(self.spelling_index, key=len, reverse=True)
        if not spellings:
            return None
        alt = "|".join(re.escape(s) for s in spellings)
        return re.compile(rf"(?<![0-9A-Za-z])(?:{alt})(?![0-9A-Za-z])")

    @cached_property
    def long_form_index(self) -> dict[str, int]:
        """Normalised long form -> row (the first row naming it)."""
        out: dict[str, int] = {}
        for i, a in enumerate(self.acronyms):
            for form in a.long_forms:
                out.setdefault(_norm_phrase(form), i)
        return out

    @cached_property
    def long_form_re(self) -> re.Pattern[str] | None:
        forms = sorted(self.long_form_index, key=len, reverse=True)
        if not forms:
            return None
        alt = "|".join(r"[^0-9A-Za-z]+".join(re.escape(w) for w in f.split()) for f in forms)
        return re.compile(rf"(?<![0-9a-z])(?:{alt})(?![0-9a-z])", re.IGNORECASE)


def _as_actor(row: ActorAlias | Mapping[str, str]) -> ActorAlias:
    if isinstance(row, ActorAlias):
        return row
    return ActorAlias(row["pattern"], row["canonical"], row.get("spelled_out") or row["canonical"])


def _as_acronym(row: Acronym | Mapping[str, str]) -> Acronym:
    if isinstance(row, Acronym):
        return row
    return Acronym(
        row["acronym"],
        row["expansion"],
        _split_list(row.get("aliases", "")),
        _split_list(row.get("context", "")),
    )


def _norm_phrase(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def _slug(text: str) -> str:
    return "-".join(_norm_phrase(text).split())


def _concept_tokens(rows: tuple[Acronym, ...]) -> tuple[str, ...]:
    """Union rows whose aliases name each other; name each group after its first row."""
    groups = DisjointSet(len(rows))
    by_acronym: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_acronym.setdefault(r.acronym.upper(), []).append(i)
    for i, r in enumerate(rows):
        for alias in r.aliases:
            targets = by_acronym.get(alias.upper(), [])
            if len(targets) == 1:  # an alias naming an ambiguous acronym links nothing
                a, b = groups.find(i), groups.find(targets[0])
                groups.join(min(a, b), max(a, b))  # the first row's root stays

    def name(r: Acronym) -> str:
        if len(by_acronym[r.acronym.upper()]) > 1:
            return f"{r.acronym.lower()}:{_slug(r.expansion)}"
        return r.acronym.lower()

    # a group is named after its first unambiguous row ("ikm", not "skm:survei-...")
    heads: dict[int, str] = {}
    for i, r in enumerate(rows):
        root = groups.find(i)
        unambiguous = len(by_acronym[r.acronym.upper()]) == 1
        if root not in heads or (unambiguous and ":" in heads[root]):
            heads[root] = name(r)
    return tuple(heads[groups.find(i)] for i in range(len(rows)))


# --- public API --------------------------------------------------------------


def load_glossary(
    actor_csv: str | Path | None = None, acronym_csv: str | Path | None = None
) -> Glossary:
    """The built-in glossary extended by a user's CSV files (same columns)."""
    return Glossary.load(
        read_actor_csv(actor_csv) if actor_csv else (),
        read_acronym_csv(acronym_csv) if acronym_csv else (),
    )


class GlossaryEntryLike(Protocol):
    """A reviewer's glossary entry (``sopdata.review.store.GlossaryEntry`` is one)."""

    @property
    def kind(self) -> str: ...  # "actor" or "acronym"

    @property
    def alias(self) -> str: ...  # actor name as printed, or the acronym

    @property
    def canonical(self) -> str: ...  # canonical actor name, or the expansion


def with_entries(entries: Iterable[GlossaryEntryLike], base: Glossary | None = None) -> Glossary:
    """A glossary extended by a reviewer's saved entries (default: the built-in one).

    An actor entry maps the alias to the canonical name, spelled out as the
    base glossary spells that name (or as the name itself); an acronym entry
    gives the acronym its expansion. Entries replace
    rows of the same actor key or acronym, later entries winning.

    Args:
        entries: saved entries in the order they were made.
        base: the glossary to extend; :func:`default_glossary` when None.

    Returns:
        A new glossary; ``base`` is left unchanged.
    """
    base = base or default_glossary()
    # a canonical name the glossary knows keeps its spelled-out form
    spelled = {canonical: full for canonical, full in base.actor_index.values()}
    actors: list[ActorAlias] = []
    acronyms: list[Acronym] = []
    for e in entries:
        if e.kind == "actor":
            actors.append(ActorAlias(e.alias, e.canonical, spelled.get(e.canonical, e.canonical)))
        elif e.kind == "acronym":
            acronyms = [a for a in acronyms if a.acronym != e.alias]
            acronyms.append(Acronym(e.alias, e.canonical))
        else:
            raise ValueError(f"unknown glossary entry kind: {e.kind!r}")
    return base.extended(actors, acronyms)


@cache
def default_glossary() -> Glossary:
    """The built-in glossary, read once."""
    return Glossary.load()


def _fuzzy_actor(key: str, glossary: Glossary) -> tuple[str, str] | None:
    """An alias one OCR slip away ("carmat", "sehcam"); none for short keys."""
    if len(key) < 5:
        return None
    limit = 1.0 if len(key) < 12 else 2.0
    best: tuple[float, tuple[str, str]] | None = None
    for pattern, value in glossary.actor_index.items():
        if len(pattern) < 5 or pattern[0] != key[0] or abs(len(pattern) - len(key)) > limit:
            continue
        d = ocr_distance(key, pattern)
        if d <= limit and (best is None or d < best[0]):
            best = (d, value)
    return best[1] if best else None


# Capitalised words of titles that are not acronyms ("TIM Kecamatan").
_NOT_ACRONYMS = frozenset({"TIM", "STAF", "KASI", "CAMAT", "LURAH", "KEPALA", "UMUM"})


def _tidy_unknown(name: str, glossary: Glossary) -> tuple[str, str]:
    """An unknown actor: title case, acronyms kept; spelled out with expansions."""
    words: list[str] = []
    spelled: list[str] = []
    for w in name.split():
        rows = glossary.spelling_index.get(w) or glossary.spelling_index.get(w.upper())
        if rows and w.upper() not in _NOT_ACRONYMS:
            acr = glossary.acronyms[rows[0]]
            words.append(acr.acronym)
            spelled.append(acr.expansion if len(rows) == 1 else acr.acronym)
            continue
        if w.lower() in SMALL_WORDS:
            word = w.lower()
        elif w.isupper() and len(w) <= 5 and w not in _NOT_ACRONYMS and not name.isupper():
            word = w  # an acronym we do not know ("UPT")
        else:
            word = w[:1].upper() + w[1:].lower()
        words.append(word)
        spelled.append(word)
    return " ".join(words), " ".join(spelled)


def normalise_actor(raw: str, glossary: Glossary | None = None) -> tuple[str, str]:
    """(canonical short name, spelled-out form) of a Pelaksana header or name.

    >>> normalise_actor("Sekcam")
    ('Sekretaris Kecamatan', 'Sekretaris Kecamatan')
    >>> normalise_actor("Ka. Subag")
    ('Kasubag', 'Kepala Sub Bagian')

    Unknown actors come back tidied as their own canonical name ("TIM Desa" ->
    "Tim Desa"), with acronyms spelled out in the second form.
    """
    g = glossary or default_glossary()
    name = clean_actor(raw or "")
    if not name:
        return "", ""
    key = actor_key(name)
    found = g.actor_index.get(key) or _fuzzy_actor(key, g)
    return found if found else _tidy_unknown(name, g)


#: Longest actor name (in words) looked for at the opening of a sentence.
_OPENING_WORDS = 5


def opening_actor(text: str, glossary: Glossary | None = None) -> str:
    """The canonical name of the actor a sentence opens with, "" when none.

    OCR loses the Pelaksana columns of a scanned step table, yet the step's
    subject often opens its Kegiatan: "Camat menandatangani ...", "Kasubag Umum
    menyiapkan ...", "Pegawai melengkapi ...". The longest run of the first
    words (up to five) that is a glossary actor name (:func:`actor_key`, exact)
    counts; a name merely mentioned later in the sentence does not.

    >>> opening_actor("Kasubag Umum menyiapkan surat pengantar")
    'Kasubag Umum dan Kepegawaian'
    >>> opening_actor("Menyiapkan surat untuk Camat")
    ''
    """
    g = glossary or default_glossary()
    words = re.findall(r"[^\W_]+", text)[:_OPENING_WORDS]
    for n in range(len(words), 0, -1):
        found = g.actor_index.get(actor_key(" ".join(words[:n])))
        if found:
            return found[0]
    return ""


def _choose_rows(rows: tuple[int, ...], text: str, glossary: Glossary) -> tuple[int, ...]:
    """The meaning(s) of an ambiguous acronym that the surrounding text supports."""
    if len(rows) == 1:
        return rows
    words = set(re.findall(r"[0-9A-Za-z]+", text))
    lower = {w.lower() for w in words}

    def score(i: int) -> int:
        a = glossary.acronyms[i]
        hits = sum(1 for c in a.context if (c in words if c.isupper() else c.lower() in lower))
        return hits + sum(1 for w in _norm_phrase(a.expansion).split() if w in lower and len(w) > 3)

    scores = {i: score(i) for i in rows}
    best = max(scores.values())
    return tuple(i for i in rows if scores[i] == best)


def expand_acronyms(text: str, glossary: Glossary | None = None) -> str:
    """Append each acronym's expansion in parentheses: "LAKIP" -> "LAKIP (Laporan ...)".

    Only whole words written as listed or in capitals match ("UP", not "up");
    an acronym already followed by "(" or whose expansion the text already
    holds is left alone. An ambiguous acronym takes the meaning its context
    selects, or lists all of them ("SPM (Surat Perintah Membayar / Standar
    Pelayanan Minimal)").
    """
    g = glossary or default_glossary()
    if not text or g.spelling_re is None:
        return text
    present = _norm_phrase(text)
    done: set[str] = set()  # each expansion once: the first mention explains the rest
    out: list[str] = []
    last = 0
    for m in g.spelling_re.finditer(text):
        rows = _choose_rows(g.spelling_index[m.group()], text, g)
        expansions = [
            e
            for e in dict.fromkeys(g.acronyms[i].expansion for i in rows)
            if _norm_phrase(e) not in present and e not in done
        ]
        done.update(expansions)
        following = text[m.end() :].lstrip()
        out.append(text[last : m.end()])
        if expansions and not following.startswith("("):
            out.append(f" ({' / '.join(expansions)})")
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def find_concepts(text: str, glossary: Glossary | None = None) -> tuple[set[str], str]:
    """The concepts the glossary names in ``text``, and the text left without them.

    Every name of one concept gives one token: "LAKIP", "LKj" and "Laporan
    Kinerja" all give ``lakip`` (see ``sopdata.text.terms.canonical_terms``).
    """
    g = glossary or default_glossary()
    terms: set[str] = set()
    rest = text or ""
    if g.long_form_re is not None:
        for m in g.long_form_re.finditer(rest):
            terms.add(g.concept_tokens[g.long_form_index[_norm_phrase(m.group())]])
        rest = g.long_form_re.sub(" ", rest)
    if g.spelling_re is not None:
        for m in g.spelling_re.finditer(rest):
            for i in _choose_rows(g.spelling_index[m.group()], text or "", g):
                terms.add(g.concept_tokens[i])
        rest = g.spelling_re.sub(" ", rest)
    return terms, rest
