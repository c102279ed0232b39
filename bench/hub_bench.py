"""Hub benchmarks on this machine (not timed tests): run `./run.sh bench` or
`python bench/hub_bench.py [--broker mosquitto|amqtt|both]`.

The hub runs as its own process (`lobby hub`) on the demo centre's config, with a socat pty
pair as its keypad line. Measured:
  1. keypad line `01 NEXT` -> retained `state/board` update seen by a subscriber, p50/p99;
  2. `issue` request -> reply, p50/p99;
  3. sustained durable issue + call_next operations per second (8 client threads), on an
     empty store and with 100,000 tickets of history already stored;
  4. the hub's peak RSS (VmHWM).
Figures go to stdout as a Markdown table (docs/performance.md keeps the latest).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import serial
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    free_port,
    memory_mb,
    percentile,
    scratch_dir,
)
from hub.model import Ticket  # noqa: E402
from hub.store import Store  # noqa: E402
from lobby.broker.embedded import EmbeddedBroker, start_embedded  # noqa: E402
from lobby.bus import BrokerAddress, Bus  # noqa: E402
from lobby.config import load_config  # noqa: E402
from lobby.contract.registry import Topics  # noqa: E402
from lobby.rpc import Requester  # noqa: E402

DEMO = ROOT / "config" / "demo.yaml"


def populate_history(db: Path, tickets: int) -> None:
    """Closed tickets of earlier days, as a centre accumulates them (plus their events)."""
    store = Store(db)
    day0 = time.time() - 200 * 86400
    with store.transaction():
        for index in range(tickets):
            at = day0 + (index // 500) * 86400 + (index % 500) * 60
            day = time.strftime("%Y-%m-%d", time.gmtime(at))
            ticket = Ticket(id=0, service="C", issued_service="C", number=f"C{index % 500 + 1:03d}",
                            day=day, daily_index=index % 500 + 1, priority=None, language="vi",
                            state="done", issued_at=at, queued_at=at, device="kiosk-1")
            ticket.id = store.insert_ticket(ticket)
            ticket.called_at, ticket.closed_at, ticket.counter = at + 300, at + 600, "1"
            store.save_ticket(ticket)
            for kind in ("issued", "called", "done"):
                store.add_event(ticket.id, kind, at)
    store.close()


class HubProcess:
    def __init__(self, workdir: Path, broker: BrokerAddress, tty: str) -> None:
        config = yaml.safe_load(DEMO.read_text())
        config["serial"] = {"port": tty, "baudrate": 115200, "keypads": {"01": "1"}}
        config["hub"]["db"] = str(workdir / "hub.sqlite")
        self.config_path = workdir / "bench.yaml"
        self.config_path.write_text(yaml.safe_dump(config, allow_unicode=True))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lobby.cli", "--log-level", "ERROR", "hub", "--config",
             str(self.config_path), "--broker", f"{broker.host}:{broker.port}"])

    def peak_rss_mb(self) -> float:
        return memory_mb(self.process.pid)["VmHWM"]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def run_round(kind: str, history: int, presses: int, issues: int,
              seconds: float) -> dict[str, float]:
    workdir = scratch_dir("lobby-bench-")
    if history:
        populate_history(workdir / "hub.sqlite", history)
    broker: EmbeddedBroker = start_embedded(workdir / "broker", free_port(), prefer=kind)
    address = BrokerAddress(host=broker.host, port=broker.port)
    socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={workdir}/hub-tty",
                              f"pty,raw,echo=0,link={workdir}/keypad-tty"])
    while not (workdir / "keypad-tty").exists():
        time.sleep(0.01)
    keypad = serial.Serial(str(workdir / "keypad-tty"), timeout=1)
    hub = HubProcess(workdir, address, str(workdir / "hub-tty"))
    config = load_config(hub.config_path)
    topics = Topics(config.site.id)
    bus = Bus(topics, client_id=f"bench-{kind}", broker=address)
    kiosk, counters = Requester(bus, "kiosk-1"), {
        c: Requester(bus, f"counter-{c}") for c in ("1", "2", "4")}
    board_seq = [0]
    board_event = threading.Event()

    def on_board(topic: str, payload: bytes) -> None:
        board_seq[0] = json.loads(payload)["seq"]
        board_event.set()

    bus.subscribe_raw(topics.prefix + "state/board", on_board)
    bus.start()
    assert bus.wait_connected(10)
    # The hub is up when it answers (opening counter 1 on the way).
    counters["1"].ask("resume", counter="1", timeout=0.5, attempts=40)
    results: dict[str, float] = {}

    # 2. issue -> reply (these tickets also feed the key presses)
    latencies = []
    for _ in range(max(issues, presses)):
        started = time.perf_counter()
        reply = kiosk.ask("issue", service="C", timeout=5)
        latencies.append((time.perf_counter() - started) * 1000)
        assert reply.ok, reply
    results["issue p50 ms"] = statistics.median(latencies)
    results["issue p99 ms"] = percentile(latencies, 0.99)

    # 1. keypad line -> retained board update seen by a subscriber
    time.sleep(0.5)
    latencies = []
    for _ in range(presses):
        before = board_seq[0]
        board_event.clear()
        started = time.perf_counter()
        keypad.write(b"01 NEXT\r\n")
        while board_seq[0] == before:
            if not board_event.wait(2):
                raise RuntimeError("no board update for a key press")
            board_event.clear()
        latencies.append((time.perf_counter() - started) * 1000)
        keypad.reset_input_buffer()  # the LED lines
    results["keypad->board p50 ms"] = statistics.median(latencies)
    results["keypad->board p99 ms"] = percentile(latencies, 0.99)

    # 3. sustained issue + call_next, 8 client threads
    done = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def issuer() -> None:
        while time.monotonic() < stop_at:
            if kiosk.ask("issue", service="C", timeout=5).ok:
                with lock:
                    done[0] += 1

    def caller(counter: str) -> None:
        while time.monotonic() < stop_at:
            if counters[counter].ask("call_next", counter=counter, timeout=5).ok:
                with lock:
                    done[0] += 1

    threads = [threading.Thread(target=issuer) for _ in range(5)] + [
        threading.Thread(target=caller, args=(c,)) for c in ("1", "2", "4")]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results["issue+call ops/s"] = done[0] / (time.monotonic() - started)
    results["hub peak RSS MB"] = hub.peak_rss_mb()

    bus.stop()
    hub.stop()
    keypad.close()
    socat.terminate()
    broker.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", choices=["mosquitto", "amqtt", "both"], default="both")
    parser.add_argument("--presses", type=int, default=1000)
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--history", type=int, default=100_000)
    args = parser.parse_args()
    kinds = ["mosquitto", "amqtt"] if args.broker == "both" else [args.broker]
    rows = []
    for kind in kinds:
        for history in (0, args.history):
            print(f"... {kind}, {history} tickets stored", file=sys.stderr, flush=True)
            rows.append((kind, history, run_round(kind, history, args.presses, args.issues,
                                                  args.seconds)))
    columns = list(rows[0][2])
    print(f"\n{os.cpu_count()} cores; {args.presses} presses, {args.issues} issues, "
          f"{args.seconds:.0f} s sustained\n")
    print("| broker | stored tickets | " + " | ".join(columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for kind, history, results in rows:
        print(f"| {kind} | {history:,} | " + " | ".join(f"{results[c]:.1f}" for c in columns)
              + " |")


if __name__ == "__main__":
    main()
