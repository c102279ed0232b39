"""Devices started with no configuration file follow the hub's (issue #10): a kiosk, a board
and a counter terminal, each the real `lobby` command in an offscreen window, started before
the hub (the waiting screen), configured by it, then changed through `lobby config apply`:
each change must be on each screen within 1 s of the hub publishing it. Then a kiosk started
again while the hub is down shows the configuration it kept, and says it is offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lobby.bus import BrokerAddress, Bus
from lobby.contract.registry import Topics
from tests.helpers import ROOT, free_port, hub_command, wait_for

DRIVER = ROOT / "tests" / "ui" / "follow_driver.py"
LIMIT_SECONDS = 1.0

CENTRE = """\
site:
  id: {site}
  name: {{vi: "Trung tâm thử", en: "Test centre"}}
services:
  - id: A
    names: {{vi: "Hộ tịch", en: "Civil status"}}
  - id: B
    names: {{vi: "Đất đai", en: "Land"}}
{extra_service}counters:
  - {{id: "1", number: 1, services: [{counter_services}]{closed}}}
  - {{id: "2", number: 2, services: [B]}}
devices:
  - id: kiosk-1
    role: kiosk
    kiosk: {{voice: false, printer: {{connection: file, path: {tickets}}}{orientation}}}
  - id: board-1
    role: board
    board: {{voice: false{zone}}}
{terminal}hub:
  heartbeat_seconds: 0.5
  stale_after_seconds: 2
"""
ADDED = '  - id: C\n    names: {vi: "Bảo trợ xã hội", en: "Social support"}\n'
OFFLINE_VI = "Hệ thống đang mất kết nối"
WAITING = "Waiting for the centre's configuration"

MARKERS: dict[str, list[dict[str, Any]]] = {
    "kiosk-1": [
        {"name": "waiting", "present": [WAITING]},
        {"name": "configured", "present": ["Hộ tịch", "Đất đai"]},
        {"name": "renamed", "present": ["Hộ tịch - Chứng thực"]},
        {"name": "added", "present": ["Bảo trợ xã hội"]},
        {"name": "turned", "present": ["window:960x540", "Bảo trợ xã hội"]},
        {"name": "cached", "present": ["Hộ tịch - Chứng thực", "Bảo trợ xã hội", OFFLINE_VI]},
    ],
    "board-1": [
        {"name": "waiting", "present": [WAITING]},
        {"name": "configured", "present": ["Hộ tịch", "Đất đai"]},
        {"name": "renamed", "present": ["Hộ tịch - Chứng thực"]},
        {"name": "added", "present": ["Bảo trợ xã hội"]},
        {"name": "zoned", "present": ["Bảo trợ xã hội"], "absent": ["Đất đai"]},
    ],
    "counter-1": [
        {"name": "waiting", "present": [WAITING]},
        {"name": "configured", "present": ["Hộ tịch", "Đất đai"]},
        {"name": "renamed", "present": ["Hộ tịch - Chứng thực"]},
        {"name": "serves C", "present": ["Bảo trợ xã hội"], "absent": ["Đất đai"]},
        {"name": "closed", "present": ["Quầy này đang được trung tâm đóng."]},
        {"name": "removed", "present": [WAITING, "it has no counter device 'counter-1'"]},
    ],
}
ROLES = {"kiosk-1": "kiosk", "board-1": "board", "counter-1": "counter"}


class Published:
    """When each configuration revision reached a subscriber (the hub's publish, give or
    take the broker's hop), by this machine's clock."""

    def __init__(self, site: str, broker: BrokerAddress) -> None:
        self.times: dict[int, float] = {}
        self.bus = Bus(Topics(site), client_id=f"published-{site}", broker=broker)
        self.bus.subscribe_raw(f"{Topics(site).prefix}state/config", self._keep)
        self.bus.start()
        assert self.bus.wait_connected(5)

    def has(self, revision: int) -> Callable[[], bool]:
        return lambda: revision in self.times

    def _keep(self, _topic: str, body: bytes) -> None:
        revision = json.loads(body)["revision"]
        self.times.setdefault(revision, time.time())

    def stop(self) -> None:
        self.bus.stop()


class Lobby:
    def __init__(self, tmp: Path, broker: BrokerAddress) -> None:
        self.tmp, self.broker = tmp, broker
        self.site = f"follow-{os.getpid()}-{free_port()}"
        self.config = tmp / "centre.yaml"
        self.db = tmp / "hub.sqlite"
        self.env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
                        KIVY_LOG_MODE="PYTHON")
        self.env.pop(RESTARTED_ENV, None)
        self.devices: dict[str, subprocess.Popen[str]] = {}
        self.hub: subprocess.Popen[str] | None = None

    def write(self, path: Path, counter_services: str = "A, B", extra_service: str = "",
              closed: str = "", zone: str = "", orientation: str = "",
              terminal: str = '  - {id: counter-1, role: counter, counters: ["1"]}\n') -> Path:
        path.write_text(CENTRE.format(site=self.site, tickets=self.tmp / "tickets",
                                      counter_services=counter_services,
                                      extra_service=extra_service, closed=closed, zone=zone,
                                      orientation=orientation, terminal=terminal))
        return path

    def start_device(self, device: str) -> None:
        folder = self.tmp / device
        folder.mkdir(exist_ok=True)
        markers = folder / "markers.json"
        markers.write_text(json.dumps(MARKERS[device], ensure_ascii=False))
        env = dict(self.env, KIVY_HOME=str(folder / "kivy"))
        self.devices[device] = subprocess.Popen(
            [sys.executable, str(DRIVER), str(folder / "seen.jsonl"), str(markers), "--",
             "--log-level", "WARNING", ROLES[device], "--device", device, "--site", self.site,
             "--broker", f"{self.broker.host}:{self.broker.port}", "--var", str(folder),
             "--windowed"],
            # A log file, not a pipe nobody reads: a full pipe would block the device.
            env=env, stderr=(folder / "log.txt").open("a"), text=True)

    def log(self, device: str) -> str:
        """The end of what a device logged, for a failure's message."""
        return (self.tmp / device / "log.txt").read_text()[-3000:]

    def saw(self, device: str, marker: str) -> Callable[[], bool]:
        return lambda: marker in self.seen(device)

    def seen(self, device: str) -> dict[str, dict[str, Any]]:
        path = self.tmp / device / "seen.jsonl"
        if not path.exists():
            return {}
        return {row["marker"]: row for row in map(json.loads, path.read_text().splitlines())}

    def start_hub(self) -> None:
        self.hub = subprocess.Popen(hub_command(self.config, self.db, self.broker),
                                    stderr=(self.tmp / "hub-log.txt").open("a"), text=True)

    def apply(self, path: Path) -> None:
        done = subprocess.run([sys.executable, "-m", "lobby.cli", "config", "apply", str(path),
                               "--config", str(self.config), "--db", str(self.db)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    def stop(self, process: subprocess.Popen[str] | None) -> None:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


RESTARTED_ENV = "LOBBY_DEVICE_RESTARTED"


@pytest.mark.timeout(240)
def test_devices_wait_for_follow_and_keep_the_hubs_configuration(
    mosquitto: BrokerAddress, tmp_path: Path,
) -> None:
    lobby = Lobby(tmp_path, mosquitto)
    lobby.write(lobby.config)
    published = Published(lobby.site, mosquitto)
    try:
        for device in MARKERS:
            lobby.start_device(device)
        for device in MARKERS:  # never configured: the waiting screen, not a crash
            assert wait_for(lobby.saw(device, "waiting"), 60), device
        lobby.start_hub()
        for device in MARKERS:  # configured by the hub: each starts again on it
            assert wait_for(lobby.saw(device, "configured"), 60), device
            seen = lobby.seen(device)
            assert seen["configured"]["run"] != seen["waiting"]["run"]
            assert (tmp_path / device / f"{device}.config.json").exists()

        changes = [
            ("renamed", {}, ["kiosk-1", "board-1", "counter-1"]),
            ("added", {"extra_service": ADDED}, ["kiosk-1", "board-1"]),
            ("serves C", {"extra_service": ADDED, "counter_services": "A, C"}, ["counter-1"]),
            ("closed", {"extra_service": ADDED, "counter_services": "A, C",
                        "closed": ", closed: true"}, ["counter-1"]),
            ("zoned", {"extra_service": ADDED, "counter_services": "A, C",
                       "closed": ", closed: true", "zone": ", zone_services: [A, C]"},
             ["board-1"]),
        ]
        delays: dict[tuple[str, str], float] = {}
        for revision, (marker, fields, devices) in enumerate(changes, start=2):
            new = lobby.write(tmp_path / f"{marker}.yaml", **fields)  # each on the last
            new.write_text(new.read_text().replace('"Hộ tịch"', '"Hộ tịch - Chứng thực"'))
            lobby.apply(new)
            assert wait_for(published.has(revision), 10), marker
            for device in devices:
                assert wait_for(lobby.saw(device, marker), 10), (
                    device, marker, lobby.log(device))
                delays[(marker, device)] = (lobby.seen(device)[marker]["at"]
                                            - published.times[revision])
        print("seconds from the hub's publish to the screen:",
              {f"{m} @ {d}": round(s, 3) for (m, d), s in delays.items()})
        assert all(0 <= s <= LIMIT_SECONDS for s in delays.values()), delays
        for device in MARKERS:  # followed live: the same process since it was configured
            seen = lobby.seen(device)
            assert len({row["run"] for name, row in seen.items() if name != "waiting"}) == 1

        # A setting a running window cannot take: the kiosk starts itself again on it.
        turned = lobby.write(tmp_path / "turned.yaml", extra_service=ADDED,
                             counter_services="A, C", closed=", closed: true",
                             zone=", zone_services: [A, C]", orientation=", orientation: landscape")
        turned.write_text(turned.read_text().replace('"Hộ tịch"', '"Hộ tịch - Chứng thực"'))
        lobby.apply(turned)
        assert wait_for(lobby.saw("kiosk-1", "turned"), 60), lobby.log("kiosk-1")
        assert lobby.seen("kiosk-1")["turned"]["run"] != lobby.seen("kiosk-1")["added"]["run"]

        # A device removed from the centre goes back to the waiting screen, which says why.
        removed = tmp_path / "removed.yaml"
        removed.write_text(turned.read_text().replace(
            '  - {id: counter-1, role: counter, counters: ["1"]}\n', ""))
        lobby.apply(removed)
        assert wait_for(lobby.saw("counter-1", "removed"), 60), lobby.log("counter-1")

        lobby.stop(lobby.devices["kiosk-1"])
        lobby.stop(lobby.hub)
        lobby.start_device("kiosk-1")  # the hub is down: from its disk, and says so
        assert wait_for(lobby.saw("kiosk-1", "cached"), 60)
        assert lobby.seen("kiosk-1")["cached"]["run"] != lobby.seen("kiosk-1")["turned"]["run"]
    finally:
        for process in lobby.devices.values():
            lobby.stop(process)
        lobby.stop(lobby.hub)
        published.stop()
