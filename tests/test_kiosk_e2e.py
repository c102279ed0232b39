"""The kiosk end to end: the real hub and Mosquitto, the kiosk client, a serial printer on a
socat pty pair. Touch -> ticket stored -> bytes printed; status published; broker restart."""

from __future__ import annotations

import time
from pathlib import Path

from emulators.printer import PrinterEmulator
from kiosk.client import KioskClient
from kiosk.printing.devices import EscposPrinter
from lobby.broker.embedded import MosquittoBroker
from lobby.bus import BrokerAddress
from lobby.config.models import LobbyConfig, Printer
from tests.helpers import Recorder, RunningHub, free_port, small_config, wait_for


def started_kiosk(config: LobbyConfig, broker: BrokerAddress,
                  emulator: PrinterEmulator) -> KioskClient:
    """kiosk-1 on the broker, printing to the emulated printer at the pty's far end."""
    device = config.device("kiosk-1")
    assert device is not None
    kiosk = KioskClient(config, device, broker,
                        EscposPrinter(Printer(connection="serial", port=emulator.port)))
    kiosk.start()
    return kiosk


def test_touch_stores_the_ticket_and_prints_its_bytes(mosquitto: BrokerAddress,
                                                      tmp_path: Path) -> None:
    config = small_config()
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    statuses = Recorder(config, mosquitto, "device/+/status", client_id="statuses")
    emulator = PrinterEmulator(tmp_path)
    kiosk = started_kiosk(config, mosquitto, emulator)
    try:
        assert wait_for(lambda: kiosk.flow.online and bool(kiosk.flow.queues))
        assert kiosk.flow.tap_service("A")
        assert kiosk.flow.result is not None and kiosk.flow.result.number == "A001"
        assert hub.engine.store.conn.execute(
            "SELECT number, printed, device FROM tickets").fetchall() == [("A001", 1, "kiosk-1")]
        assert wait_for(lambda: emulator.tickets == 1)
        assert b"A001" in emulator.received and b"\x1d(k" in emulator.received
        status = statuses.last("device/kiosk-1/status")
        assert status is not None and status["printer"] == {"paper": "ok", "online": True}
        emulator.state = "near_end"
        kiosk.refresh_printer()
        assert wait_for(lambda: (statuses.last("device/kiosk-1/status") or {}).get(
            "printer", {}).get("paper") == "near_end")
    finally:
        kiosk.stop()
        emulator.close()
        statuses.stop()
        hub.stop()


def test_kiosk_survives_a_broker_restart(tmp_path: Path) -> None:
    port = free_port()
    broker = MosquittoBroker(tmp_path / "broker", port)
    address = BrokerAddress(port=port)
    config = small_config()
    hub = RunningHub(config, tmp_path / "hub.sqlite", address)
    emulator = PrinterEmulator(tmp_path)
    kiosk = started_kiosk(config, address, emulator)
    try:
        assert wait_for(lambda: kiosk.flow.online and bool(kiosk.flow.queues))
        broker.stop()
        assert wait_for(lambda: not kiosk.flow.online)
        assert not any(b.enabled for b in kiosk.flow.service_buttons())
        assert kiosk.flow.banner() == "Hệ thống đang mất kết nối. Xin vui lòng báo nhân viên."
        time.sleep(0.5)
        broker = MosquittoBroker(tmp_path / "broker", port)
        assert wait_for(lambda: kiosk.flow.online, 20), "the kiosk did not come back"
        assert kiosk.flow.tap_service("B")
        assert kiosk.flow.result is not None and kiosk.flow.result.number == "B001"
    finally:
        kiosk.stop()
        emulator.close()
        hub.stop()
        broker.stop()
