"""End to end with the real hub and Mosquitto: a terminal press and a keypad line change the
board's state and the announcer writes the announcement's WAVs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import serial

from devicekit.speech import Speaker, Synthesizer
from display.announcer import Announcer
from display.board_client import BoardClient
from display.board_model import BoardModel
from display.terminal_client import TerminalClient
from lobby.bus import BrokerAddress
from tests.doubles import RecordingSink
from tests.helpers import DeviceClient, RunningHub, small_config, wait_for


def test_terminal_press_and_keypad_line_reach_the_board_and_its_voice(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    if not shutil.which("socat"):
        pytest.fail("socat is not installed: run ./run.sh test")
    hub_tty, keypad_tty = tmp_path / "hub-tty", tmp_path / "keypad-tty"
    socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={hub_tty}",
                              f"pty,raw,echo=0,link={keypad_tty}"], stderr=subprocess.DEVNULL)
    assert wait_for(lambda: hub_tty.exists() and keypad_tty.exists())
    keypad = serial.Serial(str(keypad_tty), timeout=2)
    config = small_config(**{"hub:": f'serial:\n  port: {hub_tty}\n  keypads: {{"02": "2"}}\n'
                                     "hub:"})
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    board_device, counter_device = config.device("board-1"), config.device("counter-1")
    assert board_device is not None and counter_device is not None
    settings = board_device.board_settings
    model = BoardModel(config, settings)
    sink = RecordingSink(tmp_path / "played")
    announcer = Announcer(config, settings, Speaker(Synthesizer(tmp_path / "clips"), sink),
                          tmp_path / "board.last-seq")
    board = BoardClient(config, board_device, mosquitto, model, announcer)
    terminal = TerminalClient(config, counter_device, mosquitto)
    board.start()
    terminal.start()
    try:
        assert wait_for(lambda: not model.offline and terminal.model.online
                        and announcer.handled is not None)
        kiosk.ask("issue", service="A")
        kiosk.ask("issue", service="B")
        assert terminal.model.act("call_next")  # the terminal's Next at counter 1
        assert wait_for(lambda: [r.number for r in model.calls] == ["A001"])
        keypad.write(b"02 NEXT\r\n")  # the keypad at counter 2
        assert wait_for(lambda: [r.number for r in model.calls] == ["B001", "A001"])
        assert wait_for(lambda: [(r.number, r.counter) for r in model.serving()] == [
            ("B001", "2"), ("A001", "1")])
        assert announcer.speaker.wait_idle(30)
        assert [e.label for e in sink.timeline] == ["1 A001 1", "2 B001 2"]
        assert all((tmp_path / "played" / e.file).stat().st_size > 100_000
                   for e in sink.timeline)
    finally:
        terminal.stop()
        board.stop()
        announcer.speaker.close()
        kiosk.stop()
        hub.stop()
        keypad.close()
        socat.terminate()
