"""What each action does to the queue. Every operation checks everything it can refuse
*before* it writes, so a refusal changes nothing; the engine runs it inside one SQLite
transaction and mirrors it in memory as it goes (rebuilt from SQLite if the commit fails)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.errors import HubError
from hub.live import Call, LiveState
from hub.model import CounterLive, Ticket
from hub.numbering import is_open, local_day, number_for, quota_reached
from hub.policy import ahead_of_new, next_streak, pick_next
from hub.store import Store
from hub.views import Views
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m


@dataclass
class Changes:
    """What the publisher must send after the commit."""

    counters: set[str] = field(default_factory=set)
    queues: bool = False
    calls: list[Call] = field(default_factory=list)

    def merge(self, other: Changes) -> None:
        self.counters |= other.counters
        self.queues = self.queues or other.queues
        self.calls.extend(other.calls)

    def __bool__(self) -> bool:
        return bool(self.counters or self.queues or self.calls)


class Operations:
    def __init__(self, config: LobbyConfig, store: Store, live: LiveState, views: Views) -> None:
        self.config = config
        self.store = store
        self.live = live
        self.views = views
        self.zone = config.site.zone
        self.max_wait = {p.id: p.max_wait_minutes * 60 for p in config.priority.classes}
        self.changes = Changes()

    # --- kiosk ---------------------------------------------------------------------------------

    def issue(self, request: m.IssueRequest, device: str, now: float) -> dict[str, Any]:
        service = self.config.service(request.service)
        if service is None:
            raise HubError("unknown_service", f"no service {request.service!r} at this centre")
        if request.priority is not None and self.config.priority_class(request.priority) is None:
            raise HubError("unknown_priority", f"no priority class {request.priority!r}")
        if not is_open(service, now, self.zone):
            raise HubError("closed", f"service {service.id} is outside its opening hours")
        day = local_day(now, self.zone)
        index = self.store.next_daily_index(day, service.id)
        if quota_reached(service, index):
            raise HubError("quota_reached", f"service {service.id} has issued its daily quota")
        line = self.live.waiting[service.id]
        ahead = ahead_of_new(line, request.priority)
        ticket = Ticket(
            id=0, service=service.id, issued_service=service.id,
            number=number_for(service, index), day=day,
            daily_index=index, priority=request.priority, language=request.language,
            state="waiting", issued_at=now, queued_at=now, device=device,
        )
        ticket.id = self.store.insert_ticket(ticket)
        self.store.add_event(ticket.id, "issued", now, device=device, detail=request.priority)
        self.live.issued_today[service.id] = index
        self.live.add_waiting(ticket)
        self.changes.queues = True
        estimate = self.live.service_times.estimate_minutes(
            service.id, ahead, self.live.serving_counters(service.id))
        return self.views.ticket(ticket, ahead=ahead, estimate=estimate).model_dump()

    def print_failed(self, request: m.PrintFailedRequest, device: str,
                     now: float) -> dict[str, Any]:
        ticket = self.store.ticket(request.ticket_id)
        if ticket is None:
            raise HubError("unknown_ticket", f"no ticket {request.ticket_id}")
        if ticket.device != device:
            raise HubError("not_allowed", "a kiosk may report only its own tickets")
        # The live copy (if the ticket is still open) is the one the counters see.
        live_copy = self._open_ticket(ticket.id) or ticket
        live_copy.printed = False
        self.store.save_ticket(live_copy)
        self.store.add_event(ticket.id, "print_failed", now, device=device,
                             detail=request.reason or None)
        if live_copy.counter:
            self.changes.counters.add(live_copy.counter)
        return self.views.ticket(live_copy).model_dump()

    def _open_ticket(self, ticket_id: int) -> Ticket | None:
        for line in self.live.waiting.values():
            for ticket in line:
                if ticket.id == ticket_id:
                    return ticket
        for counter in self.live.counters.values():
            if counter.ticket is not None and counter.ticket.id == ticket_id:
                return counter.ticket
        return None

    # --- counters ------------------------------------------------------------------------------

    def _counter(self, counter_id: str) -> CounterLive:
        counter = self.live.counters.get(counter_id)
        if counter is None:
            raise HubError("unknown_counter", f"no counter {counter_id!r}")
        return counter

    def _services(self, counter_id: str) -> list[str]:
        found = self.config.counter(counter_id)
        assert found is not None
        return list(found.services)

    def _current(self, counter: CounterLive) -> Ticket:
        if counter.ticket is None:
            raise HubError("no_current_ticket", f"counter {counter.id} has no ticket called")
        return counter.ticket

    def _close(self, counter: CounterLive, state: str, now: float, source: str,
               detail: str | None = None) -> None:
        ticket = self._current(counter)
        ticket.state = "done" if state == "done" else "no_show"
        ticket.closed_at = now
        self.store.save_ticket(ticket)
        self.store.add_event(ticket.id, state, now, counter=counter.id, device=source,
                             detail=detail)
        if state == "done" and ticket.called_at is not None:
            self.live.service_times.record(ticket.service, now - ticket.called_at)
        counter.ticket = None
        self.store.save_counter(counter, now)
        self.changes.counters.add(counter.id)
        self.changes.queues = True  # estimates move with service times

    def _announce(self, counter: CounterLive, ticket: Ticket, recall: bool, now: float) -> None:
        call = Call(self.live.seq + 1, ticket.id, ticket.number, counter.id, ticket.service,
                    recall, now)
        self.store.add_call(call.seq, ticket, counter.id, recall, now)
        self.live.add_call(call)
        self.changes.calls.append(call)

    def _call(self, counter: CounterLive, ticket: Ticket, now: float, source: str) -> None:
        if counter.ticket is not None:
            self._close(counter, "done", now, source, detail="next called")
        self.live.remove_waiting(ticket)
        ticket.state, ticket.called_at, ticket.counter = "called", now, counter.id
        self.store.save_ticket(ticket)
        self.store.add_event(ticket.id, "called", now, counter=counter.id, device=source)
        counter.ticket = ticket
        counter.status = "open"
        counter.priority_streak = next_streak(counter.priority_streak, ticket)
        self.store.save_counter(counter, now)
        self._announce(counter, ticket, recall=False, now=now)
        self.changes.counters.add(counter.id)
        self.changes.queues = True

    def _view(self, counter: CounterLive, now: float) -> dict[str, Any]:
        return self.views.counter(counter, now).model_dump()

    def call_next(self, request: m.CallNextRequest, source: str, now: float) -> dict[str, Any]:
        counter = self._counter(request.counter)
        ticket = pick_next(self._services(counter.id), self.live.waiting, now, self.max_wait,
                           self.config.priority.priority_in_a_row, counter.priority_streak)
        if ticket is None:
            raise HubError("queue_empty", f"nobody is waiting for counter {counter.id}")
        self._call(counter, ticket, now, source)
        return self._view(counter, now)

    def call(self, request: m.CallRequest, source: str, now: float) -> dict[str, Any]:
        counter = self._counter(request.counter)
        ticket = self.live.find_waiting(request.number, self._services(counter.id))
        if ticket is None:
            raise HubError("unknown_ticket", f"{request.number} is not waiting for a service "
                           f"of counter {counter.id}")
        self._call(counter, ticket, now, source)
        return self._view(counter, now)

    def recall(self, request: m.RecallRequest, source: str, now: float) -> dict[str, Any]:
        counter = self._counter(request.counter)
        ticket = self._current(counter)
        if ticket.recalls >= self.config.recall_limit:
            self._close(counter, "no_show", now, source, detail="recall limit")
            return self._view(counter, now)
        ticket.recalls += 1
        self.store.save_ticket(ticket)
        self.store.add_event(ticket.id, "recalled", now, counter=counter.id, device=source)
        self._announce(counter, ticket, recall=True, now=now)
        self.changes.counters.add(counter.id)
        return self._view(counter, now)

    def done(self, request: m.DoneRequest, source: str, now: float) -> dict[str, Any]:
        counter = self._counter(request.counter)
        self._close(counter, "done", now, source)
        return self._view(counter, now)

    def no_show(self, request: m.NoShowRequest, source: str, now: float) -> dict[str, Any]:
        counter = self._counter(request.counter)
        self._close(counter, "no_show", now, source)
        return self._view(counter, now)

    def transfer(self, request: m.TransferRequest, source: str, now: float) -> dict[str, Any]:
        counter = self._counter(request.counter)
        if self.config.service(request.service) is None:
            raise HubError("unknown_service", f"no service {request.service!r} at this centre")
        ticket = self._current(counter)
        if ticket.service == request.service:
            raise HubError("bad_request", f"{ticket.number} is already in service "
                           f"{request.service}")
        previous = ticket.service
        # Back in line in the new service, keeping its number and its original place in time.
        ticket.state, ticket.service, ticket.counter = "waiting", request.service, None
        ticket.called_at, ticket.recalls = None, 0
        self.store.save_ticket(ticket)
        self.store.add_event(ticket.id, "transferred", now, counter=counter.id, device=source,
                             detail=f"{previous}->{request.service}")
        counter.ticket = None
        self.store.save_counter(counter, now)
        self.live.add_waiting(ticket)
        self.changes.counters.add(counter.id)
        self.changes.queues = True
        return self._view(counter, now)

    def _set_status(self, counter_id: str, status: str, now: float) -> dict[str, Any]:
        counter = self._counter(counter_id)
        counter.status = "paused" if status == "paused" else "open"
        self.store.save_counter(counter, now)
        self.changes.counters.add(counter.id)
        self.changes.queues = True  # open counters change the estimates
        return self._view(counter, now)

    def pause(self, request: m.PauseRequest, source: str, now: float) -> dict[str, Any]:
        return self._set_status(request.counter, "paused", now)

    def resume(self, request: m.ResumeRequest, source: str, now: float) -> dict[str, Any]:
        return self._set_status(request.counter, "open", now)

    # --- the day's end -----------------------------------------------------------------------

    def close_earlier_days(self, today: str, now: float) -> None:
        """Tickets of an earlier local day can no longer be served: without this, yesterday's
        A001 would still wait beside today's A001."""
        self.live.issued_today = self.store.issued_counts(today)
        for line in self.live.waiting.values():
            for ticket in [t for t in line if t.day < today]:
                line.remove(ticket)
                ticket.state, ticket.closed_at = "no_show", now
                self.store.save_ticket(ticket)
                self.store.add_event(ticket.id, "no_show", now, detail="day closed")
                self.changes.queues = True
        for counter in self.live.counters.values():
            if counter.ticket is not None and counter.ticket.day < today:
                self._close(counter, "no_show", now, "hub", detail="day closed")
