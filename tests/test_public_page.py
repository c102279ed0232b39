"""The citizen's live page behind their ticket's QR code, in a real browser (Debian's
Chromium, headless, a phone's viewport): the QR printed by the kiosk decoded with zbarimg,
the page followed as the counter calls, "I'm coming", the rating, leaving the queue; made-up
and expired addresses; what the page reveals and loads."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Route, ViewportSize, expect

from kiosk.client import KioskClient
from kiosk.printing.devices import FilePrinter
from lobby.bus import BrokerAddress
from lobby.config.models import Printer
from tests.console_helpers import chromium
from tests.helpers import DeviceClient, RunningHub, wait_for
from tests.public_helpers import RunningPublic, public_lobby

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found


def phone(browser: Browser, locale: str = "vi-VN") -> BrowserContext:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)


def printed_address(folder: Path, number: str) -> str:
    """The address in the QR code of the ticket the kiosk printed, as a phone's camera reads
    it: the printer's PNG, decoded by zbarimg."""
    [preview] = list(folder.glob(f"*-{number}.png"))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(preview)], capture_output=True,
                             text=True, check=True)
    return decoded.stdout.strip()


def issue(hub: RunningHub, broker: BrokerAddress, count: int = 1) -> list[str]:
    kiosk = DeviceClient(hub.config, broker, "kiosk-1")
    try:
        return [kiosk.ask("issue", service="A").data.token for _ in range(count)]
    finally:
        kiosk.stop()


def test_the_printed_qr_opens_a_page_that_follows_the_ticket_to_the_counter(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with public_lobby(tmp_path, mosquitto) as (hub, public):
        device = hub.config.device("kiosk-1")
        assert device is not None
        paper = tmp_path / "printed"
        kiosk = KioskClient(hub.config, device, mosquitto, FilePrinter(Printer(path=str(paper))))
        kiosk.start()
        counter = DeviceClient(hub.config, mosquitto, "counter-1")
        context = phone(browser)
        try:
            assert wait_for(lambda: kiosk.flow.online and bool(kiosk.flow.queues))
            for _ in range(2):
                assert kiosk.flow.tap_service("A")
                kiosk.flow.touched()
            address = printed_address(paper, "A002")
            assert address.startswith(f"{public.url}/t/")
            page = context.new_page()
            loads: list[int] = []
            page.on("load", lambda _page: loads.append(1))
            page.goto(address)
            ticket = page.locator("#ticket")
            expect(ticket.locator(".number")).to_have_text("A002")
            expect(ticket).to_contain_text("Còn 1 người trước quý khách")
            expect(ticket).to_contain_text("Hộ tịch")
            expect(ticket.locator(".alert-choice")).to_be_visible()  # the script runs
            counter.ask("call_next", counter="1")  # A001
            expect(ticket).to_contain_text("Quý khách là người tiếp theo", timeout=1000)
            called = time.monotonic()
            counter.ask("call_next", counter="1")  # A002
            expect(ticket.locator(".call")).to_have_text("Mời đến Quầy 1", timeout=1000)
            turned = time.monotonic() - called
            assert turned < 1.0
            assert loads == [1], "the page reloaded"
            assert wait_for(lambda: page.title().startswith("🔔"), 3)  # the title blinks
            page.get_by_role("button", name="Tôi đang đến").click()
            expect(ticket).to_contain_text("Quầy đã biết quý khách đang đến")
            view = hub.engine.live.counters["1"].ticket
            assert view is not None and view.number == "A002" and view.coming_at is not None
            counter.ask("done", counter="1")
            expect(ticket).to_contain_text("Quý khách có hài lòng với việc phục vụ không?")
            page.locator("form.rating button").first.click()
            expect(ticket).to_contain_text("Cảm ơn quý khách đã đánh giá")
            row = hub.engine.store.conn.execute(
                "SELECT t.number, r.level, r.source FROM ratings r JOIN tickets t "
                "ON t.id = r.ticket_id").fetchall()
            assert row == [("A002", "very_satisfied", "public-1")]
            # A second rating (a form kept open elsewhere) is refused by the hub.
            again = httpx.post(f"{address}/rate", data={"level": "neutral", "lang": "en"})
            assert again.status_code == 303 and "m=already_rated" in again.headers["location"]
            assert hub.engine.store.conn.execute("SELECT COUNT(*) FROM ratings").fetchone() == (1,)
        finally:
            context.close()
            counter.stop()
            kiosk.stop()


def test_the_rating_buttons_go_when_the_phones_window_ends(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    """An open page loses its buttons as the window closes (they stayed up to a round of
    15 s, then a tap was refused), without a reload."""
    window = 10.0  # the shortest the configuration allows
    with public_lobby(tmp_path, mosquitto,
                      extra=f"ratings: {{phone_rating_window_seconds: {window}}}\n") as (
            hub, public):
        [token] = issue(hub, mosquitto)
        counter = DeviceClient(hub.config, mosquitto, "counter-1")
        context = phone(browser, "en-US")
        try:
            counter.ask("call_next", counter="1")
            counter.ask("done", counter="1")
            ended = time.time()
            page = context.new_page()
            loads: list[int] = []
            page.on("load", lambda _page: loads.append(1))
            page.goto(f"{public.url}/t/{token}")
            ticket = page.locator("#ticket")
            expect(ticket.locator("form.rating button").first).to_be_visible()
            expect(ticket).to_contain_text("The time to rate has passed",
                                           timeout=(window + 2 - (time.time() - ended)) * 1000)
            closed_after = time.time() - ended
            assert window <= closed_after < window + 1.5, closed_after
            assert loads == [1]
        finally:
            context.close()
            counter.stop()


def test_leaving_the_queue_asks_first_and_cancels_at_the_hub(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with public_lobby(tmp_path, mosquitto) as (hub, public):
        first, second = issue(hub, mosquitto, 2)
        context = phone(browser, "en-US")
        try:
            page = context.new_page()
            page.goto(f"{public.url}/t/{second}")
            ticket = page.locator("#ticket")
            expect(ticket).to_contain_text("1 person ahead of you")
            confirm = page.get_by_role("button", name="Yes, leave the queue")
            expect(confirm).to_be_hidden()  # asked first
            page.get_by_text("Leave the queue", exact=True).click()
            expect(confirm).to_be_visible()
            confirm.click()
            expect(ticket).to_contain_text("This ticket was cancelled")
            state = hub.engine.store.conn.execute(
                "SELECT state FROM tickets WHERE public_token = ?", (second,)).fetchone()
            assert state == ("cancelled",)
            # The other citizen's page now counts one fewer behind... and nobody ahead.
            other = context.new_page()
            other.goto(f"{public.url}/t/{first}")
            expect(other.locator("#ticket")).to_contain_text("You are next")
            # Leaving again (a second tap, the form sent again) says nothing wrong; a called
            # ticket is told to go to the counter.
            again = httpx.post(f"{public.url}/t/{second}/leave")
            assert again.status_code == 303 and "m=" not in again.headers["location"]
            counter = DeviceClient(hub.config, mosquitto, "counter-1")
            try:
                counter.ask("call_next", counter="1")
            finally:
                counter.stop()
            called = httpx.post(f"{public.url}/t/{first}/leave")
            assert "m=already_called" in called.headers["location"]
        finally:
            context.close()


def test_made_up_and_expired_addresses_get_a_plain_404(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with public_lobby(tmp_path, mosquitto) as (hub, public):
        [token] = issue(hub, mosquitto)
        context = phone(browser, "en-US")
        try:
            page = context.new_page()
            page.goto(f"{public.url}/t/{token}")
            expect(page.locator("#ticket")).to_contain_text("A001")
            made_up = httpx.get(f"{public.url}/t/{'x' * 22}")
            garbage = httpx.get(f"{public.url}/t/..%2F..%2Fetc%2Fpasswd")
            for answer in (made_up, garbage, httpx.get(f"{public.url}/console")):
                assert answer.status_code == 404
                assert "A001" not in answer.text and "Test centre" not in answer.text
            # Midnight passes: the open page says the ticket expired; a fresh load is a 404.
            hub.engine.store.conn.execute("UPDATE tickets SET day = '2026-01-01'")
            hub.engine.store.conn.commit()
            public.services.live.signal.set()
            expect(page.locator("#ticket")).to_contain_text("This ticket has expired",
                                                            timeout=3000)
            expired = httpx.get(f"{public.url}/t/{token}")
            assert expired.status_code == 404 and expired.text == made_up.text
            assert httpx.post(f"{public.url}/t/{token}/leave").status_code == 404
        finally:
            context.close()


def test_the_first_load_is_light_and_stays_on_the_lobby_s_server(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with public_lobby(tmp_path, mosquitto) as (hub, public):
        [token] = issue(hub, mosquitto)
        context = phone(browser)
        try:
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(f"{public.url}/t/{token}")
            expect(page.locator("#ticket .number")).to_have_text("A001")
            page.wait_for_load_state("networkidle")
            sizes = page.evaluate(
                "performance.getEntriesByType('navigation').concat("
                "performance.getEntriesByType('resource'))"
                ".map(e => e.transferSize || e.encodedBodySize || 0)")
            assert all(url.startswith(public.url) for url in requests), requests
            assert sum(sizes) <= 30 * 1024, sizes
            # Nothing about other tickets, staff or devices on it.
            html = page.content()
            for secret in ("kiosk-1", "counter-1", "public-1", "pad-1", "elderly", "A002"):
                assert secret not in html
            assert public.services.live.followers  # its event stream
        finally:
            context.close()
        # The phone gone, its stream is let go: nothing followed, no stream counted.
        assert wait_for(lambda: not public.services.live.followers, 5)
        assert not public.services.limits._streams


def test_per_address_limits_and_foreign_forms(mosquitto: BrokerAddress,
                                              tmp_path: Path) -> None:
    with public_lobby(tmp_path, mosquitto, requests_per_minute=5) as (hub, public):
        [token] = issue(hub, mosquitto)
        answers = [httpx.get(f"{public.url}/t/{token}").status_code for _ in range(7)]
        assert answers[:5] == [200] * 5 and answers[5:] == [429, 429]
        # Behind the trusted proxy (127.0.0.1 here), each citizen's own address counts.
        proxied = httpx.get(f"{public.url}/t/{token}",
                            headers={"x-forwarded-for": "203.0.113.7"})
        assert proxied.status_code == 200
    (tmp_path / "b").mkdir()
    with public_lobby(tmp_path / "b", mosquitto) as (hub, public):
        [token] = issue(hub, mosquitto)
        foreign = httpx.post(f"{public.url}/t/{token}/leave",
                             headers={"origin": "https://evil.example"})
        assert foreign.status_code == 403
        assert httpx.post(f"{public.url}/t/{token}/call_next").status_code == 404
        bad_level = httpx.post(f"{public.url}/t/{token}/rate", data={"level": "<script>"})
        assert bad_level.status_code == 303 and "m=refused" in bad_level.headers["location"]
        state = hub.engine.store.conn.execute("SELECT state FROM tickets").fetchone()
        assert state == ("waiting",)


def test_without_the_hub_the_page_says_so_and_keeps_the_place(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with public_lobby(tmp_path, mosquitto) as (hub, public):
        [token] = issue(hub, mosquitto)
        hub.stop()  # the broker publishes its will: offline
        assert wait_for(lambda: public.link is not None and not public.link.reachable())
        context = phone(browser, "en-US")
        try:
            page = context.new_page()
            page.goto(f"{public.url}/t/{token}")
            expect(page.locator("#ticket")).to_contain_text("Lost contact with the queue")
            expect(page.locator("#ticket .number")).to_have_text("A001")
            left = httpx.post(f"{public.url}/t/{token}/leave")
            assert "m=busy" in left.headers["location"]
        finally:
            context.close()
        assert isinstance(public, RunningPublic)


def test_a_public_address_with_a_path_works_with_or_without_a_proxy_stripping_it(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with public_lobby(tmp_path, mosquitto, path="/xa-hoa-phu") as (hub, public):
        [token] = issue(hub, mosquitto)
        context = phone(browser, "en-US")
        try:
            page = context.new_page()
            page.goto(f"{public.url}/xa-hoa-phu/t/{token}")
            ticket = page.locator("#ticket")
            expect(ticket.locator(".alert-choice")).to_be_visible()  # its script loaded
            assert page.locator("form[action$='/leave']").get_attribute("action") == (
                f"/xa-hoa-phu/t/{token}/leave")
            counter = DeviceClient(hub.config, mosquitto, "counter-1")
            try:
                counter.ask("call_next", counter="1")
            finally:
                counter.stop()
            expect(ticket.locator(".call")).to_have_text("Please go to counter 1")  # live
            assert httpx.get(f"{public.url}/t/{token}").status_code == 200  # stripped
        finally:
            context.close()


def test_without_event_streams_the_page_polls_and_without_script_it_refreshes(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with public_lobby(tmp_path, mosquitto) as (hub, public):
        [token] = issue(hub, mosquitto)
        context = phone(browser, "en-US")
        counter = DeviceClient(hub.config, mosquitto, "counter-1")
        try:
            page = context.new_page()
            page.add_init_script("delete window.EventSource;")  # a browser without them
            streams: list[str] = []
            page.on("request", lambda request: streams.append(request.url)
                    if "/events" in request.url else None)
            page.goto(f"{public.url}/t/{token}")
            counter.ask("call_next", counter="1")
            # Within the 10-s poll, without a reload and without an event stream.
            expect(page.locator("#ticket .call")).to_have_text("Please go to counter 1",
                                                               timeout=12_000)
            assert streams == []
            # A refusal (429 from a crowded address, 503) never stops the polling.
            refusals: list[int] = []

            def refuse_once(route: Route) -> None:
                if not refusals:
                    refusals.append(429)
                    route.fulfill(status=429, body="")
                else:
                    route.continue_()

            page.route("**/fragment*", refuse_once)
            counter.ask("recall", counter="1")
            expect(page.locator("#ticket")).to_contain_text("Called again once", timeout=22_000)
            assert refusals == [429]
            html = httpx.get(f"{public.url}/t/{token}").text
            # Without script the page refreshes itself, to its address without a message.
            assert (f'<noscript><meta http-equiv="refresh" content="20; url=/t/{token}?lang=vi">'
                    '</noscript>') in html
            assert 'action="/t/' in html  # "I'm coming" as a plain form
        finally:
            counter.stop()
            context.close()


HIDDEN = """Object.defineProperty(document, "hidden", {get: () => window.__hidden === true});
Object.defineProperty(document, "visibilityState",
                      {get: () => window.__hidden === true ? "hidden" : "visible"});"""


def test_only_the_tab_in_sight_holds_a_stream(browser: Browser, mosquitto: BrokerAddress,
                                              tmp_path: Path) -> None:
    """A browser keeps six connections per server over plain HTTP: six tabs of tickets (a
    family's, or one QR scanned six times), each streaming, would leave a seventh tab and
    every button press waiting for ever."""
    with public_lobby(tmp_path, mosquitto) as (hub, public):
        [token] = issue(hub, mosquitto)
        context = phone(browser, "en-US")
        context.add_init_script(HIDDEN)
        try:
            tabs = []
            for _ in range(6):
                tab = context.new_page()
                tab.goto(f"{public.url}/t/{token}")
                expect(tab.locator("#ticket .alert-choice")).to_be_visible()
                tab.evaluate("() => { window.__hidden = true; "
                             "document.dispatchEvent(new Event('visibilitychange')); }")
                tabs.append(tab)
            assert wait_for(lambda: not public.services.live.followers, 5)  # streams let go
            seventh = context.new_page()
            seventh.goto(f"{public.url}/t/{token}", timeout=5000)
            expect(seventh.locator("#ticket .number")).to_have_text("A001")
            seventh.get_by_text("Leave the queue", exact=True).click()
            seventh.get_by_role("button", name="Yes, leave the queue").click()
            expect(seventh.locator("#ticket")).to_contain_text("This ticket was cancelled",
                                                               timeout=5000)
            # A tab back in sight streams again.
            tabs[0].evaluate("() => { window.__hidden = false; "
                             "document.dispatchEvent(new Event('visibilitychange')); }")
            expect(tabs[0].locator("#ticket")).to_contain_text("This ticket was cancelled",
                                                               timeout=5000)
        finally:
            context.close()
