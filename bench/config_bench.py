"""What a configuration change costs the hub (not a timed test): `python bench/config_bench.py`.

On the merged commune centre at peak size (tests/fixtures/centres/merged-commune.yaml) with a
busy day already in the store (about `--waiting` tickets waiting and as many served),
measured in the hub's own process, without MQTT:
  1. a reload: the engine rebuilt on the new configuration from the store, plus the new
     revision stored — the time the hub's one worker answers nothing else, p50/max;
  2. the size of the published `state/config` (what every device receives on a change).
The screens' part (publish -> redrawn) is measured by tests/test_config_follow.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import scratch_dir  # noqa: E402
from hub.config_revisions import current_revision, for_devices  # noqa: E402
from hub.engine import Engine  # noqa: E402
from hub.store import Store  # noqa: E402
from lobby.config import load_config, parse_config  # noqa: E402

CENTRE = ROOT / "tests" / "fixtures" / "centres" / "merged-commune.yaml"


def busy_day(engine: Engine, waiting: int) -> None:
    services = [s.id for s in engine.config.services]
    kiosk = next(d.id for d in engine.config.devices if d.role == "kiosk")
    for index in range(2 * waiting):
        body = json.dumps({"transaction": f"b{index}",
                           "service": services[index % len(services)]}).encode()
        engine.handle_request(kiosk, "issue", body)
    for counter in engine.config.counters:
        for _ in range(waiting // len(engine.config.counters)):
            engine.handle_counter_command(counter.id, "call_next", "bench")
            engine.handle_counter_command(counter.id, "done", "bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=1000)
    parser.add_argument("--reloads", type=int, default=20)
    args = parser.parse_args()
    folder = scratch_dir("config-bench-")
    text = CENTRE.read_text(encoding="utf-8")
    config = load_config(CENTRE)
    for service in config.services:  # open whatever the day of the run
        service.hours.clear()
    engine = Engine(config, Store(folder / "hub.sqlite"))
    busy_day(engine, args.waiting)
    waiting = sum(len(line) for line in engine.live.waiting.values())
    first_name = config.services[0].names["vi"]
    times = []
    for index in range(args.reloads):
        renamed = parse_config(text.replace(first_name, f"{first_name} ({index})", 1))
        for service in renamed.services:
            service.hours.clear()
        started = time.perf_counter()
        engine.reconfigure(renamed)
        current_revision(engine.store, renamed, time.time(), "bench")
        times.append((time.perf_counter() - started) * 1000)
    size = len(json.dumps(for_devices(config), ensure_ascii=False).encode())
    print("| measure | value |\n|---|---|")
    print(f"| centre | {len(config.services)} services, {len(config.counters)} counters, "
          f"{len(config.devices)} devices; {waiting} tickets waiting |")
    print(f"| reload (engine rebuilt + revision stored), p50 / max | "
          f"{statistics.median(times):.1f} / {max(times):.1f} ms |")
    print(f"| `state/config` payload | {size / 1024:.1f} KB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
