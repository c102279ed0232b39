"""The console on the bus: a device of role `console`. It keeps the hub's last word on every
retained topic it reads (the hub, the queues, each counter, the board, the configuration and
every device's status), acts only through requests to the hub, and tells the web side that
something changed (from paho's thread; the web side hops onto its own loop)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel

from lobby.bus import BrokerAddress
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import spec
from lobby.hub_link import HubLink
from lobby.presence import HubPresence

log = logging.getLogger(__name__)


@dataclass
class SeenStatus:
    """A device's last status and when the console received it (its own clock: a device's
    clock may be wrong, the age of its last word is what says it went quiet)."""

    status: m.DeviceStatus
    received: float  # time.time()


@dataclass
class LobbyNow:
    """What the hub last said; replaced field by field as messages arrive."""

    hub: m.HubState | None = None
    queues: m.QueuesState | None = None
    board: m.BoardState | None = None
    config: m.ConfigState | None = None
    counters: dict[str, m.CounterView] = field(default_factory=dict)
    devices: dict[str, SeenStatus] = field(default_factory=dict)
    broker_connected: bool = False  # the console's own connection to the broker
    # Whether the hub is up, told as every device tells it (missed beats, a retained copy
    # believed only when recent): the devices' own code, lobby/presence.py.
    presence: HubPresence = field(default_factory=lambda: _presence(lambda: None))
    version: int = 0  # grows on every change: the live page's SSE sends when it moves


class LobbyLink(HubLink):
    """The console's link (lobby/hub_link.py): everything it follows kept in `now`, each
    change counted in `now.version`."""

    def __init__(self, config: LobbyConfig, device_id: str, broker: BrokerAddress) -> None:
        self.now = LobbyNow()
        self._lock = threading.Lock()
        super().__init__(config, device_id, broker, "console", client_id=f"console-{device_id}")
        self.now.presence = self.presence
        self._watch("state.queues", "queues")
        self._watch("state.board", "board")
        self._watch("state.config", "config")
        self.bus.subscribe(spec("state.counter"), self._counter, counter="+")
        self.bus.subscribe(spec("device.status"), self._device, device="+")

    def _watch(self, name: str, attribute: str) -> None:
        def keep(message: BaseModel, _params: dict[str, str]) -> None:
            self._update(lambda: setattr(self.now, attribute, message))
        self.bus.subscribe(spec(name), keep)

    def _hub(self, state: m.HubState, params: dict[str, str]) -> None:
        super()._hub(state, params)
        self._update(lambda: setattr(self.now, "hub", state))

    def _counter(self, view: m.CounterView, params: dict[str, str]) -> None:
        self._update(lambda: self.now.counters.__setitem__(params["counter"], view))

    def _device(self, status: m.DeviceStatus, params: dict[str, str]) -> None:
        seen = SeenStatus(status, time.time())
        self._update(lambda: self.now.devices.__setitem__(params["device"], seen))

    def _connection(self, connected: bool) -> None:
        self.connected = connected
        self.presence.set_connected(connected)
        self._update(lambda: setattr(self.now, "broker_connected", connected))

    def _presence_changed(self) -> None:
        self._update(lambda: None)

    def _update(self, change: Callable[[], None]) -> None:
        with self._lock:
            change()
            self.now.version += 1
        self.changed()

    def hub_online(self) -> bool:
        return hub_online(self.now)


def _presence(on_change: Callable[[], None]) -> HubPresence:
    presence = HubPresence()
    presence.on_change = on_change
    return presence


def hub_online(now: LobbyNow) -> bool:
    """The hub is up as far as the console can tell: the console reaches the broker and the
    hub's beats have not stopped (a retained `online` of a hub that died with the broker down
    would otherwise stand)."""
    now.presence.check_hub()
    return now.broker_connected and now.presence.online
