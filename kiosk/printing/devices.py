"""The kiosk's printer: the file printer of the demo, and real ESC/POS printers on serial,
network (port 9100) or USB, behind one small interface.

Status is read with ESC/POS real-time queries (DLE EOT 1: online, DLE EOT 4: paper). A
printer that does not answer in time is `unknown`, never "ok" (python-escpos's own
`paper_status()` reports "paper ok" for silence, docs/stack-notes.md), and unknown blocks issuing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from escpos.printer import Dummy

from kiosk.printing.escpos_out import EscposWriter
from kiosk.printing.layout import Block
from kiosk.printing.raster import ticket_image
from lobby.config.models import Printer
from lobby.contract.messages import PaperState

log = logging.getLogger(__name__)

DLE_EOT_ONLINE = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"


@dataclass(frozen=True)
class PrinterState:
    paper: PaperState
    online: bool | None  # None: did not answer

    @property
    def can_print(self) -> bool:
        return self.online is True and self.paper in ("ok", "near_end")


UNKNOWN = PrinterState("unknown", None)


def paper_from(answer: bytes) -> PaperState:
    if not answer:
        return "unknown"
    byte = answer[0]
    if byte & 0x60 == 0x60:
        return "out"
    if byte & 0x0C == 0x0C:
        return "near_end"
    return "ok"


def online_from(answer: bytes) -> bool | None:
    return None if not answer else not answer[0] & 0x08


class PrintError(RuntimeError):
    pass


class TicketPrinter(Protocol):
    def status(self) -> PrinterState: ...

    def print_ticket(self, blocks: list[Block], name: str) -> None: ...

    def close(self) -> None: ...


class FilePrinter:
    """Writes each ticket's raw ESC/POS bytes and its PNG preview into a folder. It has no
    paper: it is online and `ok` while the folder is writable."""

    def __init__(self, settings: Printer, var_dir: Path = Path("var")) -> None:
        # A relative folder lies under the kiosk's --var folder, with the rest it writes.
        self.folder = var_dir / settings.path
        self.folder.mkdir(parents=True, exist_ok=True)
        self.writer = EscposWriter(settings)
        self.profile = settings.profile

    def status(self) -> PrinterState:
        ok = os.access(self.folder, os.W_OK)
        return PrinterState("ok" if ok else "unknown", ok)

    def print_ticket(self, blocks: list[Block], name: str) -> None:
        dummy = Dummy(profile=self.profile)
        self.writer.write(dummy, blocks)
        stem = self.folder / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{name}"
        try:
            ticket_image(blocks, self.writer.width).save(stem.with_suffix(".png"))
            partial = stem.with_suffix(".bin.part")
            partial.write_bytes(dummy.output)
            partial.replace(stem.with_suffix(".bin"))  # whole tickets only
        except OSError as exc:
            raise PrintError(f"cannot write {stem}: {exc}") from exc

    def close(self) -> None:
        pass


class EscposPrinter:
    """A real printer through python-escpos; (re)opened on demand, so a printer switched off
    and on again is found again."""

    def __init__(self, settings: Printer) -> None:
        self.settings = settings
        self.writer = EscposWriter(settings)
        self._printer: Any = None
        self._lock = threading.Lock()  # status polls and printing share the line

    def _open(self) -> Any:
        if self._printer is not None:
            return self._printer
        s = self.settings
        from escpos import printer as escpos

        if s.connection == "serial":
            device: Any = escpos.Serial(devfile=s.port or "", baudrate=s.baudrate,
                                        timeout=s.status_timeout_seconds, dsrdtr=False,
                                        profile=s.profile)
        elif s.connection == "network":
            device = escpos.Network(host=s.host or "", port=s.tcp_port,
                                    timeout=max(1, int(s.status_timeout_seconds * 5)),
                                    profile=s.profile)
        else:
            device = escpos.Usb(s.usb_vendor or 0, s.usb_product or 0, profile=s.profile)
        device.open()
        self._printer = device
        return device

    def _drop(self) -> None:
        if self._printer is not None:
            try:
                self._printer.close()
            except Exception:
                log.debug("closing the printer failed", exc_info=True)
        self._printer = None

    def _query(self, request: bytes) -> bytes:
        """One status byte, or b"" when the printer stays silent past the timeout."""
        printer = self._open()
        line = printer.device
        timeout = self.settings.status_timeout_seconds
        if isinstance(line, socket.socket):
            line.settimeout(timeout)
            line.sendall(request)
            try:
                return line.recv(1)
            except TimeoutError:
                return b""
        if hasattr(line, "reset_input_buffer"):  # pyserial
            line.reset_input_buffer()
            line.timeout = timeout
            line.write(request)
            return bytes(line.read(1))
        printer._raw(request)  # USB: python-escpos reads with its own timeout
        return bytes(printer._read()[:1])

    def status(self) -> PrinterState:
        with self._lock:
            try:
                online = online_from(self._query(DLE_EOT_ONLINE))
                paper = paper_from(self._query(DLE_EOT_PAPER))
            except Exception as exc:
                log.warning("printer status unreadable: %s", exc)
                self._drop()
                return UNKNOWN
        return PrinterState(paper, online)

    def print_ticket(self, blocks: list[Block], name: str) -> None:
        with self._lock:
            try:
                printer = self._open()
                self.writer.write(printer, blocks)
                flush = getattr(printer.device, "flush", None)
                if callable(flush):
                    flush()
            except Exception as exc:
                self._drop()
                raise PrintError(f"printing {name} failed: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._drop()


def open_printer(settings: Printer, var_dir: Path = Path("var")) -> TicketPrinter:
    if settings.connection == "file":
        return FilePrinter(settings, var_dir)
    return EscposPrinter(settings)
