"""The console in a real browser (Debian's Chromium, headless, driven by Playwright): a
supervisor signs in, watches a ticket arrive on the live page without a reload and cancels it;
the devices page turns a silent kiosk stale and the alert band says its paper runs out; a
report's CSV, downloaded, holds the figures of a small store computed by hand; the daily PDF
names the centre and its totals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from console import daily_report
from console.day_cache import DayCache
from lobby.bus import BrokerAddress
from lobby.device import DeviceLink
from tests.console_helpers import (
    PASSWORDS,
    RunningConsole,
    chromium,
    console_config_file,
    console_lobby,
    sign_in,
)
from tests.helpers import DeviceClient, Recorder, wait_for
from tests.test_engine import Lobby


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found


def test_a_ticket_appears_live_and_a_supervisor_cancels_it(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with console_lobby(tmp_path, mosquitto) as (hub, console):
        kiosk = DeviceClient(hub.config, mosquitto, "kiosk-1")
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        try:
            sign_in(page, console.url, "giamsat")
            expect(page.locator("#live")).to_contain_text("Nobody is waiting")
            loads = []
            page.on("load", lambda _page: loads.append(1))
            issued = time.monotonic()
            number = kiosk.ask("issue", service="A").data.number
            row = page.locator(f"tr[data-number='{number}']")
            expect(row).to_be_visible(timeout=2000)
            shown = time.monotonic() - issued
            assert loads == [], "the page reloaded"
            assert shown < 1.0, f"shown {shown:.2f} s after the issue"
            expect(row).to_contain_text("Civil status")

            page.on("dialog", lambda dialog: dialog.accept())
            row.get_by_role("button", name="Act…").click()
            page.fill("#action-panel input[name=reason]", "left before the call")
            page.click("#action-panel button.danger")
            expect(page.locator("#action-panel")).to_contain_text(f"Done: cancel {number}")
            expect(row).to_have_count(0, timeout=2000)
            state, detail = hub.engine.store.conn.execute(
                "SELECT t.state, e.detail FROM tickets t JOIN ticket_events e "
                "ON e.ticket_id = t.id WHERE t.number = ? AND e.kind = 'cancelled'",
                (number,)).fetchone()
            assert (state, detail) == ("cancelled", "giamsat: left before the call")
        finally:
            page.close()
            kiosk.stop()


def human_click(page: Page, selector: str) -> None:
    """A person's click: the button pressed, held a moment, released. A page that replaces
    the button between the two (a swap of the whole panel) loses the click."""
    box = page.locator(selector).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(150)
    page.mouse.up()


def test_actions_work_under_load_in_sight_and_say_when_refused(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    """A busy hall: the live panel changes many times a second while a supervisor works far
    down the waiting list. Every click on Act… opens the panel (rows are morphed, not
    replaced), the panel is in sight wherever the list was scrolled to, and a refusal (the
    ticket was taken meanwhile) is said in it."""
    with console_lobby(tmp_path, mosquitto) as (hub, console):
        kiosk = DeviceClient(hub.config, mosquitto, "kiosk-1")
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        stop = threading.Event()

        def busy_hall() -> None:
            while not stop.wait(0.05):
                kiosk.ask("issue", service="B")

        try:
            numbers = [kiosk.ask("issue", service="A").data.number for _ in range(40)]
            sign_in(page, console.url, "giamsat")
            last = page.locator(f"tr[data-number='{numbers[-1]}']")
            expect(last).to_be_visible()
            last.scroll_into_view_if_needed()
            load = threading.Thread(target=busy_hall, daemon=True)
            load.start()
            for number in numbers[-10:]:
                human_click(page, f"tr[data-number='{number}'] button.act")
                panel = page.locator("#action-panel section.actions")
                expect(panel).to_contain_text(number, timeout=2000)
                expect(panel).to_be_in_viewport()
                page.click("#action-panel button.close")
                expect(page.locator("#action-panel")).to_be_empty()
            stop.set()
            load.join(5)
            # Taken meanwhile: another supervisor cancels it; this one's cancel is refused.
            page.locator(f"tr[data-number='{numbers[-1]}'] button.act").click()
            ticket_id = hub.engine.store.conn.execute(
                "SELECT id FROM tickets WHERE number = ?", (numbers[-1],)).fetchone()[0]
            other = DeviceClient(hub.config, mosquitto, "console-1")
            assert other.ask("cancel", ticket_id=ticket_id, user="giamdoc", reason="x").ok
            other.stop()
            page.on("dialog", lambda dialog: dialog.accept())
            page.fill("#action-panel input[name=reason]", "left")
            page.click("#action-panel button.danger")
            expect(page.locator("#action-panel")).to_contain_text(
                "This ticket is not waiting any more")
        finally:
            stop.set()
            page.close()
            kiosk.stop()


def test_the_devices_page_turns_a_silent_kiosk_stale_and_warns_of_paper(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with console_lobby(tmp_path, mosquitto) as (hub, console):
        kiosk = DeviceClient(hub.config, mosquitto, "kiosk-1")
        link = DeviceLink(kiosk.bus, hub.config, "kiosk-1", "kiosk", extras=lambda: {
            "printer": {"paper": "near_end", "online": True}})
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        try:
            link.publish_status()
            link.start_heartbeat()
            sign_in(page, console.url, "xem")
            page.goto(f"{console.url}/devices")
            row = page.locator("tr[data-device='kiosk-1']")
            expect(row).to_contain_text("online")
            expect(row).to_contain_text("nearly used up")
            expect(page.locator("#alerts")).to_contain_text("paper nearly used up")
            link.stop_heartbeat()  # killed: its heartbeats stop (stale after 0.8 s here)
            expect(row).to_contain_text("stale", timeout=6000)
            expect(page.locator("#alerts")).not_to_contain_text("paper nearly used up")
        finally:
            link.stop_heartbeat()
            page.close()
            kiosk.stop()


def test_a_supervisor_announces_to_every_board_with_a_preset(
        browser: Browser, mosquitto: BrokerAddress, tmp_path: Path) -> None:
    with console_lobby(tmp_path, mosquitto) as (hub, console):
        boards = Recorder(hub.config, mosquitto, "event/announcement", client_id="boards")
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text)
                if message.type == "error" else None)
        page.on("response", lambda response: problems.append(response.url)
                if response.status >= 400 else None)
        try:
            sign_in(page, console.url, "giamsat")
            page.goto(f"{console.url}/announcements")
            page.get_by_role("button", name="The centre closes in 15 minutes").click()
            expect(page.locator("#text_vi")).to_have_value(
                "Trung tâm sẽ đóng cửa sau 15 phút nữa")
            page.get_by_role("button", name="Announce").click()
            expect(page.locator("#announce-result")).to_contain_text("Done")
            assert wait_for(lambda: bool(boards.on("event/announcement")))
            (sent,) = boards.on("event/announcement")
            assert sent["texts"] == {"vi": "Trung tâm sẽ đóng cửa sau 15 phút nữa",
                                     "en": "The centre closes in 15 minutes"}
            assert sent["boards"] == []
            # The history below the form shows it at once, without a reload.
            expect(page.locator("section.history tbody tr").first).to_contain_text("giamsat")
            expect(page.locator("section.history tbody tr").first).to_contain_text(
                "shown now")
            for path in ("/", "/devices", "/reports?period=month&by=service", "/scorecard",
                         "/tickets", "/announcements"):
                page.goto(console.url + path)
            assert problems == []  # no script or style refused by the page's policy
        finally:
            page.close()
            boards.stop()


def _small_day(db: Path, config_file: Path) -> None:
    """Monday 23 Nov 2026, A's target 15 min: A001 waits 5 min and is served 4 min; A002 waits
    10 min and is a no-show; B001 is cancelled; A003 waits 20 min (late) and is served
    2 min. By hand: issued 4, served 2, no-show 1, cancelled 1; waits 5, 10, 20 → mean
    11.67, median 10, max 20; service 4 and 2 → mean 3; on time 2 of 3."""
    from lobby.config import load_config
    lobby = Lobby(db, load_config(config_file))
    minute = 60.0
    lobby.issue("A")                                  # 08:00 A001
    lobby.issue("A")                                  # 08:00 A002
    lobby.issue("B")                                  # 08:00 B001
    lobby.clock.advance(5 * minute)
    assert lobby.next("1") == "A001"                  # 08:05 wait 5
    lobby.clock.advance(4 * minute)
    assert lobby.ask("counter-1", "done", counter="1").ok  # 08:09 service 4
    lobby.clock.advance(1 * minute)
    assert lobby.next("1") == "A002"                  # 08:10 wait 10
    b001 = lobby.engine.store.conn.execute(
        "SELECT id FROM tickets WHERE number = 'B001'").fetchone()[0]
    assert lobby.ask("console-1", "cancel", ticket_id=b001, user="giamsat", reason="x").ok
    lobby.issue("A")                                  # 08:10 A003
    assert lobby.ask("counter-1", "no_show", counter="1").ok
    lobby.clock.advance(20 * minute)
    assert lobby.next("1") == "A003"                  # 08:30 wait 20
    lobby.clock.advance(2 * minute)
    assert lobby.ask("counter-1", "done", counter="1").ok  # 08:32 service 2
    lobby.engine.store.close()


def test_a_downloaded_csv_holds_the_figures_computed_by_hand(
        browser: Browser, tmp_path: Path) -> None:
    config, config_file = console_config_file(tmp_path)
    db = tmp_path / "hub.sqlite"
    _small_day(db, config_file)
    console = RunningConsole(config, config_file, db, broker=None)
    page = browser.new_page(accept_downloads=True)
    try:
        sign_in(page, console.url, "xem")
        page.goto(f"{console.url}/reports?first=2026-11-23&last=2026-11-23&by=service")
        with page.expect_download() as download:
            page.click("a[href^='/reports/figures.csv']")
        rows = list(csv.DictReader(io.StringIO(
            Path(download.value.path()).read_text(encoding="utf-8-sig"))))
        by_service = {row["Group"]: row for row in rows}
        a, b = by_service["A · Civil status"], by_service["B · Land"]
        assert (a["Issued"], a["Served"], a["No-show"], a["Cancelled"]) == ("3", "2", "1", "0")
        assert (b["Issued"], b["Cancelled"], b["Wait mean (min)"]) == ("1", "1", "—")
        assert (a["Wait mean (min)"], a["Wait median (min)"], a["Wait max (min)"]) == \
            ("11.7", "10.0", "20.0")
        assert (a["Service mean (min)"], a["On time %"]) == ("3.0", "66.7")
        page.goto(f"{console.url}/reports?first=2026-11-23&last=2026-11-23")
        page_text = page.locator("table[data-table='figures']").first.inner_text()
        assert "4" in page_text.split()  # the whole centre: 4 issued
    finally:
        page.close()
        console.stop()



def test_the_daily_pdf_names_the_centre_and_its_totals(tmp_path: Path) -> None:
    """Written as the console does after midnight, then served for that past day; pdftotext
    reads the centre's name and the day's totals (4 issued, 2 served, 1 no-show)."""
    config, config_file = console_config_file(tmp_path)
    db = tmp_path / "hub.sqlite"
    _small_day(db, config_file)
    day = dt.date(2026, 11, 23)
    written = daily_report.write(DayCache(tmp_path / "days.sqlite", db), config, day,
                                 tmp_path / "reports")
    assert written == tmp_path / "reports" / f"{config.site.id}-2026-11-23.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(written), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Trung tâm thử" in text and "23/11/2026" in text  # the site's first language
    whole = next(line for line in text.splitlines() if line.strip().startswith("Tất cả"))
    assert whole.split()[2:6] == ["4", "2", "1", "0"]  # issued, served, no-show, transferred
    assert "A · Hộ tịch" in text and "Báo cáo ngày" in text
    console = RunningConsole(config, config_file, db, broker=None)
    try:
        session = httpx.Client(base_url=console.url, timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', session.get("/login").text)
        assert token is not None
        session.post("/login", data={"csrf_token": token[1], "name": "xem",
                                     "password": PASSWORDS["xem"]})
        served = session.get("/reports/daily/2026-11-23.pdf")
        assert served.headers["content-type"] == "application/pdf"
        assert served.content == written.read_bytes()  # the kept one
        assert session.get("/reports/daily/2999-01-01.pdf").status_code == 404
        assert session.get("/reports/daily/yesterday.pdf").status_code == 400
    finally:
        console.stop()
