"""Reading a store's SQLite file directly, as an auditor would (tests only)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """The rows ``sql`` selects from the database at ``path`` (its own connection)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
