"""Whether a device can reach the hub now: connected to the broker, and the hub says it is
online and has been heard lately.

The hub republishes its retained `state/hub` every `heartbeat_seconds`; a device that hears
nothing for `MISSED_BEATS` intervals shows the hub offline (a hub that hangs keeps its
connection, so its will never fires). The first `state/hub` after each connection is the
broker's retained copy: it is believed only if the hub sent it lately by the device's clock.
A broker that kept it across a power cut would otherwise serve a hub `online` with no hub
behind it. A device whose clock is wrong only waits for the next live beat."""

from __future__ import annotations

import time
from collections.abc import Callable

from lobby.contract import messages as m

MISSED_BEATS = 3


class HubPresence:
    """Mixed into a device's view-model, which sets `on_change` (called after a change).
    The device's client calls `check_hub()` every second or so, to notice a silent hub."""

    hub_online: bool = False
    connected: bool = False
    on_change: Callable[[], None]
    _heard_since_connect: bool = False
    _deadline: float | None = None  # monotonic time past which a silent hub is gone

    def on_hub(self, state: m.HubState, monotonic: float | None = None,
               wall: float | None = None) -> None:
        now = time.monotonic() if monotonic is None else monotonic
        beat = state.heartbeat_seconds
        age = 0.0
        if not self._heard_since_connect and state.at is not None:
            # The retained copy: as old as its `at` says (never younger than just now).
            age = max(0.0, (time.time() if wall is None else wall) - state.at.timestamp())
        self._heard_since_connect = True
        self._deadline = None if beat is None else now - age + MISSED_BEATS * beat
        alive = self._deadline is None or now < self._deadline
        self._set_hub(state.state == "online" and alive)

    def check_hub(self, monotonic: float | None = None) -> None:
        """A hub silent for longer than its missed beats is offline."""
        now = time.monotonic() if monotonic is None else monotonic
        if self.hub_online and self._deadline is not None and now >= self._deadline:
            self._set_hub(False)

    def _set_hub(self, online: bool) -> None:
        changed = online != self.hub_online
        self.hub_online = online
        if changed:
            self.on_change()

    def set_connected(self, connected: bool) -> None:
        self.connected = connected
        if connected:
            self._heard_since_connect = False  # the next state/hub is the retained copy
        self.on_change()

    @property
    def online(self) -> bool:
        return self.connected and self.hub_online
