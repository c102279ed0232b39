"""The kiosk's real Kivy window, offscreen, against the real hub and Mosquitto: taps on its
buttons, screenshots of each screen in both languages (kept where LOBBY_UI_ARTIFACTS says), touch
targets, contrast and the catalogues."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from devicekit.i18n import tr, translations
from devicekit.theme import MIN_TOUCH_MM, PAIRS, contrast, mm_to_px
from kiosk import flow as kiosk_flow
from lobby.bus import BrokerAddress
from tests.helpers import DEMO, ROOT, RunningHub, keep_screens, wait_for


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_kiosk_window_issues_prints_and_shows_every_state(
    orientation: str, mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    raw = yaml.safe_load(DEMO.read_text())
    raw["site"]["id"] = f"ui-{orientation}-{os.getpid()}"
    raw["services"][3].pop("hours")  # all four open whatever the day of the test
    config_file = tmp_path / "kiosk.yaml"
    config_file.write_text(yaml.safe_dump(raw, allow_unicode=True))
    from lobby.config import load_config

    config = load_config(config_file)
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    out = tmp_path / "screens"
    out.mkdir()
    tickets = tmp_path / "tickets"
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_HOME=str(tmp_path / "kivy"), KIVY_LOG_MODE="PYTHON")
    try:
        run = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "ui" / "kiosk_driver.py"), "--config",
             str(config_file), "--broker", f"{mosquitto.host}:{mosquitto.port}", "--out",
             str(out), "--orientation", orientation, "--tickets", str(tickets)],
            env=env, capture_output=True, text=True, timeout=90)
        keep_screens(out, f"kiosk-{orientation}")
        report = json.loads((out / f"result-{orientation}.json").read_text())
        assert run.returncode == 0, (report.get("stuck_at"), run.stderr[-2000:])
        numbers = [e["result"] for e in report["events"] if "result" in e]
        assert numbers == ["A001", "A002"]  # the double tap gave one ticket
        assert [e["language"] for e in report["events"] if "result" in e] == ["en", "vi"]
        assert all(e["printed"] for e in report["events"] if "result" in e)
        assert hub.engine.store.count_tickets() == 2
        assert wait_for(lambda: len(list(tickets.glob("*.bin"))) == 2)
        assert len(list(tickets.glob("*.png"))) == 2
        for binary in tickets.glob("*.bin"):
            assert binary.read_bytes().endswith(b"\x1dV\x00")
        assert report["paper_out_enabled_tiles"] == 0
        assert report["paper_out_banner"].startswith("Máy in đã hết giấy")
        # A banner that appears moves no tile: a second tap lands where the first did.
        assert report["tiles_with_banner"] == report["tiles_without_banner"]
        assert report["offline_enabled_tiles"] == 0
        minimum = report["touch_min_px"]
        assert minimum >= mm_to_px(MIN_TOUCH_MM, 96) - 0.01
        for target in report["touch_targets"]:
            assert min(target["width"], target["height"]) >= minimum, target
        for screen in report["screens"]:
            assert (out / screen).stat().st_size > 10_000, screen
        expected = {f"kiosk-{orientation}-{s}.png"
                    for s in ("idle-vi", "idle-en", "result-en", "result-vi")}
        assert expected <= set(report["screens"])
    finally:
        hub.stop()


def test_every_text_colour_pair_has_contrast_of_at_least_4_5() -> None:
    for name, (text, background) in PAIRS.items():
        assert contrast(text, background) >= 4.5, name


# Where the message is in each kind of call: tr(lang, msg), both(msg, langs), N_(msg).
MESSAGE_ARGUMENT = {"tr": 1, "both": 0, "N_": 0}


def _messages() -> set[str]:
    """Every message the code translates: tr() and both() with a literal, and N_() marks."""
    found = set()
    for folder in ("kiosk", "lobby", "display"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                index = MESSAGE_ARGUMENT.get(getattr(node.func, "id", ""))
                if index is None or len(node.args) <= index:
                    continue
                argument = node.args[index]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.add(argument.value)
    return found


def test_every_message_is_translated_into_vietnamese() -> None:
    catalogue = translations("vi")
    messages = _messages()
    assert kiosk_flow.NOT_AVAILABLE in messages and "Now serving" in messages  # it finds them
    missing = [msg for msg in sorted(messages) if catalogue.gettext(msg) == msg]
    assert missing == []
    assert tr("vi", "Waiting: {count}", count=3) == "Đang chờ: 3"
