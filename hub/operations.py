"""What each action does to the queue. Every operation checks everything it can refuse
*before* it writes, so a refusal changes nothing; the engine runs it inside one SQLite
transaction and mirrors it in memory as it goes (rebuilt from SQLite if the commit fails).

Each operation is registered for its request model with `@operation`; the engine dispatches
by the decoded request's type, and returns the reply `data` and what changed (`Result`)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from hub.errors import HubError
from hub.guard import SignInGuard
from hub.live import Call, LiveState
from hub.model import DAY_CLOSED, NEXT_CALLED, RECALL_LIMIT, CounterLive, Ticket
from hub.numbering import is_open, local_day, number_for, quota_reached
from hub.policy import next_streak, pick_next
from hub.store import Store
from hub.views import Views
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m
from lobby.contract import supervisor as sv

PUBLIC_TOKEN_BYTES = 16  # 128 bits (issue #13)


@dataclass
class Changes:
    """What the publisher must send after the commit."""

    counters: set[str] = field(default_factory=set)
    queues: bool = False
    calls: list[Call] = field(default_factory=list)
    announcements: list[sv.AnnouncementEvent] = field(default_factory=list)

    def merge(self, other: Changes) -> None:
        self.counters |= other.counters
        self.queues = self.queues or other.queues
        self.calls.extend(other.calls)
        self.announcements.extend(other.announcements)

    def __bool__(self) -> bool:
        return bool(self.counters or self.queues or self.calls or self.announcements)


@dataclass
class Result:
    """What an operation did: the reply's data, and what the publisher must send."""

    data: BaseModel
    changes: Changes


OperationFunction = Callable[["Operations", Any, str, float], Result]
RequestT = TypeVar("RequestT", bound=m.Request[Any])

# Request model -> its operation; filled by @operation as the class below is defined.
OPERATIONS: dict[type[m.Request[Any]], OperationFunction] = {}


def operation(
    request: type[RequestT],
) -> Callable[[Callable[[Operations, RequestT, str, float], Result]],
              Callable[[Operations, RequestT, str, float], Result]]:
    """Registers the decorated method as the one operation of `request`'s action."""

    def register(function: Callable[[Operations, RequestT, str, float], Result]
                 ) -> Callable[[Operations, RequestT, str, float], Result]:
        if request in OPERATIONS:
            raise TypeError(f"{request.__name__} has two operations")
        OPERATIONS[request] = function
        return function

    return register


class Operations:
    def __init__(self, config: LobbyConfig, store: Store, live: LiveState, views: Views,
                 guard: SignInGuard | None = None) -> None:
        self.config = config
        self.store = store
        self.live = live
        self.views = views
        self.guard = guard or SignInGuard()
        self.zone = config.site.zone
        self.max_wait = {p.id: p.max_wait_minutes * 60 for p in config.priority.classes}

    def run(self, request: m.Request[Any], source: str, now: float) -> Result:
        return OPERATIONS[type(request)](self, request, source, now)

    # --- kiosk ---------------------------------------------------------------------------------

    @operation(m.IssueRequest)
    def issue(self, request: m.IssueRequest, device: str, now: float) -> Result:
        service = self.config.service(request.service)
        if service is None:
            raise HubError("unknown_service", f"no service {request.service!r} at this centre")
        if request.priority is not None and self.config.priority_class(request.priority) is None:
            raise HubError("unknown_priority", f"no priority class {request.priority!r}")
        if not is_open(service, now, self.zone):
            raise HubError("closed", f"service {service.id} is outside its opening hours")
        if not self.config.counters_serving(service.id):
            # Its every counter closed by the centre: a ticket would wait for nobody.
            raise HubError("closed", f"no open counter serves {service.id}")
        day = local_day(now, self.zone)
        index = self.store.next_daily_index(day, service.id)
        if quota_reached(service, index):
            raise HubError("quota_reached", f"service {service.id} has issued its daily quota")
        ahead = self.live.ahead_of_new(service.id, request.priority)
        ticket = Ticket(
            id=0, service=service.id, issued_service=service.id,
            number=number_for(service, index), day=day,
            daily_index=index, priority=request.priority, language=request.language,
            state="waiting", issued_at=now, queued_at=now, device=device,
        )
        # The ticket's public address (its QR code): random, told only to the kiosk that
        # prints it, in this reply; never in any state another device sees.
        token = secrets.token_urlsafe(PUBLIC_TOKEN_BYTES)
        ticket.id = self.store.insert_ticket(ticket, public_token=token)
        self.store.add_event(ticket.id, "issued", now, device=device, detail=request.priority)
        self.live.issued_today[service.id] = index
        self.live.add_waiting(ticket)
        estimate = self.live.service_times.estimate_minutes(
            service.id, ahead, self.live.serving_counters(service.id))
        view = self.views.ticket(ticket, ahead=ahead, estimate=estimate)
        return Result(view.model_copy(update={"token": token}), Changes(queues=True))

    @operation(m.PrintFailedRequest)
    def print_failed(self, request: m.PrintFailedRequest, device: str, now: float) -> Result:
        ticket = self._kiosks_own(request.ticket_id, device)
        # The live copy (if the ticket is still open) is the one the counters see.
        live_copy = self.open_ticket(ticket.id) or ticket
        live_copy.printed = False
        self.store.save_ticket(live_copy)
        self.store.add_event(ticket.id, "print_failed", now, device=device,
                             detail=request.reason or None)
        changes = Changes(counters={live_copy.counter} if live_copy.counter else set())
        return Result(self.views.ticket(live_copy), changes)

    @operation(m.NotHandedOutRequest)
    def not_handed_out(self, request: m.NotHandedOutRequest, device: str, now: float) -> Result:
        ticket = self._kiosks_own(request.ticket_id, device)
        live_copy = self.open_ticket(ticket.id)
        if live_copy is None:  # closed already (a retry, or served meanwhile): nothing to do
            return Result(self.views.ticket(ticket), Changes())
        changes = Changes(queues=True)
        if live_copy.state == "waiting":
            self.live.remove_waiting(live_copy)
        else:  # called before the kiosk could say: the counter waits for nobody
            counter = self.live.counters[live_copy.counter or ""]
            counter.ticket = None
            self.store.save_counter(counter, now)
            changes.counters.add(counter.id)
        live_copy.state, live_copy.closed_at = "not_handed_out", now
        self.store.save_ticket(live_copy)
        self.store.add_event(ticket.id, "not_handed_out", now, device=device)
        return Result(self.views.ticket(live_copy), changes)

    def _kiosks_own(self, ticket_id: int, device: str) -> Ticket:
        """The stored ticket `device` issued; a kiosk reports only on its own tickets."""
        ticket = self.store.ticket(ticket_id)
        if ticket is None:
            raise HubError("unknown_ticket", f"no ticket {ticket_id}")
        if ticket.device != device:
            raise HubError("not_allowed", "a kiosk may report only its own tickets")
        return ticket

    def open_ticket(self, ticket_id: int) -> Ticket | None:
        """The live copy of a waiting or called ticket (the one counters and states see)."""
        for line in self.live.waiting.values():
            for ticket in line:
                if ticket.id == ticket_id:
                    return ticket
        for counter in self.live.counters.values():
            if counter.ticket is not None and counter.ticket.id == ticket_id:
                return counter.ticket
        return None

    # --- counters ------------------------------------------------------------------------------

    def counter(self, counter_id: str) -> CounterLive:
        counter = self.live.counters.get(counter_id)
        if counter is None:
            raise HubError("unknown_counter", f"no counter {counter_id!r}")
        return counter

    def _services(self, counter_id: str) -> list[str]:
        found = self.config.counter(counter_id)
        return list(found.services) if found is not None else []

    def configured(self, counter: CounterLive) -> CounterLive:
        """A counter removed or closed by the configuration may only finish the ticket it
        serves."""
        configured = self.config.counter(counter.id)
        if configured is None:
            raise HubError("unknown_counter", f"counter {counter.id} was removed from the "
                           "configuration; it can only finish the ticket it serves")
        if configured.closed:
            raise HubError("closed", f"counter {counter.id} is closed in the centre's "
                           "configuration; it can only finish the ticket it serves")
        return counter

    def _retire_if_removed(self, counter: CounterLive) -> None:
        configured = self.config.counter(counter.id)
        if (configured is None or configured.closed) and counter.ticket is None:
            counter.status = "closed"

    def _current(self, counter: CounterLive) -> Ticket:
        if counter.ticket is None:
            raise HubError("no_current_ticket", f"counter {counter.id} has no ticket called")
        return counter.ticket

    def _close(self, counter: CounterLive, state: str, now: float, source: str,
               changes: Changes, detail: str | None = None) -> None:
        ticket = self._current(counter)
        ticket.state = "done" if state == "done" else "no_show"
        ticket.closed_at = now
        self.store.save_ticket(ticket)
        self.store.add_event(ticket.id, state, now, counter=counter.id, device=source,
                             detail=detail, staff=counter.officer)
        if state == "done":
            counter.finished = ticket  # the citizen may rate it now
            if ticket.called_at is not None:
                self.live.service_times.record(ticket.service, now - ticket.called_at)
        counter.ticket = None
        self._retire_if_removed(counter)
        self.store.save_counter(counter, now)
        changes.counters.add(counter.id)
        changes.queues = True  # estimates move with service times

    def _announce(self, counter: CounterLive, ticket: Ticket, recall: bool, now: float,
                  changes: Changes) -> None:
        call = Call(self.live.seq + 1, ticket.id, ticket.number, counter.id, ticket.service,
                    recall, now)
        self.store.add_call(call.seq, ticket, counter.id, recall, now)
        self.live.add_call(call)
        changes.calls.append(call)

    def call_ticket(self, counter: CounterLive, ticket: Ticket, now: float,
                    source: str) -> Result:
        changes = Changes(counters={counter.id}, queues=True)
        if counter.ticket is not None:
            self._close(counter, "done", now, source, changes, detail=NEXT_CALLED)
        self.live.remove_waiting(ticket)
        ticket.state, ticket.called_at, ticket.counter = "called", now, counter.id
        ticket.coming_at = None  # "I'm coming" answers one call
        self.store.save_ticket(ticket)
        self.store.add_event(ticket.id, "called", now, counter=counter.id, device=source,
                             staff=counter.officer)
        counter.ticket = ticket
        counter.status = "open"
        counter.priority_streak = next_streak(counter.priority_streak, ticket)
        self.store.save_counter(counter, now)
        self._announce(counter, ticket, recall=False, now=now, changes=changes)
        return self._view(counter, now, changes)

    def _view(self, counter: CounterLive, now: float, changes: Changes) -> Result:
        return Result(self.views.counter(counter, now), changes)

    @operation(m.CallNextRequest)
    def call_next(self, request: m.CallNextRequest, source: str, now: float) -> Result:
        counter = self.configured(self.counter(request.counter))
        ticket = pick_next(self._services(counter.id), self.live.waiting, now, self.max_wait,
                           self.config.priority.priority_in_a_row, counter.priority_streak)
        if ticket is None:
            raise HubError("queue_empty", f"nobody is waiting for counter {counter.id}")
        return self.call_ticket(counter, ticket, now, source)

    @operation(m.CallRequest)
    def call(self, request: m.CallRequest, source: str, now: float) -> Result:
        counter = self.configured(self.counter(request.counter))
        # A removed service's waiting tickets can be called by number at any counter.
        ticket = self.live.find_waiting(
            request.number, self._services(counter.id) + self.live.retired_services())
        if ticket is None:
            raise HubError("unknown_ticket", f"{request.number} is not waiting for a service "
                           f"of counter {counter.id}")
        return self.call_ticket(counter, ticket, now, source)

    @operation(m.RecallRequest)
    def recall(self, request: m.RecallRequest, source: str, now: float) -> Result:
        counter = self.counter(request.counter)
        ticket = self._current(counter)
        changes = Changes(counters={counter.id})
        if ticket.recalls >= self.config.recall_limit:
            self._close(counter, "no_show", now, source, changes, detail=RECALL_LIMIT)
            return self._view(counter, now, changes)
        ticket.recalls += 1
        self.store.save_ticket(ticket)
        self.store.add_event(ticket.id, "recalled", now, counter=counter.id, device=source,
                             staff=counter.officer)
        self._announce(counter, ticket, recall=True, now=now, changes=changes)
        return self._view(counter, now, changes)

    @operation(m.DoneRequest)
    def done(self, request: m.DoneRequest, source: str, now: float) -> Result:
        counter = self.counter(request.counter)
        changes = Changes()
        self._close(counter, "done", now, source, changes)
        return self._view(counter, now, changes)

    @operation(m.NoShowRequest)
    def no_show(self, request: m.NoShowRequest, source: str, now: float) -> Result:
        counter = self.counter(request.counter)
        changes = Changes()
        self._close(counter, "no_show", now, source, changes)
        return self._view(counter, now, changes)

    @operation(m.TransferRequest)
    def transfer(self, request: m.TransferRequest, source: str, now: float) -> Result:
        counter = self.counter(request.counter)
        if self.config.service(request.service) is None:
            raise HubError("unknown_service", f"no service {request.service!r} at this centre")
        ticket = self._current(counter)
        if ticket.service == request.service:
            raise HubError("bad_request", f"{ticket.number} is already in service "
                           f"{request.service}")
        previous = ticket.service
        # Back in line in the new service, keeping its number and its original place in time.
        ticket.state, ticket.service, ticket.counter = "waiting", request.service, None
        ticket.called_at, ticket.recalls, ticket.coming_at = None, 0, None
        self.store.save_ticket(ticket)
        self.store.add_event(ticket.id, "transferred", now, counter=counter.id, device=source,
                             detail=f"{previous}->{request.service}")
        counter.ticket = None
        self._retire_if_removed(counter)
        self.store.save_counter(counter, now)
        self.live.add_waiting(ticket)
        return self._view(counter, now, Changes(counters={counter.id}, queues=True))

    def _set_status(self, counter_id: str, status: str, now: float) -> Result:
        counter = self.configured(self.counter(counter_id))
        counter.status = "paused" if status == "paused" else "open"
        self.store.save_counter(counter, now)
        # Open counters change the estimates, hence the queues.
        return self._view(counter, now, Changes(counters={counter.id}, queues=True))

    @operation(m.PauseRequest)
    def pause(self, request: m.PauseRequest, source: str, now: float) -> Result:
        return self._set_status(request.counter, "paused", now)

    @operation(m.ResumeRequest)
    def resume(self, request: m.ResumeRequest, source: str, now: float) -> Result:
        return self._set_status(request.counter, "open", now)

    # --- the day's end -----------------------------------------------------------------------

    def close_earlier_days(self, today: str, now: float) -> Changes:
        """Tickets of an earlier local day can no longer be served: without this, yesterday's
        A001 would still wait beside today's A001."""
        changes = Changes()
        self.live.issued_today = self.store.issued_counts(today)
        for line in self.live.waiting.values():
            for ticket in [t for t in line if t.day < today]:
                line.remove(ticket)
                ticket.state, ticket.closed_at = "no_show", now
                self.store.save_ticket(ticket)
                self.store.add_event(ticket.id, "no_show", now, detail=DAY_CLOSED)
                changes.queues = True
        for counter in self.live.counters.values():
            if counter.ticket is not None and counter.ticket.day < today:
                self._close(counter, "no_show", now, "hub", changes, detail=DAY_CLOSED)
            started = counter.shift_started
            if counter.shift is not None and started is not None and (
                    local_day(started, self.zone) < today):  # nobody stays signed in overnight
                self.store.end_shift(counter.shift, now, DAY_CLOSED)
                counter.officer = counter.shift = counter.shift_started = None
                changes.counters.add(counter.id)
        return changes
