"""Broker restart benchmark (not a timed test): `./run.sh bench` or
`python bench/reconnect_bench.py [--outages 1 3 7 20] [--rounds 2]`.

The merged commune centre (16 services, 14 counters, 18 devices) on Mosquitto: the hub as its
own process, and every device of the config as a device client in this process (each with
its own connection, its heartbeat and its view of the hub), the board with its real
view-model. Mosquitto is killed with SIGKILL, left down for the outage, and started again;
measured from starting it (it accepts connections some tens of milliseconds later) to:
  - the board showing the hub online again (its model's `online`);
  - every device back (connected, and the hub online in its view);
  - the hub answering a kiosk's `issue`.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, scratch_dir  # noqa: E402
from devicekit.client import DeviceClient  # noqa: E402
from display.board_client import BoardClient  # noqa: E402
from display.board_model import BoardModel  # noqa: E402
from lobby.broker.embedded import MosquittoBroker  # noqa: E402
from lobby.bus import BrokerAddress  # noqa: E402
from lobby.config import load_config  # noqa: E402
from lobby.config.models import LobbyConfig  # noqa: E402
from lobby.contract import messages as m  # noqa: E402
from lobby.presence import HubPresence  # noqa: E402

CENTRE = ROOT / "tests" / "fixtures" / "centres" / "merged-commune.yaml"


class Presence(HubPresence):
    def on_change(self) -> None:
        pass


def devices(config: LobbyConfig, address: BrokerAddress
            ) -> tuple[BoardModel, list[HubPresence], list[DeviceClient]]:
    board_model: BoardModel | None = None
    views: list[HubPresence] = []
    clients: list[DeviceClient] = []
    for device in config.devices:
        if device.role == "board" and board_model is None:
            board_model = BoardModel(config, device.board_settings)
            client: DeviceClient = BoardClient(config, device, address, board_model)
            views.append(board_model)
        else:
            view = Presence()
            client = DeviceClient(config, device, device.role, address, view,
                                  requests=device.role == "kiosk")
            views.append(view)
        clients.append(client)
    assert board_model is not None, "the centre needs a board"
    return board_model, views, clients


def wait(predicate: object, timeout: float = 60) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.005)
    return None


def outage(broker: MosquittoBroker, workdir: Path, port: int, seconds: float,
           board: BoardModel, views: list[HubPresence], kiosk: DeviceClient
           ) -> tuple[MosquittoBroker, dict[str, float]]:
    broker.process.send_signal(signal.SIGKILL)
    broker.process.wait(5)
    time.sleep(seconds)
    # Timed from starting Mosquitto, a few tens of milliseconds before it accepts connections
    # (its constructor returns only once it does, by then some clients may be back already).
    back = time.monotonic()
    broker = MosquittoBroker(workdir / "broker", port)
    figures: dict[str, float] = {}
    board_at = wait(lambda: board.online)
    figures["board"] = (time.monotonic() - back) if board_at is not None else float("nan")
    wait(lambda: all(v.online for v in views))
    figures["all devices"] = time.monotonic() - back
    assert kiosk.requester is not None
    reply = kiosk.requester.request(m.IssueRequest(
        transaction=kiosk.requester.new_transaction(), service="A"), timeout=0.5, attempts=60)
    assert reply.ok, reply
    figures["hub answers"] = time.monotonic() - back
    return broker, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outages", type=float, nargs="+", default=[1, 3, 7, 20])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    workdir = scratch_dir("lobby-reconnect-bench-")
    port = free_port()
    address = BrokerAddress(port=port)
    broker = MosquittoBroker(workdir / "broker", port)
    config = load_config(CENTRE)
    hub = subprocess.Popen(
        [sys.executable, "-m", "lobby.cli", "--log-level", "ERROR", "hub", "--config",
         str(CENTRE), "--broker", f"{address.host}:{port}", "--db", str(workdir / "hub.sqlite")])
    board, views, clients = devices(config, address)
    for client in clients:
        client.start()
    kiosk = next(c for c in clients if c.device.role == "kiosk")
    results: dict[float, list[dict[str, float]]] = {s: [] for s in args.outages}
    try:
        assert wait(lambda: all(v.online for v in views), 30) is not None, "not all online"
        for _ in range(args.rounds):
            for seconds in args.outages:
                broker, figures = outage(broker, workdir, port, seconds, board, views, kiosk)
                results[seconds].append(figures)
                print(f"... outage {seconds:g} s: " + ", ".join(
                    f"{k} {v:.2f} s" for k, v in figures.items()), flush=True)
    finally:
        for client in clients:
            client.stop()
        hub.terminate()
        hub.wait(10)
        broker.stop()
    print(f"{len(clients)} devices and the hub on Mosquitto; {args.rounds} rounds; seconds "
          "from starting the broker again")
    print("| outage s | board online (min–max) | every device back | hub answers |")
    print("|---|---|---|---|")
    for seconds, rows in results.items():
        cells = []
        for key in ("board", "all devices", "hub answers"):
            values = [r[key] for r in rows]
            cells.append(f"{min(values):.2f}–{max(values):.2f} (mean "
                         f"{statistics.mean(values):.2f})")
        print(f"| {seconds:g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
