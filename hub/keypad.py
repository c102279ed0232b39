"""The counter keypad and LED bus: ASCII lines on one serial line (docs/keypad-protocol.md).

In:  `<address> NEXT | RECALL | DONE | NOSHOW | PAUSE | RESUME | TRANSFER <service> |
     CALL <number> | LOGIN <staff code> <PIN> | LOGOUT | RATE <level>`, one line per key
     press.
Out: `<address> SHOW <number>` or `<address> SHOW ----` when the counter's ticket changes.

Garbage, unknown addresses and overlong lines are logged and skipped; `SHOW` lines read back
(a two-wire RS-485 line echoes what the hub writes) are ignored. A lost port is reopened with
backoff.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import serial

from lobby.config.models import SerialBus

log = logging.getLogger(__name__)

MAX_LINE = 64
IDLE_DISPLAY = "----"
_COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    # command: (action, names of its arguments)
    "NEXT": ("call_next", ()),
    "RECALL": ("recall", ()),
    "DONE": ("done", ()),
    "NOSHOW": ("no_show", ()),
    "PAUSE": ("pause", ()),
    "RESUME": ("resume", ()),
    "TRANSFER": ("transfer", ("service",)),
    "CALL": ("call", ("number",)),
    # Staff on duty: the staff member's keypad code, then their PIN (docs/keypad-protocol.md).
    "LOGIN": ("login", ("staff", "pin")),
    "LOGOUT": ("logout", ()),
    # A rating button pad on the same line: 1 is the best level.
    "RATE": ("rate", ("level",)),
}
_LINE = re.compile(r"^([A-Za-z0-9]{1,8}) ([A-Z]+)((?: [A-Z0-9]{1,12}){0,2})$")


@dataclass(frozen=True)
class KeyPress:
    address: str
    action: str
    arguments: dict[str, str]


class LineError(ValueError):
    pass


def parse_line(raw: bytes) -> KeyPress | None:
    """A key press, None for a line to ignore silently (blank, or our own SHOW echoed)."""
    try:
        text = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise LineError("not ASCII") from None
    if not text:
        return None
    match = _LINE.match(text)
    if not match:
        raise LineError("not `<address> <COMMAND> [argument]`")
    address, command, rest = match.groups()
    if command == "SHOW":
        return None
    if command not in _COMMANDS:
        raise LineError(f"unknown command {command}")
    action, names = _COMMANDS[command]
    arguments = rest.split()
    if len(arguments) != len(names):
        raise LineError(f"{command} takes {len(names) or 'no'} argument(s)")
    return KeyPress(address, action, dict(zip(names, arguments, strict=True)))


def _too_long(line: bytes) -> bool:
    """Over MAX_LINE bytes, not counting the CR of a CR LF: the same test whether the line
    arrived in one read or byte by byte."""
    return len(line.removesuffix(b"\r")) > MAX_LINE


Submit = Callable[[str, str, str, dict[str, Any]], None]  # counter, action, source, arguments
Opener = Callable[..., Any]


class KeypadBus:
    def __init__(self, settings: SerialBus, submit: Submit,
                 on_open: Callable[[], None] = lambda: None,
                 opener: Opener = serial.serial_for_url) -> None:
        self.settings = settings
        self._submit = submit
        self._on_open = on_open  # repaints every LED display after (re)opening
        self._opener = opener
        self._addresses: dict[str, list[str]] = {}
        for address, counter in settings.keypads.items():
            self._addresses.setdefault(counter, []).append(address)
        self._port: Any = None
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name="keypad-bus", daemon=True)
        self.skipped = 0  # lines logged and skipped, for tests and diagnostics
        # Each keypad counter's last valid key press (wall time), for state/hub.
        self.last_key: dict[str, float | None] = dict.fromkeys(self._addresses)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(3)
        self._close()

    def show(self, counter: str, number: str | None) -> None:
        text = number or IDLE_DISPLAY
        lines = b"".join(f"{a} SHOW {text}\r\n".encode("ascii")
                         for a in self._addresses.get(counter, ()))
        if not lines:
            return
        with self._write_lock:
            if self._port is None:
                return  # the next reopen repaints every counter (on_open)
            try:
                self._port.write(lines)
            except (serial.SerialException, OSError) as exc:
                log.warning("keypad bus write failed: %s", exc)

    def _close(self) -> None:
        with self._write_lock:
            if self._port is not None:
                with contextlib.suppress(serial.SerialException, OSError):
                    self._port.close()
            self._port = None
        self.connected.clear()

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                port = self._opener(self.settings.port, baudrate=self.settings.baudrate,
                                    timeout=0.2)
            except (serial.SerialException, OSError, ValueError) as exc:
                log.warning("keypad bus %s unavailable (%s); retrying in %.1fs",
                            self.settings.port, exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 10)
                continue
            delay = 0.5
            with self._write_lock:
                self._port = port
            self.connected.set()
            log.info("keypad bus open on %s", self.settings.port)
            self._on_open()
            try:
                self._read(port)
            except (serial.SerialException, OSError) as exc:
                log.warning("keypad bus %s lost: %s", self.settings.port, exc)
            self._close()

    def _read(self, port: Any) -> None:
        buffer = b""
        discarding = False
        while not self._stop.is_set():
            chunk = port.read(max(1, min(port.in_waiting, 4096)))
            if not chunk:
                continue
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if discarding:
                    discarding = False  # the end of an overlong line, already counted
                elif _too_long(line):
                    self._skip_overlong()
                else:
                    self._line(line)
            # A line still arriving is cut off as soon as it is too long, so that garbage
            # without a newline cannot grow the buffer.
            if _too_long(buffer):
                self._skip_overlong()
                buffer, discarding = b"", True

    def _skip_overlong(self) -> None:
        log.warning("keypad bus: line over %d bytes skipped", MAX_LINE)
        self.skipped += 1

    def _line(self, raw: bytes) -> None:
        try:
            press = parse_line(raw)
        except LineError as exc:
            # A sign-in line carries a PIN: the log names it, never shows it.
            shown = "a LOGIN line" if b"LOGIN" in raw.upper() else repr(raw[:MAX_LINE])
            log.warning("keypad bus: skipped %s: %s", shown, exc)
            self.skipped += 1
            return
        if press is None:
            return
        counter = self.settings.keypads.get(press.address)
        if counter is None:
            log.warning("keypad bus: unknown address %s", press.address)
            self.skipped += 1
            return
        self.last_key[counter] = time.time()
        self._submit(counter, press.action, f"keypad:{press.address}", press.arguments)
