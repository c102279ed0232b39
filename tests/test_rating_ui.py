"""The rating pad in a real Kivy window, offscreen, against the real hub and Mosquitto
(issue #11): the question after `done`, one touch, a reason after the lowest level, thanks,
the question going when left untouched, and asked again by a pad restarted mid-question."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lobby.bus import BrokerAddress
from lobby.config import load_config
from tests.helpers import ROOT, RunningHub, keep_screens, small_config
from tests.test_duty import STAFF_YAML

DRIVER = ROOT / "tests" / "ui" / "rating_driver.py"


def run(phase: str, orientation: str, config_file: Path, broker: BrokerAddress,
        out: Path) -> dict[str, Any]:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_HOME=str(out / f"kivy-{phase}"), KIVY_LOG_MODE="PYTHON")
    done = subprocess.run(
        [sys.executable, str(DRIVER), "--config", str(config_file), "--broker",
         f"{broker.host}:{broker.port}", "--out", str(out), "--orientation", orientation,
         "--phase", phase], env=env, capture_output=True, text=True, timeout=120)
    suffix = "-restart" if phase == "restart" else ""
    report: dict[str, Any] = json.loads(
        (out / f"result-rating-{orientation}{suffix}.json").read_text())
    assert done.returncode == 0, (report.get("stuck_at"), done.stderr[-3000:])
    return report


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_the_pad_asks_once_takes_one_touch_and_thanks(
    orientation: str, mosquitto: BrokerAddress, tmp_path: Path,
) -> None:
    text = STAFF_YAML.replace("id: test-site", f"id: {small_config().site.id}").replace(
        '{id: pad-1, role: rating, counters: ["1"]}',
        '{id: pad-1, role: rating, counters: ["1"], rating: {rating_seconds: 5}}')
    config_file = tmp_path / "centre.yaml"
    config_file.write_text(text)
    config = load_config(config_file)
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    out = tmp_path / "screens"
    try:
        report = run("full", orientation, config_file, mosquitto, out)
        assert "Quầy 1" in report["idle_texts"][0]
        title, detail, question = report["question_texts"]
        assert title == "Số A001" and "Nguyễn Thị Lan" in detail and "Quầy 1" in detail
        assert question == "Quý khách có hài lòng với việc giải quyết thủ tục hành chính không?"
        assert report["levels"] == ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"]
        assert report["reasons"][0] == "Chờ quá lâu" and len(report["reasons"]) == 6  # + skip
        for width, height in report["targets"] + report["reason_targets"]:  # 15 mm at least
            assert min(width, height) >= report["touch_min_px"], (width, height)
        assert report["label_problems"] == [] and report["reason_label_problems"] == []
        assert report["thanks"] == "Xin cảm ơn quý khách đã đánh giá!"
        assert 5 <= report["untouched_seconds"] <= 7  # rating_seconds, then idle
        assert report["survived_escape"]
        assert {"question", "thanks"} <= set(report["spoken"])
        rows = hub.engine.store.conn.execute(
            "SELECT level, reason, staff, counter FROM ratings").fetchall()
        assert rows == [("dissatisfied", "waited_long", "nv-lan", "1")]  # once, touched twice
        again = run("restart", orientation, config_file, mosquitto, out)
        assert again["restart_texts"][0] == "Số A003"  # the open question, from the hub
    finally:
        hub.stop()
        keep_screens(out, f"rating-{orientation}")
