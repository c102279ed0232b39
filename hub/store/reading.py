"""The store opened by someone who only reads it (reports, the console), while the hub runs."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path


def open_read_only(db: str | Path) -> sqlite3.Connection:
    """The store as the hub runs it, never written: SQLite `mode=ro` refuses every write
    (and `query_only` says so again), while WAL lets it read what the hub has committed."""
    conn = sqlite3.connect(f"file:{Path(db).resolve()}?mode=ro", uri=True,
                           check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    return conn


class ReadOnlyStore:
    """The store for a process that only reads it while the hub runs (the console, the
    citizens' page): one read-only connection, opened at the first read (the hub may not have
    made the file yet), used by one reader at a time (`with store.reading() as conn:`) —
    sqlite3 connections are not for concurrent use, and the reads are short."""

    def __init__(self, db: str | Path) -> None:
        self.db = Path(db)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = open_read_only(self.db)
        return self._conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self.connection()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
