"""The waiting screen's Kivy app and its connection (devicekit/waiting.py says what it shows
and why)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from devicekit import theme
from devicekit.app import DeviceApp
from devicekit.client import restart_process
from devicekit.configuration import ConfigFollower, Configuration
from devicekit.provisioning import DeviceIdentity
from devicekit.waiting import TITLE, WaitingModel
from lobby.bus import Bus
from lobby.contract import messages as m
from lobby.contract.registry import Topics, spec

log = logging.getLogger(__name__)


class WaitingApp(DeviceApp):
    def __init__(self, model: WaitingModel) -> None:
        super().__init__(model, TITLE[1])
        self.model = model

    def build(self) -> Any:
        Window.clearcolor = theme.BACKGROUND
        root = BoxLayout(orientation="vertical", padding=self.u(0.06), spacing=self.u(0.03))
        self.title_labels = [Label(text=text, font_name=self.font_bold, font_size=self.u(0.05),
                                   color=theme.TEXT, halign="center", valign="middle")
                             for text in TITLE]
        self.detail = Label(font_name=self.font, font_size=self.u(0.03),
                            color=theme.MUTED_TEXT, halign="center", valign="top",
                            size_hint_y=2)
        for label in (*self.title_labels, self.detail):
            label.bind(size=lambda widget, size: setattr(widget, "text_size", size))
            root.add_widget(label)
        self.refresh()
        # A refused or unreachable broker changes no state the model hears of: look again.
        Clock.schedule_interval(lambda _dt: self.refresh(), 1.0)
        return root

    def refresh(self) -> None:
        self.detail.text = "\n\n".join(self.model.lines())


def wait_for_configuration(identity: DeviceIdentity, role: m.DeviceRole, var: Path) -> None:
    """Shows the waiting screen until the configuration arrives (the process then starts
    again in its place) or the app is stopped (this returns). The window's settings are made
    before this module is imported (devicekit/window.py)."""

    def configured(configuration: Configuration) -> None:
        log.info("configured (revision %s): starting again on it", configuration.revision)
        restart_process()  # the new process connects anew; this one's socket closes

    follower = ConfigFollower(identity.device, role, var, None, configured)
    bus = Bus(Topics(identity.site), identity.broker.username or f"{role}-{identity.device}",
              identity.broker)
    model = WaitingModel(identity, role, follower, lambda: bus.problem)
    bus.subscribe(spec("state.config"), lambda state, _p: _take(follower, model, state))
    bus.subscribe(spec("state.hub"), lambda state, _p: model.on_hub(state))
    bus.on_connected(lambda: model.set_connected(True))
    bus.on_disconnected(lambda: model.set_connected(False))
    bus.start()
    try:
        WaitingApp(model).run()
    finally:
        bus.stop()


def _take(follower: ConfigFollower, model: WaitingModel, state: m.ConfigState) -> None:
    follower.on_state(state)
    model.on_change()  # a configuration without this device says why
