"""The store opened by someone who only reads it (reports, the console), while the hub runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_read_only(db: str | Path) -> sqlite3.Connection:
    """The store as the hub runs it, never written: SQLite `mode=ro` refuses every write
    (and `query_only` says so again), while WAL lets it read what the hub has committed."""
    conn = sqlite3.connect(f"file:{Path(db).resolve()}?mode=ro", uri=True,
                           check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    return conn
