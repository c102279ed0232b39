"""What the public page reads from the hub's store, opened read-only: a ticket by its public
token, the tickets it follows, and the waiting lines (to count the people ahead as the queue
policy orders them). The hub owns the store; this process never writes it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hub.store.reading import ReadOnlyStore

_COLUMNS = ("id, public_token, number, service, state, priority, day, queued_at, closed_at, "
            "counter, recalls, coming_at, (SELECT 1 FROM ratings r WHERE r.ticket_id = t.id)")


@dataclass(frozen=True)
class CitizenTicket:
    """One ticket as its citizen may see it: nothing here names another ticket or a person."""

    id: int
    token: str
    number: str
    service: str
    state: str
    priority: str | None
    day: str  # its local date: the address is valid until that day ends
    queued_at: float
    closed_at: float | None
    counter: str | None
    recalls: int
    coming: bool
    rated: bool


@dataclass(frozen=True)
class InLine:
    """A waiting ticket, for counting places: no number, no token."""

    id: int
    service: str
    priority: str | None
    queued_at: float


def _ticket(row: Any) -> CitizenTicket:
    (id_, token, number, service, state, priority, day, queued_at, closed_at, counter,
     recalls, coming_at, rated) = row
    return CitizenTicket(int(id_), token, number, service, state, priority, day,
                         float(queued_at), closed_at, counter, int(recalls),
                         coming_at is not None, rated is not None)


class PublicStore(ReadOnlyStore):
    """Every read one indexed query."""

    def by_token(self, token: str) -> CitizenTicket | None:
        with self.reading() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM tickets t WHERE public_token = ?", (token,)).fetchone()
        return _ticket(row) if row else None

    def tickets(self, ids: Iterable[int]) -> dict[int, CitizenTicket]:
        wanted = sorted(set(ids))
        found: dict[int, CitizenTicket] = {}
        with self.reading() as conn:
            for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                        f"SELECT {_COLUMNS} FROM tickets t WHERE id IN ({marks})", chunk):
                    found[int(row[0])] = _ticket(row)
        return found

    def waiting_lines(self) -> dict[str, list[InLine]]:
        """Every service's waiting tickets in line order (as the hub's `_line_key`)."""
        lines: dict[str, list[InLine]] = {}
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT id, service, priority, queued_at FROM tickets WHERE state = 'waiting' "
                "ORDER BY queued_at, id").fetchall()
        for id_, service, priority, queued_at in rows:
            lines.setdefault(service, []).append(InLine(int(id_), service, priority,
                                                        float(queued_at)))
        return lines

