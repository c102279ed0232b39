"""The simulated day (`lobby simulate`, also what `lobby demo` runs): staff signed in, tickets
served, and a share of them rated, so that the demo has figures to show."""

from __future__ import annotations

import io
import random
import threading
from pathlib import Path

import yaml

from demo.simulator import SIMULATED, Simulation
from hub.report import collect
from hub.store import Store
from lobby.bus import BrokerAddress, Bus
from lobby.config import parse_config
from lobby.contract.registry import Topics, spec
from tests.helpers import DEMO, RunningHub, small_config, wait_for


def test_a_simulated_morning_signs_staff_in_serves_and_rates(
    mosquitto: BrokerAddress, tmp_path: Path,
) -> None:
    raw = yaml.safe_load(DEMO.read_text())
    raw["site"]["id"] = small_config().site.id
    raw["hub"].update(heartbeat_seconds=1, stale_after_seconds=3)  # beats within the run
    for service in raw["services"]:
        service.pop("hours", None)  # open whatever the day of the test
    config = parse_config(yaml.safe_dump(raw, allow_unicode=True))
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    bus = Bus(Topics(config.site.id), client_id="simulator-test", broker=mosquitto)
    simulation = Simulation(config, bus, speed=900, arrivals_per_hour=240,
                            rng=random.Random(7))
    statuses: list[tuple[str, str, str | None]] = []  # what the devices said, in order
    watcher = Bus(Topics(config.site.id), client_id="status-watcher", broker=mosquitto)
    watcher.subscribe(spec("device.status"), lambda status, params: statuses.append(
        (params["device"], status.state, status.detail)))
    watcher.start()
    bus.start()
    try:
        assert bus.wait_connected(5) and watcher.wait_connected(5)
        simulation.run(8.0, threading.Event(), out=io.StringIO())  # two simulated hours
        assert wait_for(lambda: sum(state == "offline" for _d, state, _x in statuses)
                        == len(simulation.requesters))
    finally:
        watcher.stop()
        bus.stop()
        hub.stop()  # and its store: the figures are read as the report reads them
    # Every device it played beat as online, said it was simulated, and went offline at
    # the end (the console's devices page and alerts see a working lobby, not silence).
    played = set(simulation.requesters)
    assert {"kiosk-1", "counter-1"} <= played
    beats = [d for d, state, detail in statuses if state == "online" and detail == SIMULATED]
    assert set(beats) == played and len(beats) >= 6 * len(played)  # beat every second
    assert {d for d, state, _x in statuses if state == "offline"} == played
    store = Store(tmp_path / "hub.sqlite")
    shifts = store.conn.execute("SELECT COUNT(DISTINCT counter) FROM shifts").fetchone()[0]
    assert shifts == 5  # a staff member at each counter
    day = store.conn.execute("SELECT MIN(day) FROM tickets").fetchone()[0]
    store.close()
    figures = collect(tmp_path / "hub.sqlite", day, day, "counter")
    rated = figures["1"]  # counter 1 has the demo's rating pad
    assert simulation.stats["done"] >= 20 and rated.served >= 5
    assert 0 < rated.ratings <= rated.served
    assert sum(f.ratings for key, f in figures.items() if key != "1") == 0
