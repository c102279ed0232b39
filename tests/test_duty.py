"""Staff on duty and ratings at the hub (issue #11), against a real SQLite file: sign-in with
a PIN, the lock after five wrong ones, shifts, the officer on every call, done and no-show,
and one rating per ticket within its window, credited to whoever finished it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.duty import hash_pin
from lobby.config import parse_config
from tests.helpers import SMALL_YAML
from tests.test_engine import Lobby

PIN_HASH = hash_pin("2468")
STAFF_YAML = SMALL_YAML.replace("hub:\n", f"""\
staff:
  - {{id: nv-lan, name: "Nguyễn Thị Lan", pin_hash: "{PIN_HASH}", keypad_code: "11"}}
  - {{id: nv-hung, name: "Trần Văn Hùng", pin_hash: "{PIN_HASH}"}}
hub:
""").replace("devices:\n", """\
devices:
  - {id: pad-1, role: rating, counters: ["1"]}
  - {id: pad-2, role: rating, counters: ["2"]}
""")


@pytest.fixture
def lobby(tmp_path: Path) -> Lobby:
    return Lobby(tmp_path / "hub.sqlite", parse_config(STAFF_YAML))


def code(reply: Any) -> str:
    return "ok" if reply.ok else str(reply.error.code)


def login(lobby: Lobby, staff: str = "nv-lan", pin: str = "2468", counter: str = "1") -> str:
    return code(lobby.ask(f"counter-{counter}", "login", counter=counter, staff=staff, pin=pin))


def events(lobby: Lobby) -> list[tuple[str, str | None]]:
    return [(str(kind), staff) for kind, staff in lobby.engine.store.conn.execute(
        "SELECT kind, staff FROM ticket_events WHERE kind != 'issued' ORDER BY id")]


def test_sign_in_records_the_officer_on_every_call_done_and_no_show(lobby: Lobby) -> None:
    assert login(lobby) == "ok"
    view = lobby.engine.views.counter(lobby.engine.live.counters["1"], lobby.clock.now())
    assert view.officer is not None and view.officer.name == "Nguyễn Thị Lan"
    lobby.issue("A")
    lobby.issue("A")
    assert lobby.next("1") == "A001"
    assert code(lobby.ask("counter-1", "no_show", counter="1")) == "ok"
    assert lobby.next("1") == "A002"
    assert code(lobby.ask("counter-1", "done", counter="1")) == "ok"
    assert events(lobby) == [("called", "nv-lan"), ("no_show", "nv-lan"),
                             ("called", "nv-lan"), ("done", "nv-lan")]
    assert code(lobby.ask("counter-1", "logout", counter="1")) == "ok"
    rows = lobby.engine.store.conn.execute(
        "SELECT staff, counter, ended_by FROM shifts").fetchall()
    assert rows == [("nv-lan", "1", "signed out")]


def test_five_wrong_pins_lock_that_name_at_that_terminal_for_a_minute(lobby: Lobby) -> None:
    assert [login(lobby, pin="1111") for _ in range(5)] == ["wrong_pin"] * 4 + ["locked"]
    assert login(lobby) == "locked"  # even the right PIN, for a minute
    assert login(lobby, staff="nv-hung") == "ok"  # another name is not locked
    lobby.clock.advance(61)
    assert login(lobby) == "ok"
    assert login(lobby, staff="nobody") == "unknown_staff"
    assert code(lobby.ask("counter-1", "login", counter="1", staff="nv-lan",
                          pin="12")) == "bad_request"  # not a PIN at all


def test_one_counter_at_a_time_and_shifts_survive_a_restart(lobby: Lobby) -> None:
    assert login(lobby, counter="1") == "ok"
    assert login(lobby, counter="2") == "ok"  # she moved: her shift at counter 1 ends
    assert lobby.engine.live.counters["1"].officer is None
    lobby.restart()
    assert lobby.engine.live.counters["2"].officer == "nv-lan"
    assert login(lobby, staff="nv-hung", counter="2") == "ok"  # takes over counter 2
    ended = lobby.engine.store.conn.execute(
        "SELECT counter, ended_by FROM shifts WHERE ended_at IS NOT NULL ORDER BY id").fetchall()
    assert ended == [("1", "signed in at counter 2"), ("2", "nv-hung signed in")]


def rate(lobby: Lobby, device: str = "pad-1", counter: str = "1", **fields: Any) -> str:
    return code(lobby.ask(device, "rate", counter=counter, **fields))


def test_one_rating_per_ticket_within_its_window(lobby: Lobby) -> None:
    lobby.issue("A")
    lobby.next("1")
    lobby.ask("counter-1", "done", counter="1")
    view = lobby.engine.views.counter(lobby.engine.live.counters["1"], lobby.clock.now())
    assert view.awaiting_rating is not None and view.awaiting_rating.number == "A001"
    assert rate(lobby, device="pad-2", level="satisfied") == "not_allowed"  # counter 2's pad
    assert rate(lobby, level="delighted") == "bad_request"
    assert rate(lobby, level="dissatisfied", reason="rude") == "bad_request"
    before = lobby.snapshot()
    assert rate(lobby, level="dissatisfied", reason="waited_long") == "ok"
    assert lobby.snapshot() == before  # the queue is untouched: a rating is kept apart
    ticket_id = view.awaiting_rating.ticket_id
    assert rate(lobby, level="satisfied", ticket_id=ticket_id) == "already_rated"
    lobby.issue("A")
    lobby.next("1")
    lobby.ask("counter-1", "done", counter="1")
    lobby.clock.advance(121)
    assert lobby.engine.expire_ratings(lobby.clock.now()).counters == {"1"}
    assert rate(lobby, level="satisfied") == "unknown_ticket"  # nothing awaits now
    assert rate(lobby, level="satisfied", ticket_id=ticket_id + 1) == "rating_closed"
    rows = lobby.engine.store.conn.execute(
        "SELECT level, score, reason, counter, service FROM ratings").fetchall()
    assert rows == [("dissatisfied", 1, "waited_long", "1", "A")]


def test_a_rating_is_the_officer_s_who_finished_the_ticket(lobby: Lobby) -> None:
    login(lobby)
    lobby.issue("A")
    lobby.next("1")
    lobby.ask("counter-1", "done", counter="1")
    assert login(lobby, staff="nv-hung") == "ok"  # the shift changes before the citizen rates
    assert rate(lobby, level="very_satisfied") == "ok"
    assert lobby.engine.store.conn.execute("SELECT staff FROM ratings").fetchone() == ("nv-lan",)


def test_the_keypad_signs_in_by_code_and_rates_by_position(lobby: Lobby) -> None:
    keypad = lobby.engine.handle_counter_command
    assert not keypad("1", "login", "keypad:01", staff="11", pin="1111").reply.ok
    assert keypad("1", "login", "keypad:01", staff="11", pin="2468").reply.ok
    assert lobby.engine.live.counters["1"].officer == "nv-lan"
    assert not keypad("1", "login", "counter-1", staff="11", pin="2468").reply.ok  # not a code
    lobby.issue("A")
    keypad("1", "call_next", "keypad:01")
    keypad("1", "done", "keypad:01")
    assert keypad("1", "rate", "keypad:01", level="1").reply.ok  # the best level
    assert keypad("1", "rate", "keypad:01", level="1").reply.error is not None
    assert lobby.engine.store.conn.execute("SELECT level FROM ratings").fetchone() == (
        "very_satisfied",)
    assert keypad("1", "logout", "keypad:01").reply.ok


def test_a_restarted_hub_still_asks_for_the_last_rating(lobby: Lobby) -> None:
    lobby.issue("A")
    lobby.next("1")
    lobby.ask("counter-1", "done", counter="1")
    lobby.restart()
    view = lobby.engine.views.counter(lobby.engine.live.counters["1"], lobby.clock.now())
    assert view.awaiting_rating is not None and view.awaiting_rating.number == "A001"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(fields=st.fixed_dictionaries({}, optional={
    "ticket_id": st.one_of(st.integers(), st.text(max_size=5), st.none(), st.floats()),
    "level": st.one_of(st.text(max_size=40), st.integers(), st.sampled_from(
        ["very_satisfied", "1", "0", "9", "dissatisfied"])),
    "reason": st.one_of(st.text(max_size=40), st.none(), st.sampled_from(["other"])),
    "counter": st.sampled_from(["1", "2", "x", ""]),
    "extra": st.text(max_size=5)}))
def test_hostile_ratings_are_refused_and_change_nothing(lobby: Lobby,
                                                        fields: dict[str, Any]) -> None:
    before = lobby.engine.store.conn.execute("SELECT COUNT(*) FROM ratings").fetchone()
    reply = lobby.ask("pad-1", "rate", **fields)
    after = lobby.engine.store.conn.execute("SELECT COUNT(*) FROM ratings").fetchone()
    assert not reply.ok and reply.error.code != "internal"  # nothing awaits a rating here
    assert after == before


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(fields=st.fixed_dictionaries({}, optional={
    "staff": st.one_of(st.text(max_size=40), st.integers(), st.sampled_from(["nv-lan", "11"])),
    "pin": st.one_of(st.text(max_size=20), st.integers(), st.none(),
                     st.sampled_from(["2468", "0000", "24680000000000"])),
    "counter": st.sampled_from(["1", "2", "x"]), "extra": st.booleans()}))
def test_hostile_sign_ins_are_refused_and_sign_nobody_in(lobby: Lobby,
                                                         fields: dict[str, Any]) -> None:
    lobby.engine.guard.failures.clear()  # each example on its own (five wrong PINs lock)
    lobby.engine.guard.locked_until.clear()
    reply = lobby.ask("counter-1", "login", **fields)
    good = fields == {"staff": "nv-lan", "pin": "2468", "counter": "1"}
    assert reply.ok == good and (good or reply.error.code != "internal")
    assert (lobby.engine.live.counters["1"].officer is not None) == good
    if good:
        lobby.ask("counter-1", "logout", counter="1")
