"""The base of every device's Kivy app (kiosk, board, counter terminal): the bundled fonts,
sizes as shares of the window, one batched repaint per frame whatever thread asks for it,
the window's title, and key presses routed to `on_key`.

Kivy is imported here and in the apps' own modules only; their logic is plain view-models."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from devicekit.assets import FONT, FONT_BOLD
from lobby.presence import HubPresence


class DeviceApp(App):  # type: ignore[misc]
    font = str(FONT)
    font_bold = str(FONT_BOLD)

    def __init__(self, model: HubPresence, title: str, **kwargs: Any) -> None:
        """`model` is the app's view-model; it calls `on_change` after every change."""
        super().__init__(**kwargs)
        self.title = title
        self._repaint = Clock.create_trigger(lambda _dt: self.refresh())
        # Bus and printer threads change the model; the repaint runs on the UI thread, at most
        # once a frame however many changes arrive.
        model.on_change = self.request_refresh

    def request_refresh(self) -> None:
        self._repaint()

    def refresh(self) -> None:
        """Paint the whole screen from the view-model (on the UI thread)."""
        raise NotImplementedError

    def h(self, share: float) -> float:
        """A share of the window's height."""
        return float(Window.height * share)

    def u(self, share: float) -> float:
        """A share of the window's shorter side: text as large in portrait as in landscape."""
        return float(min(Window.height, Window.width) * share)

    def listen_to_keys(self) -> None:
        Window.bind(on_key_down=self._key_down)

    def _key_down(self, _window: Any, _key: int, _scancode: int, text: str | None,
                  _modifiers: list[str]) -> bool:
        return bool(text) and self.on_key(text or "")

    def on_key(self, text: str) -> bool:
        """A key with this text was pressed; True when the app used it."""
        return False
