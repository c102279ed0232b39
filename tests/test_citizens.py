"""What a citizen may do from the page behind their ticket's QR code, at the hub (issue #13):
leave the queue, say they are coming, rate the service; each by the ticket's public token
alone, only for today's ticket, and refusals change nothing."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from lobby.config import parse_config
from tests.helpers import SMALL_YAML
from tests.test_engine import Lobby

PUBLIC_YAML = SMALL_YAML.replace(
    "devices:\n", "devices:\n  - {id: public-1, role: public}\n"
    "  - {id: pad-1, role: rating, counters: [\"1\"]}\n")


@pytest.fixture
def lobby(tmp_path: Path) -> Lobby:
    return Lobby(tmp_path / "hub.sqlite", parse_config(PUBLIC_YAML))


def issue(lobby: Lobby, service: str = "A") -> tuple[int, str]:
    reply = lobby.ask("kiosk-1", "issue", service=service)
    return int(reply.data.id), str(reply.data.token)


def code(reply: Any) -> str:
    return "ok" if reply.ok else str(reply.error.code)


def test_leaving_cancels_the_ticket_so_no_counter_calls_it(lobby: Lobby) -> None:
    _, first = issue(lobby)
    issue(lobby)
    reply = lobby.ask("public-1", "leave", token=first)
    assert reply.ok and reply.data.state == "cancelled" and reply.data.number == "A001"
    row = lobby.engine.store.conn.execute(
        "SELECT kind, device FROM ticket_events ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(row) == ("cancelled", "public-1")
    assert lobby.next("1") == "A002"
    assert code(lobby.ask("public-1", "leave", token=first)) == "not_allowed"  # gone already


def test_coming_is_told_to_the_counter_and_survives_a_restart(lobby: Lobby) -> None:
    _, token = issue(lobby)
    assert code(lobby.ask("public-1", "coming", token=token)) == "not_allowed"  # not called
    lobby.next("1")
    reply = lobby.ask("public-1", "coming", token=token)
    assert reply.ok and reply.data.coming_at is not None
    lobby.restart()
    view = lobby.engine.views.counter(lobby.engine.live.counters["1"], lobby.clock.now())
    assert view.ticket is not None and view.ticket.coming_at is not None
    lobby.ask("counter-1", "recall", counter="1")  # a recall keeps it; a new call does not
    assert lobby.engine.live.counters["1"].ticket.coming_at is not None  # type: ignore[union-attr]
    issue(lobby)
    lobby.next("1")
    assert lobby.engine.live.counters["1"].ticket.coming_at is None  # type: ignore[union-attr]


def test_a_phone_rates_its_own_ticket_once_and_no_other(lobby: Lobby) -> None:
    ticket, token = issue(lobby)
    other, other_token = issue(lobby)
    lobby.next("1")
    lobby.ask("counter-1", "done", counter="1")

    def rate(**fields: Any) -> str:
        return code(lobby.ask("public-1", "rate", counter="1", level="satisfied", **fields))

    assert rate(ticket_id=ticket) == "not_allowed"  # no token
    assert rate(ticket_id=ticket, token=other_token) == "unknown_ticket"
    assert rate(token=token) == "not_allowed"  # no ticket named
    before = lobby.snapshot()
    assert rate(ticket_id=ticket, token=token) == "ok"
    assert lobby.snapshot() == before
    assert rate(ticket_id=ticket, token=token) == "already_rated"
    pad = lobby.ask("pad-1", "rate", counter="1", level="satisfied")
    assert code(pad) == "unknown_ticket"  # rated: nothing awaits the pad
    source = lobby.engine.store.conn.execute("SELECT source FROM ratings").fetchone()[0]
    assert source == "public-1"
    assert other  # the other ticket was not served: nothing to rate


def test_the_phone_may_rate_long_after_the_pad_no_longer_asks(lobby: Lobby) -> None:
    """The pad asks for 120 s (the next citizen is coming); the citizen who walked away
    rates from the phone within `phone_rating_window_seconds` (30 minutes by default)."""
    served = []
    for _ in range(2):
        served.append(issue(lobby))
        lobby.next("1")
        lobby.ask("counter-1", "done", counter="1")
    lobby.clock.advance(10 * 60)
    pad = lobby.ask("pad-1", "rate", counter="1", level="satisfied", ticket_id=served[0][0])
    assert code(pad) == "rating_closed"
    (first, first_token), (second, second_token) = served
    assert code(lobby.ask("public-1", "rate", counter="1", level="satisfied",
                          ticket_id=first, token=first_token)) == "ok"
    lobby.clock.advance(21 * 60)  # 31 minutes after the end
    assert code(lobby.ask("public-1", "rate", counter="1", level="satisfied",
                          ticket_id=second, token=second_token)) == "rating_closed"


def test_tokens_of_other_days_made_up_or_from_other_roles_do_nothing(lobby: Lobby) -> None:
    _, token = issue(lobby)
    before = lobby.snapshot()
    assert code(lobby.ask("public-1", "leave", token="A" * 22)) == "unknown_ticket"
    assert code(lobby.ask("public-1", "leave", token="not a token!")) == "bad_request"
    assert code(lobby.ask("kiosk-1", "leave", token=token)) == "not_allowed"
    assert code(lobby.ask("public-1", "call_next", counter="1")) == "not_allowed"
    assert lobby.snapshot() == before
    lobby.clock.advance(24 * 3600)  # the next day: yesterday's paper is dead
    assert code(lobby.ask("public-1", "leave", token=token)) == "unknown_ticket"


def test_consecutive_tokens_share_no_pattern(lobby: Lobby) -> None:
    tokens = [issue(lobby)[1] for _ in range(50)]
    assert len(set(tokens)) == 50 and all(len(t) == 22 for t in tokens)
    # No common prefix or suffix longer than chance allows (64 symbols a place).
    for a, b in itertools.pairwise(tokens):
        assert a[:3] != b[:3] or a[-3:] != b[-3:]
