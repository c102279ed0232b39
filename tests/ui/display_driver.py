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

ANNOUNCEMENT = {"vi": "Trung tâm sẽ đóng cửa sau 15 phút nữa, xin quý khách thông cảm",
                "en": "The centre closes in 15 minutes; thank you for your patience"}


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
    # Full screen, as in a centre (offscreen, it has the size asked for): no key may quit.
    prepare_window(screen_size(args.mode if args.mode == "board" else "counter", args.orientation),
                   fullscreen=args.mode == "terminal")


    from tests.ui.harness import Driver, escape_and_alt_f4, key, label_problems, tap

    # The other devices of the lobby, played by this driver.
    others = Bus(Topics(config.site.id), client_id="driver-others", broker=broker)
    kiosk = Requester(others, "kiosk-1")
    citizens = Requester(others, "public-1")  # the ticket page behind a QR code
    console = Requester(others, "console-1")
    counters = {c: Requester(others, d.id) for d in config.devices if d.role == "counter"
                for c in d.counters}
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

        expected: dict[str, str] = {}  # counter -> its ticket, as the hub answered

        def ready() -> bool:
            if not (model.connected and model.hub_online and model.queues):
                return False
            for service in [q.id for q in model.queues if q.open] * 2:
                kiosk.ask("issue", service=service)
            shot("waiting")
            for counter_id in counters:  # every counter calls
                act(counter_id, "call_next")
            first, second, third, fourth = list(counters)[:4]
            act(first, "call_next")  # its first ticket is done: it goes to "recent"
            act(second, "recall")  # re-flashes, adds no row
            act(third, "no_show")  # leaves "now serving"
            act(fourth, "pause")  # paused: not serving
            report["called"] = list(called)
            report["serving"] = dict(expected)
            return True

        called: list[str] = []

        def act(counter_id: str, action: str) -> None:
            reply = counters[counter_id].ask(action, counter=counter_id)
            if not (reply.ok and reply.data):
                return
            view = reply.data
            if action == "call_next" and view.ticket:
                called.append(view.ticket.number)
            if view.ticket and view.status == "open":
                expected[counter_id] = view.ticket.number
            else:
                expected.pop(counter_id, None)

        def calls_shown() -> bool:
            shown = {(r.counter, r.number) for r in model.serving()}
            if shown != set(expected.items()) or not set(called) <= {c.number
                                                                    for c in model.calls}:
                return False
            app.refresh()
            shot("calls")
            from display.board_layout import CAP_HEIGHT

            layout = app.layout
            assert layout is not None
            report["serving_shown"] = [r.number for r in app.serving_rows if r.opacity]
            report["recent_shown"] = [r.number for r in app.recent_rows if r.opacity]
            report["number_cap_share"] = layout.serving.font * CAP_HEIGHT / layout.reference
            report["line_cap_share"] = layout.recent.font * CAP_HEIGHT / layout.reference
            report["label_problems"] = label_problems(app.root_widget)
            report["regions"] = layout.regions()
            return True

        def spoken() -> bool:
            if not announcer.speaker.wait_idle(0.01) or len(sink.timeline) < len(called):
                return False
            report["spoken"] = [e.label for e in sink.timeline]
            # A supervisor tells the hall something: a banner in both languages, then said.
            reply = console.ask("announce", user="giamdoc", minutes=5, texts=ANNOUNCEMENT)
            assert reply.ok and reply.data is not None, reply.error
            report["announcement_id"] = reply.data.id
            return True

        def announced() -> bool:
            if not model.banner() or not announcer.speaker.wait_idle(0.01):
                return False
            app.refresh()
            shot("announcement")
            layout = app.layout
            assert layout is not None and layout.banner is not None
            report["banner_shown"] = [label.text for label in app.banner_labels if label.text]
            report["banner_label_problems"] = label_problems(app.root_widget)
            report["banner_regions"] = layout.regions()
            report["spoken_after"] = [e.label for e in sink.timeline]
            model.on_hub(HubState(state="offline", version="test", since=AT))
            return True

        def offline_shot() -> bool:
            shot("offline")
            report["offline_label_problems"] = label_problems(app.root_widget)
            return True

        steps += [("connected, tickets issued, calls made", ready),
                  ("calls shown", calls_shown), ("calls spoken", spoken),
                  ("announcement shown and said", announced),
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
        tokens: dict[str, str] = {}

        def button(action: str) -> Any:
            return next(b for b in app.root_widget.ids.buttons.children if b.action == action)

        def places() -> list[list[float]]:
            return [[*b.to_window(*b.pos), *b.size]
                    for b in reversed(app.root_widget.ids.buttons.children)]

        def empty() -> bool:
            if not (model_t.online and model_t.view is not None):
                return False
            shot("before-first-press")  # laid out
            report["buttons_without_message"] = places()
            key(" ")  # Space = next, with nobody waiting
            return True

        def refused() -> bool:
            if not model_t.message:
                return False
            report["refusal"] = model_t.message
            shot("refused-laid-out")
            report["buttons_with_message"] = places()
            shot("queue-empty")
            for service in ("A", "A", "C"):
                issued = kiosk.ask("issue", service=service).data
                assert issued is not None
                tokens[issued.number] = issued.token
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
            report["buttons_while_serving"] = places()
            # The citizen says from their phone that they are coming.
            citizens.ask("coming", token=tokens[model_t.ticket.number])
            return True

        def coming() -> bool:
            if model_t.ticket is None or model_t.ticket.coming_at is None:
                return False
            report["coming"] = app.root_widget.ids.detail.text
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

        def sign_in() -> bool:
            if app.popup is not None or model_t.busy:
                return False
            tap(button("sign"))
            return app.popup is not None  # else touched while the button was off: again

        def staff_chosen() -> bool:
            if app.popup is None:
                return False
            shot("sign-in-names")
            names = [b for b in app.popup.content.walk(restrict=True)
                     if getattr(b, "name", "") and getattr(b, "action", "") != "cancel"]
            report["staff_names"] = [b.name for b in names]
            report["name_targets"] = [[b.width, b.height] for b in names]
            tap(names[0])  # the first name
            return True

        def pin_typed() -> bool:
            from kivy.uix.textinput import TextInput

            fields = [w for w in app.popup.content.children
                      if isinstance(w, TextInput)] if app.popup else []
            if not fields:
                return False
            if "bad_pin_said" not in report:  # letters first: said in the dialog, nothing sent
                from kivy.uix.label import Label

                fields[0].text = "12ab34"
                before = model_t.message
                tap(next(b for b in app.popup.content.children
                         if getattr(b, "action", "") == "login"))
                report["bad_pin_said"] = [w.text for w in app.popup.content.children
                                          if type(w) is Label and w.text]
                report["bad_pin_sent"] = model_t.busy or model_t.message != before
                return False
            fields[0].text = "2468"
            shot("sign-in-pin")
            tap(next(b for b in app.popup.content.children if getattr(b, "action", "") == "login"))
            return True

        def signed_in() -> bool:
            # The label follows the model on the app's next refresh: wait for it to say so.
            if (model_t.officer is None or model_t.busy
                    or "·" not in app.root_widget.ids.counter.text):
                return False
            report["signed_in"] = [app.root_widget.ids.counter.text, model_t.banner()]
            shot("signed-in")
            return True

        def escape() -> bool:
            escape_and_alt_f4()
            return True

        def still_running() -> bool:
            report["survived_escape"] = True  # still stepping: the app did not stop
            return True

        steps += [("connected; next with nobody waiting", empty), ("refusal shown", refused),
                  ("tickets waiting; Next touched", press_next),
                  ("serving; the citizen's phone says coming", serving),
                  ("shown coming; R pressed", coming),
                  ("recalled; Transfer touched", recalled), ("transfer dialog; D pressed",
                                                              transfer_dialog),
                  ("done", done), ("Sign in touched", sign_in), ("a name chosen", staff_chosen),
                  ("PIN typed", pin_typed), ("signed in", signed_in),
                  ("Esc and Alt+F4 pressed", escape),
                  ("still running", still_running)]

    try:
        finished = driver.run(app, f"result-{prefix}.json")
    finally:
        others.stop()
    return 0 if finished else 1


if __name__ == "__main__":
    sys.exit(main())
