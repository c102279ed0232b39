"""The public page on the bus: a device of role `public` (lobby/hub_link.py). Beside the
hub's presence it keeps the hub's last word on the queues (the estimates) and on each counter
(open or not, its number); the citizens' acts go to the hub as requests naming the ticket's
token."""

from __future__ import annotations

import threading

from lobby.bus import BrokerAddress
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import spec
from lobby.hub_link import HubLink


class PublicLink(HubLink):
    def __init__(self, config: LobbyConfig, device_id: str, broker: BrokerAddress) -> None:
        self.queues: m.QueuesState | None = None
        self.counters: dict[str, m.CounterView] = {}
        self._lock = threading.Lock()
        super().__init__(config, device_id, broker, "public", client_id=device_id)
        self.bus.subscribe(spec("state.queues"), self._queues)
        self.bus.subscribe(spec("state.counter"), self._counter, counter="+")

    def _queues(self, state: m.QueuesState, _params: dict[str, str]) -> None:
        self.queues = state
        self.changed()

    def _counter(self, view: m.CounterView, params: dict[str, str]) -> None:
        with self._lock:  # replaced whole: the live side reads it from another thread
            self.counters = {**self.counters, params["counter"]: view}
        self.changed()
