"""The hub's request path against a real SQLite file, without the network."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.engine import Engine
from hub.store import Store
from lobby.clock import ManualClock
from lobby.config import LobbyConfig
from tests.helpers import payload, small_config

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN).timestamp()


class Lobby:
    """An engine with a manual clock, restartable on the same SQLite file."""

    def __init__(self, db: Path, config: LobbyConfig | None = None,
                 start: str = "2026-11-23T08:00:00") -> None:
        self.db = db
        self.config = config or small_config()
        self.clock = ManualClock(at(start))
        self.engine = Engine(self.config, Store(db), self.clock)
        self.txn = 0

    def restart(self) -> None:
        self.engine.store.close()
        self.engine = Engine(self.config, Store(self.db), self.clock)

    def ask(self, device: str, action: str, transaction: str | None = None,
            **fields: Any) -> Any:
        self.txn += 1
        body = payload(transaction=transaction or f"t{self.txn}", **fields)
        return self.engine.handle_request(device, action, body).reply

    def issue(self, service: str = "A", **fields: Any) -> Any:
        reply = self.ask("kiosk-1", "issue", service=service, **fields)
        return reply.data.number if reply.ok else reply.error.code

    def next(self, counter: str = "1") -> Any:
        reply = self.ask(f"counter-{counter}", "call_next", counter=counter)
        return reply.data.ticket.number if reply.ok else reply.error.code

    def snapshot(self) -> str:
        """Every row of every table but the transactions log."""
        conn = self.engine.store.conn
        rows = [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("tickets", "ticket_events", "counters", "calls")]
        return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def lobby(tmp_path: Path) -> Lobby:
    return Lobby(tmp_path / "hub.sqlite")


def test_numbers_per_service_per_day(lobby: Lobby) -> None:
    assert [lobby.issue("A"), lobby.issue("A"), lobby.issue("B")] == ["A001", "A002", "B001"]


def test_numbering_restarts_at_local_midnight_and_across_a_restart(tmp_path: Path) -> None:
    lobby = Lobby(tmp_path / "hub.sqlite", start="2026-11-23T23:59:00")
    assert [lobby.issue(), lobby.issue()] == ["A001", "A002"]
    lobby.restart()
    assert lobby.issue() == "A003"  # same day after a restart: the sequence goes on
    lobby.clock.value = at("2026-11-24T00:00:30")
    lobby.restart()
    assert lobby.issue() == "A001"  # a new local day (still 23 Nov in UTC)
    assert lobby.issue() == "A002"


def test_day_change_closes_what_earlier_days_left_open(lobby: Lobby) -> None:
    lobby.issue(), lobby.issue()
    assert lobby.next() == "A001"
    lobby.clock.value = at("2026-11-24T07:00:00")
    assert lobby.issue() == "A001"
    assert lobby.next() == "A001"  # today's, not yesterday's A002
    states = lobby.engine.store.conn.execute(
        "SELECT day, number, state FROM tickets ORDER BY id").fetchall()
    assert states == [("2026-11-23", "A001", "no_show"), ("2026-11-23", "A002", "no_show"),
                      ("2026-11-24", "A001", "called")]


def test_quota_and_opening_hours(tmp_path: Path) -> None:
    config = small_config(**{
        "numbering: {start: 1, width: 3}\n  - id: B":
            "numbering: {start: 1, width: 3, daily_quota: 2}\n  - id: B",
        "    names: {vi: \"Đất đai\", en: \"Land\"}":
            "    names: {vi: \"Đất đai\", en: \"Land\"}\n"
            "    hours: [{days: [mon], open: \"07:30\", close: \"11:30\"}]",
    })
    lobby = Lobby(tmp_path / "hub.sqlite", config, start="2026-11-23T07:00:00")  # a Monday
    assert [lobby.issue("A"), lobby.issue("A"), lobby.issue("A")] == [
        "A001", "A002", "quota_reached"]
    assert lobby.issue("B") == "closed"
    lobby.clock.value = at("2026-11-23T07:30:00")
    assert lobby.issue("B") == "B001"


def test_recall_limit_turns_the_ticket_into_a_no_show(lobby: Lobby) -> None:
    lobby.issue()
    lobby.next()
    for expected_recalls in (1, 2):  # recall_limit: 2
        reply = lobby.ask("counter-1", "recall", counter="1")
        assert reply.data.ticket.recalls == expected_recalls
    reply = lobby.ask("counter-1", "recall", counter="1")
    assert reply.ok and reply.data.ticket is None
    state = lobby.engine.store.conn.execute("SELECT state FROM tickets").fetchone()[0]
    assert state == "no_show"
    assert [c.recall for c in lobby.engine.live.board] == [True, True, False]


def test_transfer_keeps_number_and_place(lobby: Lobby) -> None:
    lobby.issue("A")
    lobby.clock.advance(60)
    lobby.issue("B")  # B001 arrives after A001
    assert lobby.next("1") == "A001"
    reply = lobby.ask("counter-1", "transfer", counter="1", service="B")
    assert reply.ok and reply.data.ticket is None
    # Counter 2 serves B only: the transferred A001 keeps its earlier place in line.
    assert [lobby.next("2"), lobby.next("2")] == ["A001", "B001"]
    refused = lobby.ask("counter-2", "transfer", counter="2", service="Q")
    assert refused.error.code == "unknown_service"


def test_next_closes_the_current_ticket_and_records_service_time(lobby: Lobby) -> None:
    lobby.issue(), lobby.issue()
    lobby.next()
    lobby.clock.advance(240)
    lobby.next()
    states = lobby.engine.store.conn.execute("SELECT state FROM tickets ORDER BY id").fetchall()
    assert states == [("done",), ("called",)]
    assert lobby.engine.live.service_times.average_minutes("A") == pytest.approx(4.0)


def test_same_transaction_gets_same_answer_and_changes_nothing(lobby: Lobby) -> None:
    first = lobby.ask("kiosk-1", "issue", transaction="tap-1", service="A")
    before = lobby.snapshot()
    again = lobby.ask("kiosk-1", "issue", transaction="tap-1", service="A")
    assert again == first and lobby.snapshot() == before
    lobby.restart()
    assert lobby.ask("kiosk-1", "issue", transaction="tap-1", service="A") == first
    assert lobby.snapshot() == before
    # Another device may use the same id: transactions are per device.
    other = lobby.ask("kiosk-2", "issue", transaction="tap-1", service="A")
    assert other.data.number == "A002"


def test_queue_dependent_refusals_are_remembered(lobby: Lobby) -> None:
    empty = lobby.ask("counter-1", "call_next", transaction="press-1", counter="1")
    assert empty.error.code == "queue_empty"
    lobby.issue()
    assert lobby.ask("counter-1", "call_next", transaction="press-1", counter="1") == empty
    assert lobby.next() == "A001"


@pytest.mark.parametrize("device, action, fields, code", [
    ("board-1", "issue", {"service": "A"}, "not_allowed"),
    ("counter-1", "issue", {"service": "A"}, "not_allowed"),
    ("kiosk-1", "call_next", {"counter": "1"}, "not_allowed"),
    ("board-1", "call_next", {"counter": "1"}, "not_allowed"),
    ("counter-1", "call_next", {"counter": "2"}, "not_allowed"),
    ("counter-2", "done", {"counter": "1"}, "not_allowed"),
    ("stranger", "issue", {"service": "A"}, "unknown_device"),
    ("kiosk-1", "issue", {"service": "Z"}, "unknown_service"),
    ("kiosk-1", "issue", {"service": "A", "priority": "vip"}, "unknown_priority"),
    ("kiosk-1", "issue", {"service": "A", "extra": 1}, "bad_request"),
    ("kiosk-1", "teleport", {}, "unknown_action"),
    ("counter-1", "done", {"counter": "1"}, "no_current_ticket"),
    ("counter-1", "call", {"counter": "1", "number": "A999"}, "unknown_ticket"),
    ("kiosk-1", "print_failed", {"ticket_id": 99}, "unknown_ticket"),
])
def test_refusals_have_stable_codes_and_change_nothing(
    lobby: Lobby, device: str, action: str, fields: dict[str, Any], code: str
) -> None:
    lobby.issue("B")
    before = lobby.snapshot()
    reply = lobby.ask(device, action, **fields)
    assert not reply.ok and reply.error.code == code and reply.error.message
    assert lobby.snapshot() == before


def test_a_refusal_keeps_the_queue_in_memory(lobby: Lobby) -> None:
    """A refusal is checked before any write: nothing to undo, nothing reloaded."""
    lobby.issue("A")
    live = lobby.engine.live
    for action, fields in (("call", {"number": "B999"}), ("done", {}), ("transfer",
                                                                      {"service": "Z"})):
        assert not lobby.ask("counter-1", action, counter="1", **fields).ok
    assert lobby.next() == "A001"
    assert lobby.ask("counter-1", "transfer", counter="1", service="A").error.code == \
        "bad_request"  # refused after the counter's state was read, still no reload
    assert lobby.engine.live is live


def test_a_failed_commit_rebuilds_the_queue_from_the_store(
    lobby: Lobby, monkeypatch: pytest.MonkeyPatch
) -> None:
    lobby.issue("A")
    live = lobby.engine.live

    def full_disk(*_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(lobby.engine.store, "save_reply", full_disk)
    reply = lobby.ask("kiosk-1", "issue", service="A")  # the ticket is written, then fails
    assert reply.error.code == "internal"
    monkeypatch.undo()
    assert lobby.engine.live is not live  # the half-done change is gone from memory too
    assert [t.number for t in lobby.engine.live.waiting["A"]] == ["A001"]
    assert lobby.issue("A") == "A002"  # and the number was not used up


def test_print_failed_marks_the_ticket_for_staff(lobby: Lobby) -> None:
    reply = lobby.ask("kiosk-1", "issue", service="A")
    ticket_id = reply.data.id
    assert lobby.ask("kiosk-2", "print_failed", ticket_id=ticket_id).error.code == "not_allowed"
    marked = lobby.ask("kiosk-1", "print_failed", ticket_id=ticket_id, reason="paper out")
    assert marked.ok and marked.data.printed is False
    lobby.next()
    assert lobby.engine.live.counters["1"].ticket.printed is False  # type: ignore[union-attr]


def test_call_a_given_number(lobby: Lobby) -> None:
    for _ in range(3):
        lobby.issue()
    reply = lobby.ask("counter-1", "call", counter="1", number="A003")
    assert reply.data.ticket.number == "A003"
    assert lobby.next() == "A001"


def test_pause_and_resume(lobby: Lobby) -> None:
    assert lobby.ask("counter-1", "pause", counter="1").data.status == "paused"
    assert lobby.ask("counter-1", "resume", counter="1").data.status == "open"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=12,
)
hostile = st.one_of(
    st.binary(max_size=200),
    st.dictionaries(st.sampled_from(["transaction", "service", "counter", "priority", "number",
                                     "ticket_id", "language", "reason", "x"]),
                    json_values, max_size=6).map(lambda d: payload(**d)),
    json_values.map(lambda v: payload(value=v)),
)


@settings(max_examples=10 * settings().max_examples)  # in-process: cheap
@given(device=st.sampled_from(["kiosk-1", "counter-1", "board-1", "nobody"]),
       action=st.sampled_from(["issue", "call_next", "call", "transfer", "print_failed",
                               "recall", "zap"]),
       body=hostile)
def test_hostile_payloads_are_answered_and_change_nothing(
    lobby: Lobby, device: str, action: str, body: bytes
) -> None:
    before = lobby.snapshot()
    reply = lobby.engine.handle_request(device, action, body).reply
    if reply.ok:
        # A payload that happens to be a valid request did exactly one thing; undo nothing.
        return
    assert reply.error is not None and reply.error.code != "internal"
    assert lobby.snapshot() == before


def test_a_ticket_nobody_holds_is_closed_apart_and_never_called(lobby: Lobby) -> None:
    """The kiosk told the citizen "offline"; the hub had issued A001 anyway. Waiting or
    already called, it is closed as not handed out and the queue goes on without it."""
    first = lobby.ask("kiosk-1", "issue", service="A").data
    second = lobby.ask("kiosk-1", "issue", service="A").data
    assert lobby.ask("kiosk-2", "not_handed_out", ticket_id=first.id).error.code == \
        "not_allowed"  # only the kiosk that issued it
    reply = lobby.ask("kiosk-1", "not_handed_out", ticket_id=first.id)
    assert reply.ok and reply.data.state == "not_handed_out"
    assert lobby.next() == "A002"
    # Called before the kiosk could say so: the counter is freed, not kept waiting.
    assert lobby.ask("kiosk-1", "not_handed_out", ticket_id=second.id).ok
    assert lobby.engine.live.counters["1"].ticket is None
    assert lobby.next() == "queue_empty"
    rows = lobby.engine.store.conn.execute(
        "SELECT number, state FROM tickets ORDER BY id").fetchall()
    assert rows == [("A001", "not_handed_out"), ("A002", "not_handed_out")]
    kinds = [r[0] for r in lobby.engine.store.conn.execute(
        "SELECT kind FROM ticket_events WHERE kind = 'not_handed_out'")]
    assert len(kinds) == 2


def test_a_new_ticket_counts_the_lines_its_open_counters_serve_first(lobby: Lobby) -> None:
    lobby.issue("A")
    lobby.issue("A")
    # No counter open yet: counter 2 serves B first, so nobody is ahead of B001.
    assert lobby.ask("kiosk-1", "issue", service="B").data.ahead == 0
    lobby.ask("counter-1", "resume", counter="1")  # counter 1 (A, then B) open alone
    assert lobby.ask("kiosk-1", "issue", service="B").data.ahead == 3  # A001, A002, B001
