"""The counter terminal as a plain view-model: staff without a keypad call from a screen.

It is a counter device in the contract: it acts only for its own counter. Every refusal is
shown plainly in the staff's language ("Nobody is waiting.", "Not allowed for this
counter."); a request the hub does not answer is re-sent with the same transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devicekit.i18n import N_, tr
from lobby.config.models import Counter, LobbyConfig
from lobby.contract import messages as m
from lobby.names import labels, ordered
from lobby.presence import HubPresence
from lobby.rpc import RequestTimeoutError

# (action, **arguments) -> the reply; may raise RequestTimeoutError
Request = Callable[..., m.Reply[m.CounterView]]

ERRORS = {
    "queue_empty": N_("Nobody is waiting."),
    "not_allowed": N_("Not allowed for this counter."),
    "no_current_ticket": N_("No ticket is being served."),
    "unknown_ticket": N_("That number is not waiting for this counter."),
    "unknown_service": N_("No such service."),
    "bad_request": N_("The request was not understood."),
    "closed": N_("This counter is closed by the centre. Finish the ticket being served."),
    "unknown_counter": N_("This counter is no longer in the centre's configuration."),
    "wrong_pin": N_("Wrong PIN."),
    "locked": N_("Too many wrong PINs: try again in a minute."),
    "unknown_staff": N_("No such staff member."),
}
CLOSED_BY_CENTRE = N_("This counter is closed by the centre.")
STATUS = {"open": N_("Open"), "paused": N_("Paused"), "closed": N_("Closed")}
CLOSED_STATUS = N_("Closed by the centre")
NO_ANSWER = N_("No answer from the hub. Please try again.")
FAILED = N_("The hub could not do that.")
OFFLINE = N_("Offline: the buttons work again when the hub is back.")
# What the hub did, in words, after each action (the screen shows it until the next change).
DONE = {
    "call_next": N_("{number} called."), "call": N_("{number} called."),
    "recall": N_("{number} called again."), "done": N_("{number} served."),
    "no_show": N_("{number}: did not come."), "transfer": N_("{number} sent to {service}."),
    "pause": N_("Counter paused. Next opens it again."), "resume": N_("Counter open."),
    "login": N_("Signed in: {name}."), "logout": N_("Signed out."),
}
NO_SHOW_AFTER_RECALLS = N_("{number}: did not come after {count} calls; marked no-show.")


@dataclass(frozen=True)
class ServiceLine:
    id: str
    name: str
    waiting: int


class TerminalModel(HubPresence):
    def __init__(self, config: LobbyConfig, counter_id: str, request: Request,
                 on_change: Callable[[], None] = lambda: None) -> None:
        counter = config.counter(counter_id)
        if counter is None:
            raise ValueError(f"no counter {counter_id!r}")
        self.config = config
        self.counter = counter
        self.request = request
        self.on_change = on_change
        self.language = config.site.languages[0]
        self.view: m.CounterView | None = None
        self.queues: dict[str, m.ServiceQueue] = {}
        self.message: str | None = None
        self.refused = False  # the message is a refusal: it goes when the state changes
        self.busy = False
        # Every counter's last state, so that moving to another counter shows it at once.
        self.views: dict[str, m.CounterView] = {}
        self._next: Counter | None = None  # where to go once a removed counter's ticket ends
        self._lock = threading.Lock()

    # --- inputs from the bus ----------------------------------------------------------------

    def on_counter(self, view: m.CounterView) -> None:
        self.views[view.counter] = view
        if view.counter != self.counter.id:
            return
        before = (self.ticket.number if self.ticket else None, self.status)
        self.view = view
        if (self.ticket.number if self.ticket else None, self.status) != before and (
                not self.busy):
            # Someone else acted for this counter (its keypad, a supervisor, another
            # terminal): "Đã phục vụ xong số A003." must not stay while A030 is served. The
            # terminal's own action changed the view already, from its reply.
            self.message, self.refused = None, False
        self._move_when_free()
        self.on_change()

    def reconfigure(self, config: LobbyConfig, counters: list[str]) -> None:
        """The centre's configuration changed (names, services, this device's counters).
        A counter taken from this terminal is left at once, unless it was removed from the
        centre while serving a ticket: the hub lets the terminal finish that one first."""
        with self._lock:
            self.config = config
            if self.language not in config.site.languages:
                self.language = config.site.languages[0]
            wanted = self.counter.id if self.counter.id in counters else counters[0]
            target = config.counter(wanted)
            assert target is not None  # the config's references are checked
            if wanted == self.counter.id:
                self.counter, self._next = target, None
            elif self.ticket is not None and config.counter(self.counter.id) is None:
                self._next = target
            else:
                self._switch(target)
        self.on_change()

    def _switch(self, target: Counter) -> None:
        self.counter, self._next = target, None
        self.view = self.views.get(target.id)
        self.message, self.refused = None, False

    def _move_when_free(self) -> None:
        if self._next is not None and self.ticket is None:
            self._switch(self._next)

    def on_queues(self, state: m.QueuesState) -> None:
        before = self._state()
        self.queues = {q.id: q for q in state.services}
        self._clear_stale_refusal(before)
        self.on_change()

    def _state(self) -> tuple[object, ...]:
        ticket = self.ticket
        return (ticket.number if ticket else None, self.status,
                sum(line.waiting for line in self.services()))

    def _clear_stale_refusal(self, before: tuple[object, ...]) -> None:
        """"Nobody is waiting." must not stay on screen once somebody is."""
        if self.refused and self._state() != before:
            self.message, self.refused = None, False

    # --- what the screen shows --------------------------------------------------------------

    @property
    def ticket(self) -> m.TicketView | None:
        return self.view.ticket if self.view else None

    @property
    def status(self) -> str:
        return self.view.status if self.view else "closed"

    def services(self) -> list[ServiceLine]:
        lines = []
        for service_id in self.counter.services:
            service = self.config.service(service_id)
            queue = self.queues.get(service_id)
            name = service.names.get(self.language, service_id) if service else service_id
            lines.append(ServiceLine(service_id, name, queue.waiting if queue else 0))
        return lines

    def transfer_targets(self) -> list[ServiceLine]:
        """Services open now, but the ticket's own: a transfer to a closed one would strand
        the citizen."""
        current = self.ticket.service if self.ticket else None
        return [ServiceLine(s.id, s.names.get(self.language, s.id), 0)
                for s in self.config.services
                if s.id != current and (q := self.queues.get(s.id)) is not None and q.open]

    def banner(self) -> str | None:
        """Offline first (the buttons are off), else the last confirmation or refusal."""
        if not self.online:
            return tr(self.language, OFFLINE)
        if self.counter.closed:  # why the call buttons are off, whatever was done last
            closed = tr(self.language, CLOSED_BY_CENTRE)
            return f"{closed} {self.message}" if self.message else closed
        return self.message

    def banner_is_problem(self) -> bool:
        """Offline and refusals show as problems; confirmations must not look like one."""
        return not self.online or self.refused or self.counter.closed

    @property
    def status_name(self) -> str:
        """The counter's state in words: closed by the centre is not "not opened yet"."""
        return CLOSED_STATUS if self.counter.closed else STATUS[self.status]

    def enabled(self) -> dict[str, bool]:
        ready = self.online and not self.busy
        has_ticket = self.ticket is not None
        calls = ready and not self.counter.closed  # a closed counter only finishes its ticket
        return {
            "call_next": calls, "call": calls,
            "recall": ready and has_ticket, "done": ready and has_ticket,
            "no_show": ready and has_ticket, "transfer": ready and has_ticket,
            "pause": calls and self.status == "open",
            "resume": calls and self.status != "open",
            # Staff sign in or out; the same button does either.
            "login": ready and not self.counter.closed and bool(self.config.staff),
            "logout": ready and self.officer is not None,
        }

    @property
    def officer(self) -> m.Officer | None:
        """Who is signed in here (the hub's word)."""
        return self.view.officer if self.view else None

    def staff(self) -> list[tuple[str, str]]:
        """(id, name to show) of everyone who may sign in, as a Vietnamese list orders them
        (lobby/names.py); namesakes show their id."""
        return ordered((s.id, s.name) for s in self.config.staff)

    def officer_label(self) -> str | None:
        """Who is signed in, as the list shows them (a namesake with their id)."""
        officer = self.officer
        if officer is None:
            return None
        return labels((s.id, s.name) for s in self.config.staff).get(officer.id, officer.name)

    def _confirmation(self, action: str, previous: m.TicketView | None,
                      arguments: dict[str, Any]) -> str:
        lang, now = self.language, self.ticket
        if action in ("login", "logout"):
            return tr(lang, DONE[action], name=self.officer.name if self.officer else "")
        if action == "recall" and previous is not None and now is None:
            return tr(lang, NO_SHOW_AFTER_RECALLS, number=previous.number,
                      count=previous.recalls + 1)
        number = (now if action in ("call_next", "call", "recall") else previous)
        service = self.config.service(str(arguments.get("service", "")))
        return tr(lang, DONE[action], number=number.number if number else "",
                  service=service.names.get(lang, service.id) if service else "")

    def say(self, message: str, problem: bool = False) -> None:
        """A message of the screen's own (a PIN that cannot be one, before anything is sent)."""
        self.message, self.refused = message, problem
        self.on_change()

    # --- staff actions (blocking: the app calls them off the UI thread) ----------------------

    def act(self, action: str, **arguments: Any) -> bool:
        with self._lock:
            if self.busy or not self.enabled().get(action, False):
                return False
            self.busy = True
        self.message, self.refused = None, False
        previous = self.ticket
        self.on_change()
        try:
            reply = self.request(action, counter=self.counter.id, **arguments)
            if reply.ok and reply.data is not None:
                self.view = reply.data
                self.views[reply.data.counter] = reply.data
                self.message = self._confirmation(action, previous, arguments)
            elif reply.error is not None:
                self.message = tr(self.language, ERRORS.get(reply.error.code, FAILED))
                self.refused = True
        except RequestTimeoutError:
            self.message = tr(self.language, NO_ANSWER)
            self.refused = True
        finally:
            self.busy = False
            self._move_when_free()
            self.on_change()
        return True
