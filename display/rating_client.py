"""The rating pad on the bus: its counter's retained state in, `rate` requests out."""

from __future__ import annotations

from devicekit.client import DeviceClient
from devicekit.configuration import Configuration
from display.rating_model import RatingModel, Voice
from lobby.bus import BrokerAddress
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import spec

REQUEST_TIMEOUT = 2.0


class RatingClient(DeviceClient):
    def __init__(self, config: LobbyConfig, device: Device, broker: BrokerAddress,
                 voice: Voice | None = None) -> None:
        self.model = RatingModel(config, device, self._rate, voice)
        super().__init__(config, device, "rating", broker, self.model, requests=True)
        self.bus.subscribe(spec("state.counter"), lambda v, _: self.model.on_counter(v),
                           counter=device.counters[0])

    def _rate(self, level: str, reason: str | None, ticket_id: int) -> m.Reply[m.CounterView]:
        assert self.requester is not None
        request = m.RateRequest(transaction=self.requester.new_transaction(),
                                counter=self.model.counter_id, ticket_id=ticket_id,
                                level=level, reason=reason)
        return self.requester.request(request, timeout=REQUEST_TIMEOUT, attempts=3)

    def idle(self) -> bool:
        return self.model.screen == "idle"

    def reconfigure(self, configuration: Configuration) -> None:
        self.model.reconfigure(configuration.config, configuration.device)
