"""The counter terminal's view-model, with the real engine on SQLite behind its requests."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from display.terminal_model import TerminalModel
from hub.engine import Engine
from hub.store import Store
from lobby.config import parse_config
from lobby.contract import messages as m
from lobby.rpc import RequestTimeoutError
from tests.helpers import SMALL_YAML, hub_state, payload, small_config


class Desk:
    def __init__(self, tmp: Path) -> None:
        self.config = small_config()
        self.engine = Engine(self.config, Store(tmp / "hub.sqlite"))
        self.ids = itertools.count(1)
        self.device = "counter-1"
        self.down = False
        self.model = TerminalModel(self.config, "1", self.request)
        self.model.set_connected(True)
        self.model.on_hub(hub_state("online"))
        self.publish()

    def request(self, action: str, **arguments: Any) -> m.Reply[m.CounterView]:
        if self.down:
            raise RequestTimeoutError("no reply")
        reply = m.decode_reply(m.CounterView, self.engine.handle_request(
            self.device, action, payload(transaction=f"t{next(self.ids)}", **arguments)
        ).reply.model_dump_json())
        self.publish()
        return reply

    def publish(self) -> None:
        now = self.engine.clock.now()
        self.model.on_counter(self.engine.views.counter(self.engine.live.counters["1"], now))
        self.model.on_queues(self.engine.views.queues(self.engine.live, now))

    def issue(self, service: str = "A") -> None:
        self.engine.handle_request("kiosk-1", "issue", payload(
            transaction=f"k{next(self.ids)}", service=service))
        self.publish()


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path)


def test_next_recall_done(desk: Desk) -> None:
    assert desk.model.enabled()["recall"] is False
    desk.issue()
    desk.issue("B")
    assert [(s.id, s.waiting) for s in desk.model.services()] == [("A", 1), ("B", 1)]
    assert desk.model.act("call_next")
    assert desk.model.ticket is not None and desk.model.ticket.number == "A001"
    assert desk.model.message == "Đã gọi số A001."  # every action confirms in words
    assert not desk.model.banner_is_problem()  # ... in green, not in the red of a refusal
    assert desk.model.enabled()["recall"] and desk.model.enabled()["done"]
    desk.model.act("recall")
    assert desk.model.ticket.recalls == 1
    assert desk.model.message == "Đã gọi lại số A001."
    desk.model.act("done")
    assert desk.model.ticket is None and desk.model.message == "Đã phục vụ xong số A001."


def test_a_refusal_goes_when_the_state_changes_and_transfer_offers_open_services(
    desk: Desk
) -> None:
    desk.model.act("call_next")
    assert desk.model.message == "Không còn ai đang chờ."
    desk.issue()  # a citizen arrives: "nobody is waiting" is no longer true
    assert desk.model.message is None
    desk.model.act("call_next")
    # Transfer offers only services open now (all are, in this centre), never the ticket's own.
    assert [t.id for t in desk.model.transfer_targets()] == ["B"]
    desk.model.act("transfer", service="B")
    assert desk.model.message == "Đã chuyển số A001 sang Đất đai."


def test_offline_turns_every_button_off_and_says_so(desk: Desk) -> None:
    desk.model.set_connected(False)
    assert not any(desk.model.enabled().values())
    assert desk.model.banner_is_problem()
    assert desk.model.banner() == ("Mất kết nối: các nút sẽ hoạt động lại khi hệ thống kết nối "
                                   "trở lại.")


def test_refusals_are_shown_in_plain_words(desk: Desk) -> None:
    desk.model.act("call_next")
    assert desk.model.message == "Không còn ai đang chờ."
    assert desk.model.banner_is_problem()
    desk.issue()
    desk.model.act("call", number="A999")
    assert desk.model.message == "Số này không có trong hàng chờ của quầy."
    desk.device = "counter-2"  # a terminal configured for the wrong counter
    desk.model.act("call_next")
    assert desk.model.message == "Quầy này không được phép làm việc đó."
    desk.device = "counter-1"
    desk.down = True
    desk.model.act("call_next")
    assert desk.model.message == "Máy chủ không trả lời. Xin thử lại."


def test_transfer_pause_resume_and_disabled_buttons(desk: Desk) -> None:
    desk.issue()
    desk.model.act("call_next")
    assert [t.id for t in desk.model.transfer_targets()] == ["B"]
    desk.model.act("transfer", service="B")
    assert desk.model.ticket is None
    assert [(s.id, s.waiting) for s in desk.model.services()] == [("A", 0), ("B", 1)]
    assert desk.model.enabled()["pause"] and not desk.model.enabled()["resume"]
    desk.model.act("pause")
    assert desk.model.status == "paused" and desk.model.enabled()["resume"]
    assert not desk.model.act("pause")  # disabled: nothing sent
    desk.model.set_connected(False)
    assert not any(desk.model.enabled().values())


def test_a_counter_closed_by_the_centre_says_so_whatever_was_done_last(desk: Desk) -> None:
    desk.issue()
    assert desk.model.act("call_next")
    closed = parse_config(SMALL_YAML.replace("id: test-site", f"id: {desk.config.site.id}")
                          .replace('{id: "1", number: 1, services: [A, B]}',
                                   '{id: "1", number: 1, services: [A, B], closed: true}'))
    desk.engine.reconfigure(closed)
    desk.model.reconfigure(closed, ["1"])
    desk.publish()
    assert desk.model.enabled()["done"] and not desk.model.enabled()["call_next"]
    assert desk.model.act("done")  # it finishes the ticket it serves
    banner = desk.model.banner() or ""
    assert banner.startswith("Quầy này đang được trung tâm đóng.") and "A001" in banner
    assert desk.model.banner_is_problem()
    assert desk.model.status_name == "Closed by the centre"
    assert not desk.model.enabled()["call_next"] and not desk.model.enabled()["resume"]


def test_staff_sign_in_and_out_at_the_terminal(tmp_path: Path) -> None:
    from tests.test_duty import STAFF_YAML

    desk = Desk(tmp_path)
    config = parse_config(STAFF_YAML.replace("id: test-site", f"id: {desk.config.site.id}"))
    desk.engine.reconfigure(config)
    desk.model.reconfigure(config, ["1"])
    desk.publish()
    # By given name (the last word), as Vietnamese lists are.
    assert desk.model.staff() == [("nv-hung", "Trần Văn Hùng"), ("nv-lan", "Nguyễn Thị Lan")]
    assert desk.model.enabled()["login"] and not desk.model.enabled()["logout"]
    assert desk.model.act("login", staff="nv-lan", pin="1111")
    assert desk.model.banner() == "Sai mã PIN." and desk.model.officer is None
    assert desk.model.act("login", staff="nv-lan", pin="2468")
    assert desk.model.banner() == "Đã đăng nhập: Nguyễn Thị Lan."
    assert desk.model.officer is not None and desk.model.enabled()["logout"]
    assert desk.model.act("logout")
    assert desk.model.banner() == "Đã đăng xuất." and desk.model.officer is None


def test_a_confirmation_goes_when_someone_else_acts_for_the_counter(desk: Desk) -> None:
    desk.issue()
    desk.issue()
    assert desk.model.act("call_next")
    assert desk.model.banner() == "Đã gọi số A001."
    desk.publish()  # the hub's state after our own call: the confirmation stays
    assert desk.model.banner() == "Đã gọi số A001."
    desk.engine.handle_counter_command("1", "call_next", "keypad:01")  # the keypad calls A002
    desk.publish()
    assert desk.model.banner() is None and desk.model.ticket is not None
    assert desk.model.ticket.number == "A002"
