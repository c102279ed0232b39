"""The board on the bus: retained state and events into the view-model and the announcer."""

from __future__ import annotations

from display.announcer import Announcer
from display.board_model import BoardModel
from lobby.bus import BrokerAddress, Bus
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import Topics, spec
from lobby.device import DeviceLink


class BoardClient:
    def __init__(self, config: LobbyConfig, device: Device, broker: BrokerAddress,
                 model: BoardModel, announcer: Announcer | None = None) -> None:
        self.model = model
        self.announcer = announcer
        self.bus = Bus(Topics(config.site.id), client_id=f"board-{device.id}", broker=broker)
        self.link = DeviceLink(self.bus, config, device.id, "board")
        self.bus.subscribe(spec("state.board"), self._on_board)
        self.bus.subscribe(spec("event.called"), self._on_called)
        self.bus.subscribe(spec("state.queues"), lambda s, _: model.on_queues(s))
        self.bus.subscribe(spec("state.hub"), lambda s, _: model.on_hub(s))
        self.bus.on_connected(lambda: model.set_connected(True))
        self.bus.on_disconnected(lambda: model.set_connected(False))

    def _on_board(self, board: m.BoardState, params: dict[str, str]) -> None:
        self.model.on_board(board)
        if self.announcer:
            self.announcer.on_board(board)

    def _on_called(self, call: m.CalledEvent, params: dict[str, str]) -> None:
        self.model.on_called(call)
        if self.announcer:
            self.announcer.on_called(call)

    def start(self) -> None:
        self.link.start()

    def stop(self) -> None:
        self.link.stop()
