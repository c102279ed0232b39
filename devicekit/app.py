"""The base of every device's Kivy app (kiosk, board, counter terminal): the bundled fonts,
sizes as shares of the window, one batched repaint per frame whatever thread asks for it,
the window's title, and key presses routed to `on_key`.

Kivy is imported here and in the apps' own modules only; their logic is plain view-models."""

from __future__ import annotations

import signal
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from devicekit.assets import FONT, FONT_BOLD
from devicekit.stopping import STOP_REQUESTED
from lobby.presence import HubPresence

ADMIN_QUIT_KEY = ord("q")  # with Ctrl and Shift: the one way to leave a device app by keyboard


class DeviceApp(App):  # type: ignore[misc]
    font = str(FONT)
    font_bold = str(FONT_BOLD)
    _admin_quit = False

    def __init__(self, model: HubPresence, title: str, **kwargs: Any) -> None:
        """`model` is the app's view-model; it calls `on_change` after every change."""
        super().__init__(**kwargs)
        self.title = title
        self._repaint = Clock.create_trigger(lambda _dt: self.refresh())
        # Bus and printer threads change the model; the repaint runs on the UI thread, at most
        # once a frame however many changes arrive.
        model.on_change = self.request_refresh
        Window.bind(on_key_down=self._key_down)
        # Stopping the service (SIGTERM) or Ctrl-C in a terminal stops the app cleanly, even
        # before its window is up (the clock runs the stop once the app runs).
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: Clock.schedule_once(lambda _dt: self.quit()))
        if STOP_REQUESTED.is_set():  # stopped while starting
            Clock.schedule_once(lambda _dt: self.quit())

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

    def on_start(self) -> None:
        Window.bind(on_request_close=self._on_request_close)

    def quit(self) -> None:
        """Leaves the app (the admin's key, or the service stopped)."""
        self._admin_quit = True
        self.stop()

    def _on_request_close(self, *_args: Any, **_kwargs: Any) -> bool:
        """Refuses to close (Alt+F4, the window manager's close) a full-screen device app:
        True stops Kivy closing. The admin combination is Ctrl+Shift+Q (docs/install.md), or
        stopping the service. A windowed app (the demo) closes as usual."""
        return bool(Window.fullscreen) and not self._admin_quit

    def _key_down(self, _window: Any, key: int, _scancode: int, text: str | None,
                  modifiers: list[str]) -> bool:
        if key == ADMIN_QUIT_KEY and {"ctrl", "shift"} <= set(modifiers):
            self.quit()
            return True
        return bool(text) and self.on_key(text or "")

    def on_key(self, text: str) -> bool:
        """A key with this text was pressed; True when the app used it."""
        return False
