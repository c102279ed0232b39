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


def escape_and_alt_f4() -> None:
    """What a citizen or a passer-by might press to close the app: Esc, and the close
    request Alt+F4 or the window manager sends."""
    Window.dispatch("on_key_down", 27, 41, None, [])
    Window.dispatch("on_keyboard", 27, 41, None, [])
    Window.dispatch("on_request_close", source="keyboard")


class Driver:
    """Steps run in order on the UI thread; each returns False to be asked again later."""

    def __init__(self, out: Path, prefix: str) -> None:
        self.out = out
        self.prefix = prefix
        self.report: dict[str, Any] = {"screens": [], "events": []}
        self.steps: list[tuple[str, Callable[[], bool]]] = []
        self._index = 0
        self._waited = 0
        self._busy = False
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
        # A step that takes a screenshot runs the event loop (EventLoop.idle), which would run
        # this again, inside the step: the next steps must wait for it.
        if self._busy:
            return
        self._busy = True
        try:
            self._next_step()
        finally:
            self._busy = False

    def _next_step(self) -> None:
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


def text_box(label: Any) -> tuple[float, float, float, float]:
    """Where a label's rendered text is, in window coordinates: the text's own size (for a
    label boxed by `text_size`, Kivy's measure of the text, not of the box) placed in the
    label's box by its alignment."""
    boxed = label.text_size[0] is not None
    width, height = label._label._internal_size if boxed else label.texture_size
    x, y = label.to_window(label.x, label.y)
    if label.halign == "right":
        x += label.width - width
    elif label.halign in ("center", "justify") or label.text_size[0] is None:
        x += (label.width - width) / 2
    if label.valign in ("middle", "center") or label.text_size[1] is None:
        y += (label.height - height) / 2
    elif label.valign == "top":
        y += label.height - height
    return x, y, width, height


def _shown(widget: Any) -> bool:
    while widget is not None and widget is not widget.parent:
        if getattr(widget, "opacity", 1) == 0:
            return False
        widget = widget.parent
    return True


def _container(widget: Any) -> Any:
    """The button or tile a label is drawn on, if any: its text must stay on it."""
    from kivy.uix.behaviors import ButtonBehavior

    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ButtonBehavior):
            return parent
        parent = parent.parent
    return None


def label_problems(root: Any, slack: float = 1.5) -> list[str]:
    """Every shown label whose text runs outside its own box or over another label's text,
    or outside the window."""
    from kivy.uix.label import Label

    labels = [w for w in root.walk() if (isinstance(w, Label) or hasattr(w, "text_box"))
              and w.text.strip() and _shown(w)]
    for label in labels:
        if isinstance(label, Label):
            label.texture_update()
    problems = []
    boxes = []
    for label in labels:
        box = label.text_box() if hasattr(label, "text_box") else text_box(label)
        name = f"{type(label).__name__} {label.text[:30]!r}"
        if (box[2] > label.width + slack or box[3] > label.height + slack):
            problems.append(f"{name}: text {box[2]:.0f}x{box[3]:.0f} in a "
                            f"{label.width:.0f}x{label.height:.0f} box")
        if box[0] < -slack or box[1] < -slack or box[0] + box[2] > Window.width + slack \
                or box[1] + box[3] > Window.height + slack:
            problems.append(f"{name}: outside the window")
        container = _container(label)
        if container is not None:
            cx, cy = container.to_window(container.x, container.y)
            if (box[0] < cx - slack or box[1] < cy - slack
                    or box[0] + box[2] > cx + container.width + slack
                    or box[1] + box[3] > cy + container.height + slack):
                problems.append(f"{name}: outside its {type(container).__name__}")
        boxes.append((name, box))
    for index, (name, a) in enumerate(boxes):
        for other, b in boxes[index + 1:]:
            if (a[0] + slack < b[0] + b[2] and b[0] + slack < a[0] + a[2]
                    and a[1] + slack < b[1] + b[3] and b[1] + slack < a[1] + a[3]):
                problems.append(f"{name} overlaps {other}")
    return problems
