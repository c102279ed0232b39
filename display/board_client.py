"""The board on the bus: retained state and events into the view-model and the announcer."""

from __future__ import annotations

from devicekit.client import DeviceClient
from devicekit.configuration import Configuration
from display.announcer import Announcer
from display.board_model import BoardModel
from lobby.bus import BrokerAddress
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.contract import supervisor as sv
from lobby.contract.registry import spec


class BoardClient(DeviceClient):
    def __init__(self, config: LobbyConfig, device: Device, broker: BrokerAddress,
                 model: BoardModel, announcer: Announcer | None = None) -> None:
        super().__init__(config, device, "board", broker, model)
        self.model = model
        self.announcer = announcer
        self.bus.subscribe(spec("state.board"), self._on_board)
        self.bus.subscribe(spec("event.called"), self._on_called)
        self.bus.subscribe(spec("event.announcement"), self._on_announcement)
        self.bus.subscribe(spec("state.queues"), lambda s, _: model.on_queues(s))
        self.bus.subscribe(spec("state.counter"), lambda v, _: model.on_counter(v))

    def reconfigure(self, configuration: Configuration) -> None:
        settings = configuration.device.board_settings
        self.model.reconfigure(configuration.config, settings)
        if self.announcer:
            self.announcer.reconfigure(configuration.config, settings)
        # The broker sends retained state again on a new subscription: the counters and calls
        # of a zone that grew come back without waiting for their next change.
        self.bus.replay_retained(spec("state.board"), spec("state.counter"),
                                 spec("state.queues"))

    def _on_board(self, board: m.BoardState, params: dict[str, str]) -> None:
        self.model.on_board(board)
        if self.announcer:
            self.announcer.on_board(board)

    def _on_called(self, call: m.CalledEvent, params: dict[str, str]) -> None:
        self.model.on_called(call)
        if self.announcer:
            self.announcer.on_called(call)

    def _on_announcement(self, announcement: sv.AnnouncementEvent,
                         params: dict[str, str]) -> None:
        if announcement.boards and self.device.id not in announcement.boards:
            return  # for other boards (another zone of the hall)
        self.model.on_announcement(announcement)
        if self.announcer:
            self.announcer.on_announcement(announcement)
