"""Drives the real kiosk app offscreen, in a process of its own (one Kivy window per
process): taps its real buttons with touch events, saves screenshots, and writes what it saw
to result.json. tests/test_kiosk_ui.py runs it against a real hub and broker."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.cli import configure_window
from lobby.bus import BrokerAddress
from lobby.config import load_config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--device", default="kiosk-1")
    parser.add_argument("--broker", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--orientation", default="portrait")
    parser.add_argument("--tickets", required=True)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    configure_window(args.orientation, fullscreen=False)

    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    from kiosk.app import KioskApp, ServiceTile
    from kiosk.client import KioskClient
    from kiosk.printing.devices import FilePrinter, PrinterState
    from lobby.config.models import Printer
    from lobby.contract.messages import HubState

    config = load_config(args.config)
    device = config.device(args.device)
    assert device is not None
    client = KioskClient(config, device, BrokerAddress.parse(args.broker),
                         FilePrinter(Printer(path=args.tickets)))
    client.start()
    app = KioskApp(client.flow, landscape=args.orientation == "landscape")
    report: dict[str, Any] = {"screens": [], "events": [], "touch_targets": []}

    def shot(name: str) -> None:
        EventLoop.idle()
        path = out / f"kiosk-{args.orientation}-{name}.png"
        app.root.export_to_png(str(path))
        report["screens"].append(path.name)

    def tap(widget: Any) -> None:
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()

    def tiles() -> list[ServiceTile]:
        return [w for w in app.idle.ids.services.children if isinstance(w, ServiceTile)]

    def language_button(code: str) -> Any:
        name = {"vi": "Tiếng Việt", "en": "English"}[code]
        return next(b for b in app.idle.ids.languages.children if b.text == name)

    steps: list[tuple[str, Callable[[], bool]]] = []

    def step(name: str) -> Callable[[Callable[[], bool]], Callable[[], bool]]:
        def add(fn: Callable[[], bool]) -> Callable[[], bool]:
            steps.append((name, fn))
            return fn
        return add

    @step("idle in Vietnamese, live queue figures")
    def _() -> bool:
        if not client.flow.queues or not client.flow.online or not tiles():
            return False
        report["touch_targets"] = [
            {"what": "tile", "width": t.width, "height": t.height} for t in tiles()] + [
            {"what": "language", "width": b.width, "height": b.height}
            for b in app.idle.ids.languages.children] + [
            {"what": "priority", "width": b.width, "height": b.height}
            for b in app.idle.ids.priority_row.children]
        report["touch_min_px"] = app.touch_px
        shot("idle-vi")
        return True

    @step("switch to English by touch")
    def _() -> bool:
        tap(language_button("en"))
        return True

    @step("idle in English")
    def _() -> bool:
        if client.flow.language != "en":
            return False
        shot("idle-en")
        return True

    @step("touch the first service")
    def _() -> bool:
        tile = next(t for t in reversed(tiles()) if t.enabled)
        report["events"].append({"tapped": tile.service_id})
        tap(tile)
        tap(tile)  # a double tap must not give two tickets
        return True

    @step("result in English")
    def _() -> bool:
        if client.flow.result is None or app.manager.current != "result":
            return False
        report["events"].append({"result": client.flow.result.number,
                                 "printed": client.flow.result.printed})
        shot("result-en")
        tap(app.result.ids.finish)
        return True

    @step("priority then service in Vietnamese: two touches")
    def _() -> bool:
        if app.manager.current != "idle":
            return False
        tap(language_button("vi"))
        priority = app.idle.ids.priority_row.children[-1]
        tap(priority)
        shot("idle-vi-priority-selected")
        tap(next(t for t in reversed(tiles()) if t.enabled))
        return True

    @step("result in Vietnamese")
    def _() -> bool:
        if client.flow.result is None or app.manager.current != "result":
            return False
        report["events"].append({"result": client.flow.result.number,
                                 "printed": client.flow.result.printed})
        shot("result-vi")
        tap(app.result.ids.finish)
        return True

    @step("printer out of paper: message and buttons disabled")
    def _() -> bool:
        if app.manager.current != "idle":
            return False
        client.flow.set_printer(PrinterState("out", True))
        return True

    @step("screenshot: paper out")
    def _() -> bool:
        shot("idle-vi-paper-out")
        report["paper_out_enabled_tiles"] = sum(t.enabled for t in tiles())
        report["paper_out_banner"] = app.idle.ids.banner.text
        client.flow.set_printer(PrinterState("ok", True))
        client.flow.set_hub(HubState(state="offline", version="test", since="now"))
        return True

    @step("screenshot: hub offline")
    def _() -> bool:
        shot("idle-en-offline" if client.flow.language == "en" else "idle-vi-offline")
        report["offline_enabled_tiles"] = sum(t.enabled for t in tiles())
        return True

    state = {"index": 0, "waited": 0}

    def advance(_dt: float) -> None:
        if state["index"] >= len(steps):
            report["done"] = True
            app.stop()
            return
        name, fn = steps[state["index"]]
        if fn():
            report["events"].append({"step": name})
            state["index"] += 1
            state["waited"] = 0
        else:
            state["waited"] += 1
            if state["waited"] > 100:  # 10 s
                report["stuck_at"] = name
                app.stop()

    Clock.schedule_interval(advance, 0.1)
    try:
        app.run()
    finally:
        report["window"] = list(Window.size)
        client.stop()
        (out / f"result-{args.orientation}.json").write_text(json.dumps(report, indent=1,
                                                                       ensure_ascii=False))


if __name__ == "__main__":
    main()
