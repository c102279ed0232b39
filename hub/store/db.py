"""SQLite access for the hub. Every ticket change runs inside `Store.transaction()`, one
SQLite transaction that also stores the request's reply; callers touch the in-memory state
only after it commits."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from hub.model import CounterLive, Ticket
from hub.store.migrations import LEGACY_NAMES, MIGRATIONS

log = logging.getLogger(__name__)

_TICKET_COLUMNS = (
    "id, service, issued_service, number, day, daily_index, priority, language, state, "
    "issued_at, queued_at, device, called_at, closed_at, counter, recalls, printed, coming_at"
)
_PRINTED = 16  # its place in _TICKET_COLUMNS: SQLite keeps the flag as 0 or 1


def _ticket(row: sqlite3.Row | tuple[Any, ...]) -> Ticket:
    values = list(row)
    values[_PRINTED] = bool(values[_PRINTED])
    return Ticket(*values)


class Store:
    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        # Opened here, used by the hub's one worker thread: only one thread at a time ever
        # touches the connection, which is what check_same_thread guards against.
        self.db = sqlite_utils.Database(sqlite3.connect(self.path, check_same_thread=False))
        self.conn = self.db.conn
        self.db.enable_wal()
        # FULL: a ticket acknowledged to a kiosk survives a power cut, not only a crash.
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.migrate()

    def migrate(self) -> None:
        self._adopt_legacy_numbering()
        for migration in MIGRATIONS.pending(self.db):
            log.info("migrating the store: %s", migration.name)
        MIGRATIONS.apply(self.db)

    def _adopt_legacy_numbering(self) -> None:
        """A store written by 0.1.0 counted its migrations in `PRAGMA user_version` and has no
        history table: record those as applied, so they are not run again."""
        legacy = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if legacy == 0 or MIGRATIONS.applied(self.db):
            return
        MIGRATIONS.ensure_migrations_table(self.db)
        with self.db.atomic():
            for name in LEGACY_NAMES[:legacy]:
                self.db[MIGRATIONS.migrations_table].insert({  # type: ignore[union-attr]
                    "migration_set": MIGRATIONS.name, "name": name,
                    "applied_at": str(dt.datetime.now(dt.UTC))})
            self.conn.execute("PRAGMA user_version=0")  # the history table is the truth now
        log.info("store %s: adopted %d migration(s) numbered by 0.1.0", self.path, legacy)

    @property
    def schema_version(self) -> str:
        """The last migration applied."""
        applied = MIGRATIONS.applied(self.db)
        return applied[-1].name if applied else "empty"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.atomic():
            yield

    def close(self) -> None:
        self.db.close()

    # --- reads -----------------------------------------------------------------------------

    def find_reply(self, device: str, txn: str) -> str | None:
        row = self.conn.execute(
            "SELECT reply FROM transactions WHERE device = ? AND txn = ?", (device, txn)
        ).fetchone()
        return str(row[0]) if row else None

    def next_daily_index(self, day: str, service: str) -> int:
        row = self.conn.execute(
            "SELECT MAX(daily_index) FROM tickets WHERE day = ? AND issued_service = ?",
            (day, service),
        ).fetchone()
        return int(row[0] or 0) + 1

    def open_tickets(self) -> list[Ticket]:
        rows = self.conn.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE state IN ('waiting', 'called') "
            "ORDER BY queued_at, id"
        ).fetchall()
        return [_ticket(r) for r in rows]

    def ticket(self, ticket_id: int) -> Ticket | None:
        row = self.conn.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,)
        ).fetchone()
        return _ticket(row) if row else None

    def ticket_by_token(self, token: str) -> Ticket | None:
        """The ticket whose QR code carries `token` (its public address)."""
        row = self.conn.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE public_token = ?", (token,)
        ).fetchone()
        return _ticket(row) if row else None

    def has_token(self, ticket_id: int, token: str) -> bool:
        return self.conn.execute("SELECT 1 FROM tickets WHERE id = ? AND public_token = ?",
                                 (ticket_id, token)).fetchone() is not None

    def counters(self) -> list[tuple[str, str, int | None, int]]:
        rows = self.conn.execute(
            "SELECT id, status, ticket_id, priority_streak FROM counters"
        ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def last_seq(self) -> int:
        row = self.conn.execute("SELECT MAX(seq) FROM calls").fetchone()
        return int(row[0] or 0)

    def recent_calls(self, limit: int) -> list[tuple[int, int, str, str, str, bool, float]]:
        rows = self.conn.execute(
            "SELECT seq, ticket_id, number, counter, service, recall, at FROM calls "
            "ORDER BY seq DESC LIMIT ?", (limit,)
        ).fetchall()
        return [(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]

    def recent_service_times(self, service: str, limit: int) -> list[float]:
        rows = self.conn.execute(
            "SELECT closed_at - called_at FROM tickets WHERE state = 'done' AND service = ? "
            "AND called_at IS NOT NULL ORDER BY closed_at DESC LIMIT ?", (service, limit)
        ).fetchall()
        return [float(r[0]) for r in reversed(rows)]

    def issued_counts(self, day: str) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT issued_service, MAX(daily_index) FROM tickets WHERE day = ? "
            "GROUP BY issued_service", (day,)
        ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def latest_config(self) -> tuple[int, float, str] | None:
        """The last configuration revision: (revision, applied at, its JSON)."""
        row = self.conn.execute(
            "SELECT revision, at, config FROM config_revisions ORDER BY revision DESC LIMIT 1"
        ).fetchone()
        return (int(row[0]), float(row[1]), str(row[2])) if row else None

    def add_config_revision(self, at: float, applied_by: str, config: str, changes: str) -> int:
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO config_revisions (at, applied_by, config, changes) "
                "VALUES (?, ?, ?, ?)", (at, applied_by, config, changes))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    # --- staff on duty and ratings (reads) -----------------------------------------------

    def open_shifts(self) -> list[tuple[int, str, str, float]]:
        """(shift id, staff, counter, started at) of every shift not ended."""
        rows = self.conn.execute("SELECT id, staff, counter, started_at FROM shifts "
                                 "WHERE ended_at IS NULL ORDER BY id").fetchall()
        return [(int(r[0]), str(r[1]), str(r[2]), float(r[3])) for r in rows]

    def finished_by(self, ticket_id: int) -> str | None:
        """The officer on duty when the ticket was finished (a rating is theirs)."""
        row = self.conn.execute(
            "SELECT staff FROM ticket_events WHERE ticket_id = ? AND kind = 'done' "
            "ORDER BY at DESC, id DESC LIMIT 1", (ticket_id,)).fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def is_rated(self, ticket_id: int) -> bool:
        return self.conn.execute("SELECT 1 FROM ratings WHERE ticket_id = ?",
                                 (ticket_id,)).fetchone() is not None

    def last_done(self, counter: str) -> Ticket | None:
        """The counter's latest finished ticket (to ask for its rating after a restart)."""
        row = self.conn.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE counter = ? AND state = 'done' "
            "ORDER BY closed_at DESC LIMIT 1", (counter,)).fetchone()
        return _ticket(row) if row else None

    def count_tickets(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])

    # --- writes (inside a transaction) -----------------------------------------------------

    def insert_ticket(self, ticket: Ticket, public_token: str | None = None) -> int:
        cursor = self.conn.execute(
            "INSERT INTO tickets (service, issued_service, number, day, daily_index, priority, "
            "language, state, issued_at, queued_at, device, printed, public_token) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket.service, ticket.issued_service, ticket.number, ticket.day, ticket.daily_index,
             ticket.priority, ticket.language, ticket.state, ticket.issued_at, ticket.queued_at,
             ticket.device, int(ticket.printed), public_token),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def save_ticket(self, ticket: Ticket) -> None:
        """Write the mutable fields of a ticket back."""
        self.conn.execute(
            "UPDATE tickets SET service = ?, state = ?, queued_at = ?, called_at = ?, "
            "closed_at = ?, counter = ?, recalls = ?, printed = ?, priority = ?, coming_at = ? "
            "WHERE id = ?",
            (ticket.service, ticket.state, ticket.queued_at, ticket.called_at, ticket.closed_at,
             ticket.counter, ticket.recalls, int(ticket.printed), ticket.priority,
             ticket.coming_at, ticket.id),
        )

    def add_event(self, ticket_id: int, kind: str, at: float, counter: str | None = None,
                  device: str | None = None, detail: str | None = None,
                  staff: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO ticket_events (ticket_id, at, kind, counter, device, detail, staff) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (ticket_id, at, kind, counter, device, detail, staff),
        )

    def save_counter(self, counter: CounterLive, at: float) -> None:
        self.conn.execute(
            "INSERT INTO counters (id, status, ticket_id, priority_streak, since) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
            "ticket_id = excluded.ticket_id, priority_streak = excluded.priority_streak, "
            "since = excluded.since",
            (counter.id, counter.status, counter.ticket.id if counter.ticket else None,
             counter.priority_streak, at),
        )

    def add_call(self, seq: int, ticket: Ticket, counter: str, recall: bool, at: float) -> None:
        self.conn.execute(
            "INSERT INTO calls (seq, ticket_id, number, counter, service, recall, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, ticket.id, ticket.number, counter, ticket.service, int(recall), at),
        )

    def add_announcement(self, at: float, until: float, user: str, texts: dict[str, str],
                         boards: list[str], device: str) -> int:
        cursor = self.conn.execute(
            "INSERT INTO announcements (at, until, user, texts, boards, device) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (at, until, user, json.dumps(texts, ensure_ascii=False), json.dumps(boards),
             device))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_refusal(self, at: float, day: str, service: str, code: str, device: str) -> None:
        self.conn.execute("INSERT INTO refusals (at, day, service, code, device) "
                          "VALUES (?, ?, ?, ?, ?)", (at, day, service, code, device))

    def start_shift(self, staff: str, counter: str, at: float, source: str) -> int:
        cursor = self.conn.execute(
            "INSERT INTO shifts (staff, counter, started_at, source) VALUES (?, ?, ?, ?)",
            (staff, counter, at, source))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def end_shift(self, shift_id: int, at: float, ended_by: str) -> None:
        self.conn.execute("UPDATE shifts SET ended_at = ?, ended_by = ? WHERE id = ?",
                          (at, ended_by, shift_id))

    def add_rating(self, ticket: Ticket, level: str, score: int, reason: str | None,
                   staff: str | None, at: float, source: str) -> None:
        assert ticket.counter is not None
        self.conn.execute(
            "INSERT INTO ratings (ticket_id, level, score, reason, counter, staff, service, at, "
            "source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket.id, level, score, reason, ticket.counter, staff, ticket.service, at, source))

    def save_reply(self, device: str, txn: str, action: str, reply: str, at: float) -> None:
        self.conn.execute(
            "INSERT INTO transactions (device, txn, action, reply, at) VALUES (?, ?, ?, ?, ?)",
            (device, txn, action, reply, at),
        )

    def purge_transactions(self, before: float) -> int:
        with self.transaction():
            cursor = self.conn.execute("DELETE FROM transactions WHERE at < ?", (before,))
        return cursor.rowcount
