"""The hub's in-memory picture of tickets and counters, mirrored from SQLite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TicketState = Literal["waiting", "called", "done", "no_show", "not_handed_out", "cancelled"]
CounterStatus = Literal["open", "paused", "closed"]

# The hub's own words in a ticket event's detail (the rest are people's: a reason, a
# user, a transfer "A->B"). Stored in English; the console translates exactly these.
NEXT_CALLED = "next called"
RECALL_LIMIT = "recall limit"
DAY_CLOSED = "day closed"
LEFT_BY_PHONE = "the citizen left the queue (phone)"
FIXED_DETAILS = frozenset({NEXT_CALLED, RECALL_LIMIT, DAY_CLOSED, LEFT_BY_PHONE})


@dataclass
class Ticket:
    id: int
    service: str  # the line it waits in now; a transfer moves it
    issued_service: str  # whose numbering gave it its number
    number: str
    day: str
    daily_index: int
    priority: str | None
    language: str | None
    state: TicketState
    issued_at: float
    queued_at: float  # its place in line; a transfer keeps the original
    device: str
    called_at: float | None = None
    closed_at: float | None = None
    counter: str | None = None
    recalls: int = 0
    printed: bool = True
    coming_at: float | None = None  # the citizen said from their phone they are on the way


@dataclass
class CounterLive:
    id: str
    status: CounterStatus = "closed"
    ticket: Ticket | None = None
    # Priority tickets called in a row at this counter, for the interleave rule.
    priority_streak: int = 0
    officer: str | None = None  # the staff member on duty, their shift's id and start
    shift: int | None = None
    shift_started: float | None = None
    # Its last finished ticket while it may still be rated (the rating pad asks for it).
    finished: Ticket | None = None
