"""The hub killed with SIGKILL while several kiosks issue at once, then restarted: every
acknowledged ticket is stored exactly once, and client retries (same transaction ids) create
no duplicates.

Two kills: one chosen to fall right after a commit and before its reply (the ticket is stored,
its kiosk has not heard of it: the retry must get that same ticket), and one at a random moment
of the burst."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from lobby.bus import BrokerAddress
from lobby.rpc import RequestTimeoutError
from tests.helpers import DeviceClient, hub_command, small_config_file, wait_for

KIOSKS = ("kiosk-1", "kiosk-2", "kiosk-3", "kiosk-4")
PER_KIOSK = 90
TOTAL = len(KIOSKS) * PER_KIOSK
KILL_AFTER = 60  # the crashing hub dies after committing its 60th ticket


def start_hub(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def committed_transactions(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT txn FROM transactions")}


def test_sigkill_during_a_concurrent_burst_loses_and_duplicates_nothing(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    config, config_file = small_config_file(tmp_path, **{
        "  - {id: kiosk-2, role: kiosk}": "\n".join(
            f"  - {{id: {k}, role: kiosk}}" for k in KIOSKS[1:])})
    db = tmp_path / "hub.sqlite"
    command = hub_command(config_file, db, mosquitto)
    crashing = [sys.executable, "-m", "tests.crashing_hub", str(KILL_AFTER), *command[3:]]
    hub = start_hub(crashing)
    kiosks = [DeviceClient(config, mosquitto, k) for k in KIOSKS]
    acknowledged: dict[str, str] = {}  # transaction -> number
    failures: list[str] = []
    lock = threading.Lock()

    def burst(kiosk: DeviceClient) -> None:
        for index in range(PER_KIOSK):
            txn = f"{kiosk.requester.device_id}-{index}"
            try:
                # Unanswered: sent again with the same transaction, for up to ~20 s.
                reply = kiosk.requester.ask("issue", transaction=txn, service="A",
                                            timeout=0.5, attempts=40)
            except RequestTimeoutError:
                failures.append(txn)
                continue
            with lock:
                if reply.ok and reply.data is not None:
                    acknowledged[txn] = reply.data.number
                else:
                    failures.append(f"{txn}: {reply.error}")

    workers = [threading.Thread(target=burst, args=(k,)) for k in kiosks]
    try:
        for worker in workers:
            worker.start()
        # 1. The chosen moment: the hub dies between a commit and its reply.
        assert hub.wait(30) == -signal.SIGKILL
        with lock:
            heard = set(acknowledged)
        unheard = committed_transactions(db) - heard
        assert unheard, "no ticket was committed without its reply: the kill missed its moment"
        # 2. A random moment: a real hub restarted, killed again in the middle of the burst.
        hub = start_hub(command)
        assert wait_for(lambda: len(acknowledged) >= TOTAL // 2, 30)
        hub.send_signal(signal.SIGKILL)
        hub.wait(5)
        killed_at = len(acknowledged)
        hub = start_hub(command)
        for worker in workers:
            worker.join(60)
        assert not any(worker.is_alive() for worker in workers)
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(10)
        for kiosk in kiosks:
            kiosk.stop()

    assert failures == []
    assert killed_at < TOTAL, "the hub was killed after the burst, not during it"
    assert len(acknowledged) == TOTAL
    assert unheard <= set(acknowledged)  # the retries got the tickets stored before the kill
    rows = sqlite3.connect(db).execute("SELECT number FROM tickets ORDER BY id").fetchall()
    numbers = [r[0] for r in rows]
    assert len(numbers) == TOTAL, "a ticket was lost or stored twice"
    assert len(set(numbers)) == TOTAL
    assert sorted(acknowledged.values()) == sorted(numbers)
