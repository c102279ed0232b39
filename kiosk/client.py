"""The kiosk on the bus: wires the flow to MQTT (requests, retained state), publishes the
device status with the printer's state and heartbeats, and polls the printer."""

from __future__ import annotations

import logging
import threading

from devicekit.client import DeviceClient
from devicekit.configuration import Configuration
from kiosk.flow import KioskFlow, Voice
from kiosk.printing.devices import PrinterState, TicketPrinter
from lobby.bus import BrokerAddress
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.contract.registry import spec
from lobby.rpc import Requester, RequestTimeoutError

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 2.5  # seconds per attempt; three attempts before "offline"
PRINTER_POLL_SECONDS = 10.0


class KioskClient(DeviceClient):
    def __init__(self, config: LobbyConfig, device: Device, broker: BrokerAddress,
                 printer: TicketPrinter, voice: Voice | None = None) -> None:
        self.printer = printer
        self.flow = KioskFlow(
            config=config, device=device, issue=self._issue,
            report_print_failed=self._report_print_failed,
            report_not_handed_out=self._report_not_handed_out, printer=printer,
            new_transaction=lambda: self.requests.new_transaction(), voice=voice or Voice(),
        )
        super().__init__(config, device, "kiosk", broker, self.flow,
                         extras=self._status_extras, requests=True)
        assert self.requester is not None
        self.requests: Requester = self.requester
        self.bus.subscribe(spec("state.queues"), lambda s, _: self.flow.set_queues(s))
        self._stop = threading.Event()
        self._poller = threading.Thread(target=self._poll, name="printer-poll", daemon=True)

    def _status_extras(self) -> dict[str, object]:
        state = self.flow.printer_state
        return {"printer": {"paper": state.paper, "online": state.online}}

    def idle(self) -> bool:
        """A citizen taking a ticket, or reading it, is not cut off by a restart."""
        return not self.flow.busy and self.flow.result is None

    def reconfigure(self, configuration: Configuration) -> None:
        self.flow.voice.reconfigure(configuration.config)
        self.flow.reconfigure(configuration.config, configuration.device)

    def on_hub(self, state: m.HubState) -> None:
        was_online = self.flow.online
        super().on_hub(state)
        if self.flow.online and not was_online and self.flow.orphans:
            threading.Thread(target=self.flow.settle_orphans, daemon=True).start()

    def _issue(self, request: m.IssueRequest) -> m.Reply[m.TicketView]:
        return self.requests.request(request, timeout=REQUEST_TIMEOUT, attempts=3)

    def _report_print_failed(self, ticket_id: int, reason: str) -> None:
        self._report(m.PrintFailedRequest(transaction=self.requests.new_transaction(),
                                          ticket_id=ticket_id, reason=reason))

    def _report_not_handed_out(self, ticket_id: int) -> None:
        self._report(m.NotHandedOutRequest(transaction=self.requests.new_transaction(),
                                           ticket_id=ticket_id))

    def _report(self, message: m.PrintFailedRequest | m.NotHandedOutRequest) -> None:
        """Tells the hub about a ticket, in the background, retrying for about a minute."""
        def send() -> None:
            try:
                self.requests.request(message, timeout=REQUEST_TIMEOUT, attempts=20)
            except RequestTimeoutError:
                log.error("could not report ticket %d to the hub", message.ticket_id)

        threading.Thread(target=send, name="report-ticket", daemon=True).start()

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
        super().start()
        self._poller.start()

    def stop(self) -> None:
        self._stop.set()
        super().stop()
        self.printer.close()
