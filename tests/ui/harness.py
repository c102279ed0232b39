"""What the offscreen UI drivers share: a step runner on Kivy's clock, real touches, and
screenshots. Import it after the window is configured (it imports Kivy)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch

STEP_SECONDS = 0.1
PATIENCE = 150  # steps a step may wait for its condition: 15 s


def tap(widget: Any) -> None:
    """A real touch at the widget's centre, through the window like a finger."""
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()


def key(char: str) -> None:
    Window.dispatch("on_key_down", ord(char), 0, char, [])


class Driver:
    """Steps run in order on the UI thread; each returns False to be asked again later."""

    def __init__(self, out: Path, prefix: str) -> None:
        self.out = out
        self.prefix = prefix
        self.report: dict[str, Any] = {"screens": [], "events": []}
        self.steps: list[tuple[str, Callable[[], bool]]] = []
        self._index = 0
        self._waited = 0
        self._app: Any = None

    def step(self, name: str) -> Callable[[Callable[[], bool]], Callable[[], bool]]:
        def add(fn: Callable[[], bool]) -> Callable[[], bool]:
            self.steps.append((name, fn))
            return fn
        return add

    def shot(self, name: str) -> None:
        EventLoop.idle()
        path = self.out / f"{self.prefix}-{name}.png"
        Window.screenshot(name=str(path))
        path.with_name(path.stem + "0001.png").replace(path)  # Kivy numbers screenshots
        self.report["screens"].append(path.name)

    def _advance(self, _dt: float) -> None:
        if self._index >= len(self.steps):
            self.report["done"] = True
            self._app.stop()
            return
        name, fn = self.steps[self._index]
        if fn():
            self.report["events"].append({"step": name})
            self._index += 1
            self._waited = 0
        else:
            self._waited += 1
            if self._waited > PATIENCE:
                self.report["stuck_at"] = name
                self._app.stop()

    def run(self, app: Any, result_name: str) -> bool:
        """Runs the app through every step; True when all were done (the driver's exit
        status says so too, and the test checks it)."""
        self._app = app
        Clock.schedule_interval(self._advance, STEP_SECONDS)
        try:
            app.run()
        finally:
            self.report["window"] = list(Window.size)
            (self.out / result_name).write_text(json.dumps(self.report, indent=1,
                                                           ensure_ascii=False))
        return bool(self.report.get("done"))
