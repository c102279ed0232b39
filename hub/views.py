"""Contract messages built from the live state: what the hub publishes and replies."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hub.live import Call, LiveState
from hub.model import CounterLive, Ticket
from hub.numbering import is_open, next_opening, quota_reached
from lobby import __version__
from lobby.clock import stamp
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m


class Views:
    def __init__(self, config: LobbyConfig, previous: Views | None = None) -> None:
        """`previous`: the views before a reload, whose counters' numbers are still needed
        for a removed counter that finishes its ticket and for the board's older calls."""
        self.config = config
        self.zone: ZoneInfo = config.site.zone
        self._counter_numbers: dict[str, int] = (
            dict(previous._counter_numbers) if previous else {})
        self._counter_services: dict[str, list[str]] = {c: [] for c in self._counter_numbers}
        self._counter_numbers.update({c.id: c.number for c in config.counters})
        self._counter_services.update({c.id: list(c.services) for c in config.counters})

    def retiring_counters(self) -> set[str]:
        """Counters known from an earlier configuration of this run, no longer configured."""
        return {c for c in self._counter_numbers if self.config.counter(c) is None}

    def ticket(self, ticket: Ticket, ahead: int | None = None,
               estimate: int | None = None) -> m.TicketView:
        return m.TicketView(
            id=ticket.id, number=ticket.number, service=ticket.service, state=ticket.state,
            priority=ticket.priority, issued_at=stamp(ticket.issued_at, self.zone),
            called_at=stamp(ticket.called_at, self.zone) if ticket.called_at else None,
            counter=ticket.counter, recalls=ticket.recalls, printed=ticket.printed,
            ahead=ahead, estimate_minutes=estimate,
            coming_at=stamp(ticket.coming_at, self.zone) if ticket.coming_at else None,
        )

    def counter(self, counter: CounterLive, now: float) -> m.CounterView:
        member = self.config.staff_member(counter.officer) if counter.officer else None
        return m.CounterView(
            counter=counter.id, number=self._counter_numbers[counter.id], status=counter.status,
            services=self._counter_services[counter.id],
            ticket=self.ticket(counter.ticket) if counter.ticket else None,
            at=stamp(now, self.zone),
            officer=m.Officer(id=member.id, name=member.name) if member else None,
            awaiting_rating=self._awaiting(counter.finished, now),
        )

    def rating_ends(self, ticket: Ticket | None) -> float | None:
        if ticket is None or ticket.closed_at is None:
            return None
        return ticket.closed_at + self.config.ratings.rating_window_seconds

    def _awaiting(self, ticket: Ticket | None, now: float) -> m.AwaitingRating | None:
        ends = self.rating_ends(ticket)
        if ticket is None or ends is None or now >= ends:
            return None
        return m.AwaitingRating(ticket_id=ticket.id, number=ticket.number,
                                service=ticket.service, until=stamp(ends, self.zone))

    def queues(self, live: LiveState, now: float) -> m.QueuesState:
        services = []
        for service in self.config.services:
            line = live.waiting[service.id]
            # A service whose every counter the centre closed takes no ticket either.
            served = bool(self.config.counters_serving(service.id))
            services.append(m.ServiceQueue(
                id=service.id, names=dict(service.names),
                open=served and is_open(service, now, self.zone), waiting=len(line),
                waiting_priority=sum(1 for t in line if t.priority is not None),
                estimate_minutes=live.service_times.estimate_minutes(
                    service.id, len(line), live.serving_counters(service.id)),
                last_called=live.last_called.get(service.id),
                quota_reached=quota_reached(service, live.issued_today.get(service.id, 0) + 1),
                opens_at=next_opening(service, now, self.zone) if served else None,
            ))
        return m.QueuesState(seq=live.seq, services=services, at=stamp(now, self.zone))

    def _call_fields(self, call: Call) -> dict[str, object]:
        return {
            "seq": call.seq, "number": call.number, "counter": call.counter,
            "counter_number": self._counter_numbers.get(call.counter, 0),
            "service": call.service, "recall": call.recall, "at": stamp(call.at, self.zone),
        }

    def board(self, live: LiveState, now: float) -> m.BoardState:
        return m.BoardState(
            seq=live.seq, at=stamp(now, self.zone),
            calls=[m.BoardCall.model_validate(self._call_fields(c)) for c in live.board],
        )

    def called(self, call: Call) -> m.CalledEvent:
        return m.CalledEvent.model_validate(self._call_fields(call))

    def config_state(self, revision: int, at: float,
                     config: dict[str, object]) -> m.ConfigState:
        return m.ConfigState(revision=revision, at=stamp(at, self.zone), config=config)

    def hub(self, state: str, since: float, now: float,
            keypads: tuple[bool, dict[str, float | None]] | None = None) -> m.HubState:
        """`keypads`: the line's state (open, each counter's last key press) if it has one."""
        return m.HubState.model_validate(
            {"state": state, "version": __version__, "since": stamp(since, self.zone),
             "contract": m.CONTRACT_VERSION, "at": stamp(now, self.zone),
             "heartbeat_seconds": self.config.hub.heartbeat_seconds,
             "keypads": None if keypads is None else {
                 "open": keypads[0],
                 "counters": {counter: None if at is None else stamp(at, self.zone)
                              for counter, at in keypads[1].items()}}})
