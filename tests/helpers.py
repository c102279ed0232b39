"""Helpers shared by the tests: configs, a running hub, device clients."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hub.engine import Engine
from hub.runtime import Hub
from hub.store import Store
from lobby.bus import BrokerAddress, Bus
from lobby.clock import Clock
from lobby.config import LobbyConfig, parse_config
from lobby.contract import messages as m
from lobby.contract.registry import Topics, spec
from lobby.rpc import Requester

ROOT = Path(__file__).resolve().parent.parent
# A contract timestamp for messages built by hand in tests.
AT = dt.datetime(2026, 11, 21, 8, 15, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def hub_state(state: str) -> m.HubState:
    """The hub's retained state as a device would receive it."""
    return m.HubState.model_validate({"state": state, "version": "test", "since": AT})
DEMO = ROOT / "config" / "demo.yaml"

SMALL_YAML = """\
site:
  id: test-site
  name: {vi: "Trung tâm thử", en: "Test centre"}
services:
  - id: A
    names: {vi: "Hộ tịch", en: "Civil status"}
    numbering: {start: 1, width: 3}
  - id: B
    names: {vi: "Đất đai", en: "Land"}
    numbering: {start: 1, width: 3}
counters:
  - {id: "1", number: 1, services: [A, B]}
  - {id: "2", number: 2, services: [B]}
priority:
  classes:
    - {id: elderly, names: {vi: "Người cao tuổi", en: "Elderly"}, max_wait_minutes: 10}
  priority_in_a_row: 2
recall_limit: 2
devices:
  - {id: kiosk-1, role: kiosk}
  - {id: kiosk-2, role: kiosk}
  - {id: board-1, role: board}
  - {id: counter-1, role: counter, counters: ["1"]}
  - {id: counter-2, role: counter, counters: ["2"]}
hub:
  heartbeat_seconds: 0.2
  stale_after_seconds: 0.8
"""


def small_config(**replace: str) -> LobbyConfig:
    """The small test centre, under a site id of its own so retained messages of one test
    never reach another on the shared broker."""
    text = SMALL_YAML.replace("id: test-site", f"id: t-{uuid.uuid4().hex[:10]}")
    for old, new in replace.items():
        text = text.replace(old, new)
    return parse_config(text, "small.yaml")


def small_config_file(folder: Path, **replace: str) -> tuple[LobbyConfig, Path]:
    """The small centre under a site id of its own, also as a file, for the hub's command."""
    config = small_config(**replace)
    text = SMALL_YAML.replace("id: test-site", f"id: {config.site.id}")
    for old, new in replace.items():
        text = text.replace(old, new)
    path = folder / "lobby.yaml"
    path.write_text(text)
    return config, path


def hub_command(config_file: Path, db: Path, broker: BrokerAddress,
                log_level: str = "WARNING") -> list[str]:
    """`lobby hub`, for tests that run it as a process of its own (to kill it, or two)."""
    return [sys.executable, "-m", "lobby.cli", "--log-level", log_level, "hub", "--config",
            str(config_file), "--broker", f"{broker.host}:{broker.port}", "--db", str(db)]


def payload(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


class RunningHub:
    """A hub on a real broker, with its store in a temporary SQLite file."""

    def __init__(self, config: LobbyConfig, db: Path, broker: BrokerAddress,
                 clock: Clock | None = None) -> None:
        self.config = config
        self.engine = Engine(config, Store(db), clock)
        self.hub = Hub(config, self.engine, broker)
        self.hub.start()
        assert self.hub.bus.wait_connected(5), "hub did not connect"

    def stop(self) -> None:
        self.hub.stop()


class Recorder:
    """Subscribes to topics of a site and keeps what arrives, by topic."""

    def __init__(self, config: LobbyConfig, broker: BrokerAddress, *filters: str,
                 client_id: str = "recorder") -> None:
        self.topics = Topics(config.site.id)
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.bus = Bus(self.topics, client_id=client_id, broker=broker)
        for topic_filter in filters or ("#",):
            self.bus.subscribe_raw(self.topics.prefix + topic_filter, self._keep)
        self.bus.start()
        assert self.bus.wait_connected(5)

    def _keep(self, topic: str, body: bytes) -> None:
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {"raw": body.decode(errors="replace")}
        with self.lock:
            self.messages.append((topic[len(self.topics.prefix):], data))

    def on(self, topic: str) -> list[dict[str, Any]]:
        with self.lock:
            return [data for t, data in self.messages if t == topic]

    def last(self, topic: str) -> dict[str, Any] | None:
        found = self.on(topic)
        return found[-1] if found else None

    def stop(self) -> None:
        self.bus.stop()


class DeviceClient:
    """A device on the bus that sends requests and waits for replies."""

    def __init__(self, config: LobbyConfig, broker: BrokerAddress, device_id: str) -> None:
        self.bus = Bus(Topics(config.site.id), client_id=f"test-{device_id}", broker=broker)
        self.requester = Requester(self.bus, device_id)
        self.bus.start()
        assert self.bus.wait_connected(5)
        time.sleep(0.05)  # let the reply subscription land before the first request

    def ask(self, action: str, **arguments: Any) -> Any:
        return self.requester.ask(action, **arguments)

    def stop(self) -> None:
        self.bus.stop()


def reply_spec() -> Any:
    return spec("reply")


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def keep_screens(folder: Path, name: str) -> None:
    """Screenshots are written into the test's own temporary folder; with LOBBY_UI_ARTIFACTS
    set, a copy is kept there for people to look at."""
    keep = os.environ.get("LOBBY_UI_ARTIFACTS")
    if keep:
        shutil.copytree(folder, Path(keep) / name, dirs_exist_ok=True)
