"""What the console reads from the hub's store, opened read-only: the waiting list, what each
counter served today, and one ticket's whole history. The hub owns the store; the console never
writes it (`hub.store.reading.open_read_only`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hub.store.reading import ReadOnlyStore


@dataclass(frozen=True)
class WaitingTicket:
    id: int
    number: str
    service: str
    priority: str | None
    issued_at: float
    printed: bool


@dataclass(frozen=True)
class TicketEvent:
    at: float
    kind: str
    counter: str | None
    device: str | None
    detail: str | None
    staff: str | None


@dataclass(frozen=True)
class Rating:
    level: str
    reason: str | None
    at: float
    source: str


@dataclass(frozen=True)
class TicketHistory:
    id: int
    number: str
    day: str
    issued_service: str
    service: str
    state: str
    priority: str | None
    language: str | None
    issued_at: float
    called_at: float | None
    closed_at: float | None
    counter: str | None
    recalls: int
    printed: bool
    device: str
    events: list[TicketEvent]
    rating: Rating | None


@dataclass(frozen=True)
class Announcement:
    id: int
    at: float
    until: float
    user: str
    texts: dict[str, str]
    boards: list[str]


class StoreReader(ReadOnlyStore):
    """The console's reads (hub/store/reading.py: one read-only connection, one reader at a
    time)."""

    def waiting(self) -> list[WaitingTicket]:
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT id, number, service, priority, issued_at, printed FROM tickets "
                "WHERE state = 'waiting' ORDER BY queued_at, id").fetchall()
        return [WaitingTicket(int(r[0]), r[1], r[2], r[3], float(r[4]), bool(r[5]))
                for r in rows]

    def served_today(self, day: str) -> dict[str, int]:
        """Tickets finished as done at each counter on `day` (its local date)."""
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT e.counter, count(*) FROM ticket_events e "
                "JOIN tickets t ON t.id = e.ticket_id "
                "WHERE t.day = ? AND e.kind = 'done' GROUP BY e.counter", (day,)).fetchall()
        return {str(counter): int(count) for counter, count in rows if counter is not None}

    def ticket(self, day: str, number: str) -> TicketHistory | None:
        with self.reading() as conn:
            row = conn.execute(
                "SELECT id, number, day, issued_service, service, state, priority, language, "
                "issued_at, called_at, closed_at, counter, recalls, printed, device "
                "FROM tickets WHERE day = ? AND number = ?", (day, number)).fetchone()
            if row is None:
                return None
            events = [TicketEvent(*event) for event in conn.execute(
                "SELECT at, kind, counter, device, detail, staff FROM ticket_events "
                "WHERE ticket_id = ? ORDER BY at, id", (row[0],))]
            rated = conn.execute("SELECT level, reason, at, source FROM ratings "
                                 "WHERE ticket_id = ?", (row[0],)).fetchone()
        return TicketHistory(
            id=row[0], number=row[1], day=row[2], issued_service=row[3], service=row[4],
            state=row[5], priority=row[6], language=row[7], issued_at=row[8], called_at=row[9],
            closed_at=row[10], counter=row[11], recalls=row[12], printed=bool(row[13]),
            device=row[14], events=events, rating=Rating(*rated) if rated else None)

    def announcements(self, limit: int = 50) -> list[Announcement]:
        """The latest announcements, newest first."""
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT id, at, until, user, texts, boards FROM announcements "
                "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [Announcement(int(r[0]), float(r[1]), float(r[2]), r[3], json.loads(r[4]),
                             json.loads(r[5])) for r in rows]

    def revisions(self, limit: int = 30) -> list[tuple[int, float, str, list[str]]]:
        """The configuration's last revisions, newest first: number, when, by whom, what."""
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT revision, at, applied_by, changes FROM config_revisions "
                "ORDER BY revision DESC LIMIT ?", (limit,)).fetchall()
        return [(int(r[0]), float(r[1]), str(r[2]), list(json.loads(r[3]))) for r in rows]

