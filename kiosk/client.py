"""The kiosk on the bus: wires the flow to MQTT (requests, retained state), publishes the
device status with the printer's state and heartbeats, and polls the printer."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from kiosk.flow import KioskFlow, Voice
from kiosk.printing.devices import PrinterState, TicketPrinter
from lobby.bus import BrokerAddress, Bus
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import Topics, spec
from lobby.device import DeviceLink
from lobby.rpc import Requester, RequestTimeoutError

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 2.5  # seconds per attempt; three attempts before "offline"
PRINTER_POLL_SECONDS = 10.0


class KioskClient:
    def __init__(self, config: LobbyConfig, device: Device, broker: BrokerAddress,
                 printer: TicketPrinter, voice: Voice | None = None,
                 var_dir: Path = Path("var")) -> None:
        self.config = config
        self.device = device
        self.printer = printer
        self.bus = Bus(Topics(config.site.id), client_id=f"kiosk-{device.id}", broker=broker)
        self.requester = Requester(self.bus, device.id)
        self.flow = KioskFlow(
            config=config, device=device, issue=self._issue,
            report_print_failed=self._report_print_failed, printer=printer,
            new_transaction=self.requester.new_transaction, voice=voice or Voice(),
        )
        self.link = DeviceLink(self.bus, config, device.id, "kiosk", extras=self._status_extras)
        self.bus.subscribe(spec("state.queues"), lambda s, _: self.flow.set_queues(s))
        self.bus.subscribe(spec("state.hub"), self._on_hub)
        self.bus.on_connected(lambda: self.flow.set_connected(True))
        self.bus.on_disconnected(lambda: self.flow.set_connected(False))
        self._stop = threading.Event()
        self._poller = threading.Thread(target=self._poll, name="printer-poll", daemon=True)

    def _status_extras(self) -> dict[str, object]:
        state = self.flow.printer_state
        return {"printer": {"paper": state.paper, "online": state.online}}

    def _on_hub(self, state: m.HubState, params: dict[str, str]) -> None:
        was_online = self.flow.online
        self.flow.on_hub(state)
        if self.flow.online and not was_online and self.flow.orphans:
            threading.Thread(target=self.flow.settle_orphans, daemon=True).start()

    def _issue(self, transaction: str, service: str, priority: str | None, language: str,
               replay_only: bool) -> m.Reply:
        return self.requester.request("issue", transaction=transaction, service=service,
                                      priority=priority, language=language,
                                      replay_only=replay_only, timeout=REQUEST_TIMEOUT,
                                      attempts=3)

    def _report_print_failed(self, ticket_id: int, reason: str) -> None:
        def send() -> None:
            try:
                self.requester.request("print_failed", ticket_id=ticket_id, reason=reason,
                                       timeout=REQUEST_TIMEOUT, attempts=20)
            except RequestTimeoutError:
                log.error("could not report ticket %d as not printed", ticket_id)

        threading.Thread(target=send, name="report-print-failed", daemon=True).start()

    def refresh_printer(self) -> PrinterState:
        state = self.printer.status()
        changed = state != self.flow.printer_state
        self.flow.set_printer(state)
        if changed and self.bus.connected.is_set():
            self.link.publish_status()
        return state

    def _poll(self) -> None:
        while not self._stop.is_set():
            if not self.flow.busy:  # printing reads the status itself
                try:
                    self.refresh_printer()
                except Exception:
                    log.exception("printer poll failed")
            self._stop.wait(PRINTER_POLL_SECONDS)

    def start(self) -> None:
        self.refresh_printer()
        self.link.start()
        self._poller.start()

    def stop(self) -> None:
        self._stop.set()
        self.link.stop()
        self.printer.close()
