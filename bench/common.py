"""What the benchmark scripts share: percentiles, a process's memory from /proc, and a device
app started offscreen as its own process."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lobby.bus import BrokerAddress

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {line.split(":")[0]: int(line.split()[1]) / 1024
            for line in status.splitlines() if line.startswith(("VmRSS:", "VmHWM:"))}


def scratch_dir(prefix: str) -> Path:
    """A temporary folder for one benchmark run, removed when the script ends."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def start_app_offscreen(app: str, config_file: Path, device: str, broker: BrokerAddress,
                        workdir: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`lobby <app>` as the centre would run it, drawing offscreen (no screen here)."""
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_HOME=str(workdir / "kivy"))
    return subprocess.Popen(
        [sys.executable, "-m", "lobby.cli", "--log-level", "ERROR", app, "--config",
         str(config_file), "--device", device, "--broker", f"{broker.host}:{broker.port}",
         "--var", str(workdir / "var"), *extra],
        env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# Debian's Chromium, headless, as the console's tests start it (tests/console_helpers.py):
# without the background-networking flags it keeps trying Google's hosts.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
