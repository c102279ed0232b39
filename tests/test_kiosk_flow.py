"""The kiosk's flow without a window: a real engine on SQLite behind `issue`, and a serial
printer on a socat pty pair behind the printer."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulators.printer import PrinterEmulator
from hub.engine import Engine
from hub.store import Store
from kiosk.flow import KioskFlow
from kiosk.printing.devices import EscposPrinter, PrinterState
from lobby.config import LobbyConfig
from lobby.config.models import Printer
from lobby.contract import messages as m
from lobby.rpc import RequestTimeoutError
from tests.helpers import hub_state, payload, small_config


class Kiosk:
    def __init__(self, tmp: Path, config: LobbyConfig | None = None) -> None:
        self.config = config or small_config()
        self.engine = Engine(self.config, Store(tmp / "hub.sqlite"))
        self.emulator = PrinterEmulator(tmp)
        self.printer = EscposPrinter(Printer(connection="serial", port=self.emulator.port,
                                             status_timeout_seconds=0.2))
        self.now = 1000.0
        self.hub_down = False
        self.lose_next_reply = False
        ids = itertools.count(1)
        device = self.config.device("kiosk-1")
        assert device is not None
        self.flow = KioskFlow(
            config=self.config, device=device, issue=self.issue,
            report_print_failed=self.print_failed, report_not_handed_out=self.not_handed_out,
            printer=self.printer,
            new_transaction=lambda: f"tap-{next(ids)}", clock=lambda: self.now)
        self.publish()
        self.flow.on_hub(hub_state("online"))
        self.flow.set_connected(True)
        self.flow.set_printer(self.printer.status())

    def issue(self, request: m.IssueRequest) -> m.Reply[m.TicketView]:
        if self.hub_down:
            raise RequestTimeoutError("no reply")
        # As on the wire: the request's own encoding in, the reply's JSON decoded back.
        reply = self.engine.handle_request("kiosk-1", "issue", m.dump(request)).reply
        typed = m.decode_reply(m.TicketView, reply.model_dump_json())
        self.publish()
        if self.lose_next_reply:  # the hub stored it, the answer never came back
            self.lose_next_reply = False
            raise RequestTimeoutError("reply lost")
        return typed

    def not_handed_out(self, ticket_id: int) -> None:
        self.engine.handle_request("kiosk-1", "not_handed_out", payload(
            transaction=f"nho-{ticket_id}", ticket_id=ticket_id))

    def print_failed(self, ticket_id: int, reason: str) -> None:
        self.engine.handle_request("kiosk-1", "print_failed", payload(
            transaction=f"pf-{ticket_id}", ticket_id=ticket_id, reason=reason))

    def publish(self) -> None:
        """What the hub would publish on state/queues."""
        self.flow.set_queues(self.engine.views.queues(self.engine.live, self.engine.clock.now()))

    def tickets(self) -> list[tuple[str, int]]:
        return self.engine.store.conn.execute(
            "SELECT number, printed FROM tickets ORDER BY id").fetchall()

    def enabled(self) -> dict[str, bool]:
        return {b.id: b.enabled for b in self.flow.service_buttons()}


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    k = Kiosk(tmp_path)
    yield k
    k.printer.close()
    k.emulator.close()


def test_one_touch_gives_a_stored_printed_ticket(kiosk: Kiosk) -> None:
    assert kiosk.enabled() == {"A": True, "B": True}
    assert kiosk.flow.tap_service("A")
    result = kiosk.flow.result
    assert result is not None and result.number == "A001" and result.printed
    assert result.ahead == 0 and result.service == "Hộ tịch"
    assert result.qr_data.endswith("/1?number=A001")
    assert kiosk.tickets() == [("A001", 1)]
    assert kiosk.emulator.tickets == 1
    assert not kiosk.flow.busy


def test_priority_then_service_is_two_touches_and_resets(kiosk: Kiosk) -> None:
    kiosk.flow.toggle_priority("elderly")
    assert [b.selected for b in kiosk.flow.priority_buttons()] == [True]
    kiosk.flow.tap_service("B")
    assert kiosk.engine.store.conn.execute("SELECT priority FROM tickets").fetchone() == (
        "elderly",)
    assert kiosk.flow.priority is None


def test_result_returns_to_idle_after_the_timeout(kiosk: Kiosk) -> None:
    kiosk.flow.tap_service("A")
    kiosk.now += kiosk.flow.settings.result_seconds - 0.1
    kiosk.flow.tick()
    assert kiosk.flow.result is not None
    kiosk.now += 0.2
    kiosk.flow.tick()
    assert kiosk.flow.result is None


@pytest.mark.parametrize("state, banner", [
    ("out", "Máy in đã hết giấy. Xin vui lòng báo nhân viên."),
    ("silent", "Máy in chưa sẵn sàng. Xin vui lòng báo nhân viên."),
    ("offline", "Máy in chưa sẵn sàng. Xin vui lòng báo nhân viên."),
])
def test_printer_not_ready_issues_nothing(kiosk: Kiosk, state: str, banner: str) -> None:
    kiosk.emulator.state = state
    assert kiosk.flow.tap_service("A")  # the screen still thought it was fine: checked first
    assert kiosk.tickets() == [] and kiosk.flow.result is None
    assert kiosk.flow.banner() == banner
    assert kiosk.enabled() == {"A": False, "B": False}
    assert not kiosk.flow.tap_service("A")  # now the buttons are off


def test_near_end_still_prints(kiosk: Kiosk) -> None:
    kiosk.emulator.state = "near_end"
    kiosk.flow.tap_service("A")
    assert kiosk.tickets() == [("A001", 1)]
    assert kiosk.flow.printer_state == PrinterState("near_end", True)


def test_printer_failing_while_printing_shows_the_number_and_tells_the_hub(
    kiosk: Kiosk
) -> None:
    kiosk.emulator.offline_after_cut = True
    kiosk.flow.tap_service("A")
    result = kiosk.flow.result
    assert result is not None and result.number == "A001" and not result.printed
    assert kiosk.tickets() == [("A001", 0)]  # stored, marked "not printed" for staff


def test_closed_service_and_quota(tmp_path: Path) -> None:
    config = small_config(**{
        "numbering: {start: 1, width: 3}\n  - id: B":
            "numbering: {start: 1, width: 3, daily_quota: 1}\n  - id: B",
        "    names: {vi: \"Đất đai\", en: \"Land\"}":
            "    names: {vi: \"Đất đai\", en: \"Land\"}\n"
            "    hours: [{days: [sun], open: \"00:00\", close: \"00:01\"}]",
    })
    kiosk = Kiosk(tmp_path, config)
    try:
        buttons = {b.id: b for b in kiosk.flow.service_buttons()}
        # Closed, and says when it opens next (Sundays 00:00 in this centre).
        assert not buttons["B"].enabled and buttons["B"].detail.startswith("Đang đóng · mở lúc")
        assert buttons["B"].detail.endswith("00:00")
        # A touch on it is not ignored in silence: the screen says why.
        assert not kiosk.flow.tap_service("B")
        assert kiosk.flow.message == f"Đất đai: {buttons['B'].detail}"
        kiosk.flow.tap_service("A")
        buttons = {b.id: b for b in kiosk.flow.service_buttons()}
        assert not buttons["A"].enabled and buttons["A"].detail == "Đã hết số hôm nay"
        # The hub refuses what the screen had not yet caught up with: a message, no ticket.
        kiosk.flow.queues["A"] = kiosk.flow.queues["A"].model_copy(
            update={"quota_reached": False})
        kiosk.flow.tap_service("A")
        assert kiosk.flow.message == "Dịch vụ này đã hết số trong hôm nay."
        assert len(kiosk.tickets()) == 1
    finally:
        kiosk.printer.close()
        kiosk.emulator.close()


def test_hub_unreachable_disables_and_explains(kiosk: Kiosk) -> None:
    kiosk.flow.on_hub(hub_state("offline"))
    assert kiosk.enabled() == {"A": False, "B": False}
    assert kiosk.flow.banner() == "Hệ thống đang mất kết nối. Xin vui lòng báo nhân viên."
    kiosk.flow.on_hub(hub_state("online"))
    kiosk.flow.set_connected(False)
    assert kiosk.enabled() == {"A": False, "B": False}


def test_unanswered_issue_is_settled_later_and_never_a_ghost(kiosk: Kiosk) -> None:
    kiosk.hub_down = True
    kiosk.flow.tap_service("A")
    assert kiosk.flow.result is None and kiosk.tickets() == []
    # No answer: the kiosk says offline, with every tile off, until the hub is heard again.
    assert kiosk.enabled() == {"A": False, "B": False}
    assert kiosk.flow.banner() == "Hệ thống đang mất kết nối. Xin vui lòng báo nhân viên."
    kiosk.hub_down = False
    kiosk.flow.on_hub(hub_state("online"))  # its next heartbeat
    assert kiosk.enabled() == {"A": True, "B": True}
    kiosk.lose_next_reply = True  # this time the hub stores it but the reply is lost
    kiosk.flow.tap_service("A")
    assert kiosk.flow.result is None and kiosk.flow.message
    assert kiosk.tickets() == [("A001", 1)]  # a ghost, for now
    kiosk.flow.on_hub(hub_state("online"))
    kiosk.flow.settle_orphans()
    assert kiosk.flow.orphans == []
    states = kiosk.engine.store.conn.execute("SELECT number, state FROM tickets").fetchall()
    assert states == [("A001", "not_handed_out")]  # nobody holds it: closed apart
    assert kiosk.emulator.tickets == 0
    # It is never called: the next ticket is.
    kiosk.flow.tap_service("A")
    called = kiosk.engine.handle_request("counter-1", "call_next", payload(
        transaction="c-1", counter="1")).reply
    assert called.ok and called.data is not None and called.data.ticket is not None
    assert called.data.ticket.number == "A002"
    empty = kiosk.engine.handle_request("counter-1", "call_next", payload(
        transaction="c-2", counter="1")).reply
    assert empty.error is not None and empty.error.code == "queue_empty"


def test_double_tap_gives_one_ticket(kiosk: Kiosk) -> None:
    barrier = threading.Barrier(4)
    outcomes: list[Any] = []

    def tap() -> None:
        barrier.wait()
        outcomes.append(kiosk.flow.tap_service("A"))

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, False, False, True]
    assert kiosk.tickets() == [("A001", 1)]


def test_language_switch(kiosk: Kiosk) -> None:
    kiosk.flow.choose_language("en")
    assert [b.label for b in kiosk.flow.service_buttons()] == ["Civil status", "Land"]
    assert kiosk.flow.service_buttons()[0].detail == "Waiting: 0"
    kiosk.flow.choose_language("xx")  # not a site language: ignored
    assert kiosk.flow.language == "en"
    kiosk.flow.tap_service("A")
    assert kiosk.flow.result is not None and kiosk.flow.result.service == "Civil status"


def test_one_citizens_choices_never_carry_to_the_next(kiosk: Kiosk) -> None:
    """English and a priority group chosen: reset after the ticket; a group tapped and
    abandoned: reset after idle_reset_seconds (30) untouched."""
    flow = kiosk.flow
    flow.choose_language("en")
    flow.toggle_priority("elderly")
    assert flow.tap_service("A") and flow.result is not None
    starts = flow.fresh_starts
    flow.dismiss()
    assert (flow.language, flow.priority) == ("vi", None)
    assert flow.fresh_starts == starts + 1  # the screen goes back to its first page
    flow.choose_language("en")
    flow.toggle_priority("elderly")  # ... and walks away
    kiosk.now += 29
    flow.tick()
    assert (flow.language, flow.priority) == ("en", "elderly")  # still choosing
    kiosk.now += 2
    flow.tick()
    assert (flow.language, flow.priority) == ("vi", None)


def test_a_ticket_not_printed_stays_until_touched(kiosk: Kiosk) -> None:
    kiosk.emulator.offline_after_cut = True  # fails while printing
    kiosk.flow.tap_service("A")
    result = kiosk.flow.result
    assert result is not None and not result.printed and result.until is None
    kiosk.now += 600
    kiosk.flow.tick()
    assert kiosk.flow.result is result  # the citizen still has the number in front of them


def test_priority_groups_are_disabled_while_nothing_can_be_issued(kiosk: Kiosk) -> None:
    kiosk.flow.on_hub(hub_state("offline"))
    assert not any(b.enabled for b in kiosk.flow.priority_buttons())
    kiosk.flow.toggle_priority("elderly")
    assert kiosk.flow.priority is None


def test_a_ticket_qr_leads_to_its_own_unguessable_address(tmp_path: Path) -> None:
    """With the centre's public page configured, the QR code is {public.url}/t/{token}: 128
    random bits the hub keeps with the ticket and tells only the kiosk that prints it (issue
    #13); consecutive tickets' addresses share nothing a person could continue."""
    from lobby.config import parse_config
    from tests.helpers import SMALL_YAML

    site = small_config().site.id
    config = parse_config(SMALL_YAML.replace("id: test-site", f"id: {site}")
                          + 'public:\n  url: "https://hanhchinh.example.vn/xa-hoa-phu"\n')
    kiosk = Kiosk(tmp_path, config)
    try:
        addresses = []
        for _ in range(3):
            assert kiosk.flow.tap_service("A")
            result = kiosk.flow.result
            assert result is not None
            addresses.append(result.qr_data)
            kiosk.flow.touched()  # the next citizen
        tokens = [row[0] for row in kiosk.engine.store.conn.execute(
            "SELECT public_token FROM tickets ORDER BY id")]
        assert addresses == [f"https://hanhchinh.example.vn/xa-hoa-phu/t/{t}" for t in tokens]
        for token in tokens:
            assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 16 bytes, URL-safe
            assert "A00" not in token and str(kiosk.tickets()) not in token
        for a, b in itertools.pairwise(tokens):
            assert sum(x == y for x, y in zip(a, b, strict=True)) < 8  # ~0.3 expected
        assert all(a.encode() in kiosk.emulator.received for a in addresses)  # printed
        # Never in what other devices see: the counters' state carries no token.
        kiosk.engine.handle_request("counter-1", "call_next", payload(transaction="c1",
                                                                    counter="1"))
        view = kiosk.engine.views.counter(kiosk.engine.live.counters["1"], kiosk.now)
        assert view.ticket is not None and view.ticket.token is None
    finally:
        kiosk.printer.close()
        kiosk.emulator.close()
