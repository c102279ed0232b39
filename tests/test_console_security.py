"""What the console refuses: pages without a session, a POST without the session's CSRF
token, a viewer's action, a sixth guess at a password (per user and per address), a write
through its store connection, hostile input; and no secret in any page."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lobby.bus import BrokerAddress
from tests.console_helpers import PASSWORDS, RunningConsole, console_lobby
from tests.helpers import DeviceClient, RunningHub, wait_for

PAGES = ["/", "/live/panel", "/events", "/devices", "/reports", "/reports/figures.csv",
         "/reports/ratings.xlsx", "/scorecard", "/tickets", "/tickets?number=A001",
         "/tickets/1/actions"]


@pytest.fixture
def lobby(mosquitto: BrokerAddress, tmp_path: Path) -> Iterator[tuple[RunningHub,
                                                                       RunningConsole]]:
    with console_lobby(tmp_path, mosquitto) as running:
        yield running


def client(console: RunningConsole) -> httpx.Client:
    return httpx.Client(base_url=console.url, follow_redirects=False, timeout=10)


def signed_in(console: RunningConsole, name: str) -> tuple[httpx.Client, str]:
    """A client signed in as `name`, and the session's CSRF token."""
    session = client(console)
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get("/login").text)
    assert token is not None
    answer = session.post("/login", data={"csrf_token": token[1], "name": name,
                                          "password": PASSWORDS[name]})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    page = session.get("/lang/en", headers={"referer": f"{console.url}/"})
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', session.get("/").text)
    assert page.status_code == 303 and csrf is not None
    return session, csrf[1]


def login_attempt(console: RunningConsole, name: str, password: str) -> int:
    session = client(console)
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get("/login").text)
    assert token is not None
    return session.post("/login", data={"csrf_token": token[1], "name": name,
                                        "password": password}).status_code


def waiting_ticket(hub: RunningHub, mosquitto: BrokerAddress) -> int:
    kiosk = DeviceClient(hub.config, mosquitto, "kiosk-1")
    try:
        return int(kiosk.ask("issue", service="A").data.id)
    finally:
        kiosk.stop()


def state_of(hub: RunningHub, ticket_id: int) -> str:
    return str(hub.engine.store.conn.execute("SELECT state FROM tickets WHERE id = ?",
                                             (ticket_id,)).fetchone()[0])


def test_every_page_sends_a_visitor_without_a_session_to_the_login(
        lobby: tuple[RunningHub, RunningConsole]) -> None:
    _hub, console = lobby
    anonymous = client(console)
    for path in PAGES:
        answer = anonymous.get(path)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/login"), path
        htmx = anonymous.get(path, headers={"hx-request": "true"})
        assert (htmx.status_code, htmx.headers.get("hx-redirect")) == (401, "/login"), path
    assert anonymous.post("/tickets/1/cancel", data={"reason": "x"}).status_code == 303


def test_a_post_without_the_csrf_token_changes_nothing(
        lobby: tuple[RunningHub, RunningConsole], mosquitto: BrokerAddress) -> None:
    hub, console = lobby
    ticket = waiting_ticket(hub, mosquitto)
    session, csrf = signed_in(console, "giamsat")
    for headers in ({}, {"x-csrf-token": "forged"}, {"x-csrf-token": csrf[:-1]}):
        answer = session.post(f"/tickets/{ticket}/cancel", data={"reason": "x"},
                              headers=headers)
        assert answer.status_code == 403
    assert session.post("/logout").status_code == 403  # logging out is a POST too
    assert state_of(hub, ticket) == "waiting"
    done = session.post(f"/tickets/{ticket}/cancel", data={"reason": "x", "csrf_token": csrf})
    assert done.status_code == 200 and state_of(hub, ticket) == "cancelled"


def test_a_viewer_sees_but_cannot_act(lobby: tuple[RunningHub, RunningConsole],
                                      mosquitto: BrokerAddress) -> None:
    hub, console = lobby
    ticket = waiting_ticket(hub, mosquitto)
    session, csrf = signed_in(console, "xem")
    live = session.get("/").text
    assert "A001" in live and "Act…" not in live
    for action, field in (("cancel", {"reason": "x"}), ("move", {"service": "B"}),
                          ("priority", {"priority": "elderly"}), ("call", {"counter": "1"})):
        answer = session.post(f"/tickets/{ticket}/{action}", data=field,
                              headers={"x-csrf-token": csrf})
        assert answer.status_code == 403, action
    assert session.get(f"/tickets/{ticket}/actions").status_code == 403
    assert state_of(hub, ticket) == "waiting"


def test_five_wrong_passwords_lock_the_user_and_the_address(
        lobby: tuple[RunningHub, RunningConsole]) -> None:
    _hub, console = lobby
    for _ in range(5):
        assert login_attempt(console, "giamsat", "wrong password!") == 401
    assert login_attempt(console, "giamsat", PASSWORDS["giamsat"]) == 403  # locked
    # Another address (a fresh guard for it) still cannot get that user in for the minute.
    console.services.users.address_guard.locked_until.clear()
    assert login_attempt(console, "giamsat", PASSWORDS["giamsat"]) == 403
    # Guessing names from one address locks the address for every name.
    console.services.users.user_guard.locked_until.clear()
    for n in range(5):
        assert login_attempt(console, f"nobody{n}", "whatever-it-is") == 401
    assert login_attempt(console, "xem", PASSWORDS["xem"]) == 403
    console.services.users.address_guard.locked_until.clear()
    assert login_attempt(console, "xem", PASSWORDS["xem"]) == 303


def test_the_console_cannot_write_the_store(lobby: tuple[RunningHub, RunningConsole]) -> None:
    hub, console = lobby
    connection = console.services.store.connection()
    for statement in ("UPDATE tickets SET state = 'done'", "DELETE FROM ticket_events",
                      "CREATE TABLE mine (x)"):
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only"):
            connection.execute(statement)
    assert hub.engine.store.conn.execute("SELECT count(*) FROM sqlite_master WHERE "
                                         "name = 'mine'").fetchone()[0] == 0


def test_no_secret_reaches_any_page_and_the_cookie_is_guarded(
        lobby: tuple[RunningHub, RunningConsole], mosquitto: BrokerAddress) -> None:
    hub, console = lobby
    waiting_ticket(hub, mosquitto)
    session, _csrf = signed_in(console, "giamdoc")
    login = client(console).get("/login")
    for path in [p for p in PAGES if p != "/events"] + ["/login"]:
        body = (session.get(path) if path != "/login" else login).content
        for secret in [*PASSWORDS.values(), "$argon2", "password_hash", "pin_hash"]:
            assert secret.encode() not in body, (path, secret)
    answer = client(console)
    token = re.search(r'name="csrf_token" value="([^"]+)"', answer.get("/login").text)
    assert token is not None
    set_cookie = answer.post("/login", data={"csrf_token": token[1], "name": "xem",
                                             "password": PASSWORDS["xem"]}
                             ).headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie


def test_hostile_input_gets_a_plain_refusal(lobby: tuple[RunningHub, RunningConsole],
                                            mosquitto: BrokerAddress) -> None:
    hub, console = lobby
    session, csrf = signed_in(console, "giamsat")
    lookup = session.get("/tickets", params={"number": "<script>alert(1)</script>"})
    assert lookup.status_code == 400 and "<script>alert" not in lookup.text
    for params in ({"first": "yesterday"}, {"first": "2026-11-30", "last": "2026-11-01"},
                   {"by": "1; DROP TABLE tickets"}, {"first": "2020-01-01",
                                                     "last": "2026-01-01"}):
        assert session.get("/reports", params=params).status_code == 400, params
    assert session.get("/reports/secrets.csv").status_code == 400
    unknown = session.post("/tickets/999999/cancel", data={"reason": "x"},
                           headers={"x-csrf-token": csrf, "hx-request": "true"})
    assert unknown.status_code == 409 and "not waiting" in unknown.text
    ticket = waiting_ticket(hub, mosquitto)
    bad_move = session.post(f"/tickets/{ticket}/move", data={"service": "Z"},
                            headers={"x-csrf-token": csrf, "hx-request": "true"})
    assert bad_move.status_code == 409
    no_reason = session.post(f"/tickets/{ticket}/cancel", data={"reason": "  "},
                             headers={"x-csrf-token": csrf, "hx-request": "true"})
    assert no_reason.status_code == 422 and state_of(hub, ticket) == "waiting"


def test_a_user_removed_from_the_configuration_is_signed_out(
        lobby: tuple[RunningHub, RunningConsole]) -> None:
    _hub, console = lobby
    session, _csrf = signed_in(console, "giamsat")
    config_file = console.services.centre.path
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text("\n".join(line for line in text.splitlines()
                                     if "name: giamsat" not in line) + "\n",
                           encoding="utf-8")
    answer = session.get("/")
    assert (answer.status_code, answer.headers.get("location")) == (303, "/login")


def test_a_silent_keypad_at_an_open_counter_and_a_closed_line_raise_alerts() -> None:
    from console.devices import KEYPAD_SILENT_SECONDS, KeypadRow, current_alerts

    quiet, long_quiet = KEYPAD_SILENT_SECONDS - 60, KEYPAD_SILENT_SECONDS + 60
    keypads = [KeypadRow("1", 1, long_quiet, counter_open=True),  # alert
               KeypadRow("2", 2, long_quiet, counter_open=False),  # closed counter: quiet ok
               KeypadRow("3", 3, quiet, counter_open=True),
               KeypadRow("4", 4, None, counter_open=True)]  # never pressed since the start
    alerts = current_alerts([], True, keypads, keypad_line_open=True, hub_up_seconds=quiet)
    assert [(a.kind, a.device) for a in alerts] == [("keypad_silent", "1")]
    alerts = current_alerts([], True, keypads, keypad_line_open=False, hub_up_seconds=long_quiet)
    assert [(a.kind, a.device) for a in alerts] == [
        ("keypad_line", None), ("keypad_silent", "1"), ("keypad_silent", "4")]


def test_the_alert_history_survives_the_consoles_restart(tmp_path: Path) -> None:
    import datetime as dt

    from console.devices import Alert, AlertLog

    at = dt.datetime(2026, 11, 23, 22, 0, tzinfo=dt.UTC)
    paper, offline = Alert("paper:kiosk-1", "paper_out", "kiosk-1"), \
        Alert("offline:board-1", "offline", "board-1")
    log = AlertLog(path=tmp_path / "alerts.sqlite")
    log.update([paper, offline], at)
    log.update([offline], at + dt.timedelta(minutes=5))  # paper put in
    again = AlertLog(path=tmp_path / "alerts.sqlite")  # the console restarted overnight
    assert [(r.alert, r.began, r.ended) for r in again.history()] == [
        (offline, at, None), (paper, at, at + dt.timedelta(minutes=5))]  # newest first
    again.update([offline], at + dt.timedelta(hours=8))  # still true: one alert, unbroken
    assert [r.began for r in again.history() if r.ended is None] == [at]
    again.update([], at + dt.timedelta(hours=9))
    kept = AlertLog(path=tmp_path / "alerts.sqlite").history()
    assert all(r.ended is not None for r in kept) and len(kept) == 2


def test_a_running_hub_never_reads_as_offline(lobby: tuple[RunningHub, RunningConsole]) -> None:
    """Counting missed beats from the hub's stamps (to the second) made a running hub flap
    offline every other second at the test centre's 0.2-s heartbeat; the console now tells
    the hub's presence as every device does (lobby/presence.py)."""
    import time

    _hub, console = lobby
    assert console.link is not None
    assert wait_for(console.link.hub_online)
    seen = []
    for _ in range(25):
        seen.append(console.link.hub_online())
        time.sleep(0.1)
    assert all(seen)
