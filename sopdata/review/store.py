"""The reviewer's saved work: one embedded SQLite database in the data folder.

Everything a reviewer does is written here at once, never only kept in the
app's session: uploaded documents, corrections to parsed SOPs, confirmed or
rejected matches, corrected step links (two steps of two SOPs do or do not
correspond), SOPs moved between groups, harmonised drafts, group review
statuses, settings and glossary entries.

How it stays safe:

* **WAL journal.** Readers never block the writer and the writer never blocks
  readers; a crash (or a killed process) mid-save leaves the last committed
  state, since an uncommitted transaction is never visible.
* **One transaction per save** (``BEGIN IMMEDIATE``): the write lock is taken
  up front, so two tabs or processes saving at once queue up (``busy_timeout``
  10 s, then a few retries) instead of failing half-way.
* **``synchronous=FULL``** by default: every commit is on disk before a save
  returns, so even a power cut loses nothing already saved. Saves are human
  paced (a few a minute), so the extra fsync per commit (milliseconds) costs
  nothing a reviewer notices; ``NORMAL`` is faster and still crash safe, but a
  power cut may lose the last commits (``benchmarks/bench_store.py`` measures
  both).
* **Nothing is overwritten.** SOP corrections and drafts are numbered versions
  (history kept); match decisions, step links, group moves and settings are
  append-only logs whose latest row counts. Every row has its author and a UTC
  time, so the tables are the audit trail.
* **Optimistic concurrency.** A save that names the version it started from
  (``base_version``) fails with :class:`StaleWriteError` when someone saved a
  newer one meanwhile, so two tabs never silently overwrite each other.
* **A short-lived connection per call**, so the store is safe to share between
  Streamlit's script threads (each rerun is a new thread) and between
  processes. One idle connection stays open for the store's lifetime, only so
  that closing the last working connection does not checkpoint and delete the
  WAL after every call (that doubled the cost of a save); it never runs a
  query after opening. Do not carry a store across ``os.fork``.

Schema versions live in ``PRAGMA user_version``; :data:`MIGRATIONS` lists the
statements that bring a database from one version to the next.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from sopdata.matching.step_links import StepLink
from sopdata.resources import REPO_ROOT

DATA_ENV = "SOP_HARMONI_DATA"
DB_FILENAME = "sop_harmoni.sqlite3"
BUSY_TIMEOUT_S = 10.0
LOCK_RETRIES = 3
JOURNAL_SIZE_LIMIT = 16 * 1024 * 1024

Decision = Literal["confirmed", "rejected"]
#: Where a procedure group stands in the review, in order (labels: :data:`GROUP_STATUS_LABEL`).
GroupStatus = Literal["belum_ditinjau", "dibahas", "disepakati", "ditetapkan"]
GROUP_STATUSES: tuple[GroupStatus, ...] = ("belum_ditinjau", "dibahas", "disepakati", "ditetapkan")
GROUP_STATUS_LABEL: dict[GroupStatus, str] = {
    "belum_ditinjau": "Belum ditinjau",
    "dibahas": "Dibahas",
    "disepakati": "Disepakati",
    "ditetapkan": "Ditetapkan",
}
#: The statuses of a group the meeting agreed on.
AGREED_STATUSES: frozenset[GroupStatus] = frozenset({"disepakati", "ditetapkan"})
GlossaryKind = Literal["actor", "acronym"]
Synchronous = Literal["NORMAL", "FULL"]

T = TypeVar("T")

# Statements that bring the schema from version i to i + 1 (never edit a
# released entry: append a new one).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        # Uploaded files, content-addressed; ``data`` last so listing skips the blob.
        """CREATE TABLE documents (
            sha256 TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            size INTEGER NOT NULL,
            uploaded_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            removed_at TEXT,
            removed_by TEXT,
            data BLOB NOT NULL
        )""",
        # Full versions of a corrected SOP (SOP.to_dict() as JSON).
        """CREATE TABLE sop_corrections (
            sop_key TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            author TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            sop_json TEXT NOT NULL,
            PRIMARY KEY (sop_key, version)
        )""",
        # Harmonised drafts of a procedure group, versioned the same way.
        """CREATE TABLE drafts (
            group_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            author TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            sop_json TEXT NOT NULL,
            PRIMARY KEY (group_id, version)
        )""",
        # Append-only: the latest row of a pair is the decision (NULL: cleared).
        """CREATE TABLE match_decisions (
            id INTEGER PRIMARY KEY,
            key_a TEXT NOT NULL,
            key_b TEXT NOT NULL,
            decision TEXT CHECK (decision IN ('confirmed', 'rejected')),
            author TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            CHECK (key_a < key_b)
        )""",
        "CREATE INDEX match_decisions_pair ON match_decisions (key_a, key_b, id)",
        # Append-only: the latest row of an SOP is its group (NULL: computed group).
        """CREATE TABLE group_moves (
            id INTEGER PRIMARY KEY,
            sop_key TEXT NOT NULL,
            group_id TEXT,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX group_moves_sop ON group_moves (sop_key, id)",
        # Append-only: the latest row of a key is its value.
        """CREATE TABLE settings (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            value_json TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX settings_key ON settings (key, id)",
        # An entry is active until removed; at most one active entry per alias.
        """CREATE TABLE glossary_entries (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('actor', 'acronym')),
            alias TEXT NOT NULL,
            canonical TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            removed_at TEXT,
            removed_by TEXT
        )""",
        """CREATE UNIQUE INDEX glossary_active ON glossary_entries (kind, alias)
            WHERE removed_at IS NULL""",
    ),
    (
        # A document's parse outcome, recorded when it is kept: parsed_at NULL
        # for one kept before outcomes were recorded (parsed once more, then
        # recorded); parse_error NULL when it was read.
        "ALTER TABLE documents ADD COLUMN parsed_at TEXT",
        "ALTER TABLE documents ADD COLUMN parse_error TEXT",
    ),
    (
        # A group's review status (Belum ditinjau -> Dibahas -> Disepakati ->
        # Ditetapkan), numbered versions like drafts: the latest counts, earlier
        # ones are the history.
        """CREATE TABLE group_status (
            group_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            status TEXT NOT NULL
                CHECK (status IN ('belum_ditinjau', 'dibahas', 'disepakati', 'ditetapkan')),
            author TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            saved_at TEXT NOT NULL,
            PRIMARY KEY (group_id, version)
        )""",
    ),
    (
        # Append-only: the latest row of a step pair is the reviewer's verdict on
        # it (1: the two steps correspond, 0: they do not, NULL: cleared, back to
        # the aligner's pairing). Steps are named by their printed number
        # (Step.no); the SOPs are in key order, each step beside its SOP.
        """CREATE TABLE step_links (
            id INTEGER PRIMARY KEY,
            key_a TEXT NOT NULL,
            step_a TEXT NOT NULL,
            key_b TEXT NOT NULL,
            step_b TEXT NOT NULL,
            linked INTEGER CHECK (linked IN (0, 1)),
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            CHECK (key_a < key_b)
        )""",
        "CREATE INDEX step_links_pair ON step_links (key_a, step_a, key_b, step_b, id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


# ----------------------------------------------------------------------------- errors


class StoreError(Exception):
    """The work store cannot be used (corrupt file, unwritable folder, locked too long).

    ``message`` is Indonesian and tells the reviewer what to do; ``detail`` is
    SQLite's own message, for the log.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        self.message = message
        self.detail = detail
        super().__init__(f"{message} ({detail})" if detail else message)


class StaleWriteError(StoreError):
    """A save based on a version that is no longer the latest.

    Someone (another tab, another reviewer) saved a newer version since this
    one was loaded; the UI offers to reload. ``latest_version`` is 0 when the
    record has no saved version.
    """

    def __init__(self, what: str, key: str, base_version: int, latest_version: int) -> None:
        self.key = key
        self.base_version = base_version
        self.latest_version = latest_version
        super().__init__(
            f"{what} '{key}' sudah diubah dan disimpan di tempat lain (versi {latest_version}) "
            f"sejak Anda membuka versi {base_version}. Muat ulang untuk melihat versi terbaru, "
            "lalu ulangi perubahan Anda."
        )


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class DocumentRecord:
    """An uploaded document; its bytes come from :meth:`WorkStore.document_bytes`."""

    sha256: str
    name: str
    size: int
    uploaded_by: str
    created_at: str
    removed_at: str | None = None
    parsed_at: str | None = None
    parse_error: str | None = None

    @property
    def failed(self) -> bool:
        """Read once and refused: its message is :attr:`parse_error`, never retried."""
        return self.parsed_at is not None and self.parse_error is not None


@dataclass(frozen=True)
class CorrectionRecord:
    """One saved version of a reviewer's correction to a parsed SOP."""

    sop_key: str
    version: int
    author: str
    created_at: str
    note: str
    sop_dict: dict[str, Any]


@dataclass(frozen=True)
class DraftRecord:
    """One saved version of a group's harmonised SOP."""

    group_id: str
    version: int
    author: str
    created_at: str
    note: str
    sop_dict: dict[str, Any]


@dataclass(frozen=True)
class MatchDecision:
    """A reviewer's verdict on a proposed pair (``key_a < key_b``)."""

    key_a: str
    key_b: str
    decision: Decision
    author: str
    note: str
    created_at: str


@dataclass(frozen=True)
class GroupStatusRecord:
    """One saved version of a group's review status (``saved_at`` in UTC, ISO 8601)."""

    group_id: str
    version: int
    status: GroupStatus
    author: str
    note: str
    saved_at: str

    @property
    def label(self) -> str:
        return GROUP_STATUS_LABEL[self.status]

    @property
    def agreed(self) -> bool:
        return self.status in AGREED_STATUSES


@dataclass(frozen=True)
class GlossaryEntry:
    """An actor alias or acronym a reviewer added (see ``glossary.with_entries``)."""

    kind: GlossaryKind
    alias: str
    canonical: str
    author: str
    created_at: str


# ----------------------------------------------------------------------------- helpers


def default_data_dir() -> Path:
    """The data folder: ``$SOP_HARMONI_DATA``, else ``data/`` in the repository."""
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else REPO_ROOT / "data"


def utc_now() -> str:
    """The current UTC time as ISO 8601 with milliseconds ("2025-01-31T08:15:00.123+00:00")."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def pair_key(key_a: str, key_b: str) -> tuple[str, str]:
    """The order-independent key of an SOP pair.

    Raises:
        ValueError: both keys are the same SOP.
    """
    if key_a == key_b:
        raise ValueError(f"a pair needs two different SOPs, got {key_a!r} twice")
    return (key_a, key_b) if key_a < key_b else (key_b, key_a)


def _dumps(value: Any) -> str:
    # strict JSON (no NaN/Infinity), readable by any JSON tool
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


# ----------------------------------------------------------------------------- the store


class WorkStore:
    """The saved-work database; every method opens, uses and closes its own connection.

    Args:
        path: the database file (created with its folder when missing).
        synchronous: ``"FULL"`` (every commit reaches the disk before the call
            returns) or ``"NORMAL"`` (crash safe, may lose the last commits on
            power loss).
        check: run ``PRAGMA quick_check`` on open (reads the whole file).

    Raises:
        StoreError: the folder cannot be written, the file is not a sound
            database, or it was made by a newer version of the app.
    """

    def __init__(
        self, path: str | Path, *, synchronous: Synchronous = "FULL", check: bool = True
    ) -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, got {synchronous!r}")
        self.path = Path(path)
        self.synchronous = synchronous
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unwritable(str(exc)) from exc
        self._anchor: sqlite3.Connection | None = None
        self._open(check)

    @classmethod
    def in_dir(
        cls,
        data_dir: str | Path | None = None,
        *,
        synchronous: Synchronous = "FULL",
        check: bool = True,
    ) -> WorkStore:
        """The store in a data folder (default :func:`default_data_dir`)."""
        folder = Path(data_dir) if data_dir is not None else default_data_dir()
        return cls(folder / DB_FILENAME, synchronous=synchronous, check=check)

    def __repr__(self) -> str:
        return f"WorkStore({str(self.path)!r})"

    def close(self) -> None:
        """Close the idle connection (the last one out checkpoints the WAL); idempotent.

        The store stays usable: later calls open their own connections.
        """
        anchor, self._anchor = self._anchor, None
        if anchor is not None:
            with contextlib.suppress(sqlite3.Error):
                anchor.close()

    def __enter__(self) -> WorkStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- connections and transactions -------------------------------------------------

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: transactions are begun and ended explicitly
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            # after a large upload the WAL shrinks back once checkpointed
            conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
            yield conn
        finally:
            conn.close()

    def _retrying(self, fn: Callable[[], T]) -> T:
        """Call ``fn``, again after a pause when the database stays locked; errors typed."""
        delay = 0.05
        for attempt in range(LOCK_RETRIES):
            try:
                return fn()
            except sqlite3.Error as exc:
                if _is_busy(exc) and attempt < LOCK_RETRIES - 1:
                    time.sleep(delay * (1 + random.random()))
                    delay *= 2
                    continue
                raise self._translate(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _run(self, fn: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        """Run ``fn`` in one transaction (the write lock taken first when ``write``)."""

        def attempt() -> T:
            with self._connect() as conn:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    result = fn(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
                return result

        return self._retrying(attempt)

    def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return self._run(fn, write=True)

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return self._run(fn, write=False)

    def _open(self, check: bool) -> None:
        def prepare() -> None:
            with self._connect() as conn:
                # persistent in the file: set once, a no-op on later opens
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StoreError(
                        f"Basis data kerja {self.path} tidak dapat memakai mode WAL "
                        "(folder jaringan?). Pindahkan folder data ke disk lokal.",
                        f"journal_mode={mode}",
                    )
                if check:
                    problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
                    if problems != ["ok"]:
                        raise self._corrupt("; ".join(problems[:3]))

        self._retrying(prepare)
        self._write(self._migrate)
        self._anchor = self._retrying(self._open_anchor)

    def _open_anchor(self) -> sqlite3.Connection:
        # check_same_thread=False: it is only ever closed, maybe by another thread
        anchor = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            anchor.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # joins the WAL
        except BaseException:
            anchor.close()
            raise
        return anchor

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"Basis data kerja {self.path} dibuat oleh versi SOP Harmoni yang lebih baru "
                f"(skema {version}, aplikasi ini {SCHEMA_VERSION}). Perbarui aplikasi.",
            )
        for statements in MIGRATIONS[version:]:
            for sql in statements:
                conn.execute(sql)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _corrupt(self, detail: str) -> StoreError:
        return StoreError(
            f"Basis data kerja rusak: {self.path}. Hentikan aplikasi, pulihkan berkas ini "
            "dari cadangan (atau pindahkan agar dibuat yang baru), lalu jalankan lagi.",
            detail,
        )

    def _unwritable(self, detail: str) -> StoreError:
        return StoreError(
            f"Folder data {self.path.parent} tidak dapat ditulis. Periksa izin folder, "
            f"atau pilih folder lain dengan variabel lingkungan {DATA_ENV}.",
            detail,
        )

    def _translate(self, exc: sqlite3.Error) -> StoreError:
        detail = str(exc)
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if _is_busy(exc):
            return StoreError(
                "Basis data kerja sedang dipakai proses lain terlalu lama. Tunggu sebentar "
                "lalu simpan lagi; perubahan Anda belum tersimpan.",
                detail,
            )
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in detail:
            return self._corrupt(detail)
        if "not a database" in detail:
            return self._corrupt(detail)
        if code == sqlite3.SQLITE_FULL:
            return StoreError(
                f"Disk penuh: basis data kerja {self.path} tidak dapat ditulis. "
                "Kosongkan ruang disk lalu simpan lagi.",
                detail,
            )
        if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM):
            return self._unwritable(detail)
        return StoreError(
            f"Basis data kerja {self.path} tidak dapat dipakai. Perubahan terakhir belum "
            "tersimpan; coba lagi atau hubungi pengelola aplikasi.",
            detail,
        )

    # --- documents --------------------------------------------------------------------

    def add_document(
        self,
        name: str,
        data: bytes,
        uploaded_by: str,
        *,
        parse_error: str | None = None,
        parsed: bool = True,
    ) -> DocumentRecord:
        """Keep an uploaded file with its parse outcome (``parse_error``: the
        reader's message, None when it was read); the same bytes again return
        the stored record, with the new outcome.

        A removed document uploaded again is restored (its first name and
        uploader are kept). The size limit is the caller's to enforce.
        """
        sha = hashlib.sha256(data).hexdigest()
        parsed_at = utc_now() if parsed else None

        def run(conn: sqlite3.Connection) -> DocumentRecord:
            conn.execute(
                "INSERT INTO documents (sha256, name, size, uploaded_by, created_at, data, "
                "parsed_at, parse_error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE "
                "SET removed_at = NULL, removed_by = NULL, "
                # a new outcome replaces the old one; the same outcome keeps its time
                "parsed_at = CASE WHEN excluded.parsed_at IS NULL THEN parsed_at "
                "WHEN parsed_at IS NULL OR removed_at IS NOT NULL "
                "OR parse_error IS NOT excluded.parse_error THEN excluded.parsed_at "
                "ELSE parsed_at END, "
                "parse_error = CASE WHEN excluded.parsed_at IS NULL THEN parse_error "
                "ELSE excluded.parse_error END",
                (
                    sha,
                    name,
                    len(data),
                    uploaded_by,
                    utc_now(),
                    sqlite3.Binary(data),
                    parsed_at,
                    parse_error,
                ),
            )
            return self._document(conn, sha)

        return self._write(run)

    def set_document_outcome(self, sha256: str, parse_error: str | None) -> None:
        """Record how a kept document read (for one kept before outcomes were recorded)."""
        self._write(
            lambda conn: conn.execute(
                "UPDATE documents SET parsed_at = ?, parse_error = ? WHERE sha256 = ?",
                (utc_now(), parse_error, sha256),
            )
        )

    _DOCUMENT_COLUMNS = (
        "sha256, name, size, uploaded_by, created_at, removed_at, parsed_at, parse_error"
    )

    @classmethod
    def _document(cls, conn: sqlite3.Connection, sha: str) -> DocumentRecord:
        row = conn.execute(
            f"SELECT {cls._DOCUMENT_COLUMNS} FROM documents WHERE sha256 = ?",
            (sha,),
        ).fetchone()
        return DocumentRecord(*row)

    def list_documents(self, *, include_removed: bool = False) -> list[DocumentRecord]:
        """Uploaded documents, oldest first."""
        where = "" if include_removed else "WHERE removed_at IS NULL"
        rows = self._read(
            lambda conn: conn.execute(
                f"SELECT {self._DOCUMENT_COLUMNS} FROM documents {where} ORDER BY created_at, rowid"
            ).fetchall()
        )
        return [DocumentRecord(*r) for r in rows]

    def document_bytes(self, sha256: str) -> bytes | None:
        """The bytes of a stored document (also a removed one); None if unknown."""
        row = self._read(
            lambda conn: conn.execute(
                "SELECT data FROM documents WHERE sha256 = ?", (sha256,)
            ).fetchone()
        )
        return bytes(row[0]) if row else None

    def remove_document(self, sha256: str, removed_by: str = "") -> bool:
        """Hide a document from :meth:`list_documents` (its bytes are kept).

        Returns:
            False when no listed document has this hash.
        """
        return self._write(
            lambda conn: (
                conn.execute(
                    "UPDATE documents SET removed_at = ?, removed_by = ? "
                    "WHERE sha256 = ? AND removed_at IS NULL",
                    (utc_now(), removed_by, sha256),
                ).rowcount
                > 0
            )
        )

    # --- versioned SOPs: corrections and drafts ---------------------------------------

    def _save_version(
        self,
        table: str,
        key_column: str,
        what: str,
        key: str,
        sop_dict: dict[str, Any],
        author: str,
        note: str,
        base_version: int | None,
    ) -> tuple[int, str]:
        payload = _dumps(sop_dict)  # before the transaction: a bad value fails fast

        def run(conn: sqlite3.Connection) -> tuple[int, str]:
            latest = conn.execute(
                f"SELECT COALESCE(MAX(version), 0) FROM {table} WHERE {key_column} = ?", (key,)
            ).fetchone()[0]
            if base_version is not None and base_version != latest:
                raise StaleWriteError(what, key, base_version, latest)
            now = utc_now()
            conn.execute(
                f"INSERT INTO {table} ({key_column}, version, author, note, created_at, sop_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, latest + 1, author, note, now, payload),
            )
            return int(latest + 1), now

        return self._write(run)

    def _versions(
        self, table: str, key_column: str, key: str, version: int | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows of a key, oldest first; only ``version`` if given, only the newest if -1."""
        sql = (
            f"SELECT {key_column}, version, author, created_at, note, sop_json FROM {table} "
            f"WHERE {key_column} = ?"
        )
        args: tuple[Any, ...] = (key,)
        if version == -1:
            sql += " ORDER BY version DESC LIMIT 1"
        elif version is not None:
            sql, args = sql + " AND version = ?", (key, version)
        else:
            sql += " ORDER BY version"
        return self._read(lambda conn: conn.execute(sql, args).fetchall())

    def _latest_versions(self, table: str, key_column: str) -> list[tuple[Any, ...]]:
        return self._read(
            lambda conn: conn.execute(
                f"SELECT {key_column}, version, author, created_at, note, sop_json "
                f"FROM {table} AS t WHERE version = "
                f"(SELECT MAX(version) FROM {table} WHERE {key_column} = t.{key_column}) "
                f"ORDER BY {key_column}"
            ).fetchall()
        )

    @staticmethod
    def _correction(row: tuple[Any, ...]) -> CorrectionRecord:
        key, version, author, created_at, note, payload = row
        return CorrectionRecord(key, version, author, created_at, note, json.loads(payload))

    @staticmethod
    def _draft(row: tuple[Any, ...]) -> DraftRecord:
        key, version, author, created_at, note, payload = row
        return DraftRecord(key, version, author, created_at, note, json.loads(payload))

    def save_sop_correction(
        self,
        sop_key: str,
        sop_dict: dict[str, Any],
        author: str,
        base_version: int | None = None,
        note: str = "",
    ) -> int:
        """Save a corrected SOP as its next version (earlier versions are kept).

        Args:
            sop_key: ``SOP.key`` of the SOP as parsed.
            sop_dict: the whole corrected SOP, ``SOP.to_dict()``.
            author: who saved it.
            base_version: the version the edit started from (0: none saved
                yet); None appends without checking.
            note: why, for the history.

        Returns:
            The new version number (1 for the first).

        Raises:
            StaleWriteError: ``base_version`` is not the latest version.
        """
        version, _ = self._save_version(
            "sop_corrections", "sop_key", "SOP", sop_key, sop_dict, author, note, base_version
        )
        return version

    def latest_sop_corrections(self) -> dict[str, dict[str, Any]]:
        """SOP key -> the latest corrected SOP dict, for every corrected SOP."""
        return {r[0]: json.loads(r[5]) for r in self._latest_versions("sop_corrections", "sop_key")}

    def latest_sop_correction(self, sop_key: str) -> CorrectionRecord | None:
        """The latest correction of one SOP (its ``version`` is the next ``base_version``)."""
        rows = self._versions("sop_corrections", "sop_key", sop_key, -1)
        return self._correction(rows[0]) if rows else None

    def sop_history(self, sop_key: str) -> list[CorrectionRecord]:
        """Every saved correction of an SOP, oldest first."""
        return [self._correction(r) for r in self._versions("sop_corrections", "sop_key", sop_key)]

    def save_draft(
        self,
        group_id: str,
        sop_dict: dict[str, Any],
        author: str,
        note: str = "",
        base_version: int | None = None,
    ) -> DraftRecord:
        """Save a group's harmonised SOP as its next version.

        Args:
            group_id: the procedure group the draft harmonises.
            sop_dict: the whole draft, ``SOP.to_dict()``.
            author: who saved it.
            note: what changed, for the history.
            base_version: the version the edit started from (0: none saved
                yet); None appends without checking.

        Returns:
            The saved version.

        Raises:
            StaleWriteError: ``base_version`` is not the latest version.
        """
        version, created_at = self._save_version(
            "drafts", "group_id", "Draf grup", group_id, sop_dict, author, note, base_version
        )
        # a copy as stored, so the caller's later edits do not change the record
        stored = json.loads(_dumps(sop_dict))
        return DraftRecord(group_id, version, author, created_at, note, stored)

    def latest_draft(self, group_id: str) -> DraftRecord | None:
        """The newest draft of a group; None when none was saved."""
        rows = self._versions("drafts", "group_id", group_id, -1)
        return self._draft(rows[0]) if rows else None

    def latest_drafts(self) -> dict[str, DraftRecord]:
        """Group id -> its newest draft, for every group with a draft."""
        return {r[0]: self._draft(r) for r in self._latest_versions("drafts", "group_id")}

    def draft_history(self, group_id: str) -> list[DraftRecord]:
        """Every saved draft of a group, oldest first."""
        return [self._draft(r) for r in self._versions("drafts", "group_id", group_id)]

    def draft_version(self, group_id: str, version: int) -> DraftRecord | None:
        """One saved draft version; None when there is no such version."""
        rows = self._versions("drafts", "group_id", group_id, version)
        return self._draft(rows[0]) if rows else None

    # --- match decisions and group edits ----------------------------------------------

    def set_match_decision(
        self, key_a: str, key_b: str, decision: Decision | None, author: str, note: str = ""
    ) -> None:
        """Record a verdict on a pair of SOPs, in either order; None clears it.

        Raises:
            ValueError: an unknown decision, or the same SOP twice.
        """
        if decision not in ("confirmed", "rejected", None):
            raise ValueError(f"decision must be 'confirmed', 'rejected' or None: {decision!r}")
        a, b = pair_key(key_a, key_b)
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO match_decisions (key_a, key_b, decision, author, note, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (a, b, decision, author, note, utc_now()),
            )
        )

    def match_decisions(self) -> dict[tuple[str, str], MatchDecision]:
        """``pair_key(a, b)`` -> the current verdict, for every pair with one."""
        rows = self._read(
            lambda conn: conn.execute(
                "SELECT key_a, key_b, decision, author, note, created_at FROM match_decisions "
                "WHERE id IN (SELECT MAX(id) FROM match_decisions GROUP BY key_a, key_b) "
                "AND decision IS NOT NULL ORDER BY key_a, key_b"
            ).fetchall()
        )
        return {(r[0], r[1]): MatchDecision(*r) for r in rows}

    def move_sop_to_group(self, sop_key: str, group_id: str | None, author: str) -> None:
        """Put an SOP in a group by hand; None returns it to its computed group."""
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO group_moves (sop_key, group_id, author, created_at) "
                "VALUES (?, ?, ?, ?)",
                (sop_key, group_id, author, utc_now()),
            )
        )

    def group_overrides(self) -> dict[str, str]:
        """SOP key -> the group a reviewer put it in, for every SOP moved by hand."""
        rows = self._read(
            lambda conn: conn.execute(
                "SELECT sop_key, group_id FROM group_moves "
                "WHERE id IN (SELECT MAX(id) FROM group_moves GROUP BY sop_key) "
                "AND group_id IS NOT NULL ORDER BY sop_key"
            ).fetchall()
        )
        return dict(rows)

    # --- step links -------------------------------------------------------------------

    def set_step_link(
        self,
        key_a: str,
        step_a: str,
        key_b: str,
        step_b: str,
        linked: bool | None,
        author: str,
    ) -> None:
        """Record a verdict on two steps of two SOPs, in either order: step
        ``step_a`` (its printed number, ``Step.no``) of SOP ``key_a`` and step
        ``step_b`` of SOP ``key_b`` correspond (``linked`` True) or do not
        (False); None clears it, back to the aligner's pairing.

        Raises:
            ValueError: the same SOP twice, an empty step number, or ``linked``
                not a bool or None.
        """
        if linked is not None and not isinstance(linked, bool):
            raise ValueError(f"linked must be True, False or None, got {linked!r}")
        if not str(step_a).strip() or not str(step_b).strip():
            raise ValueError("a step link needs the numbers of both steps")
        # StepLink.of orders the SOPs (each step follows its SOP) and refuses one SOP twice
        link = StepLink.of(key_a, step_a, key_b, step_b, bool(linked))
        value = None if linked is None else int(linked)
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO step_links (key_a, step_a, key_b, step_b, linked, author, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*link.steps, value, author, utc_now()),
            )
        )

    def step_links(self) -> list[StepLink]:
        """The current verdict on every step pair that has one (cleared ones left
        out), ordered by :attr:`StepLink.steps`."""
        rows = self._read(
            lambda conn: conn.execute(
                "SELECT key_a, step_a, key_b, step_b, linked, author, created_at FROM step_links "
                "WHERE id IN (SELECT MAX(id) FROM step_links "
                "GROUP BY key_a, step_a, key_b, step_b) "
                "AND linked IS NOT NULL ORDER BY key_a, step_a, key_b, step_b"
            ).fetchall()
        )
        return [
            StepLink(a, sa, b, sb, bool(linked), au, at) for a, sa, b, sb, linked, au, at in rows
        ]

    # --- group review status ----------------------------------------------------------

    def set_group_status(
        self,
        group_id: str,
        status: GroupStatus,
        author: str,
        note: str = "",
        base_version: int | None = None,
    ) -> GroupStatusRecord:
        """Save a group's review status as its next version (earlier ones are kept).

        Args:
            group_id: the group's id, as drafts use it (``Group.id``).
            status: one of :data:`GROUP_STATUSES`.
            author: who set it.
            note: why, for the history.
            base_version: the version the reviewer saw (0: none yet); None
                appends without checking.

        Returns:
            The saved version.

        Raises:
            ValueError: an unknown status or an empty group id.
            StaleWriteError: ``base_version`` is not the latest version.
        """
        if status not in GROUP_STATUSES:
            raise ValueError(f"status must be one of {GROUP_STATUSES}, got {status!r}")
        if not group_id:
            raise ValueError("group_id must not be empty")

        def run(conn: sqlite3.Connection) -> GroupStatusRecord:
            latest = conn.execute(
                "SELECT COALESCE(MAX(version), 0) FROM group_status WHERE group_id = ?",
                (group_id,),
            ).fetchone()[0]
            if base_version is not None and base_version != latest:
                raise StaleWriteError("Status kelompok", group_id, base_version, latest)
            now = utc_now()
            conn.execute(
                "INSERT INTO group_status (group_id, version, status, author, note, saved_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (group_id, latest + 1, status, author, note, now),
            )
            return GroupStatusRecord(group_id, int(latest + 1), status, author, note, now)

        return self._write(run)

    _STATUS_COLUMNS = "group_id, version, status, author, note, saved_at"

    def group_statuses(self) -> dict[str, GroupStatusRecord]:
        """Group id -> its latest status, for every group that has one (the others
        are "belum_ditinjau")."""
        rows = self._read(
            lambda conn: conn.execute(
                f"SELECT {self._STATUS_COLUMNS} FROM group_status AS t WHERE version = "
                "(SELECT MAX(version) FROM group_status WHERE group_id = t.group_id) "
                "ORDER BY group_id"
            ).fetchall()
        )
        return {r[0]: GroupStatusRecord(*r) for r in rows}

    def group_status_history(self, group_id: str) -> list[GroupStatusRecord]:
        """Every status a group was given, oldest first."""
        rows = self._read(
            lambda conn: conn.execute(
                f"SELECT {self._STATUS_COLUMNS} FROM group_status WHERE group_id = ? "
                "ORDER BY version",
                (group_id,),
            ).fetchall()
        )
        return [GroupStatusRecord(*r) for r in rows]

    # --- SOP keys ---------------------------------------------------------------------

    def saved_sop_keys(self) -> set[str]:
        """Every SOP key (and ``g:<key>`` group id) that saved work hangs on."""

        def run(conn: sqlite3.Connection) -> set[str]:
            keys: set[str] = set()
            for sql in (
                "SELECT DISTINCT sop_key FROM sop_corrections",
                "SELECT DISTINCT key_a FROM match_decisions",
                "SELECT DISTINCT key_b FROM match_decisions",
                "SELECT DISTINCT key_a FROM step_links",
                "SELECT DISTINCT key_b FROM step_links",
                "SELECT DISTINCT sop_key FROM group_moves",
                "SELECT DISTINCT group_id FROM group_moves WHERE group_id IS NOT NULL",
                "SELECT DISTINCT group_id FROM drafts",
                "SELECT DISTINCT group_id FROM group_status",
            ):
                keys.update(r[0] for r in conn.execute(sql))
            return keys

        return self._read(run)

    def rename_sop_keys(self, renames: Mapping[str, str]) -> int:
        """Hang saved work on new SOP keys: ``renames[old_key] = new_key``, applied to
        corrections, match decisions, step links, group moves (the SOP moved and the
        group id ``g:<key>`` it went to), drafts and group statuses (their group id),
        in one transaction.

        Rows keep their ids, versions, authors and times. A correction or draft
        version the new key already has is left under the old key (never
        overwritten). A decision or step link keeps its SOPs in key order (a step
        link's steps follow their SOP); one whose two SOPs would get the same key
        is left under its old keys. Returns the number of rows changed.
        """
        renames = {old: new for old, new in renames.items() if old != new}
        groups = {f"g:{old}": f"g:{new}" for old, new in renames.items()}
        if not (renames.keys() | groups.keys()) & self.saved_sop_keys():
            return 0

        def run(conn: sqlite3.Connection) -> int:
            changed = 0
            for table, column, mapping in (
                ("sop_corrections", "sop_key", renames),
                ("drafts", "group_id", groups),
                ("group_status", "group_id", groups),
                ("group_moves", "sop_key", renames),
                ("group_moves", "group_id", groups),
            ):
                for old, new in mapping.items():
                    changed += conn.execute(
                        f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?", (new, old)
                    ).rowcount
            rows = conn.execute("SELECT id, key_a, key_b FROM match_decisions").fetchall()
            for row_id, a, b in rows:
                if (a in renames or b in renames) and renames.get(a, a) != renames.get(b, b):
                    new_a, new_b = pair_key(renames.get(a, a), renames.get(b, b))
                    conn.execute(
                        "UPDATE match_decisions SET key_a = ?, key_b = ? WHERE id = ?",
                        (new_a, new_b, row_id),
                    )
                    changed += 1
            links = conn.execute(
                "SELECT id, key_a, step_a, key_b, step_b FROM step_links"
            ).fetchall()
            for row_id, a, step_a, b, step_b in links:
                if (a in renames or b in renames) and renames.get(a, a) != renames.get(b, b):
                    link = StepLink.of(renames.get(a, a), step_a, renames.get(b, b), step_b, True)
                    conn.execute(
                        "UPDATE step_links SET key_a = ?, step_a = ?, key_b = ?, step_b = ? "
                        "WHERE id = ?",
                        (*link.steps, row_id),
                    )
                    changed += 1
            return changed

        return self._write(run)

    # --- settings ---------------------------------------------------------------------

    def set_setting(self, key: str, value: Any, author: str = "") -> None:
        """Save a setting; ``value`` must be JSON (numbers, text, lists, dicts, None).

        Raises:
            TypeError, ValueError: the value is not JSON.
        """
        payload = _dumps(value)
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO settings (key, value_json, author, created_at) VALUES (?, ?, ?, ?)",
                (key, payload, author, utc_now()),
            )
        )

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A saved setting, or ``default`` when it was never set."""
        row = self._read(
            lambda conn: conn.execute(
                "SELECT value_json FROM settings WHERE key = ? ORDER BY id DESC LIMIT 1", (key,)
            ).fetchone()
        )
        return json.loads(row[0]) if row else default

    def all_settings(self) -> dict[str, Any]:
        """Every saved setting, by key."""
        rows = self._read(
            lambda conn: conn.execute(
                "SELECT key, value_json FROM settings "
                "WHERE id IN (SELECT MAX(id) FROM settings GROUP BY key) ORDER BY key"
            ).fetchall()
        )
        return {k: json.loads(v) for k, v in rows}

    # --- glossary entries -------------------------------------------------------------

    def add_glossary_entry(
        self, kind: GlossaryKind, alias: str, canonical: str, author: str
    ) -> GlossaryEntry:
        """Add an actor alias or an acronym; it replaces an active entry of the same alias.

        Args:
            kind: ``"actor"`` (alias: a Pelaksana name as printed; canonical:
                the role it stands for) or ``"acronym"`` (alias: the acronym;
                canonical: its expansion).
            alias: as written; surrounding spaces are dropped.
            canonical: as above.
            author: who added it.

        Raises:
            ValueError: an unknown kind, or an empty alias or canonical.
        """
        if kind not in ("actor", "acronym"):
            raise ValueError(f"kind must be 'actor' or 'acronym', got {kind!r}")
        alias, canonical = alias.strip(), canonical.strip()
        if not alias or not canonical:
            raise ValueError("alias and canonical must not be empty")
        now = utc_now()

        def run(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE glossary_entries SET removed_at = ?, removed_by = ? "
                "WHERE kind = ? AND alias = ? AND removed_at IS NULL",
                (now, author, kind, alias),
            )
            conn.execute(
                "INSERT INTO glossary_entries (kind, alias, canonical, author, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (kind, alias, canonical, author, now),
            )

        self._write(run)
        return GlossaryEntry(kind, alias, canonical, author, now)

    def remove_glossary_entry(self, kind: GlossaryKind, alias: str, author: str) -> bool:
        """Deactivate the entry of an alias (kept for the record).

        Returns:
            False when no active entry has this alias.
        """
        return self._write(
            lambda conn: (
                conn.execute(
                    "UPDATE glossary_entries SET removed_at = ?, removed_by = ? "
                    "WHERE kind = ? AND alias = ? AND removed_at IS NULL",
                    (utc_now(), author, kind, alias.strip()),
                ).rowcount
                > 0
            )
        )

    def glossary_entries(self, kind: GlossaryKind | None = None) -> list[GlossaryEntry]:
        """Active entries in the order they were added (all kinds when ``kind`` is None)."""
        sql = (
            "SELECT kind, alias, canonical, author, created_at FROM glossary_entries "
            "WHERE removed_at IS NULL"
        )
        args: tuple[str, ...] = ()
        if kind is not None:
            sql, args = sql + " AND kind = ?", (kind,)
        rows = self._read(lambda conn: conn.execute(sql + " ORDER BY id", args).fetchall())
        return [GlossaryEntry(*r) for r in rows]

    # --- maintenance ------------------------------------------------------------------

    def backup(self, dest: str | Path) -> Path:
        """Copy the database, consistent even while the app runs (SQLite online backup).

        Returns:
            The path written.
        """
        dest = Path(dest)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                target = sqlite3.connect(dest)
                try:
                    conn.backup(target)
                finally:
                    target.close()
        except OSError as exc:
            raise StoreError(f"Cadangan tidak dapat ditulis ke {dest}.", str(exc)) from exc
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        return dest

    def integrity_problems(self) -> list[str]:
        """``PRAGMA integrity_check`` findings; empty when the database is sound."""
        rows = self._read(lambda conn: conn.execute("PRAGMA integrity_check").fetchall())
        return [] if [r[0] for r in rows] == ["ok"] else [r[0] for r in rows]
