"""What every device does on the bus: announce itself, keep a heartbeat, leave a will.

The status is retained, so the hub (and an operator with mosquitto_sub) sees each device's
last word. The heartbeat republishes it, because a will alone is not enough: amqtt does not
publish wills on keepalive timeout (docs/stack-notes.md), so the hub also marks silent devices
stale.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from lobby import __version__
from lobby.bus import Bus
from lobby.clock import Clock, stamp
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import spec

log = logging.getLogger(__name__)

StatusExtras = Callable[[], dict[str, object]]


class DeviceLink:
    def __init__(self, bus: Bus, config: LobbyConfig, device_id: str, role: m.DeviceRole,
                 extras: StatusExtras | None = None, clock: Clock | None = None,
                 will: bool = True) -> None:
        """`will`: leave the broker a will saying `offline` (a connection has one will:
        several devices on one connection, as the simulator's, have none and go stale)."""
        self.bus = bus
        self.config = config
        self.device_id = device_id
        self.role: m.DeviceRole = role
        self._extras = extras or dict
        self._clock = clock or Clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if will:
            bus.set_will(spec("device.status"), self._status("offline"), device=device_id)
        bus.on_connected(self.publish_status)

    def _status(self, state: str) -> m.DeviceStatus:
        fields: dict[str, object] = {
            "state": state, "role": self.role, "version": __version__,
            "contract": m.CONTRACT_VERSION,
            "at": stamp(self._clock.now(), self.config.site.zone),
        }
        if state == "online":
            fields.update(self._extras())
        return m.DeviceStatus.model_validate(fields)

    def publish_status(self) -> None:
        self.bus.publish(spec("device.status"), self._status("online"), device=self.device_id)

    def start(self) -> None:
        self.bus.start()
        self.start_heartbeat()

    def start_heartbeat(self) -> None:
        self.stop_heartbeat()
        stop = self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, args=(stop,), daemon=True,
                                        name=f"heartbeat-{self.device_id}")
        self._thread.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None

    def _beat(self, stop: threading.Event) -> None:
        while not stop.wait(self.config.hub.heartbeat_seconds):
            if self.bus.connected.is_set():
                try:
                    self.publish_status()
                except Exception:
                    log.exception("heartbeat failed")

    def stop(self) -> None:
        """A clean stop says `offline` itself (a clean disconnect does not fire the will)."""
        self.stop_heartbeat()
        self.say_offline()
        self.bus.stop()

    def say_offline(self) -> None:
        if self.bus.connected.is_set():
            self.bus.publish(spec("device.status"), self._status("offline"),
                             device=self.device_id).wait_for_publish(2)
