"""Rating pad benchmark (not a timed test): `./run.sh bench` or `python bench/rating_bench.py`.

In this process: the hub (engine, SQLite in a scratch folder, on Mosquitto over loopback),
the real rating pad (Kivy, offscreen, 800×1280, software GL) with its bus client, and a counter
thread that serves ticket after ticket on the demo centre. Measured from just before the
counter sends `done` until a frame is drawn (Window flip) showing the pad's question for that
ticket, p50/p99 over `--rounds` tickets.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
if "KIVY_HOME" not in os.environ:
    os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-")
    atexit.register(shutil.rmtree, os.environ["KIVY_HOME"], ignore_errors=True)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bench.common import free_port, percentile, scratch_dir  # noqa: E402
from devicekit.window import prepare_window, screen_size  # noqa: E402
from hub.engine import Engine  # noqa: E402
from hub.runtime import Hub  # noqa: E402
from hub.store import Store  # noqa: E402
from lobby.broker.embedded import start_embedded  # noqa: E402
from lobby.bus import BrokerAddress, Bus  # noqa: E402
from lobby.config import parse_config  # noqa: E402
from lobby.contract.registry import Topics  # noqa: E402
from lobby.rpc import Requester  # noqa: E402

DEMO = ROOT / "config" / "demo.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    folder = scratch_dir("rating-bench-")
    raw = yaml.safe_load(DEMO.read_text())
    for service in raw["services"]:
        service.pop("hours", None)  # open whatever the time of the run
    config = parse_config(yaml.safe_dump(raw, allow_unicode=True))
    broker = start_embedded(folder / "broker", free_port())
    address = BrokerAddress(host=broker.host, port=broker.port)
    hub = Hub(config, Engine(config, Store(folder / "hub.sqlite")), address)
    hub.start()
    prepare_window(screen_size("rating", "portrait"), fullscreen=False)

    from kivy.clock import Clock
    from kivy.core.window import Window

    from display.rating_app import RatingApp
    from display.rating_client import RatingClient

    device = config.device("rating-1")
    assert device is not None
    client = RatingClient(config, device, address)
    client.start()
    app = RatingApp(client.model)
    sent: dict[int, float] = {}  # ticket id -> when its `done` was sent
    shown: dict[int, float] = {}
    seen = threading.Event()

    def flipped(*_args: object) -> None:
        asking = client.model.asking
        if client.model.screen == "question" and asking and asking.ticket_id in sent and (
                asking.ticket_id not in shown):
            shown[asking.ticket_id] = time.perf_counter()
            seen.set()

    Window.bind(on_flip=flipped)
    others = Bus(Topics(config.site.id), client_id="bench-counter", broker=address)
    kiosk, counter = Requester(others, "kiosk-1"), Requester(others, "counter-1")
    others.start()
    assert others.wait_connected(5)

    def serve() -> None:
        time.sleep(2)  # the pad connected and painted
        for _ in range(args.rounds):
            kiosk.ask("issue", service="A")
            called = counter.ask("call_next", counter="1")
            assert called.data is not None and called.data.ticket is not None
            ticket_id = called.data.ticket.id
            seen.clear()
            sent[ticket_id] = time.perf_counter()
            counter.ask("done", counter="1")
            seen.wait(5)
        Clock.schedule_once(lambda _dt: app.stop())

    threading.Thread(target=serve, daemon=True).start()
    try:
        app.run()
    finally:
        client.stop()
        others.stop()
        hub.stop()
        broker.stop()
    delays = [(shown[t] - sent[t]) * 1000 for t in sent if t in shown]
    print("| measure | value |\n|---|---|")
    print(f"| rounds (tickets done, question shown) | {len(sent)} / {len(delays)} |")
    if delays:
        print(f"| `done` sent → the pad's question on screen, p50 / p99 | "
              f"{statistics.median(delays):.1f} / {percentile(delays, 0.99):.1f} ms |")
    return 0 if len(delays) == len(sent) else 1


if __name__ == "__main__":
    sys.exit(main())
