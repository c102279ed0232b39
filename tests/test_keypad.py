"""The counter keypad and LED bus over real pyserial ports: loop://, socket://, a socat pty."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import serial

from hub.keypad import MAX_LINE, KeypadBus, KeyPress, LineError, parse_line
from lobby.bus import BrokerAddress
from lobby.config.models import SerialBus
from tests.helpers import DeviceClient, Recorder, RunningHub, small_config, wait_for


@pytest.mark.parametrize("line, press", [
    (b"01 NEXT\r", KeyPress("01", "call_next", {})),
    (b"7 RECALL", KeyPress("7", "recall", {})),
    (b"01 NOSHOW", KeyPress("01", "no_show", {})),
    (b"01 TRANSFER B", KeyPress("01", "transfer", {"service": "B"})),
    (b"01 CALL A023", KeyPress("01", "call", {"number": "A023"})),
    (b"01 LOGIN 11 2468", KeyPress("01", "login", {"staff": "11", "pin": "2468"})),
    (b"01 LOGOUT", KeyPress("01", "logout", {})),
    (b"R5 RATE 1", KeyPress("R5", "rate", {"level": "1"})),
    (b"01 SHOW A023", None),  # our own LED line echoed back
    (b"   ", None),
])
def test_parse_line(line: bytes, press: KeyPress | None) -> None:
    assert parse_line(line) == press


@pytest.mark.parametrize("line", [b"01 JUMP", b"01 NEXT now", b"01 TRANSFER", b"\xff\xfe",
                                  b"NEXT", b"01  NEXT", b"01 next", b"01 LOGIN 11",
                                  b"01 RATE", b"01 RATE 1 2", b"01 CALL A1 A2",
                                  b"01 LOGIN 11 2468 9", b"01 LOGOUT 11"])
def test_garbage_lines_are_refused(line: bytes) -> None:
    with pytest.raises(LineError):
        parse_line(line)


class Presses:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str, dict[str, Any]]] = []

    def __call__(self, counter: str, action: str, source: str, args: dict[str, Any]) -> None:
        self.seen.append((counter, action, source, args))


@dataclass
class LoopLine:
    """A keypad bus on pyserial's loop:// port: what is written to the port is read back."""

    bus: KeypadBus
    presses: Presses
    port: Any


@pytest.fixture
def loop_line() -> Iterator[LoopLine]:
    ports: list[Any] = []

    def opener(url: str, **kwargs: Any) -> Any:
        ports.append(serial.serial_for_url(url, **kwargs))
        return ports[-1]

    presses = Presses()
    bus = KeypadBus(SerialBus(port="loop://", keypads={"01": "1", "02": "2"}), presses,
                    opener=opener)
    bus.start()
    assert bus.connected.wait(2)
    yield LoopLine(bus, presses, ports[0])
    bus.stop()


def test_loop_port_skips_garbage_and_unknown_addresses(loop_line: LoopLine) -> None:
    bus, presses, port = loop_line.bus, loop_line.presses, loop_line.port
    port.write(b"01 NEXT\r\n\x00\xff garbage\r\n99 NEXT\r\n" + b"X" * 500
               + b" NEXT\r\n02 TRANSFER B\r\n")
    assert wait_for(lambda: len(presses.seen) == 2)
    assert presses.seen == [("1", "call_next", "keypad:01", {}),
                            ("2", "transfer", "keypad:02", {"service": "B"})]
    assert wait_for(lambda: bus.skipped == 3)  # garbage, unknown address, overlong line
    bus.show("1", "A023")  # loops back as a SHOW line: ignored, not a key press
    port.write(b"01 DONE\r\n")  # a sentinel press, read after the SHOW line
    assert wait_for(lambda: len(presses.seen) == 3)
    assert presses.seen[2] == ("1", "done", "keypad:01", {})


@pytest.mark.parametrize("chunked", [False, True], ids=["one write", "byte by byte"])
def test_the_line_limit_holds_however_the_bytes_arrive(chunked: bool,
                                                      loop_line: LoopLine) -> None:
    """80 spaces and `02 NEXT` in one write once called a ticket; byte by byte it was
    skipped. A line of MAX_LINE bytes is still read."""
    overlong = b" " * 80 + b"02 NEXT\r\n"
    longest = b" " * (MAX_LINE - len(b"01 DONE")) + b"01 DONE\r\n"
    presses = loop_line.presses
    for data in (overlong, longest):
        for part in ([data[i:i + 1] for i in range(len(data))] if chunked else [data]):
            loop_line.port.write(part)
            if chunked:
                time.sleep(0.001)  # each byte its own read
    assert wait_for(lambda: len(presses.seen) == 1)  # the sentinel: the longest line
    assert presses.seen == [("1", "done", "keypad:01", {})]
    assert loop_line.bus.skipped == 1


def test_lost_port_is_reopened_and_displays_repainted() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    received: list[bytes] = []
    presses = Presses()
    finished = threading.Event()

    def serve() -> None:
        first, _ = server.accept()
        first.close()  # the line drops
        second, _ = server.accept()
        second.settimeout(3)
        try:
            # pyserial's open() discards input that arrives while it opens, as a real port
            # does: the keypad presses after the hub has repainted the displays.
            received.append(second.recv(100))
            second.sendall(b"01 NEXT\r\n")
            finished.wait(10)
        finally:
            second.close()

    threading.Thread(target=serve, daemon=True).start()

    def repaint() -> None:
        bus.show("1", None)

    bus = KeypadBus(SerialBus(port=f"socket://127.0.0.1:{port}", keypads={"01": "1"}),
                    presses, on_open=repaint)
    bus.start()
    try:
        assert wait_for(lambda: received == [b"01 SHOW ----\r\n"], 10)
        assert wait_for(lambda: presses.seen == [("1", "call_next", "keypad:01", {})], 5)
    finally:
        finished.set()
        bus.stop()
        server.close()


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    if not shutil.which("socat"):
        pytest.fail("socat is not installed: run `./run.sh test`, which installs it")
    hub_end, keypad_end = tmp_path / "hub-tty", tmp_path / "keypad-tty"
    process = subprocess.Popen(["socat", f"pty,raw,echo=0,link={hub_end}",
                                f"pty,raw,echo=0,link={keypad_end}"],
                               stderr=subprocess.DEVNULL)
    assert wait_for(lambda: hub_end.exists() and keypad_end.exists())
    yield str(hub_end), str(keypad_end)
    process.terminate()
    process.wait(5)


def test_keypad_press_on_a_pty_reaches_the_board_and_the_led(
    pty_pair: tuple[str, str], mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    hub_end, keypad_end = pty_pair
    config = small_config(**{"hub:": f'serial:\n  port: {hub_end}\n  keypads: {{"01": "1"}}\n'
                                     "hub:"})
    keypad = serial.Serial(keypad_end, timeout=2)  # the keypads are on the line first
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    board = Recorder(config, mosquitto, "state/board", "event/called", "state/counters/1",
                     "state/hub")
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    try:
        assert hub.hub.keypads is not None and hub.hub.keypads.connected.wait(3)
        assert keypad.readline() == b"01 SHOW ----\r\n"  # repaint when the port opens
        # state/hub says the line is open, and that counter 1's keypad said nothing yet.
        assert wait_for(lambda: ((board.last("state/hub") or {}).get("keypads") or {}).get(
            "open") is True)
        assert board.last("state/hub")["keypads"]["counters"] == {"1": None}  # type: ignore[index]
        kiosk.ask("issue", service="A")
        keypad.write(b"01 NEXT\r\n")
        assert keypad.readline() == b"01 SHOW A001\r\n"
        assert wait_for(lambda: (board.last("state/board") or {}).get("seq") == 1)
        assert wait_for(lambda: board.last("event/called") is not None)
        assert board.last("event/called")["number"] == "A001"  # type: ignore[index]
        keypad.write(b"01 DONE\r\n")
        assert keypad.readline() == b"01 SHOW ----\r\n"
        keypad.write(b"01 NEXT\r\n")  # nobody waiting: refused, nothing changes
        keypad.write(b"01 WIBBLE\r\n")
        keypad.write(b"01 PAUSE\r\n")  # a sentinel: the hub serves presses in order
        assert wait_for(lambda: (board.last("state/counters/1") or {}).get("status") == "paused")
        assert hub.hub.keypads.skipped == 1
        assert len(board.on("event/called")) == 1
        assert wait_for(lambda: ((board.last("state/hub") or {}).get("keypads") or {}).get(
            "counters", {}).get("1") is not None)  # its last key press, at the next beat
    finally:
        keypad.close()
        for party in (kiosk, board, hub):
            party.stop()


def test_sign_in_and_rating_keys_on_a_pty(
    pty_pair: tuple[str, str], mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    from lobby.config import parse_config
    from tests.test_duty import STAFF_YAML

    hub_end, keypad_end = pty_pair
    site = small_config().site.id
    config = parse_config(STAFF_YAML.replace("id: test-site", f"id: {site}").replace(
        "hub:\n", f'serial:\n  port: {hub_end}\n  keypads: {{"01": "1", "R1": "1"}}\nhub:\n'))
    keypad = serial.Serial(keypad_end, timeout=2)
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    counter = Recorder(config, mosquitto, "state/counters/1")
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    try:
        assert hub.hub.keypads is not None and hub.hub.keypads.connected.wait(3)
        lines = iter(keypad.readline, b"")  # every address of the counter gets SHOW lines
        assert b"R1 SHOW ----\r\n" in [next(lines), next(lines)]
        keypad.write(b"01 LOGIN 11 9999\r\n")  # a wrong PIN: refused, nobody on duty
        keypad.write(b"01 LOGIN 11 2468\r\n")
        assert wait_for(lambda: ((counter.last("state/counters/1") or {}).get("officer") or {})
                        .get("name") == "Nguyễn Thị Lan")
        kiosk.ask("issue", service="A")
        keypad.write(b"01 NEXT\r\n")
        assert b"01 SHOW A001\r\n" in (next(lines) for _ in range(8))
        keypad.write(b"01 DONE\r\n")
        assert wait_for(lambda: bool((counter.last("state/counters/1") or {}).get(
            "awaiting_rating")))
        keypad.write(b"R1 RATE 2\r\n")  # the second level: satisfied
        assert wait_for(lambda: (counter.last("state/counters/1") or {}).get(
            "awaiting_rating", 0) is None)
        row = hub.engine.store.conn.execute("SELECT level, staff, source FROM ratings").fetchone()
        assert row == ("satisfied", "nv-lan", "keypad:R1")
    finally:
        keypad.close()
        for party in (kiosk, counter, hub):
            party.stop()


def test_a_broken_sign_in_line_never_shows_its_pin_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = KeypadBus(SerialBus(port="loop://", keypads={"01": "1"}), lambda *_: None)
    with caplog.at_level("WARNING"):
        bus._line(b"01 LOGIN 11 2468 9")
    assert "LOGIN line" in caplog.text and "2468" not in caplog.text
