"""The counter terminal on the bus: its counter's retained state in, requests out."""

from __future__ import annotations

from typing import Any

from display.terminal_model import TerminalModel
from lobby.bus import BrokerAddress, Bus
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import Topics, spec
from lobby.device import DeviceLink
from lobby.rpc import Requester

REQUEST_TIMEOUT = 2.0


class TerminalClient:
    def __init__(self, config: LobbyConfig, device: Device, broker: BrokerAddress,
                 counter_id: str | None = None) -> None:
        counter = counter_id or device.counters[0]
        if counter not in device.counters:
            raise ValueError(f"device {device.id} does not act for counter {counter}")
        self.bus = Bus(Topics(config.site.id), client_id=f"counter-{device.id}", broker=broker)
        self.requester = Requester(self.bus, device.id)
        self.model = TerminalModel(config, counter, self._request)
        self.link = DeviceLink(self.bus, config, device.id, "counter")
        self.bus.subscribe(spec("state.counter"), lambda v, _: self.model.on_counter(v),
                           counter=counter)
        self.bus.subscribe(spec("state.queues"), lambda s, _: self.model.on_queues(s))
        self.bus.subscribe(spec("state.hub"), lambda s, _: self.model.on_hub(s))
        self.bus.on_connected(lambda: self.model.set_connected(True))
        self.bus.on_disconnected(lambda: self.model.set_connected(False))

    def _request(self, action: str, **arguments: Any) -> m.Reply:
        return self.requester.request(action, timeout=REQUEST_TIMEOUT, attempts=3, **arguments)

    def start(self) -> None:
        self.link.start()

    def stop(self) -> None:
        self.link.stop()
