"""Drives the real rating pad offscreen, in a process of its own: real touches, screenshots,
what it saw in result-rating-<orientation>.json. It plays the counter and the kiosk itself
over the bus. Run by tests/test_rating_ui.py; `--phase restart` starts a pad again while a
question is open (the hub's retained state must bring the question back)."""

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
if "KIVY_HOME" not in os.environ:
    os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-")
    atexit.register(shutil.rmtree, os.environ["KIVY_HOME"], ignore_errors=True)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from devicekit.window import prepare_window, screen_size
from lobby.bus import BrokerAddress, Bus
from lobby.config import load_config
from lobby.contract.registry import Topics
from lobby.rpc import Requester


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--broker", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--orientation", default="portrait")
    parser.add_argument("--phase", choices=["full", "restart"], default="full")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    config = load_config(args.config)
    broker = BrokerAddress.parse(args.broker)
    # Its real size (offscreen, a full-screen window would take the default 800×600).
    prepare_window(screen_size("rating", args.orientation), fullscreen=False)

    from devicekit import theme
    from display.rating_app import ChoiceButton, LevelButton, RatingApp
    from display.rating_client import RatingClient
    from display.rating_voice import RatingVoice
    from tests.doubles import RecordingSink
    from tests.ui.harness import Driver, escape_and_alt_f4, label_problems, tap

    others = Bus(Topics(config.site.id), client_id="driver-others", broker=broker)
    kiosk = Requester(others, "kiosk-1")
    counter = Requester(others, "counter-1")
    others.start()
    assert others.wait_connected(5)
    device = config.device("pad-1")
    assert device is not None
    sink = RecordingSink(out / "audio")
    voice = RatingVoice(config, device.rating_settings.voices, out / "clips", sink)
    client = RatingClient(config, device, broker, voice)
    client.start()
    model = client.model
    app = RatingApp(model, landscape=args.orientation == "landscape")
    prefix = f"rating-{args.orientation}" + ("-restart" if args.phase == "restart" else "")
    driver = Driver(out, prefix)
    report = driver.report
    report["touch_min_px"] = theme.mm_to_px(theme.MIN_TOUCH_MM, device.rating_settings.screen_dpi)

    def buttons(kind: type) -> list[Any]:
        return [w for w in app.root_widget.ids.body.walk(restrict=True)
                if isinstance(w, kind)]

    def serve() -> None:
        kiosk.ask("issue", service="A")
        counter.ask("call_next", counter="1")
        counter.ask("done", counter="1")

    def texts() -> list[str]:
        ids = app.root_widget.ids
        return [ids.title.text, ids.detail.text, ids.question.text]

    steps: list[tuple[str, Any]] = []
    if args.phase == "restart":
        def asked_again() -> bool:
            if model.screen != "question":
                return False
            report["restart_texts"] = texts()
            driver.shot("question-again")
            return True

        steps.append(("the question again after a restart", asked_again))
    else:
        def idle() -> bool:
            if not model.online:
                return False
            report["idle_texts"] = texts()
            driver.shot("idle")
            counter.ask("login", counter="1", staff="nv-lan", pin="2468")
            serve()
            return True

        def question() -> bool:
            if model.screen != "question" or not buttons(LevelButton):
                return False
            driver.shot("question")
            report["question_texts"] = texts()
            report["levels"] = [b.first for b in buttons(LevelButton)]
            report["targets"] = [[b.width, b.height] for b in buttons(LevelButton)]
            report["label_problems"] = label_problems(app.root_widget)
            tap(buttons(LevelButton)[-1])  # the lowest level: a reason is asked
            return True

        def reason() -> bool:
            if model.screen != "reason" or not buttons(ChoiceButton):
                return False
            driver.shot("reason")
            report["reasons"] = [b.first for b in buttons(ChoiceButton)]
            report["reason_targets"] = [[b.width, b.height] for b in buttons(ChoiceButton)]
            report["reason_label_problems"] = label_problems(app.root_widget)
            tap(buttons(ChoiceButton)[0])
            tap(buttons(ChoiceButton)[0])  # a second touch must not rate twice
            return True

        def thanks() -> bool:
            if model.screen != "thanks":
                return False
            driver.shot("thanks")
            report["thanks"] = app.root_widget.ids.title.text
            serve()  # the next citizen leaves without touching
            return True

        def untouched() -> bool:
            if model.screen != "question":
                return False
            report["untouched_asked_at"] = model.clock()
            return True

        def back_to_idle() -> bool:
            if model.screen != "idle":
                return False
            report["untouched_seconds"] = model.clock() - report["untouched_asked_at"]
            serve()  # a third: the pad will be restarted while it asks
            return True

        def asked_third() -> bool:
            if model.screen != "question":
                return False
            escape_and_alt_f4()  # no key quits it
            return True

        def still_running() -> bool:
            report["survived_escape"] = True
            report["spoken"] = [e.label for e in sink.timeline]
            return True

        steps += [("idle", idle), ("question; lowest level touched", question),
                  ("reason; touched twice", reason), ("thanks", thanks),
                  ("question left untouched", untouched), ("back to idle", back_to_idle),
                  ("third question; Esc pressed", asked_third), ("still running", still_running)]
    for name, step in steps:
        driver.step(name)(step)
    try:
        finished = driver.run(app, f"result-{prefix}.json")
    finally:
        client.stop()
        others.stop()
        voice.close()
    return 0 if finished else 1


if __name__ == "__main__":
    sys.exit(main())
