"""The console at a busy centre's size (not a timed test): `python bench/console_bench.py`.

A year of the merged commune centre (300,000 tickets with their events and ratings, built as
bench/metrics_bench.py does), a real hub (`lobby hub`) and console (`lobby console`) as
processes of their own on Mosquitto. Measured:

- how long the console's background fill of its day cache takes after its start (once, on
  a store it has not seen), then each report page's time for a month and for the year, by
  each grouping; the month's CSV and XLSX; the scorecard; a day's PDF (made, then kept);
- the live page in headless Chromium: from a kiosk's issue request to the new row in the
  page, for `--calls` tickets (p50, p99): the hub's publish and the console's push together;
- the console process's memory (RSS) at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    memory_mb,
    percentile,
    scratch_dir,
    wait_until,
)
from bench.metrics_bench import CENTRE, build  # noqa: E402
from hub.console_user_cli import password_hasher  # noqa: E402
from lobby.broker.embedded import MosquittoBroker  # noqa: E402
from lobby.bus import BrokerAddress, Bus  # noqa: E402
from lobby.config import load_config  # noqa: E402
from lobby.contract.registry import Topics  # noqa: E402
from lobby.rpc import Requester  # noqa: E402

PASSWORD = "bench-password-1"


def centre_file(folder: Path, port: int) -> Path:
    raw = yaml.safe_load(CENTRE.read_text(encoding="utf-8"))
    raw["site"]["id"] = f"bench-{os.getpid()}"
    for service in raw["services"]:
        service["target_wait_minutes"] = 15
        service.pop("hours", None)  # open whenever the benchmark runs
        service.get("numbering", {}).pop("daily_quota", None)
    raw["devices"].append({"id": "console-1", "role": "console"})
    raw["console"] = {"listen": f"127.0.0.1:{port}", "users": [
        {"name": "giamdoc", "role": "admin", "password_hash": password_hasher().hash(PASSWORD)}]}
    path = folder / "centre.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def lobby(*args: str) -> list[str]:
    return [sys.executable, "-m", "lobby.cli", "--log-level", "WARNING", *args]


def signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    answer = client.post("/login", data={"csrf_token": token[1], "name": "giamdoc",
                                         "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client


def timed_get(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    answer = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return elapsed


def live_page(browser: Any, url: str, width: int, height: int) -> Any:
    """A page of `browser` signed in as the director, on the live lobby."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{url}/login")
    page.fill("input[name=name]", "giamdoc")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def live_latency(url: str, kiosk: Requester, services: list[str], calls: int) -> list[float]:
    """Milliseconds from the issue request to its row on the live page (a real browser)."""
    from playwright.sync_api import sync_playwright

    latencies = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = live_page(browser, url, 1920, 1080)
        page.wait_for_timeout(1000)  # the event stream is open
        for index in range(calls):
            # The page notes the wall time a row for the number appears (checked at every
            # frame: the browser's own clock, the same machine's as ours).
            started = time.time()
            reply = kiosk.ask("issue", service=services[index % len(services)])
            assert reply.ok and reply.data is not None, reply.error
            number = reply.data.number
            seen = page.wait_for_function(
                """(number) => {
                    const row = document.querySelector(`tr[data-number="${number}"]`);
                    return row ? Date.now() : null; }""", arg=number, polling="raf",
                timeout=10_000).json_value()
            latencies.append(float(seen) - started * 1000)
        browser.close()
    return latencies


def busy_hall_cpu(url: str, kiosk: Requester, services: list[str], pid: int,
                  pages: int = 5, rate: float = 14.0, seconds: float = 10.0) -> tuple[float, int]:
    """The console's CPU (% of one core) while `pages` live pages are open and the kiosk
    issues `rate` tickets a second (the trial's busy hall); and the pushes one page got."""
    import psutil
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        opened = [live_page(browser, url, 1366, 768) for _ in range(pages)]
        opened[0].evaluate("""() => { window.pushes = 0; document.body.addEventListener(
            'htmx:sseMessage', () => { window.pushes += 1; }); }""")
        process = psutil.Process(pid)
        before = process.cpu_times()
        started = time.perf_counter()
        index = 0
        while time.perf_counter() - started < seconds:
            kiosk.ask("issue", service=services[index % len(services)])
            index += 1
            time.sleep(max(0.0, index / rate - (time.perf_counter() - started)))
        after = process.cpu_times()
        elapsed = time.perf_counter() - started
        pushes = int(opened[0].evaluate("() => window.pushes"))
        browser.close()
    used = (after.user - before.user) + (after.system - before.system)
    return 100 * used / elapsed, pushes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300_000)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    folder = scratch_dir("console-bench-")
    db = folder / "hub.sqlite"
    started = time.perf_counter()
    # 250 working days ending yesterday: the console's day cache fills them at its start.
    first_day, working = dt.date.today() - dt.timedelta(days=1), 0
    while working < 250:
        working += first_day.weekday() < 5
        first_day -= dt.timedelta(days=1)
    first, month, last = build(db, args.tickets, random.Random(11),
                               first_day + dt.timedelta(days=1))
    print(f"store: {args.tickets:,} tickets, built in {time.perf_counter() - started:.0f} s")
    port = free_port()
    config_file = centre_file(folder, port)
    config = load_config(config_file)
    broker = MosquittoBroker(folder / "broker", free_port())
    address = f"{broker.host}:{broker.port}"
    hub = subprocess.Popen(lobby("hub", "--config", str(config_file), "--broker", address,
                                 "--db", str(db)), stderr=(folder / "hub.log").open("wb"))
    console = subprocess.Popen(
        lobby("console", "--config", str(config_file), "--broker", address, "--db", str(db),
              "--var", str(folder / "var")), stdout=subprocess.DEVNULL,
        stderr=(folder / "console.log").open("wb"))
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _answers(url), 30), (folder / "console.log").read_text()
        rows = [("console started → its day cache filled for the year, every grouping "
                 "(in the background)",
                 f"{_filled(folder / 'var' / 'console-days.sqlite', first, last):,.0f} s")]
        client = signed_in(url)
        for name, (frm, to) in (("a month", (month, last)), ("the year", (first, last))):
            for by in ("", "service", "counter", "staff", "hour", "weekday"):
                path = f"/reports?first={frm}&last={to}&by={by}"
                timed_get(client, path)  # today's live part, the first time
                warm = [timed_get(client, path) for _ in range(5)]
                rows.append((f"report page, {name}, by {by or 'the whole centre'}",
                             f"{percentile(warm, 0.5):,.0f} ms (max {max(warm):,.0f})"))
        for kind in ("csv", "xlsx"):
            path = f"/reports/figures.{kind}?first={month}&last={last}&by=service"
            rows.append((f"{kind.upper()} of a month, by service",
                         f"{min(timed_get(client, path) for _ in range(3)):,.0f} ms"))
        scorecard = min(timed_get(client, "/scorecard") for _ in range(3))
        rows.append(("scorecard", f"{scorecard:,.0f} ms"))
        # The month's first day: not made yet (the console makes yesterday's at its start).
        rows.append(("a past day's PDF: made, then kept",
                     f"{timed_get(client, f'/reports/daily/{month}.pdf'):,.0f} ms · "
                     f"{timed_get(client, f'/reports/daily/{month}.pdf'):,.0f} ms"))
        bus = Bus(Topics(config.site.id), client_id="bench-kiosk",
                  broker=BrokerAddress(broker.host, broker.port))
        kiosk = Requester(bus, "kiosk-1")
        bus.start()
        assert bus.wait_connected(5)
        latencies = live_latency(url, kiosk, [s.id for s in config.services], args.calls)
        cpu, pushes = busy_hall_cpu(url, kiosk, [s.id for s in config.services], console.pid)
        bus.stop()
        rows.append((f"live page: issue → row shown ({args.calls} tickets)",
                     f"p50 {percentile(latencies, 0.5):.0f} ms · "
                     f"p99 {percentile(latencies, 0.99):.0f} ms · "
                     f"max {max(latencies):.0f} ms"))
        rows.append(("5 live pages open, 14 issues a second for 10 s: console CPU, pushes "
                     "one page got", f"{cpu:.0f} % of a core, {pushes} pushes"))
        memory = memory_mb(console.pid)
        rows.append(("console RSS at the end (peak)",
                     f"{memory['VmRSS']:.0f} MB ({memory['VmHWM']:.0f} MB)"))
    finally:
        for process in (console, hub):
            process.terminate()
            process.wait(10)
        broker.stop()
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


def _filled(cache: Path, first: str, last: str) -> float:
    """Seconds until the console's background fill has kept every day of the range for every
    grouping (it keeps a row for each day, with tickets or not)."""
    import sqlite3

    started = time.perf_counter()
    days = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
    expected = 13 * days  # 8 groupings for the figures, 5 for the ratings (day_cache.py)
    while True:
        try:
            with sqlite3.connect(cache) as conn:
                done = conn.execute("SELECT count(*) FROM days WHERE day BETWEEN ? AND ?",
                                    (first, last)).fetchone()[0]
        except sqlite3.Error:
            done = 0
        if done >= expected:
            return time.perf_counter() - started
        time.sleep(0.5)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/login", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    sys.exit(main())
