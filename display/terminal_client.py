"""The counter terminal on the bus: its counter's retained state in, requests out."""

from __future__ import annotations

from typing import Any

from devicekit.client import DeviceClient
from devicekit.configuration import Configuration
from display.terminal_model import TerminalModel
from lobby.bus import BrokerAddress
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import spec

REQUEST_TIMEOUT = 2.0


class TerminalClient(DeviceClient):
    def __init__(self, config: LobbyConfig, device: Device, broker: BrokerAddress,
                 counter_id: str | None = None) -> None:
        counter = counter_id or device.counters[0]
        if counter not in device.counters:
            raise ValueError(f"device {device.id} does not act for counter {counter}")
        self.model = TerminalModel(config, counter, self._request)
        super().__init__(config, device, "counter", broker, self.model, requests=True)
        # Every counter's state: a change of configuration may move the terminal to another.
        self.bus.subscribe(spec("state.counter"), lambda v, _: self.model.on_counter(v))
        self.bus.subscribe(spec("state.queues"), lambda s, _: self.model.on_queues(s))

    def idle(self) -> bool:
        return not self.model.busy

    def reconfigure(self, configuration: Configuration) -> None:
        self.model.reconfigure(configuration.config, configuration.device.counters)

    def _request(self, action: str, **arguments: Any) -> m.Reply[m.CounterView]:
        assert self.requester is not None
        reply: m.Reply[m.CounterView] = self.requester.ask(
            action, timeout=REQUEST_TIMEOUT, attempts=3, **arguments)
        return reply
