"""The centre's figures from what really happened, ticket by ticket (docs/metrics.md has the
definitions this module follows): counts of tickets, and waits and service times by *step* —
a ticket transferred to another service waits again, and that wait is a step of its own.

Read from the store's tickets and their events, opened read-only by the caller.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
from collections import defaultdict
from collections.abc import MutableSequence, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

GROUPS = ("service", "counter", "staff", "hour", "weekday", "day")
# The console's heatmap: "mon 08" — arrivals and waits by weekday and hour together.
WEEKDAY_HOUR = "weekday_hour"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_TICKETS = """
SELECT id, issued_service, state, issued_at, printed, counter
FROM tickets WHERE day BETWEEN ? AND ? ORDER BY id
"""
_REFUSALS = "SELECT service, code, at FROM refusals WHERE day BETWEEN ? AND ?"
_EVENTS = """
SELECT e.ticket_id, e.kind, e.at, e.counter, e.detail, e.staff
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
WHERE t.day BETWEEN ? AND ?
  AND e.kind IN ('called', 'moved', 'transferred', 'done', 'no_show')
ORDER BY e.ticket_id, e.id
"""


@dataclass
class Step:
    """One wait and what followed it: from the issue (or a transfer) to the call."""

    service: str
    started: float
    called: float | None = None
    counter: str | None = None
    staff: str | None = None
    ended: float | None = None  # done or transferred: the service that followed the call


@dataclass
class Figures:
    issued: int = 0
    not_printed: int = 0
    not_handed_out: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    transferred: int = 0
    refused_quota: int = 0  # citizens turned away: the daily quota reached
    refused_closed: int = 0  # the service closed (hours, or every counter closed)
    # Minutes: a list here; the console's day cache merges a year's into compact arrays.
    waits: MutableSequence[float] = field(default_factory=list)  # one per step called
    services: MutableSequence[float] = field(default_factory=list)  # call to done or transfer
    timed: int = 0  # waits of services that have a target
    within_target: int = 0  # those no longer than their service's target

    def wait_summary(self) -> dict[str, float | None]:
        return _summary(self.waits)

    def service_summary(self) -> dict[str, float | None]:
        return _summary(self.services)

    @property
    def on_time_share(self) -> float | None:
        return self.within_target / self.timed if self.timed else None


def _summary(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "median": None, "p90": None, "max": None}
    ordered = sorted(values)
    return {"mean": statistics.fmean(ordered), "median": statistics.median(ordered),
            "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
            "max": ordered[-1]}


def _moved_to(detail: str | None) -> str | None:
    """The new service of a transfer ("A->B") or a move ("user: A->B")."""
    if not detail or "->" not in detail:
        return None
    return detail.rsplit("->", 1)[1].strip() or None


def ticket_steps(issued_service: str, issued_at: float,
                 events: list[tuple[str, float, str | None, str | None, str | None]],
                 ) -> list[Step]:
    """The wait steps of one ticket from its events (kind, at, counter, detail, staff)."""
    steps = [Step(issued_service, issued_at)]
    for kind, at, counter, detail, staff in events:
        step = steps[-1]
        if kind == "called" and step.called is None:  # a recall starts no new wait
            step.called, step.counter, step.staff = at, counter, staff
        elif kind == "moved" and step.called is None:  # still waiting, for another service
            step.service = _moved_to(detail) or step.service
        elif kind == "transferred":
            step.ended = at
            steps.append(Step(_moved_to(detail) or step.service, at))
        elif kind == "done":
            step.ended = at
    return steps


def figures(conn: sqlite3.Connection, first: str, last: str, by: str | None, zone: ZoneInfo,
            targets: dict[str, float]) -> dict[str, Figures]:
    """Figures per group (one group, "all", without `by`); `targets`: minutes per service."""
    events: dict[int, list[tuple[str, float, str | None, str | None, str | None]]] = \
        defaultdict(list)
    for ticket_id, kind, at, counter, detail, staff in conn.execute(_EVENTS, (first, last)):
        events[ticket_id].append((kind, at, counter, detail, staff))
    groups: dict[str, Figures] = defaultdict(Figures)

    def key(service: str, counter: str | None, staff: str | None, at: float) -> str:
        # Only what the grouping needs: a year's 300,000 tickets call this twice each.
        if by is None:
            return "all"
        if by == "service":
            return service
        if by == "counter":
            return counter or "—"
        if by == "staff":
            return staff or "—"
        moment = dt.datetime.fromtimestamp(at, zone)
        if by == "hour":
            return f"{moment.hour:02d}"
        if by == WEEKDAY_HOUR:
            return f"{WEEKDAYS[moment.weekday()]} {moment.hour:02d}"
        return WEEKDAYS[moment.weekday()] if by == "weekday" else moment.date().isoformat()

    for ticket_id, issued_service, state, issued_at, printed, counter in conn.execute(
            _TICKETS, (first, last)):
        history = events.get(ticket_id, [])
        finisher = next((s for kind, _a, _c, _d, s in reversed(history)
                         if kind in ("done", "no_show")), None)
        counts = groups[key(issued_service, counter, finisher, issued_at)]
        counts.issued += 1
        counts.not_printed += not printed
        counts.not_handed_out += state == "not_handed_out"
        counts.served += state == "done"
        counts.no_show += state == "no_show"
        counts.cancelled += state == "cancelled"
        counts.transferred += any(event[0] == "transferred" for event in history)
        if state in ("cancelled", "not_handed_out"):
            continue  # nobody waited for these (docs/metrics.md)
        for step in ticket_steps(issued_service, issued_at, history):
            if step.called is None:
                continue  # still waiting, or never called: no wait to count
            group = groups[key(step.service, step.counter, step.staff, step.started)]
            wait = (step.called - step.started) / 60
            group.waits.append(wait)
            target = targets.get(step.service)
            if target is not None:
                group.timed += 1
                group.within_target += wait <= target
            if step.ended is not None:
                group.services.append((step.ended - step.called) / 60)
    for service, code, at in conn.execute(_REFUSALS, (first, last)):
        turned_away = groups[key(service, None, None, at)]
        turned_away.refused_quota += code == "quota_reached"
        turned_away.refused_closed += code == "closed"
    return dict(groups)
