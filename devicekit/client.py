"""What every device app does on the bus, in one place: its own MQTT connection (client id
its user name, or `<role>-<device>` on a broker without accounts), its status, heartbeat and
will, whether the hub can be reached (fed into the app's view-model), and request/reply when
the device asks the hub for anything."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

from devicekit.configuration import (
    ConfigFollower,
    Configuration,
    cache_path,
    settings_needing_restart,
)
from devicekit.provisioning import RESTARTED
from lobby.bus import BrokerAddress, Bus
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import Topics, spec
from lobby.device import DeviceLink, StatusExtras
from lobby.presence import HubPresence
from lobby.rpc import Requester

log = logging.getLogger(__name__)

HUB_CHECK_SECONDS = 0.5
RESTART_CHECK_SECONDS = 0.5


class DeviceClient:
    def __init__(self, config: LobbyConfig, device: Device, role: m.DeviceRole,
                 broker: BrokerAddress, presence: HubPresence,
                 extras: StatusExtras | None = None, requests: bool = False) -> None:
        self.config = config
        self.device = device
        self.presence = presence
        # With credentials the client id is the user name, as the production broker enforces
        # (`use_username_as_clientid`): nobody else can claim it.
        client_id = broker.username or f"{role}-{device.id}"
        self.bus = Bus(Topics(config.site.id), client_id=client_id, broker=broker)
        # Subscribed before the link connects, so no reply can arrive unheard.
        self.requester: Requester | None = Requester(self.bus, device.id) if requests else None
        self.link = DeviceLink(self.bus, config, device.id, role, extras=extras)
        self.bus.subscribe(spec("state.hub"), lambda state, _params: self.on_hub(state))
        self.bus.on_connected(lambda: presence.set_connected(True))
        self.bus.on_disconnected(lambda: presence.set_connected(False))
        self._watch_stop = threading.Event()

    def follow(self, follower: ConfigFollower) -> None:
        """Take the hub's configuration (`state/config`) as it changes; before `start`."""
        follower.on_change = self._configuration_changed
        if follower.current is None or follower.current.source != "file":
            # Removed from the centre: back to the waiting screen, which says so (a device
            # started from a file, the demo, would only start from that file again).
            follower.on_removed = lambda: self._restart_when_idle_in_background(
                forget=cache_path(follower.var, follower.device_id))
        self.bus.subscribe(spec("state.config"), lambda state, _p: follower.on_state(state))

    def _configuration_changed(self, configuration: Configuration) -> None:
        restart = settings_needing_restart(self.device, configuration.device)
        if restart:
            log.warning("restarting to take new settings: %s", ", ".join(restart))
            self._restart_when_idle_in_background()
            return
        self.config, self.device = configuration.config, configuration.device
        self.link.config = configuration.config
        self.reconfigure(configuration)

    def _restart_when_idle_in_background(self, forget: Path | None = None) -> None:
        def restart() -> None:
            while not self.idle():
                time.sleep(RESTART_CHECK_SECONDS)
            if forget is not None:
                forget.unlink(missing_ok=True)
            restart_process()

        threading.Thread(target=restart, daemon=True, name="restart").start()

    def idle(self) -> bool:
        """Whether nobody is in the middle of something here (a restart waits for it)."""
        return True

    def reconfigure(self, configuration: Configuration) -> None:
        """The centre's configuration changed (on the bus's thread): the device's app
        overrides this to show it (`self.config` and `self.device` are already the new)."""

    def on_hub(self, state: m.HubState) -> None:
        """The hub's retained state changed; a device that must act on it overrides this."""
        self.presence.on_hub(state)

    def start(self) -> None:
        self.link.start()
        threading.Thread(target=self._watch_hub, args=(self._watch_stop,), daemon=True,
                         name=f"hub-watch-{self.device.id}").start()

    def _watch_hub(self, stop: threading.Event) -> None:
        """A hub that falls silent sends nothing to say so: look at the time."""
        while not stop.wait(HUB_CHECK_SECONDS):
            self.presence.check_hub()

    def stop(self) -> None:
        self._watch_stop.set()
        self.link.stop()


def restart_process() -> None:
    """Starts this device's program again in this process's place, with the configuration it
    kept on its disk (provisioning.py): for settings a running app cannot take, and for the
    first configuration of a device that was waiting for one."""
    os.environ[RESTARTED] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
