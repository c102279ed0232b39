"""The citizens' public page at a busy centre's size (not a timed test):
`python bench/public_bench.py`.

A real hub (`lobby hub`) and public page (`lobby public`) as processes of their own on
Mosquitto, the merged commune centre, `--phones` tickets waiting in one service. Measured:

- `--phones` phones following their own tickets by server-sent events (raw sockets, one
  connection each): from a counter's `call_next` request to each phone's new panel, for
  `--changes` calls (every waiting ticket's page changes at each: one fewer ahead);
- page loads at `--rate` a second for `--seconds` while the phones stay connected (a new
  connection each, as phones arrive): latency p50 / p99;
- the public process's memory (RSS now and peak);
- in headless Chromium on a phone's viewport: the first load's bytes and its requests, and
  the first contentful paint under Chromium's "Slow 3G" (2,000 ms latency, 50,000 B/s) and
  under a 400 ms / 400 kbit/s line.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import resource
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
from bench.metrics_bench import CENTRE  # noqa: E402
from lobby.broker.embedded import MosquittoBroker  # noqa: E402
from lobby.bus import BrokerAddress, Bus  # noqa: E402
from lobby.config import load_config  # noqa: E402
from lobby.contract.registry import Topics  # noqa: E402
from lobby.rpc import Requester  # noqa: E402

SERVICE, COUNTER = "B", "3"  # counter 3 serves only B at the merged commune centre
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000,
           "uploadThroughput": 50_000}  # Chromium DevTools' preset (400 ms × 5, 500 kbit/s × 0.8)
SLOW_LINE = {"offline": False, "latency": 400, "downloadThroughput": 50_000,
             "uploadThroughput": 50_000}


def centre_file(folder: Path, port: int) -> Path:
    raw = yaml.safe_load(CENTRE.read_text(encoding="utf-8"))
    raw["site"]["id"] = f"bench-{os.getpid()}"
    for service in raw["services"]:
        service.pop("hours", None)  # open whenever the benchmark runs
        service.get("numbering", {}).pop("daily_quota", None)
        service["numbering"]["width"] = 4
    raw["devices"].append({"id": "public-1", "role": "public"})
    raw["public"] = {"url": f"http://127.0.0.1:{port}", "listen": f"127.0.0.1:{port}",
                     # One address here plays every phone.
                     "requests_per_minute": 1_000_000, "streams_per_address": 100_000}
    path = folder / "centre.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def lobby(*args: str) -> list[str]:
    return [sys.executable, "-m", "lobby.cli", "--log-level", "WARNING", *args]


class Phone:
    """One phone's live page: a raw connection to the event stream, the arrival times of
    the panels it was sent."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.arrivals: list[float] = []
        self.new = asyncio.Event()

    async def follow(self, port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        writer.write(f"GET /t/{self.token}/events?lang=vi HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        status = await reader.readline()
        assert b" 200 " in status, status
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"event: ticket"):
                self.arrivals.append(time.monotonic())
                self.new.set()


async def phones_and_loads(port: int, tokens: list[str], counter: Requester, changes: int,
                           rate: float, seconds: float, pid: int) -> dict[str, Any]:
    phones = [Phone(token) for token in tokens]
    tasks = [asyncio.create_task(phone.follow(port)) for phone in phones]
    deadline = time.monotonic() + 60
    while sum(1 for p in phones if p.arrivals) < len(phones):
        assert time.monotonic() < deadline, "the phones did not all connect"
        await asyncio.sleep(0.1)
    connected = memory_mb(pid)
    latencies: list[float] = []
    missed = 0
    for change in range(changes):
        await asyncio.sleep(0.5)
        counts = [len(p.arrivals) for p in phones]
        started = time.monotonic()
        reply = await asyncio.to_thread(counter.ask, "call_next", counter=COUNTER)
        assert reply.ok, reply.error
        # Every page changes but those of tickets finished before this call (in line order,
        # the first `change - 1`): the called one is "called", the last called one done,
        # every other has one fewer ahead.
        expected = list(zip(phones, counts, strict=True))[max(0, change - 1):]
        wait_until_all = time.monotonic() + 5
        while time.monotonic() < wait_until_all and any(
                len(p.arrivals) == n for p, n in expected):
            await asyncio.sleep(0.005)
        for index, (phone, count) in enumerate(expected):
            if len(phone.arrivals) > count:
                latencies.append((phone.arrivals[count] - started) * 1000)
            else:
                missed += 1
                print(f"phone {index} had no news", file=sys.stderr)
    # In a process of its own: this one's loop is busy reading the phones' streams.
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        loads = await asyncio.get_running_loop().run_in_executor(
            pool, _page_loads_in_process, port, tokens, rate, seconds)
    result = {"connected": connected, "latencies": latencies, "missed": missed,
              "loads": loads, "after": memory_mb(pid)}
    for task in tasks:
        task.cancel()
    return result


def _page_loads_in_process(port: int, tokens: list[str], rate: float,
                           seconds: float) -> list[float]:
    return asyncio.run(page_loads(port, tokens, rate, seconds))


async def page_loads(port: int, tokens: list[str], rate: float, seconds: float) -> list[float]:
    """Open-loop: a new phone every 1/rate s, each on a fresh connection."""
    latencies: list[float] = []
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                 timeout=10) as client:
        async def load(token: str) -> None:
            started = time.perf_counter()
            answer = await client.get(f"/t/{token}", headers={"accept-language": "vi"})
            assert answer.status_code == 200, answer.status_code
            latencies.append((time.perf_counter() - started) * 1000)

        pending = []
        begin = time.perf_counter()
        for index in range(int(rate * seconds)):
            delay = begin + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(load(tokens[index % len(tokens)])))
        await asyncio.gather(*pending)
    return latencies


def browser_figures(url: str, token: str) -> dict[str, Any]:
    from playwright.sync_api import Request, sync_playwright

    figures: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, conditions in (("none", None), ("slow_3g", SLOW_3G),
                                 ("400ms_400kbit", SLOW_LINE)):
            context = browser.new_context(viewport={"width": 390, "height": 844},
                                          is_mobile=True, locale="vi-VN")
            page = context.new_page()
            requests: list[str] = []

            def seen(request: Request, into: list[str] = requests) -> None:
                into.append(request.url)

            page.on("request", seen)
            if conditions is not None:
                session = context.new_cdp_session(page)
                session.send("Network.enable")
                session.send("Network.emulateNetworkConditions", conditions)
            page.goto(f"{url}/t/{token}", wait_until="load")
            page.wait_for_timeout(500)
            entries = page.evaluate("""() => ({
                paint: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
                bytes: performance.getEntriesByType('navigation').concat(
                    performance.getEntriesByType('resource')).reduce(
                    (sum, e) => sum + (e.transferSize || 0), 0)})""")
            figures[name] = {"first_paint_ms": entries["paint"], "bytes": entries["bytes"],
                             "requests": [r.replace(url, "") for r in requests],
                             "outside": [r for r in requests if not r.startswith(url)]}
            context.close()
        browser.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a socket per phone here too
    folder = scratch_dir("public-bench-")
    broker_port, port = free_port(), free_port()
    broker = MosquittoBroker(folder / "broker", broker_port)
    address = BrokerAddress(port=broker_port)
    config_file = centre_file(folder, port)
    config = load_config(config_file)
    db = folder / "hub.sqlite"
    where = ["--config", str(config_file), "--broker", f"127.0.0.1:{broker_port}",
             "--db", str(db)]
    hub = subprocess.Popen(lobby("hub", *where), cwd=folder)
    public = subprocess.Popen(lobby("public", *where), cwd=folder)
    bus = Bus(Topics(config.site.id), client_id="bench-devices", broker=address)
    kiosk, counter = Requester(bus, "kiosk-1"), Requester(bus, f"counter-{COUNTER}")
    bus.start()
    try:
        assert bus.wait_connected(5)
        assert wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/t/x").status_code == 404
                          if _listening(port) else False, 30), "lobby public did not start"
        tokens = []
        for _ in range(args.phones):
            reply = kiosk.ask("issue", service=SERVICE)
            assert reply.ok and reply.data is not None, reply.error
            tokens.append(reply.data.token)
        started = memory_mb(public.pid)
        result = asyncio.run(phones_and_loads(port, tokens, counter, args.changes, args.rate,
                                              args.seconds, public.pid))
        browser = browser_figures(f"http://127.0.0.1:{port}", tokens[-1])
    finally:
        bus.stop()
        for process in (public, hub):
            process.terminate()
            process.wait(10)
        broker.stop()
    pushes, loads = result["latencies"], result["loads"]
    print(f"phones: {args.phones}, changes: {args.changes} (each changes every page)")
    print(f"  change -> phone: p50 {percentile(pushes, 0.5):.0f} ms, p99 "
          f"{percentile(pushes, 0.99):.0f} ms, max {max(pushes):.0f} ms over {len(pushes)} "
          f"pushes; missed {result['missed']}")
    print(f"page loads: {len(loads)} at {args.rate:g}/s with the phones connected: p50 "
          f"{percentile(loads, 0.5):.1f} ms, p99 {percentile(loads, 0.99):.1f} ms, max "
          f"{max(loads):.1f} ms")
    print(f"public RSS: at start {started['VmRSS']:.0f} MB, {args.phones} phones connected "
          f"{result['connected']['VmRSS']:.0f} MB, at the end {result['after']['VmRSS']:.0f} MB, "
          f"peak {result['after']['VmHWM']:.0f} MB")
    for name, figures in browser.items():
        print(f"chromium ({name}): first contentful paint {figures['first_paint_ms']:.0f} ms, "
              f"{figures['bytes']} bytes, requests {figures['requests']}, outside "
              f"{figures['outside']}")
    return 0


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    raise SystemExit(main())
