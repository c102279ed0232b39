"""The private broker of the default run: Mosquitto as a child process where it is installed,
else amqtt in-process with a warning (amqtt lacks will-on-timeout and offline QoS 1 queues,
docs/stack-notes.md; nothing in the lobby depends on either)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Protocol

from lobby.broker.mosquitto_conf import embedded_config

log = logging.getLogger(__name__)


class BrokerStartError(RuntimeError):
    pass


class EmbeddedBroker(Protocol):
    kind: str
    host: str
    port: int

    def running(self) -> bool: ...

    def stop(self) -> None: ...


def _ensure_port_free(host: str, port: int) -> None:
    """A broker already listening there would answer our readiness check, and our own child
    would exit unseen: two demos, or two hubs, would then share one broker and hand out the
    same numbers. Probed as the brokers bind, with SO_REUSEADDR (so a port a stopped broker
    left in TIME_WAIT still counts as free)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise BrokerStartError(f"port {host}:{port} is already in use ({exc.strerror}): "
                                   "another broker is listening there") from None


def _wait_for_port(host: str, port: int, timeout: float,
                   process: subprocess.Popen[bytes] | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False  # it exited: no use waiting
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class MosquittoBroker:
    kind = "mosquitto"

    def __init__(self, data_dir: Path, port: int, host: str = "127.0.0.1",
                 config_text: str | None = None) -> None:
        self.host, self.port = host, port
        _ensure_port_free(host, port)  # before touching data_dir: it may be the running one's
        data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path = data_dir / "mosquitto.conf"
        self.config_path.write_text(config_text or embedded_config(data_dir.resolve(), port, host))
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        # What Mosquitto says before its log file is open (a bad config) goes to a file,
        # never to a pipe nobody reads, which would block it once full.
        self.stderr_path = data_dir / "mosquitto.stderr"
        with self.stderr_path.open("wb") as stderr:
            # A session of its own: Ctrl-C reaches the program that owns the broker, which
            # stops it last, after its clients have said goodbye.
            self.process = subprocess.Popen([binary, "-c", str(self.config_path)],
                                            stdout=subprocess.DEVNULL, stderr=stderr,
                                            start_new_session=True)
        if not _wait_for_port(host, port, 10, self.process) or self.process.poll() is not None:
            self.stop()
            said = self.stderr_path.read_text(errors="replace").strip()[-500:]
            raise BrokerStartError(f"mosquitto did not listen on {host}:{port}: {said or '?'}"
                                   f" (see {data_dir})")

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class AmqttBroker:
    """amqtt in a thread of its own with its own event loop."""

    kind = "amqtt"

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        from amqtt.broker import Broker  # imported here: only this fallback needs it

        self.host, self.port = host, port
        _ensure_port_free(host, port)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin":
                        {"allow_anonymous": True}},
        }

        async def start() -> None:
            self._broker = Broker(config, loop=self._loop)
            await self._broker.start()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(start())
            except BaseException as exc:
                self._error = exc
                self._ready.set()
                return
            self._ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="amqtt-broker", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error or not _wait_for_port(host, port, 5):
            raise BrokerStartError(f"amqtt did not start on {host}:{port}: {self._error}")

    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        future = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
        try:
            future.result(5)
        except Exception:
            log.warning("amqtt did not shut down cleanly", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def mosquitto_installed() -> bool:
    return bool(shutil.which("mosquitto")) or Path("/usr/sbin/mosquitto").exists()


def start_embedded(data_dir: Path, port: int, prefer: str = "mosquitto") -> EmbeddedBroker:
    if prefer == "mosquitto" and mosquitto_installed():
        return MosquittoBroker(data_dir, port)
    if prefer == "mosquitto":
        log.warning("Mosquitto is not installed.")
    log.warning("Starting the pure-Python amqtt broker. It does not publish wills on "
                "keepalive timeout nor queue QoS 1 messages for offline sessions; install "
                "Debian's `mosquitto` for production use.")
    return AmqttBroker(port)


def revive(broker: EmbeddedBroker, data_dir: Path) -> EmbeddedBroker:
    """The broker the whole lobby hangs on, started again if it has died. The clients
    reconnect by themselves and the hub publishes its retained state again."""
    if broker.running():
        return broker
    log.error("the embedded %s broker on port %d stopped; starting it again", broker.kind,
              broker.port)
    return start_embedded(data_dir, broker.port, prefer=broker.kind)
