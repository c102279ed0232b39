"""The `lobby` command as an administrator meets it: every option says what it does, a typo is
a usage error (exit 2) and never a traceback, and `lobby demo --var DIR` writes nothing
outside DIR."""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from demo.supervisor import app_commands
from devicekit.window import windowed_size
from lobby.bus import BrokerAddress
from lobby.cli import build_parser
from lobby.config import load_config
from tests.helpers import DEMO, ROOT, Recorder, free_port, small_config_file, wait_for

LOBBY = [sys.executable, "-m", "lobby.cli"]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_and_option_says_what_it_does() -> None:
    commands = subcommands()
    assert {"check-config", "broker-config", "mqtt-docs", "hub", "demo", "simulate", "kiosk",
            "board", "counter"} <= set(commands)
    silent = [f"lobby {name} {'/'.join(action.option_strings) or action.dest}"
              for name, parser in commands.items() for action in parser._actions
              if not action.help]
    assert silent == []


@pytest.mark.parametrize("command", ["hub", "simulate", "kiosk", "board", "counter"])
@pytest.mark.parametrize("broker", ["nonsense", "host:", ":1883", "host:99999", "host:port"])
def test_a_broker_typo_is_a_usage_error(command: str, broker: str, tmp_path: Path) -> None:
    _, config_file = small_config_file(tmp_path)
    device = {"kiosk": "kiosk-1", "board": "board-1", "counter": "counter-1"}.get(command)
    run = subprocess.run([*LOBBY, command, "--config", str(config_file), "--broker", broker,
                          *(["--device", device] if device else [])],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 2
    assert "HOST:PORT" in run.stderr and "Traceback" not in run.stderr


def test_a_device_of_another_role_is_refused_plainly(tmp_path: Path) -> None:
    _, config_file = small_config_file(tmp_path)
    run = subprocess.run([*LOBBY, "kiosk", "--config", str(config_file), "--device",
                          "board-1"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "'board-1' is not a kiosk device" in run.stderr


def test_demo_writes_everything_under_its_var_folder(tmp_path: Path) -> None:
    """The whole demo (broker, hub, kiosk, board, terminal windows offscreen, and a simulated
    day), started from an empty folder: only --var gains files, not the folder it runs in,
    nor the home folder."""
    work = tmp_path / "work"
    work.mkdir()
    raw = yaml.safe_load(DEMO.read_text())
    raw["broker"]["port"] = free_port()
    raw["public"]["listen"] = f"127.0.0.1:{free_port()}"  # tests use the loopback only
    config = tmp_path / "centre.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True))
    var = tmp_path / "demo-data"
    home = tmp_path / "home"  # Kivy would keep its settings in ~/.kivy
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "KIVY_HOME"}
    env.update(SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", HOME=str(home))
    demo = subprocess.Popen([*LOBBY, "--log-level", "WARNING", "demo", "--config", str(config),
                             "--var", str(var), "--simulate", "yes"], cwd=work, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # The last to come: the board keeps the last call it announced once the hub's board
        # reached it, after the kiosk opened its printer folder and both cached voice clips.
        expected = [var / "demo.sqlite", var / "broker" / "mosquitto.conf", var / "tickets",
                    var / "clips", var / "board-1.last-seq"]
        arrived = wait_for(lambda: all(p.exists() for p in expected), 60)
    finally:
        demo.send_signal(signal.SIGINT)
        out, _ = demo.communicate(timeout=60)
    # On failure: what is missing and what the demo said (its parts' warnings and errors).
    missing = [str(p.relative_to(var)) for p in expected if not p.exists()]
    assert arrived, f"missing {missing}; the demo said:\n{out[-3000:]}"
    assert demo.returncode == 0, out[-3000:]
    assert list(work.iterdir()) == [], "the demo wrote outside --var"
    # PulseAudio's client library notes its runtime folder in ~/.config/pulse whoever plays
    # a sound: not the demo's. Anything else there (Kivy's ~/.kivy) would be.
    written = [str(p.relative_to(home)) for p in home.rglob("*")
               if p.relative_to(home).parts[:2] not in {(".config",), (".config", "pulse")}]
    assert written == [], "the demo wrote into the home folder"
    # Each window its own Kivy folder (a shared one raced: FileExistsError from its logger).
    assert all((var / "kivy" / app / "config.ini").exists()
               for app in ("kiosk", "board", "counter", "rating"))


@pytest.mark.parametrize("centre", [DEMO, ROOT / "tests" / "fixtures" / "centres" /
                                    "merged-commune.yaml"], ids=["demo", "merged-commune"])
def test_the_demos_windows_sit_side_by_side(centre: Path) -> None:
    """Each window at its own place (they all opened centred, the board over the terminal)."""
    config = load_config(centre)
    commands = app_commands(config, str(centre), Path("var"))
    boxes = []
    for command in commands:
        device = config.device(command[command.index("--device") + 1])
        assert device is not None
        x, y = (int(v) for v in command[command.index("--window-at") + 1].split(","))
        width, height = windowed_size(device)
        boxes.append((x, y, x + width, y + height))
    assert len(boxes) == (4 if centre == DEMO else 3)  # the demo has a rating pad
    for (a, b) in itertools.combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_a_full_screen_app_stops_cleanly_when_its_service_stops(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    """Esc and close requests are refused in full screen; SIGTERM (the service stopping)
    must still stop the app, cleanly: it says `offline` itself."""
    config, config_file = small_config_file(tmp_path)
    statuses = Recorder(config, mosquitto, "device/counter-1/status", client_id="term-status")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_HOME=str(tmp_path / "kivy"))
    app = subprocess.Popen([*LOBBY, "--log-level", "WARNING", "counter", "--config",
                            str(config_file), "--device", "counter-1", "--broker",
                            f"{mosquitto.host}:{mosquitto.port}"], env=env,
                           stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: (statuses.last("device/counter-1/status") or {}).get(
            "state") == "online", 30)
        app.send_signal(signal.SIGTERM)
        assert app.wait(15) == 0
        assert wait_for(lambda: (statuses.last("device/counter-1/status") or {}).get(
            "state") == "offline")
    finally:
        if app.poll() is None:
            app.kill()
        statuses.stop()
