"""The live lobby as the console shows it: per service (waiting, longest wait, estimate), the
waiting list, per counter (status, officer, its ticket and for how long, served today) and the
recent calls. Built from the hub's retained state and the store's waiting tickets, once per
change, then rendered for each open page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from console.link import LobbyNow, hub_online
from console.store import StoreReader, WaitingTicket
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m


@dataclass(frozen=True)
class ServiceRow:
    id: str
    name: str
    open: bool
    waiting: int
    longest_minutes: int | None
    estimate_minutes: int | None
    target_minutes: float | None


@dataclass(frozen=True)
class WaitingRow:
    ticket: WaitingTicket
    service_name: str
    priority_name: str | None
    minutes: int
    late: bool  # waited longer than its service's target (or its priority class's limit)


@dataclass(frozen=True)
class CounterRow:
    id: str
    number: int
    status: str  # open / paused / closed / unknown (no word from the hub yet)
    officer: str | None
    ticket: m.TicketView | None
    ticket_minutes: int | None
    served_today: int


@dataclass(frozen=True)
class LiveLobby:
    at: dt.datetime
    as_of: dt.datetime | None  # when the hub last published its queues (what the page shows)
    hub_online: bool
    broker_connected: bool  # the console's own connection: without it nothing is known
    services: list[ServiceRow]
    waiting: list[WaitingRow]
    counters: list[CounterRow]
    calls: list[m.BoardCall]


def _minutes(seconds: float) -> int:
    return max(0, int(seconds // 60))


def build(config: LobbyConfig, now: LobbyNow, store: StoreReader, language: str,
          at: dt.datetime) -> LiveLobby:
    zone = config.site.zone
    local = at.astimezone(zone)
    stamp = at.timestamp()
    waiting = store.waiting()
    names = {s.id: s.names.get(language) or next(iter(s.names.values())) for s in config.services}
    classes = {c.id: c for c in config.priority.classes}
    longest: dict[str, float] = {}
    rows: list[WaitingRow] = []
    for ticket in waiting:
        waited = stamp - ticket.issued_at
        longest[ticket.service] = max(longest.get(ticket.service, 0.0), waited)
        service = config.service(ticket.service)
        limit = service.target_wait_minutes if service else None
        klass = classes.get(ticket.priority or "")
        if klass is not None:
            limit = min(limit or klass.max_wait_minutes, klass.max_wait_minutes)
        rows.append(WaitingRow(
            ticket, names.get(ticket.service, ticket.service),
            klass.names.get(language) if klass else ticket.priority, _minutes(waited),
            limit is not None and waited / 60 > limit))
    queues = {q.id: q for q in (now.queues.services if now.queues else [])}
    services = []
    for service in config.services:
        queue = queues.get(service.id)
        services.append(ServiceRow(
            service.id, names[service.id], queue.open if queue else False,
            sum(1 for t in waiting if t.service == service.id),
            _minutes(longest[service.id]) if service.id in longest else None,
            queue.estimate_minutes if queue else None, service.target_wait_minutes))
    served = store.served_today(local.date().isoformat())
    counters = []
    for counter in sorted(config.counters, key=lambda c: c.number):
        view = now.counters.get(counter.id)
        serving = view.ticket if view else None
        called = serving.called_at if serving else None
        counters.append(CounterRow(
            counter.id, counter.number, "closed" if counter.closed else
            (view.status if view else "unknown"),
            view.officer.name if view and view.officer else None, serving,
            _minutes(stamp - called.timestamp()) if called else None,
            served.get(counter.id, 0)))
    return LiveLobby(local, now.queues.at.astimezone(zone) if now.queues else None,
                     hub_online(now), now.broker_connected, services, rows,
                     counters, list(now.board.calls[:10]) if now.board else [])
