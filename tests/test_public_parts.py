"""The public page's parts without a browser: the language chosen, per-address limits, a
ticket's page as a value, and the public address given by the environment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from citizen.limits import AddressLimits
from citizen.store import CitizenTicket, InLine
from citizen.view import Lines, page_for
from citizen.words import WORDS, choose_language
from demo.supervisor import public_url_for_phones
from lobby.config import ConfigError, load_config, parse_config
from lobby.contract import messages as m
from tests.helpers import SMALL_YAML
from tests.public_helpers import PUBLIC_DEVICES

VN = dt.timezone(dt.timedelta(hours=7))
NONE = Lines.of({})  # nobody waiting
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN)
CONFIG = parse_config(SMALL_YAML.replace("devices:\n", "devices:\n" + PUBLIC_DEVICES)
                      + 'public: {url: "https://so.example.vn"}\n')


def test_every_word_is_said_in_both_languages() -> None:
    assert all(texts.get("vi") and texts.get("en") for texts in WORDS.values())


@pytest.mark.parametrize("wanted, accept, chosen", [
    (None, "vi-VN,vi;q=0.9,en;q=0.8", "vi"),
    (None, "fr-FR, en;q=0.5, vi;q=0.4", "en"),
    (None, "en;q=0.2, vi;q=0.9", "vi"),
    (None, "", "vi"),  # the centre's first
    ("en", "vi", "en"),  # the switch wins
    ("xx", "en-GB", "en"),  # an unknown choice is ignored
    (None, "en;q=abc," * 50, "vi"),  # garbage weighs nothing
])
def test_the_language_of_the_page(wanted: str | None, accept: str, chosen: str) -> None:
    assert choose_language(wanted, accept, ["vi", "en"]) == chosen


def test_a_token_bucket_per_address_that_fills_again() -> None:
    limits = AddressLimits(per_minute=3, streams=2, trusted_proxies=["10.0.0.1"])
    assert [limits.allow("a", now=0) for _ in range(4)] == [True, True, True, False]
    assert limits.allow("b", now=0)  # another address has its own
    assert limits.allow("a", now=20)  # one request's worth back after 20 s
    assert not limits.allow("a", now=20)
    assert limits.open_stream("a") and limits.open_stream("a") and not limits.open_stream("a")
    limits.close_stream("a")
    assert limits.open_stream("a")


def test_the_client_behind_a_trusted_proxy_only() -> None:
    limits = AddressLimits(per_minute=3, streams=2, trusted_proxies=["10.0.0.1"])

    def client(peer: str, forwarded: str | None) -> str:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return limits.client({"type": "http", "client": (peer, 5000), "headers": headers})

    assert client("10.0.0.1", "198.51.100.4, 203.0.113.9") == "203.0.113.9"
    assert client("10.0.0.1", "203.0.113.9, 10.0.0.1") == "203.0.113.9"
    assert client("198.51.100.4", "1.2.3.4") == "198.51.100.4"  # a forged header: ignored
    assert client("10.0.0.1", None) == "10.0.0.1"


def ticket(**fields: object) -> CitizenTicket:
    values: dict[str, object] = {
        "id": 3, "token": "t" * 22, "number": "A003", "service": "A", "state": "waiting",
        "priority": None, "day": "2026-11-23", "queued_at": 3.0, "closed_at": None,
        "counter": None, "recalls": 0, "coming": False, "rated": False}
    values.update(fields)
    return CitizenTicket(**values)  # type: ignore[arg-type]


def queues(waiting: int, estimate: int) -> m.QueuesState:
    return m.QueuesState(seq=1, at=NOW, services=[m.ServiceQueue(
        id="A", names={"vi": "Hộ tịch"}, open=True, waiting=waiting, waiting_priority=0,
        estimate_minutes=estimate)])


def test_a_waiting_ticket_s_page_counts_as_the_queue_policy() -> None:
    line = [InLine(1, "A", None, 1.0), InLine(2, "A", "elderly", 2.0), InLine(3, "A", None, 3.0),
            InLine(4, "A", "elderly", 4.0)]
    page = page_for(ticket(), CONFIG, Lines.of({"A": line}), queues(4, 20), {}, NOW.timestamp(),
                    False)
    assert page.kind == "waiting" and page.ahead == 3  # A001, and both priority tickets
    assert page.estimate_minutes == 15  # 20 min for 4 people: 3 of them
    assert page.counters == (1,)  # no counter open yet: all that serve A
    open_counter = m.CounterView(counter="1", number=1, status="open", services=["A"], at=NOW)
    first = page_for(ticket(id=1, number="A001"), CONFIG, Lines.of({"A": line}), queues(4, 20),
                     {"1": open_counter}, NOW.timestamp(), True)
    assert (first.ahead, first.estimate_minutes, first.stale) == (2, 10, True)


def test_a_line_whose_counters_are_all_closed_is_not_told_soon() -> None:
    """C001 was told "you are next, your turn is coming soon" with its counters closed for
    lunch: now the page says they are closed and gives no estimate."""
    line = Lines.of({"A": [InLine(3, "A", None, 3.0)]})

    def view(status: str) -> m.CounterView:
        return m.CounterView(counter="1", number=1, status=status,  # type: ignore[arg-type]
                             services=["A"], at=NOW)

    at = NOW.timestamp()
    for status in ("closed", "paused"):
        shut = page_for(ticket(), CONFIG, line, queues(1, 5), {"1": view(status)}, at, False)
        assert shut.none_serving and shut.ahead == 0 and shut.estimate_minutes is None
    served = page_for(ticket(), CONFIG, line, queues(1, 5), {"1": view("open")}, at, False)
    assert not served.none_serving and served.estimate_minutes == 0  # next: "soon"
    unheard = page_for(ticket(), CONFIG, line, queues(1, 5), {}, at, False)  # no word yet
    assert not unheard.none_serving


def test_other_states_and_the_day_s_end() -> None:
    now = NOW.timestamp()
    called = page_for(ticket(state="called", counter="2", recalls=1, coming=True), CONFIG, NONE,
                      None, {}, now, False)
    assert (called.kind, called.counter_number, called.recalls, called.coming) == (
        "called", 2, 1, True)
    done = page_for(ticket(state="done", counter="1", closed_at=now - 30), CONFIG, NONE, None, {},
                    now, False)
    assert [c.id for c in done.rating] == [level.id for level in CONFIG.ratings.levels]
    walked_away = page_for(ticket(state="done", counter="1", closed_at=now - 20 * 60), CONFIG,
                           NONE, None, {}, now, False)  # the pad's window is long gone
    assert walked_away.rating and walked_away.rating_until == now + 10 * 60
    late = page_for(ticket(state="done", counter="1", closed_at=now - 3600), CONFIG, NONE, None,
                    {}, now, False)
    assert late.rating == () and not late.rated and late.rating_closed  # says so
    rated = page_for(ticket(state="done", counter="1", closed_at=now - 30, rated=True), CONFIG,
                     NONE, None, {}, now, False)
    assert rated.rating == () and rated.rated and not rated.rating_closed
    no_show = page_for(ticket(state="no_show", recalls=2), CONFIG, NONE, None, {}, now, False)
    assert no_show.times_called == 3
    tomorrow = now + 24 * 3600
    assert page_for(ticket(), CONFIG, NONE, None, {}, tomorrow, False).kind == "expired"


def test_the_public_address_from_the_environment(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "centre.yaml"
    file.write_text(SMALL_YAML + 'public: {url: "http://127.0.0.1:8090", '
                    'listen: "0.0.0.0:8090"}\n', encoding="utf-8")
    monkeypatch.setenv("LOBBY_PUBLIC_URL", "http://192.168.1.20:8090")
    config = load_config(file)
    assert config.public is not None and config.public.url == "http://192.168.1.20:8090"
    assert config.public.listen == "0.0.0.0:8090"  # the rest of the section kept
    monkeypatch.setenv("LOBBY_PUBLIC_URL", "ftp://nowhere/")
    with pytest.raises(ConfigError, match="LOBBY_PUBLIC_URL"):
        load_config(file)
    monkeypatch.delenv("LOBBY_PUBLIC_URL")
    listening_everywhere = load_config(file)
    url = public_url_for_phones(listening_everywhere)
    assert url is None or (url.startswith("http://") and url.endswith(":8090")
                           and "127.0.0.1" not in url)
    assert public_url_for_phones(CONFIG) is None  # listening on the loopback: as configured


def test_a_line_second_at_its_only_counter_counts_the_first_line() -> None:
    config = parse_config(SMALL_YAML)  # counter 2 serves [B]; counter 1 serves [A, B]
    lines = {"A": [InLine(1, "A", None, 1.0), InLine(2, "A", None, 2.0)],
             "B": [InLine(3, "B", None, 3.0)]}
    b = ticket(id=3, number="B001", service="B")
    open_1 = m.CounterView(counter="1", number=1, status="open", services=["A", "B"], at=NOW)
    closed_2 = m.CounterView(counter="2", number=2, status="closed", services=["B"], at=NOW)
    only_1 = page_for(b, config, Lines.of(lines), None, {"1": open_1, "2": closed_2},
                      NOW.timestamp(), False)
    assert only_1.ahead == 2 and only_1.counters == (1, 2)  # A001, A002 first at counter 1
    both = page_for(b, config, Lines.of(lines), None, {}, NOW.timestamp(), False)  # none open yet
    assert both.ahead == 0  # counter 2 serves B first


def test_the_panel_says_long_waits_in_hours_and_the_priority_class() -> None:
    from citizen.pages import Pages
    from citizen.view import TicketPage

    pages = Pages()
    names = (("vi", "Hộ tịch"), ("en", "Civil status"))
    long_wait = TicketPage("waiting", "A003", names, ahead=30, estimate_minutes=272,
                           priority_names=(("vi", "Người cao tuổi"), ("en", "Elderly")))
    html = pages.fragment(long_wait, "vi", "/t/x", NOW)
    assert "khoảng 4 giờ 30 phút" in html and "Ưu tiên: Người cao tuổi" in html
    assert "khoảng 2 giờ<" in pages.fragment(
        TicketPage("waiting", "A003", names, ahead=9, estimate_minutes=121), "vi", "/t/x", NOW)
    done = TicketPage("done", "A003", names, rating_until=NOW.timestamp() + 90,
                      rating=(page_for(ticket(state="done", counter="1",
                                              closed_at=NOW.timestamp()), CONFIG, NONE, None, {},
                                       NOW.timestamp(), False).rating))
    assert "You can rate until 09:01." in pages.fragment(done, "en", "/t/x", NOW)
