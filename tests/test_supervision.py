"""A supervisor's actions at the hub (issue #12, its first part): cancel, move, raise to a
priority class and call to a counter, each by the console for a named user, kept in the
ticket's events; refusals change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lobby.config import parse_config
from tests.helpers import SMALL_YAML
from tests.test_engine import Lobby

CONSOLE_YAML = SMALL_YAML.replace("devices:\n", "devices:\n  - {id: console-1, role: console}\n")


@pytest.fixture
def lobby(tmp_path: Path) -> Lobby:
    return Lobby(tmp_path / "hub.sqlite", parse_config(CONSOLE_YAML))


def act(lobby: Lobby, action: str, **fields: Any) -> Any:
    return lobby.ask("console-1", action, user="giám đốc", **fields)


def ticket_id(lobby: Lobby, number: str) -> int:
    row = lobby.engine.store.conn.execute("SELECT id FROM tickets WHERE number = ?",
                                          (number,)).fetchone()
    return int(row[0])


def last_event(lobby: Lobby) -> tuple[str, str]:
    row = lobby.engine.store.conn.execute(
        "SELECT kind, detail FROM ticket_events ORDER BY id DESC LIMIT 1").fetchone()
    return str(row[0]), str(row[1])


def test_a_cancelled_ticket_is_never_called_and_says_who_and_why(lobby: Lobby) -> None:
    lobby.issue("A")
    lobby.issue("A")
    reply = act(lobby, "cancel", ticket_id=ticket_id(lobby, "A001"), reason="công dân đã về")
    assert reply.ok and reply.data.state == "cancelled"
    assert last_event(lobby) == ("cancelled", "giám đốc: công dân đã về")
    assert lobby.next("1") == "A002"
    again = act(lobby, "cancel", ticket_id=ticket_id(lobby, "A001"), reason="x")
    assert again.error.code == "unknown_ticket"  # not waiting any more
    lobby.restart()  # the store keeps it out of the line
    assert all(t.number != "A001" for line in lobby.engine.live.waiting.values() for t in line)


def test_move_keeps_the_number_and_the_place_in_time(lobby: Lobby) -> None:
    lobby.issue("A")
    lobby.issue("B")
    assert act(lobby, "move", ticket_id=ticket_id(lobby, "A001"), service="B").ok
    assert last_event(lobby) == ("moved", "giám đốc: A->B")
    assert lobby.next("2") == "A001"  # counter 2 serves B: A001 came first
    lobby.issue("A")
    refusals = [act(lobby, "move", ticket_id=ticket_id(lobby, "A002"), service=s).error.code
                for s in ("A", "Z")]
    assert refusals == ["bad_request", "unknown_service"]


def test_raise_to_a_priority_class(lobby: Lobby) -> None:
    lobby.issue("A")
    lobby.issue("A")
    assert act(lobby, "raise_priority", ticket_id=ticket_id(lobby, "A002"),
               priority="elderly").ok
    assert lobby.next("1") == "A002"  # the priority ticket first
    refused = act(lobby, "raise_priority", ticket_id=ticket_id(lobby, "A001"),
                  priority="vip")
    assert refused.error.code == "unknown_priority"


def test_call_a_ticket_to_any_counter(lobby: Lobby) -> None:
    lobby.issue("A")
    called = act(lobby, "call_to", ticket_id=ticket_id(lobby, "A001"), counter="2")
    assert called.ok and called.data.ticket.number == "A001"  # counter 2 serves only B
    kinds = [row[0] for row in lobby.engine.store.conn.execute(
        "SELECT kind FROM ticket_events ORDER BY id")]
    assert kinds[-2:] == ["called_by_supervisor", "called"]


def test_only_the_console_may_and_refusals_change_nothing(lobby: Lobby) -> None:
    lobby.issue("A")
    tid = ticket_id(lobby, "A001")
    before = lobby.snapshot()
    assert lobby.ask("counter-1", "cancel", ticket_id=tid, user="x",
                     reason="y").error.code == "not_allowed"
    assert act(lobby, "cancel", ticket_id=tid, reason="").error.code == "bad_request"
    assert lobby.ask("console-1", "cancel", ticket_id=tid, user="a\nb",
                     reason="y").error.code == "bad_request"  # no line breaks in a name
    assert act(lobby, "call_to", ticket_id=tid, counter="9").error.code == "unknown_counter"
    assert lobby.snapshot() == before


def test_an_announcement_is_kept_with_its_author_and_refused_for_unknown_boards(
        lobby: Lobby) -> None:
    reply = act(lobby, "announce", texts={"vi": "  Trung tâm sẽ đóng cửa sau 15 phút nữa "},
                boards=["board-1"], minutes=15)
    assert reply.ok and reply.data.texts == {"vi": "Trung tâm sẽ đóng cửa sau 15 phút nữa"}
    assert reply.data.boards == ["board-1"]
    assert (reply.data.until - reply.data.at).total_seconds() == 15 * 60
    row = lobby.engine.store.conn.execute(
        "SELECT user, boards, device FROM announcements WHERE id = ?",
        (reply.data.id,)).fetchone()
    assert tuple(row) == ("giám đốc", '["board-1"]', "console-1")
    refusals = [
        act(lobby, "announce", texts={"fr": "Fermeture"}).error.code,  # not the site's
        act(lobby, "announce", texts={"vi": "x"}, boards=["kiosk-1"]).error.code,
        act(lobby, "announce", texts={"vi": "x"}, boards=["board-9"]).error.code,
        act(lobby, "announce", texts={"vi": ""}).error.code,
        act(lobby, "announce", texts={}).error.code,
        act(lobby, "announce", texts={"vi": "x" * 121}).error.code,
        act(lobby, "announce", texts={"vi": "x"}, minutes=0).error.code,
    ]
    assert refusals == ["bad_request", "unknown_device", "unknown_device", "bad_request",
                        "bad_request", "bad_request", "bad_request"]
    assert lobby.engine.store.conn.execute("SELECT count(*) FROM announcements"
                                           ).fetchone()[0] == 1
    refused = lobby.ask("kiosk-1", "announce", user="x", texts={"vi": "x"})
    assert refused.error.code == "not_allowed"  # only the console announces


def test_no_move_to_a_service_outside_its_opening_hours(tmp_path: Path) -> None:
    """Found in the console's trial: a ticket could be moved to a service closed for the
    day, where no counter would call it until it opened again."""
    yaml = CONSOLE_YAML.replace(
        '    names: {vi: "Đất đai", en: "Land"}\n',
        '    names: {vi: "Đất đai", en: "Land"}\n'
        '    hours: [{days: [mon, tue, wed, thu, fri], open: "13:30", close: "17:00"}]\n')
    lobby = Lobby(tmp_path / "hub.sqlite", parse_config(yaml))  # Monday 08:00: B is closed
    lobby.issue("A")
    refused = act(lobby, "move", ticket_id=ticket_id(lobby, "A001"), service="B")
    assert refused.error.code == "closed"
    assert lobby.engine.store.conn.execute(
        "SELECT service FROM tickets WHERE number = 'A001'").fetchone()[0] == "A"
    lobby.clock.advance(6 * 3600)  # 14:00
    assert act(lobby, "move", ticket_id=ticket_id(lobby, "A001"), service="B").ok
