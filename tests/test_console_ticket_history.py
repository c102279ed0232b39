"""A ticket's history in the console speaks the reader's language: the hub's own words in an
event's detail ("recall limit", the citizen leaving from the phone...) are translated, a
priority class and a rating by their names, the words people typed (a cancel reason, even
with a `%` in it) are shown as typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lobby.bus import BrokerAddress
from tests.console_helpers import PASSWORDS, RunningConsole, console_lobby
from tests.helpers import DeviceClient, RunningHub


@pytest.fixture
def lobby(mosquitto: BrokerAddress, tmp_path: Path) -> Iterator[tuple[RunningHub,
                                                                       RunningConsole]]:
    with console_lobby(tmp_path, mosquitto,
                       devices='  - {id: pad-1, role: rating, counters: ["1"]}\n') as running:
        yield running


def signed_in(console: RunningConsole, name: str, lang: str) -> tuple[httpx.Client, str]:
    session = httpx.Client(base_url=console.url, follow_redirects=False, timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get("/login").text)
    assert token is not None
    session.post("/login", data={"csrf_token": token[1], "name": name,
                                 "password": PASSWORDS[name]})
    session.get(f"/lang/{lang}", headers={"referer": f"{console.url}/"})
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', session.get("/").text)
    assert csrf is not None
    return session, csrf[1]


def history_details(session: httpx.Client, number: str) -> list[str]:
    """The Detail column of the ticket's history, top to bottom."""
    page = session.get("/tickets", params={"number": number})
    assert page.status_code == 200, page.text
    rows = re.findall(r"<tr><td>.*?</tr>", page.text.split("<tbody>", 1)[1])
    return [re.findall(r"<td>(.*?)</td>", row)[-1] for row in rows]


def test_the_hubs_words_are_translated_and_peoples_kept(
        lobby: tuple[RunningHub, RunningConsole], mosquitto: BrokerAddress) -> None:
    hub, console = lobby
    kiosk = DeviceClient(hub.config, mosquitto, "kiosk-1")
    counter = DeviceClient(hub.config, mosquitto, "counter-1")
    pad = DeviceClient(hub.config, mosquitto, "pad-1")
    try:
        first = kiosk.ask("issue", service="A").data
        second = kiosk.ask("issue", service="A").data
        served = kiosk.ask("issue", service="A", priority="elderly").data  # called first
        assert counter.ask("call_next", counter="1").data.ticket.number == served.number
        assert counter.ask("done", counter="1").ok
        assert pad.ask("rate", counter="1", level="very_satisfied").ok
        assert counter.ask("call_next", counter="1").data.ticket.number == first.number
        for _ in range(3):  # recall_limit: 2, the third recall ends it a no-show
            assert counter.ask("recall", counter="1").ok
    finally:
        for device in (kiosk, counter, pad):
            device.stop()
    session, csrf = signed_in(console, "giamsat", "vi")
    raised = session.post(f"/tickets/{second.id}/priority", data={"priority": "elderly"},
                          headers={"x-csrf-token": csrf, "hx-request": "true"})
    assert raised.status_code == 200, raised.text
    cancelled = session.post(f"/tickets/{second.id}/cancel", data={"reason": "50% hồ sơ thiếu"},
                             headers={"x-csrf-token": csrf, "hx-request": "true"})
    assert cancelled.status_code == 200, cancelled.text

    assert history_details(session, first.number)[-1] == "đã gọi lại tối đa số lần"
    assert history_details(session, second.number)[-2:] == ["giamsat: Người cao tuổi",
                                                            "giamsat: 50% hồ sơ thiếu"]
    assert history_details(session, served.number)[0] == "Người cao tuổi"  # issued: its class
    assert "Rất hài lòng (pad-1)" in session.get("/tickets",
                                                 params={"number": served.number}).text
    english, _csrf = signed_in(console, "giamsat", "en")
    assert history_details(english, first.number)[-1] == "recall limit"
    assert history_details(english, served.number)[0] == "Elderly"
    assert "Very satisfied (pad-1)" in english.get("/tickets",
                                                   params={"number": served.number}).text
    assert "no-show" in english.get("/tickets", params={"number": first.number}).text
