"""The live queue in memory: waiting lines, counters, the board and the site's seq.

It mirrors SQLite and is rebuilt from it at start (and after a failed commit), so that
choosing the next ticket or publishing state never has to query the growing history.
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass

from hub.estimates import RECENT, ServiceTimes
from hub.model import CounterLive, Ticket
from hub.policy import ahead_at_counters, ahead_of_new, working_counters
from hub.store import Store
from lobby.config.models import Counter, LobbyConfig


@dataclass(frozen=True)
class Call:
    seq: int
    ticket_id: int
    number: str
    counter: str
    service: str
    recall: bool
    at: float


def _line_key(ticket: Ticket) -> tuple[float, int]:
    return (ticket.queued_at, ticket.id)


class LiveState:
    def __init__(self, config: LobbyConfig) -> None:
        self.config = config
        self.waiting: dict[str, list[Ticket]] = {s.id: [] for s in config.services}
        self.counters: dict[str, CounterLive] = {c.id: CounterLive(c.id) for c in config.counters}
        self.board: deque[Call] = deque(maxlen=config.hub.board_calls)
        self.seq = 0
        self.service_times = ServiceTimes(config)
        self.last_called: dict[str, str] = {}
        self.issued_today: dict[str, int] = {}  # daily index reached per issuing service

    @classmethod
    def load(cls, config: LobbyConfig, store: Store,
             retiring: set[str] | frozenset[str] = frozenset()) -> LiveState:
        """`retiring`: counters removed from the configuration while the hub ran; one that
        still serves a ticket stays until that ticket ends."""
        live = cls(config)
        tickets = {t.id: t for t in store.open_tickets()}
        for ticket in tickets.values():
            if ticket.state == "waiting":
                # A removed service's line stays, out of the kiosks' and the queues' sight,
                # until its tickets are called by number, transferred or the day ends.
                live.waiting.setdefault(ticket.service, [])
                live.add_waiting(ticket)
        for counter_id, status, ticket_id, streak in store.counters():
            counter = live.counters.get(counter_id)
            found = tickets.get(ticket_id) if ticket_id is not None else None
            if counter is None and counter_id in retiring and found is not None:
                counter = live.counters[counter_id] = CounterLive(counter_id)
            if counter is None:
                continue  # a counter removed from the config since
            counter.status = status  # type: ignore[assignment]
            counter.priority_streak = streak
            counter.ticket = found if found is not None and found.state == "called" else None
            configured = config.counter(counter_id)
            if (configured is None or configured.closed) and counter.ticket is None:
                counter.status = "closed"  # by the configuration: no calls, no reopening
        for shift, staff, counter_id, started in store.open_shifts():
            if counter_id in live.counters:
                on_duty = live.counters[counter_id]
                on_duty.officer, on_duty.shift, on_duty.shift_started = staff, shift, started
        for counter_id, counter in live.counters.items():
            last = store.last_done(counter_id)  # asked for again after a restart
            if last is not None and last.closed_at is not None and not store.is_rated(last.id):
                counter.finished = last
        for seq, ticket_id, number, counter_id, service_id, recall, at in reversed(
            store.recent_calls(config.hub.board_calls)
        ):
            live.add_call(Call(seq, ticket_id, number, counter_id, service_id, recall, at))
        for service in config.services:
            live.service_times.load(
                (service.id, s) for s in store.recent_service_times(service.id, RECENT)
            )
        live.seq = store.last_seq()
        return live

    def add_waiting(self, ticket: Ticket) -> None:
        line = self.waiting[ticket.service]
        if not line or _line_key(ticket) >= _line_key(line[-1]):
            line.append(ticket)  # the common case: a new ticket joins at the end
        else:
            bisect.insort(line, ticket, key=_line_key)

    def remove_waiting(self, ticket: Ticket) -> None:
        line = self.waiting[ticket.service]
        index = bisect.bisect_left(line, _line_key(ticket), key=_line_key)
        if index < len(line) and line[index] is ticket:
            del line[index]
        else:
            line.remove(ticket)

    def retired_services(self) -> list[str]:
        """Lines of services no longer configured that still hold waiting tickets."""
        return [s for s, line in self.waiting.items()
                if line and self.config.service(s) is None]

    def find_waiting(self, number: str, services: list[str]) -> Ticket | None:
        for service in services:
            for ticket in self.waiting.get(service, ()):
                if ticket.number == number:
                    return ticket
        return None

    def add_call(self, call: Call) -> None:
        self.seq = call.seq
        self.board.appendleft(call)
        self.last_called[call.service] = call.number

    def serving(self, service: str) -> list[Counter]:
        """Open counters that serve `service`; if none is open yet, all that could."""
        return working_counters(self.config.counters_serving(service),
                                lambda c: self.counters[c.id].status == "open")

    def serving_counters(self, service: str) -> int:
        return len(self.serving(service))

    def ahead_of_new(self, service: str, priority: str | None) -> int:
        """People ahead of a ticket issued now: its line's (`policy.ahead_of_new`) and the
        lines its counters serve first (`policy.ahead_at_counters`)."""
        waiting = {s: len(line) for s, line in self.waiting.items()}
        return ahead_of_new(self.waiting[service], priority) + ahead_at_counters(
            service, [c.services for c in self.serving(service)], waiting)
