"""Which ticket a counter calls next: pure functions of the waiting lines and the time.

1. A priority ticket that has waited its class's cap goes first (the oldest such).
2. Otherwise the counter's services in its configured order; in the first with anyone waiting,
   priority tickets go before ordinary ones, but after `priority_in_a_row` priority calls in a
   row an ordinary ticket gets its turn, so nobody is starved.
3. Within a kind, first come first served by place in line (`queued_at`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar


class Waiting(Protocol):
    @property
    def priority(self) -> str | None: ...

    @property
    def queued_at(self) -> float: ...


T = TypeVar("T", bound=Waiting)


def pick_next(
    services: Sequence[str],
    waiting: Mapping[str, Sequence[T]],
    now: float,
    max_wait_seconds: Mapping[str, float],
    priority_in_a_row: int,
    streak: int,
) -> T | None:
    """`waiting[service]` is in line order (by `queued_at`)."""
    overdue = [
        ticket
        for service in services
        for ticket in waiting.get(service, ())
        if ticket.priority is not None
        and now - ticket.queued_at >= max_wait_seconds.get(ticket.priority, float("inf"))
    ]
    if overdue:
        return min(overdue, key=lambda t: t.queued_at)
    for service in services:
        line = waiting.get(service, ())
        if not line:
            continue
        first_priority = next((t for t in line if t.priority is not None), None)
        first_ordinary = next((t for t in line if t.priority is None), None)
        if first_priority is not None and (
            first_ordinary is None or streak < priority_in_a_row
        ):
            return first_priority
        return first_ordinary
    return None


def next_streak(streak: int, called: Waiting) -> int:
    return streak + 1 if called.priority is not None else 0


def ahead_of_new(line: Sequence[Waiting], priority: str | None) -> int:
    """People ahead of a ticket just added to the end of `line`: everyone for an ordinary
    ticket; for a priority ticket, the priority tickets already waiting."""
    if priority is None:
        return len(line)
    return sum(1 for t in line if t.priority is not None)


def ahead_in_line(line: Sequence[Waiting], index: int) -> int:
    """People ahead of `line[index]` in its own line (`line` in line order), as
    `ahead_of_new` counts for a new ticket: for an ordinary ticket, everyone before it and
    every priority ticket behind it (priority goes first); for a priority ticket, the
    priority tickets before it. Add `ahead_at_counters` for the lines its counters serve
    first."""
    if line[index].priority is not None:
        return sum(1 for t in line[:index] if t.priority is not None)
    return index + sum(1 for t in line[index + 1:] if t.priority is not None)


def ahead_in_each(line: Sequence[Waiting]) -> list[int]:
    """`ahead_in_line` for every ticket of `line` at once, in one pass each way (a thousand
    phones follow their tickets: counting each from scratch would be quadratic)."""
    behind_priority = sum(1 for t in line if t.priority is not None)
    before_priority = 0
    counts = []
    for index, ticket in enumerate(line):
        if ticket.priority is not None:
            behind_priority -= 1
            counts.append(before_priority)
            before_priority += 1
        else:
            counts.append(index + behind_priority)
    return counts


C = TypeVar("C")


def working_counters(serving: Sequence[C], is_open: Callable[[C], bool]) -> list[C]:
    """The counters that work a line now: the open ones among those that serve it; if none
    is open yet (before opening time), all of them (for the estimates and the people ahead)."""
    return [c for c in serving if is_open(c)] or list(serving)


def ahead_at_counters(service: str, counter_orders: Sequence[Sequence[str]],
                      waiting: Mapping[str, int]) -> int:
    """People of other lines a ticket of `service` waits for: a counter calls its services in
    order, so at a counter serving [G, H] every G ticket goes before any H ticket. The
    counter with the fewest such people reaches the line first: that many (none when some
    counter serves `service` first). `counter_orders`: the service order of each counter
    that serves it (the open ones, else all); `waiting`: people waiting per service. The
    interleave rule, overdue priority tickets and people who arrive later are left out: a
    count of now, not a promise."""
    before = [sum(waiting.get(other, 0) for other in order[:order.index(service)])
              for order in counter_orders if service in order]
    return min(before, default=0)
