"""The board and the counter terminal in real Kivy windows, offscreen, against the real hub
and Mosquitto: screenshots in the test's folder (kept where LOBBY_UI_ARTIFACTS says), and what
the drivers saw."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from display.board_layout import overlaps
from lobby.bus import BrokerAddress
from lobby.config import load_config
from tests.helpers import DEMO, ROOT, RunningHub, keep_screens
from tests.ui.display_driver import ANNOUNCEMENT

MERGED = ROOT / "tests" / "fixtures" / "centres" / "merged-commune.yaml"


def run_driver(mode: str, orientation: str, broker: BrokerAddress,
               tmp_path: Path, centre: Path = DEMO) -> tuple[dict[str, Any], RunningHub]:
    raw = yaml.safe_load(centre.read_text())
    raw["site"]["id"] = f"ui-{mode}-{orientation}-{os.getpid()}"
    if centre == DEMO:
        raw["services"][3].pop("hours")  # open whatever the day of the test
    for device in raw["devices"]:
        if device["role"] == "board":
            device["board"] = {"orientation": orientation}
    if not any(device["role"] == "console" for device in raw["devices"]):
        raw["devices"].append({"id": "console-1", "role": "console"})  # announces
    if not any(device["role"] == "public" for device in raw["devices"]):
        raw["devices"].append({"id": "public-1", "role": "public"})  # "I'm coming"
    config_file = tmp_path / "display.yaml"
    config_file.write_text(yaml.safe_dump(raw, allow_unicode=True))
    hub = RunningHub(load_config(config_file), tmp_path / "hub.sqlite", broker)
    out = tmp_path / "screens"
    out.mkdir()
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_HOME=str(tmp_path / "kivy"), KIVY_LOG_MODE="PYTHON")
    run = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "ui" / "display_driver.py"), "--mode", mode,
         "--config", str(config_file), "--broker", f"{broker.host}:{broker.port}", "--out",
         str(out), "--orientation", orientation],
        env=env, capture_output=True, text=True, timeout=120)
    prefix = f"board-{orientation}" if mode == "board" else "terminal"
    keep_screens(out, prefix)
    report = json.loads((out / f"result-{prefix}.json").read_text())
    assert run.returncode == 0, (report.get("stuck_at"), run.stderr[-3000:])
    for screen in report["screens"]:
        assert (out / screen).stat().st_size > 10_000, screen
    return report, hub


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
@pytest.mark.parametrize("centre", [DEMO, MERGED], ids=["demo", "merged-commune"])
def test_board_shows_every_serving_counter_once_and_says_the_calls(
    centre: Path, orientation: str, mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    report, hub = run_driver("board", orientation, mosquitto, tmp_path, centre)
    try:
        serving = report["serving"]  # counter -> ticket, as the hub answered the counters
        assert len(report["called"]) >= 5
        # Every serving counter exactly once (after a recall, a no-show and a pause).
        assert sorted(report["serving_shown"]) == sorted(serving.values())
        recent = report["recent_shown"]
        assert recent and len(recent) == len(set(recent))
        assert not set(recent) & set(serving.values())
        # Glyph heights: 9 % of the reference side with up to 4 serving, 5 % with 16.
        assert report["number_cap_share"] >= (0.09 if len(serving) <= 4 else 0.05)
        assert report["line_cap_share"] >= 0.03
        # No label outside its box, over another or outside the window; no region over
        # another.
        assert report["label_problems"] == []
        assert report["offline_label_problems"] == []
        for a, b in itertools.combinations(report["regions"], 2):
            assert not overlaps(a, b), (a, b)
        # Each call said once, in seq order, with the chime and both languages.
        seqs = [int(label.split()[0]) for label in report["spoken"]]
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)) >= len(report["called"])
        timeline = json.loads((tmp_path / "screens" / f"board-{orientation}-audio" /
                               "timeline.json").read_text())
        for before, after in itertools.pairwise(timeline):
            assert before["end"] <= after["start"]
        assert {f"board-{orientation}-{s}.png" for s in ("waiting", "calls", "announcement",
                                                          "offline")} <= set(report["screens"])
        # The announcement: both lines on the banner, which covers nothing, then said once
        # after the calls (the chime and both languages), never over a call.
        assert report["banner_shown"] == list(ANNOUNCEMENT.values())
        assert report["banner_label_problems"] == []
        for a, b in itertools.combinations(report["banner_regions"], 2):
            assert not overlaps(a, b), (a, b)
        said = report["spoken_after"]
        assert said[-1] == f"announcement {report['announcement_id']}"
        assert said.count(said[-1]) == 1
    finally:
        hub.stop()


def test_counter_terminal_by_touch_and_keys(mosquitto: BrokerAddress, tmp_path: Path) -> None:
    report, hub = run_driver("terminal", "landscape", mosquitto, tmp_path)
    try:
        assert report["refusal"] == "Không còn ai đang chờ."  # "queue empty", in plain words
        # A message that appears moves no button: a second press lands where the first did.
        assert report["buttons_with_message"] == report["buttons_without_message"]
        assert report["buttons_while_serving"] == report["buttons_without_message"]
        # Staff sign in: a name, then the PIN; the counter shows who is on duty.
        assert report["staff_names"][0] == "Trần Văn Hùng"  # by given name
        assert all(h >= 60 for _w, h in report["name_targets"])
        assert report["bad_pin_said"] == ["Mã PIN gồm 4 đến 12 chữ số."]  # in the dialog
        assert not report["bad_pin_sent"]  # letters are not dropped and the rest sent
        assert report["signed_in"] == ["Quầy 1 · Trần Văn Hùng", "Đã đăng nhập: Trần Văn Hùng."]
        assert report["serving"] == "A001"
        assert report["coming"].endswith(" · Công dân đang đến")  # said from the phone
        rows = hub.engine.store.conn.execute(
            "SELECT number, state, recalls, counter FROM tickets ORDER BY id").fetchall()
        assert rows[0] == ("A001", "done", 1, "1")  # Next (touch), R (key), D (key)
        assert report["survived_escape"]  # no key quits a device app
        assert {"terminal-queue-empty.png", "terminal-serving.png",
                "terminal-transfer.png"} <= set(report["screens"])
    finally:
        hub.stop()
