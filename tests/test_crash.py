"""The hub killed with SIGKILL in the middle of a burst of issues, then restarted: every
acknowledged ticket is stored exactly once, and client retries (same transaction ids) create
no duplicates."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

from lobby.bus import BrokerAddress
from lobby.rpc import RequestTimeoutError
from tests.helpers import DeviceClient, hub_command, small_config_file, wait_for

BURST = 300


def start_hub(config_file: Path, db: Path, broker: BrokerAddress) -> subprocess.Popen[bytes]:
    return subprocess.Popen(hub_command(config_file, db, broker), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_sigkill_during_a_burst_loses_and_duplicates_nothing(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    config, config_file = small_config_file(tmp_path)
    db = tmp_path / "hub.sqlite"
    hub = start_hub(config_file, db, mosquitto)
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    acknowledged: dict[str, str] = {}  # transaction -> number
    failures: list[str] = []

    def burst() -> None:
        for index in range(BURST):
            txn = f"burst-{index}"
            try:
                # Unanswered: sent again with the same transaction, for up to ~20 s.
                reply = kiosk.requester.ask("issue", transaction=txn, service="A",
                                                timeout=0.5, attempts=40)
            except RequestTimeoutError:
                failures.append(txn)
                continue
            if reply.ok and reply.data is not None:
                acknowledged[txn] = reply.data.number
            else:
                failures.append(f"{txn}: {reply.error}")

    worker = threading.Thread(target=burst)
    try:
        worker.start()
        assert wait_for(lambda: len(acknowledged) >= BURST // 3, 20)
        hub.send_signal(signal.SIGKILL)
        hub.wait(5)
        killed_at = len(acknowledged)
        time.sleep(0.5)
        hub = start_hub(config_file, db, mosquitto)
        worker.join(60)
        assert not worker.is_alive()
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(10)
        kiosk.stop()

    assert failures == []
    assert killed_at < BURST, "the hub was killed after the burst, not during it"
    assert len(acknowledged) == BURST
    rows = sqlite3.connect(db).execute("SELECT number FROM tickets ORDER BY id").fetchall()
    numbers = [r[0] for r in rows]
    assert len(numbers) == BURST, "a ticket was lost or stored twice"
    assert len(set(numbers)) == BURST
    assert sorted(acknowledged.values()) == sorted(numbers)
