"""The simulated day (`lobby simulate`, also what `lobby demo` runs): staff signed in, tickets
served, and a share of them rated, so that the demo has figures to show."""

from __future__ import annotations

import io
import random
import threading
from pathlib import Path

import yaml

from demo.simulator import Simulation
from hub.report import collect
from hub.store import Store
from lobby.bus import BrokerAddress, Bus
from lobby.config import parse_config
from lobby.contract.registry import Topics
from tests.helpers import DEMO, RunningHub, small_config


def test_a_simulated_morning_signs_staff_in_serves_and_rates(
    mosquitto: BrokerAddress, tmp_path: Path,
) -> None:
    raw = yaml.safe_load(DEMO.read_text())
    raw["site"]["id"] = small_config().site.id
    for service in raw["services"]:
        service.pop("hours", None)  # open whatever the day of the test
    config = parse_config(yaml.safe_dump(raw, allow_unicode=True))
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    bus = Bus(Topics(config.site.id), client_id="simulator-test", broker=mosquitto)
    simulation = Simulation(config, bus, speed=900, arrivals_per_hour=240,
                            rng=random.Random(7))
    bus.start()
    try:
        assert bus.wait_connected(5)
        simulation.run(8.0, threading.Event(), out=io.StringIO())  # two simulated hours
    finally:
        bus.stop()
        hub.stop()  # and its store: the figures are read as the report reads them
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
