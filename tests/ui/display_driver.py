"""Drives the real board or counter terminal offscreen, in a process of its own: real
touches and key presses, screenshots, and what it saw in result-<mode>.json. It plays the
other devices (a kiosk, counters) itself over the bus. Run by tests/test_display_ui.py."""

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
from lobby.bus import BrokerAddress, Bus
from lobby.config import load_config
from lobby.contract.messages import HubState
from lobby.contract.registry import Topics
from lobby.rpc import Requester
from tests.helpers import AT


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["board", "terminal"], required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--broker", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--orientation", default="landscape")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    config = load_config(args.config)
    broker = BrokerAddress.parse(args.broker)
    prepare_window(screen_size(args.mode if args.mode == "board" else "counter", args.orientation),
                   fullscreen=False)

    from kivy.core.window import Window

    from tests.ui.harness import Driver, key, tap

    # The other devices of the lobby, played by this driver.
    others = Bus(Topics(config.site.id), client_id="driver-others", broker=broker)
    kiosk = Requester(others, "kiosk-1")
    counters = {c: Requester(others, f"counter-{c}") for c in ("1", "2", "3", "5")}
    others.start()
    assert others.wait_connected(5)
    prefix = f"{args.mode}-{args.orientation}" if args.mode == "board" else "terminal"
    driver = Driver(out, prefix)
    report = driver.report
    shot = driver.shot
    steps = driver.steps

    if args.mode == "board":
        from devicekit.speech import Speaker, Synthesizer
        from display.announcer import Announcer
        from display.board_app import BoardApp
        from display.board_client import BoardClient
        from display.board_model import BoardModel
        from tests.doubles import RecordingSink

        device = config.device("board-1")
        assert device is not None
        settings = device.board_settings
        model = BoardModel(config, settings)
        sink = RecordingSink(out / f"{prefix}-audio")
        announcer = Announcer(config, settings, Speaker(Synthesizer(out / "clips"), sink),
                              out / f"{prefix}.last-seq")
        client = BoardClient(config, device, broker, model, announcer)
        client.start()
        app: Any = BoardApp(model, portrait=args.orientation == "portrait")

        def ready() -> bool:
            if not (model.connected and model.hub_online and model.queues):
                return False
            for service in ("A", "A", "B", "C", "D", "A"):
                kiosk.ask("issue", service=service)
            shot("waiting")
            for counter in ("1", "3", "2", "5", "1"):
                reply = counters[counter].ask("call_next", counter=counter)
                if reply.ok and reply.data and reply.data.ticket:
                    called.append(reply.data.ticket.number)
            report["called"] = list(called)
            return True

        called: list[str] = []

        def calls_shown() -> bool:
            if not set(called) <= {r.number for r in model.calls}:
                return False
            shot("calls")
            from display.board_app import CallLine

            lines = [w for w in app.root_widget.ids.current.children if isinstance(w, CallLine)]
            report["number_share_of_height"] = min(w.number_size for w in lines) / Window.height
            report["current"] = [r.number for r in model.current()]
            report["history"] = [r.number for r in model.history()]
            return True

        def spoken() -> bool:
            if not announcer.speaker.wait_idle(0.01) or len(sink.timeline) < len(called):
                return False
            report["spoken"] = [e.label for e in sink.timeline]
            model.on_hub(HubState(state="offline", version="test", since=AT))
            return True

        def offline_shot() -> bool:
            shot("offline")
            return True

        steps += [("connected, tickets issued, calls made", ready),
                  ("calls shown", calls_shown), ("calls spoken", spoken),
                  ("offline mark", offline_shot)]
    else:
        from display.terminal_app import TerminalApp
        from display.terminal_client import TerminalClient

        device = config.device("counter-1")
        assert device is not None
        terminal = TerminalClient(config, device, broker)
        terminal.start()
        model_t = terminal.model
        app = TerminalApp(model_t)

        def button(action: str) -> Any:
            return next(b for b in app.root_widget.ids.buttons.children if b.action == action)

        def empty() -> bool:
            if not (model_t.online and model_t.view is not None):
                return False
            key(" ")  # Space = next, with nobody waiting
            return True

        def refused() -> bool:
            if not model_t.message:
                return False
            report["refusal"] = model_t.message
            shot("queue-empty")
            for service in ("A", "A", "C"):
                kiosk.ask("issue", service=service)
            return True

        def press_next() -> bool:
            if sum(s.waiting for s in model_t.services()) < 3:
                return False
            tap(button("call_next"))
            return True

        def serving() -> bool:
            if model_t.ticket is None or model_t.busy:
                return False
            report["serving"] = model_t.ticket.number
            key("r")
            return True

        def recalled() -> bool:
            if model_t.ticket is None or model_t.ticket.recalls != 1:
                return False
            shot("serving")
            tap(button("transfer"))
            return True

        def transfer_dialog() -> bool:
            if app.popup is None:
                return False
            shot("transfer")
            app.popup.dismiss()
            key("d")
            return True

        def done() -> bool:
            if model_t.ticket is not None or model_t.busy:
                return False
            report["after_done"] = None
            counters["2"].ask("pause", counter="2")
            return True

        steps += [("connected; next with nobody waiting", empty), ("refusal shown", refused),
                  ("tickets waiting; Next touched", press_next), ("serving; R pressed", serving),
                  ("recalled; Transfer touched", recalled), ("transfer dialog; D pressed",
                                                              transfer_dialog),
                  ("done", done)]

    try:
        finished = driver.run(app, f"result-{prefix}.json")
    finally:
        others.stop()
    return 0 if finished else 1


if __name__ == "__main__":
    sys.exit(main())
