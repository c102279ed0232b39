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
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m
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
}
NO_ANSWER = N_("No answer from the hub. Please try again.")
FAILED = N_("The hub could not do that.")


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
        self.busy = False
        self._lock = threading.Lock()

    # --- inputs from the bus ----------------------------------------------------------------

    def on_counter(self, view: m.CounterView) -> None:
        self.view = view
        self.on_change()

    def on_queues(self, state: m.QueuesState) -> None:
        self.queues = {q.id: q for q in state.services}
        self.on_change()

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
        current = self.ticket.service if self.ticket else None
        return [ServiceLine(s.id, s.names.get(self.language, s.id), 0)
                for s in self.config.services if s.id != current]

    def enabled(self) -> dict[str, bool]:
        ready = self.online and not self.busy
        has_ticket = self.ticket is not None
        return {
            "call_next": ready, "call": ready,
            "recall": ready and has_ticket, "done": ready and has_ticket,
            "no_show": ready and has_ticket, "transfer": ready and has_ticket,
            "pause": ready and self.status == "open",
            "resume": ready and self.status != "open",
        }

    # --- staff actions (blocking: the app calls them off the UI thread) ----------------------

    def act(self, action: str, **arguments: Any) -> bool:
        with self._lock:
            if self.busy or not self.enabled().get(action, False):
                return False
            self.busy = True
        self.message = None
        self.on_change()
        try:
            reply = self.request(action, counter=self.counter.id, **arguments)
            if reply.ok and reply.data is not None:
                self.view = reply.data
            elif reply.error is not None:
                self.message = tr(self.language, ERRORS.get(reply.error.code, FAILED))
        except RequestTimeoutError:
            self.message = tr(self.language, NO_ANSWER)
        finally:
            self.busy = False
            self.on_change()
        return True
