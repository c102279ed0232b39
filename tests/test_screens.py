"""Every screen of the gallery, at each production size, with 1 service (tiny), 4 (the demo
centre), 10 (8 counters, 3 priority groups), 16 (the merged commune: long official names, 14
counters, 6 priority groups) and 20 (60-character names, 16 counters, 6 groups): no label's
text runs outside its box or its tile, over another label, or off the screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

SCREENS = [("kiosk", "portrait"), ("kiosk", "landscape"), ("board", "landscape"),
           ("board", "portrait"), ("terminal", "landscape")]


@pytest.mark.parametrize("centre", ["tiny", "demo", "ten", "merged", "largest"])
@pytest.mark.parametrize(("app", "orientation"), SCREENS,
                         ids=[f"{a}-{o}" for a, o in SCREENS])
def test_no_label_runs_outside_its_box_or_over_another(
    app: str, orientation: str, centre: str, tmp_path: Path
) -> None:
    out = tmp_path / "audit.json"
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_LOG_MODE="PYTHON", KIVY_HOME=str(tmp_path / "kivy"))
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "ui" / "screen_driver.py"), app,
                          orientation, centre, str(out)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(out.read_text())
    assert found["problems"] == []
    if app == "kiosk" and centre in ("merged", "largest"):
        assert found["pages"] > 1  # 16 and 20 services page instead of shrinking
