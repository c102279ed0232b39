"""A web process on the bus as a device of its own role (the console, the citizens' page): its
status and heartbeat, the hub's presence told as every device tells it, requests to the hub,
and a `changed` callback, called from paho's thread, when anything it follows changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lobby.bus import BrokerAddress, Bus
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import Topics, spec
from lobby.device import DeviceLink
from lobby.presence import HubPresence
from lobby.rpc import Requester


class HubLink:
    def __init__(self, config: LobbyConfig, device_id: str, broker: BrokerAddress,
                 role: m.DeviceRole, client_id: str) -> None:
        """`client_id`: the broker's client id when the broker asks for no user name (a
        production broker's client id is the user name)."""
        self.device_id = device_id
        self.changed: Callable[[], None] = lambda: None
        self.connected = False  # this process's own connection to the broker
        self.bus = Bus(Topics(config.site.id), client_id=broker.username or client_id,
                       broker=broker)
        self.requester = Requester(self.bus, device_id)
        self.link = DeviceLink(self.bus, config, device_id, role)
        self.presence = HubPresence()
        self.presence.on_change = self._presence_changed
        self.bus.subscribe(spec("state.hub"), self._hub)
        self.bus.on_connected(lambda: self._connection(True))
        self.bus.on_disconnected(lambda: self._connection(False))

    def _hub(self, state: m.HubState, _params: dict[str, str]) -> None:
        self.presence.on_hub(state)

    def _connection(self, connected: bool) -> None:
        self.connected = connected
        self.presence.set_connected(connected)
        self.changed()

    def _presence_changed(self) -> None:
        self.changed()

    def reachable(self) -> bool:
        """The hub can be asked and what it last said is current: the broker connected and
        the hub's beats not stopped (a retained `online` of a hub that died with the broker
        down would otherwise stand)."""
        self.presence.check_hub()
        return self.connected and self.presence.online

    def ask(self, action: str, **arguments: Any) -> m.Reply[Any]:
        """A request to the hub on behalf of a person (a supervisor, a citizen): blocks (call
        it off the event loop); two tries in two seconds each."""
        return self.requester.ask(action, timeout=2.0, attempts=2, **arguments)

    def start(self) -> None:
        self.link.start()

    def stop(self) -> None:
        self.link.stop()
