"""Board benchmarks (not timed tests): `./run.sh bench` or `python bench/board_bench.py`.

In this process: the real board (Kivy, offscreen), its bus client and announcer (a sink that
only notes the time: playback instant so that one call's audio does not delay the next one's
measurement, and no file writes of a test sink on the speaker's thread),
and a publisher thread sending `event/called` (and the retained board) through Mosquitto on
loopback as the hub does, every 150 ms. Measured from just before the publish:
  - until a frame is drawn (Window flip) after the repaint that shows the call, p50/p99;
  - until the announcement's first sample is handed to the sink (clips cached), p50/p99.
Then `lobby board` as its own process, offscreen and idle: RSS and CPU share of one core.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
if "KIVY_HOME" not in os.environ:  # Kivy's settings and logs: not in ~/.kivy
    os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-")
    atexit.register(shutil.rmtree, os.environ["KIVY_HOME"], ignore_errors=True)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    free_port,
    memory_mb,
    percentile,
    scratch_dir,
    start_app_offscreen,
)
from devicekit.window import prepare_window, screen_size  # noqa: E402
from lobby.broker.embedded import start_embedded  # noqa: E402
from lobby.bus import BrokerAddress, Bus  # noqa: E402
from lobby.config import load_config  # noqa: E402
from lobby.contract import messages as m  # noqa: E402
from lobby.contract.registry import Topics, spec  # noqa: E402

DEMO = ROOT / "config" / "demo.yaml"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def board_process(broker: BrokerAddress, workdir: Path, seconds: float) -> tuple[float, float]:
    process = start_app_offscreen("board", DEMO, "board-1", broker, workdir)
    time.sleep(8)  # started, connected, clips prewarmed

    def cpu_seconds() -> float:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before, started = cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    share = (cpu_seconds() - before) / (time.monotonic() - started)
    rss = memory_mb(process.pid)["VmRSS"]
    process.terminate()
    process.wait(10)
    return rss, share * 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--idle-seconds", type=float, default=20)
    args = parser.parse_args()
    workdir = scratch_dir("lobby-board-bench-")
    broker = start_embedded(workdir / "broker", free_port())
    address = BrokerAddress(host=broker.host, port=broker.port)
    config = load_config(DEMO)
    device = config.device("board-1")
    assert device is not None
    settings = device.board_settings
    prepare_window(screen_size("board", settings.orientation), fullscreen=False)

    from kivy.clock import Clock
    from kivy.core.window import Window

    from devicekit.speech import Audio, Speaker, Synthesizer
    from display.announcer import Announcer
    from display.board_app import BoardApp
    from display.board_client import BoardClient
    from display.board_model import BoardModel

    published: dict[int, float] = {}
    drawn: dict[int, float] = {}
    heard: dict[int, float] = {}
    model = BoardModel(config, settings)

    class FirstSampleSink:
        def play(self, audio: Audio, label: str) -> None:
            heard.setdefault(int(label.split()[0]), time.perf_counter())

    sink = FirstSampleSink()
    announcer = Announcer(config, settings, Speaker(Synthesizer(workdir / "clips"), sink))
    announcer.prewarm()
    client = BoardClient(config, device, address, model, announcer)
    app = BoardApp(model)
    painted = {"seq": 0}
    original_refresh = app.refresh

    def refresh() -> None:
        original_refresh()
        newest = model.newest()
        painted["seq"] = newest.seq if newest else 0

    app.refresh = refresh  # type: ignore[method-assign]

    def on_flip(*_args: object) -> None:
        seq = painted["seq"]
        if seq in published and seq not in drawn:
            drawn[seq] = time.perf_counter()

    hub = Bus(Topics(config.site.id), client_id="bench-hub", broker=address)

    def publish_calls() -> None:
        hub.start()
        hub.wait_connected(10)
        hub.publish(spec("state.board"), m.BoardState(seq=0, calls=[], at=now()))
        time.sleep(3)
        calls: list[m.BoardCall] = []
        for seq in range(1, args.calls + 1):
            event = m.CalledEvent(seq=seq, number=f"A{seq % 1000:03d}", counter=str(seq % 5 + 1),
                                  counter_number=seq % 5 + 1, service="A", recall=False,
                                  at=now())
            calls = [m.BoardCall(**event.model_dump()), *calls][:10]
            ticket = m.TicketView(id=seq, number=event.number, service="A", state="called",
                                  issued_at=event.at, called_at=event.at, counter=event.counter)
            view = m.CounterView(counter=event.counter, number=event.counter_number,
                                 status="open", services=["A"], ticket=ticket, at=event.at)
            published[seq] = time.perf_counter()
            hub.publish(spec("state.counter"), view, counter=event.counter)
            hub.publish(spec("state.board"), m.BoardState(seq=seq, calls=calls, at=event.at))
            hub.publish(spec("event.called"), event)
            time.sleep(0.15)
        time.sleep(1)
        Clock.schedule_once(lambda _dt: app.stop())

    def start(_dt: float) -> None:
        Window.bind(on_flip=on_flip)
        client.start()
        threading.Thread(target=publish_calls, daemon=True).start()

    Clock.schedule_once(start, 0.5)
    app.run()
    client.stop()
    hub.stop()
    to_frame = [(drawn[s] - published[s]) * 1000 for s in published if s in drawn]
    to_sound = [(heard[s] - published[s]) * 1000 for s in published if s in heard]
    rss, cpu = board_process(address, workdir, args.idle_seconds)
    broker.stop()
    print(f"\n{len(published)} calls, one every 150 ms, {broker.kind} on loopback; "
          f"frames drawn for {len(to_frame)}, sounds started for {len(to_sound)}\n")
    print("| from event/called published to | p50 ms | p99 ms |")
    print("|---|---|---|")
    print(f"| board view updated and frame drawn | {statistics.median(to_frame):.1f} | "
          f"{percentile(to_frame, 0.99):.1f} |")
    print(f"| first audio sample handed to the sink | {statistics.median(to_sound):.1f} | "
          f"{percentile(to_sound, 0.99):.1f} |")
    print(f"\nboard process at idle (offscreen, voice on): RSS {rss:.0f} MB, "
          f"CPU {cpu:.2f} % of a core over {args.idle_seconds:.0f} s")


if __name__ == "__main__":
    main()
