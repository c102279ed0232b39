"""Whether a device can reach the hub now: connected to the broker, and the hub's retained
`state/hub` says online (the broker publishes the hub's will, `offline`, when it goes)."""

from __future__ import annotations

from collections.abc import Callable

from lobby.contract import messages as m


class HubPresence:
    """Mixed into a device's view-model, which sets `on_change` (called after a change)."""

    hub_online: bool = False
    connected: bool = False
    on_change: Callable[[], None]

    def on_hub(self, state: m.HubState) -> None:
        self.hub_online = state.state == "online"
        self.on_change()

    def set_connected(self, connected: bool) -> None:
        self.connected = connected
        self.on_change()

    @property
    def online(self) -> bool:
        return self.connected and self.hub_online
