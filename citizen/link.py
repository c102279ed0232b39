"""The public page on the bus: a device of role `public`. It keeps the hub's last word on the
queues (the estimates) and on each counter (open or not, its number), follows whether the hub
is up, tells the live side that something changed (from paho's thread), and sends the
citizens' acts to the hub as requests naming the ticket's token."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from lobby.bus import BrokerAddress, Bus
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import Topics, spec
from lobby.device import DeviceLink
from lobby.presence import HubPresence
from lobby.rpc import Requester


class PublicLink:
    def __init__(self, config: LobbyConfig, device_id: str, broker: BrokerAddress) -> None:
        self.device_id = device_id
        self.queues: m.QueuesState | None = None
        self.counters: dict[str, m.CounterView] = {}
        self.connected = False
        self.changed: Callable[[], None] = lambda: None
        self._lock = threading.Lock()
        self.bus = Bus(Topics(config.site.id), client_id=broker.username or device_id,
                       broker=broker)
        self.requester = Requester(self.bus, device_id)
        self.link = DeviceLink(self.bus, config, device_id, "public")
        self.presence = HubPresence()
        self.presence.on_change = self._changed
        self.bus.subscribe(spec("state.hub"), self._hub)
        self.bus.subscribe(spec("state.queues"), self._queues)
        self.bus.subscribe(spec("state.counter"), self._counter, counter="+")
        self.bus.on_connected(lambda: self._connection(True))
        self.bus.on_disconnected(lambda: self._connection(False))

    def _hub(self, state: m.HubState, _params: dict[str, str]) -> None:
        self.presence.on_hub(state)

    def _queues(self, state: m.QueuesState, _params: dict[str, str]) -> None:
        self.queues = state
        self._changed()

    def _counter(self, view: m.CounterView, params: dict[str, str]) -> None:
        with self._lock:
            self.counters = {**self.counters, params["counter"]: view}
        self._changed()

    def _connection(self, connected: bool) -> None:
        self.connected = connected
        self.presence.set_connected(connected)
        self._changed()

    def _changed(self) -> None:
        self.changed()

    def reachable(self) -> bool:
        """The hub can be asked and what it last said is current: the broker connected and
        the hub's beats not stopped."""
        self.presence.check_hub()
        return self.connected and self.presence.online

    def ask(self, action: str, **arguments: Any) -> m.Reply[Any]:
        """A citizen's act, sent to the hub; blocks (call it off the event loop)."""
        return self.requester.ask(action, timeout=2.0, attempts=2, **arguments)

    def start(self) -> None:
        self.link.start()

    def stop(self) -> None:
        self.link.stop()
