"""An ESC/POS printer on the far end of a socat pty pair (or a loopback TCP port), for tests
and benchmarks.

The kiosk talks to the near end with python-escpos's Serial printer, as to a real one. The
emulator answers the real-time status queries DLE EOT 1 (online) and DLE EOT 4 (paper) with
the bytes a printer sends for the state it is set to, or stays silent; it keeps every other
byte and notes when each ticket's cut arrives.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import serial

STATUS = {  # paper state -> (DLE EOT 1 answer, DLE EOT 4 answer)
    "ok": (b"\x12", b"\x12"),
    "near_end": (b"\x12", b"\x1e"),
    "out": (b"\x1a", b"\x72"),  # a printer out of paper also reports itself offline
    "offline": (b"\x1a", b"\x12"),
    "silent": (b"", b""),
}
CUT = b"\x1dV"


class _SocketLine:
    """The far end of a TCP connection, read like a serial line."""

    def __init__(self, server: socket.socket) -> None:
        self._server = server
        self._conn: socket.socket | None = None

    @property
    def in_waiting(self) -> int:
        return 0

    def read(self, size: int) -> bytes:
        if self._conn is None:
            try:
                self._conn, _ = self._server.accept()
            except TimeoutError:
                return b""
            self._conn.settimeout(0.05)
        try:
            return self._conn.recv(4096)
        except TimeoutError:
            return b""

    def write(self, data: bytes) -> None:
        if self._conn is not None:
            self._conn.sendall(data)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._server.close()


class PrinterEmulator:
    def __init__(self, folder: Path, network: bool = False) -> None:
        """On a socat pty pair (`port` is the near end), or with `network` on a loopback TCP
        port like a printer's 9100 (`tcp_port`)."""
        self._socat: subprocess.Popen[bytes] | None = None
        self._line: Any
        if network:
            server = socket.create_server(("127.0.0.1", 0))
            server.settimeout(0.05)
            self.tcp_port = server.getsockname()[1]
            self._line = _SocketLine(server)
        else:
            self._open_pty(folder)
        self.state = "ok"
        self.offline_after_cut = False  # the printer fails while printing
        self.received = bytearray()
        self.cut_times: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _open_pty(self, folder: Path) -> None:
        near, far = folder / "printer-near", folder / "printer-far"
        self._socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={near}",
                                        f"pty,raw,echo=0,link={far}"],
                                       stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while not (near.exists() and far.exists()):
            if time.monotonic() > deadline:
                raise RuntimeError("socat made no pty pair")
            time.sleep(0.01)
        self.port = str(near)
        self._line = serial.Serial(str(far), timeout=0.05)

    @property
    def tickets(self) -> int:
        return len(self.cut_times)

    def _serve(self) -> None:
        pending = b""
        while not self._stop.is_set():
            chunk = self._line.read(max(1, self._line.in_waiting))
            if not chunk:
                continue
            pending += chunk
            # In stream order: a status query after a cut sees the state the cut left.
            while True:
                query, cut = pending.find(b"\x10\x04"), pending.find(CUT)
                if query >= 0 and (cut < 0 or query < cut):
                    if query + 2 >= len(pending):
                        break  # the query's last byte is still on its way
                    answer = STATUS[self.state][0 if pending[query + 2] == 1 else 1]
                    if answer:
                        self._line.write(answer)
                    self.received += pending[:query]
                    pending = pending[query + 3:]
                elif cut >= 0:
                    if cut + 2 >= len(pending):
                        break
                    self.received += pending[:cut + 3]
                    pending = pending[cut + 3:]
                    self.cut_times.append(time.perf_counter())
                    if self.offline_after_cut:
                        self.state = "offline"
                else:
                    # A command split across reads: keep its first byte for the next one.
                    keep = 1 if pending.endswith((b"\x10", b"\x1d")) else 0
                    self.received += pending[:len(pending) - keep]
                    pending = pending[len(pending) - keep:]
                    break

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._line.close()
        if self._socat is not None:
            self._socat.terminate()
            self._socat.wait(5)
