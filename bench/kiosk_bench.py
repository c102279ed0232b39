"""Kiosk benchmarks (not timed tests): `./run.sh bench` or `python bench/kiosk_bench.py`.

Against the hub (its own process) and Mosquitto on loopback, 200 tickets each:
  - touch on a service button -> last byte of the ticket at the printer, for the file
    printer (the .bin written) and for a serial printer on a socat pty pair (its cut
    received by the printer at the far end), p50/p99;
  - the kiosk app's memory at idle (`lobby kiosk`, offscreen, voice on), RSS and peak.
The touch starts the same call the Kivy button's handler starts (KioskFlow.tap_service).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    free_port,
    memory_mb,
    percentile,
    scratch_dir,
    start_app_offscreen,
)
from emulators.printer import PrinterEmulator  # noqa: E402
from kiosk.client import KioskClient  # noqa: E402
from kiosk.printing.devices import EscposPrinter, FilePrinter, TicketPrinter  # noqa: E402
from lobby.broker.embedded import start_embedded  # noqa: E402
from lobby.bus import BrokerAddress  # noqa: E402
from lobby.config import load_config  # noqa: E402
from lobby.config.models import Printer  # noqa: E402

DEMO = ROOT / "config" / "demo.yaml"


class NextCut:
    """When the next ticket's cut reaches the far end of the pty: its last byte."""

    def __init__(self, emulator: PrinterEmulator) -> None:
        self.emulator = emulator
        self.seen = len(emulator.cut_times)

    def __call__(self) -> float:
        deadline = time.monotonic() + 5
        while len(self.emulator.cut_times) <= self.seen:
            if time.monotonic() > deadline:
                raise RuntimeError("the printer got no cut")
            time.sleep(0.0002)
        self.seen += 1
        return self.emulator.cut_times[self.seen - 1]


def measure(client: KioskClient, tickets: int,
            last_byte_at: Callable[[], float]) -> list[float]:
    latencies = []
    for _ in range(tickets):
        started = time.perf_counter()
        assert client.flow.tap_service("C"), client.flow.banner()
        finished = last_byte_at()
        latencies.append((finished - started) * 1000)
        client.flow.dismiss()
    return latencies


def kiosk_memory(config_file: Path, broker: BrokerAddress, workdir: Path) -> tuple[float, float]:
    process = start_app_offscreen("kiosk", config_file, "kiosk-1", broker, workdir, "--windowed")
    time.sleep(8)  # up, connected, clips prewarmed, idle
    values = memory_mb(process.pid)
    process.terminate()
    process.wait(10)
    return values["VmRSS"], values["VmHWM"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    args = parser.parse_args()
    workdir = scratch_dir("lobby-kiosk-bench-")
    raw = yaml.safe_load(DEMO.read_text())
    raw["hub"]["db"] = str(workdir / "hub.sqlite")
    raw["devices"][0]["kiosk"] = {"printer": {"connection": "file",
                                              "path": str(workdir / "tickets")}}
    config_file = workdir / "bench.yaml"
    config_file.write_text(yaml.safe_dump(raw, allow_unicode=True))
    config = load_config(config_file)
    device = config.device("kiosk-1")
    assert device is not None
    broker = start_embedded(workdir / "broker", free_port())
    address = BrokerAddress(host=broker.host, port=broker.port)
    hub = subprocess.Popen([sys.executable, "-m", "lobby.cli", "--log-level", "ERROR", "hub",
                            "--config", str(config_file), "--broker",
                            f"{address.host}:{address.port}"])
    rows = []
    emulator = PrinterEmulator(workdir)
    printers: list[tuple[str, TicketPrinter, Callable[[], float]]] = [
        # The file printer has written the .bin when print_ticket returns.
        ("file", FilePrinter(Printer(path=str(workdir / "tickets"))), time.perf_counter),
        ("serial (pty)", EscposPrinter(Printer(connection="serial", port=emulator.port)),
         NextCut(emulator)),
    ]
    try:
        for name, printer, last_byte in printers:
            client = KioskClient(config, device, address, printer)
            client.start()
            deadline = time.monotonic() + 20
            while not (client.flow.online and client.flow.queues):
                if time.monotonic() > deadline:
                    raise RuntimeError("the kiosk did not come online")
                time.sleep(0.05)
            latencies = measure(client, args.tickets, last_byte)
            rows.append((name, statistics.median(latencies), percentile(latencies, 0.99)))
            client.stop()
        rss, peak = kiosk_memory(config_file, address, workdir)
    finally:
        emulator.close()
        hub.terminate()
        hub.wait(10)
        broker.stop()
    print(f"\n{args.tickets} tickets per printer; hub and {broker.kind} on loopback\n")
    print("| printer | touch → last byte p50 ms | p99 ms |")
    print("|---|---|---|")
    for name, p50, p99 in rows:
        print(f"| {name} | {p50:.1f} | {p99:.1f} |")
    print(f"\nkiosk at idle (offscreen, voice on): RSS {rss:.0f} MB, peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
