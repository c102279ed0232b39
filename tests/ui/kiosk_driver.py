"""Drives the real kiosk app offscreen, in a process of its own (one Kivy window per
process): taps its real buttons, saves screenshots, and writes what it saw to
result-<orientation>.json. tests/test_kiosk_ui.py runs it against a real hub and broker."""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
if "KIVY_HOME" not in os.environ:  # Kivy's settings and logs: not in ~/.kivy
    os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-")
    atexit.register(shutil.rmtree, os.environ["KIVY_HOME"], ignore_errors=True)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from devicekit.window import prepare_window, screen_size
from lobby.bus import BrokerAddress
from lobby.config import load_config
from tests.helpers import AT


def main() -> int:
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
    prepare_window(screen_size("kiosk", args.orientation), fullscreen=False)

    from kiosk.app import KioskApp, ServiceTile
    from kiosk.client import KioskClient
    from kiosk.printing.devices import FilePrinter, PrinterState
    from lobby.config.models import Printer
    from lobby.contract.messages import HubState
    from tests.ui.harness import Driver, tap

    config = load_config(args.config)
    device = config.device(args.device)
    assert device is not None
    client = KioskClient(config, device, BrokerAddress.parse(args.broker),
                         FilePrinter(Printer(path=args.tickets)))
    client.start()
    app = KioskApp(client.flow, landscape=args.orientation == "landscape")
    flow = client.flow
    driver = Driver(out, f"kiosk-{args.orientation}")
    report = driver.report
    step = driver.step

    def tiles() -> list[ServiceTile]:
        return [w for w in app.idle.ids.services.children if isinstance(w, ServiceTile)]

    def tile_places() -> list[list[float]]:
        return [[*t.to_window(*t.pos), *t.size] for t in reversed(tiles())]

    def first_open_tile() -> ServiceTile:
        return next(t for t in reversed(tiles()) if t.enabled)

    def language_button(code: str) -> Any:
        name = {"vi": "Tiếng Việt", "en": "English"}[code]
        return next(b for b in app.idle.ids.languages.children if b.text == name)

    def result_shown(name: str) -> bool:
        if flow.result is None or app.manager.current != "result":
            return False
        report["events"].append({"result": flow.result.number, "printed": flow.result.printed,
                                 "language": flow.language})
        driver.shot(name)
        tap(app.result.ids.finish)
        return True

    @step("idle in Vietnamese, live queue figures")
    def _() -> bool:
        if not flow.queues or not flow.online or not tiles():
            return False
        report["touch_targets"] = [
            {"what": what, "width": w.width, "height": w.height}
            for what, widgets in (("tile", tiles()),
                                  ("language", app.idle.ids.languages.children),
                                  ("priority", app.idle.ids.priority_row.children))
            for w in widgets]
        report["touch_min_px"] = app.touch_px
        driver.shot("idle-vi")
        tap(language_button("en"))
        return True

    @step("idle in English")
    def _() -> bool:
        if flow.language != "en":
            return False
        driver.shot("idle-en")
        report["tiles_without_banner"] = tile_places()  # laid out by now (the screenshot)
        tile = first_open_tile()
        report["events"].append({"tapped": tile.service_id})
        tap(tile)
        tap(tile)  # a double tap must not give two tickets
        return True

    @step("result in English")
    def _() -> bool:
        return result_shown("result-en")

    @step("priority then service in Vietnamese: two touches")
    def _() -> bool:
        if app.manager.current != "idle":
            return False
        tap(language_button("vi"))
        tap(app.idle.ids.priority_row.children[-1])
        driver.shot("idle-vi-priority-selected")
        tap(first_open_tile())
        return True

    @step("result in Vietnamese")
    def _() -> bool:
        return result_shown("result-vi")

    @step("printer out of paper: message and buttons disabled")
    def _() -> bool:
        if app.manager.current != "idle":
            return False
        flow.set_printer(PrinterState("out", True))
        return True

    @step("screenshot: paper out")
    def _() -> bool:
        driver.shot("idle-vi-paper-out")
        report["paper_out_enabled_tiles"] = sum(t.enabled for t in tiles())
        report["paper_out_banner"] = app.idle.ids.banner.text
        report["tiles_with_banner"] = tile_places()
        flow.set_printer(PrinterState("ok", True))
        flow.on_hub(HubState(state="offline", version="test", since=AT))
        return True

    @step("screenshot: hub offline")
    def _() -> bool:
        driver.shot("idle-vi-offline")
        report["offline_enabled_tiles"] = sum(t.enabled for t in tiles())
        return True

    try:
        finished = driver.run(app, f"result-{args.orientation}.json")
    finally:
        client.stop()
    return 0 if finished else 1


if __name__ == "__main__":
    sys.exit(main())
