"""The screen gallery: `./run.sh screens` (or `python scripts/screens.py [--out DIR]`) draws
each app at each production size from the demo centre (4 services, 5 counters) and the
merged commune centre (16 services, 14 counters, 6 priority groups), offscreen, with a
realistic moment of the day fed straight into its view-model (no broker, no hub), and
writes PNGs to docs/screens/ (shown in docs/kiosk.md and docs/display.md).

Each screenshot is drawn by a process of its own (one Kivy window per process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures" / "centres"
# The gallery shows the first two; the layout tests draw all five (1 to 20 services).
CENTRES = {"demo": ROOT / "config" / "demo.yaml", "merged": FIXTURES / "merged-commune.yaml",
           "tiny": FIXTURES / "tiny.yaml", "ten": FIXTURES / "ten.yaml",
           "largest": FIXTURES / "largest.yaml"}
GALLERY = ("demo", "merged")
SHOTS = [  # app, orientation
    ("kiosk", "portrait"), ("kiosk", "landscape"), ("board", "landscape"),
    ("board", "portrait"), ("terminal", "landscape"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screens"))
    parser.add_argument("--one", nargs=3, metavar=("APP", "ORIENTATION", "CENTRE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = Path(args.out)
    if args.one:
        draw(*args.one, out)
        return
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_LOG_MODE="PYTHON", KIVY_HOME=tempfile.mkdtemp(prefix="kivy-"))
    for centre in GALLERY:
        for app, orientation in SHOTS:
            subprocess.run([sys.executable, __file__, "--out", str(out), "--one", app,
                            orientation, centre], env=env, check=True, timeout=120)
            print(f"wrote {out}/{centre}-{app}-{orientation}.png")


def draw(app_name: str, orientation: str, centre: str, out: Path) -> None:
    from devicekit.window import prepare_window, screen_size
    from lobby.config import load_config

    config = load_config(CENTRES[centre])
    prepare_window(screen_size("counter" if app_name == "terminal" else app_name, orientation),
                   fullscreen=False)
    from kivy.clock import Clock
    from kivy.core.window import Window

    app = build(app_name, orientation, config)

    def shoot(_dt: float) -> None:
        path = out / f"{centre}-{app_name}-{orientation}.png"
        Window.screenshot(name=str(path))
        path.with_name(path.stem + "0001.png").replace(path)
        app.stop()

    Clock.schedule_once(shoot, 1.5)
    app.run()


def build(app_name: str, orientation: str, config: Any) -> Any:
    from lobby.contract import messages as m

    zone = config.site.zone
    now = dt.datetime.now(zone).replace(microsecond=0)
    online = m.HubState(state="online", version="screens", since=now)
    queues = m.QueuesState(seq=1, at=now, services=[
        m.ServiceQueue(id=s.id, names=dict(s.names), open=not s.hours, waiting=(i * 3) % 11,
                       waiting_priority=i % 2, estimate_minutes=(i * 7) % 40 + 3,
                       opens_at=None if not s.hours else now + dt.timedelta(hours=2))
        for i, s in enumerate(config.services)])
    if app_name == "kiosk":
        from kiosk.app import KioskApp
        from kiosk.flow import KioskFlow
        from kiosk.printing.devices import PrinterState

        device = next(d for d in config.devices if d.role == "kiosk")
        flow = KioskFlow(config=config, device=device, issue=None,  # type: ignore[arg-type]
                         report_print_failed=None,  # type: ignore[arg-type]
                         report_not_handed_out=None,  # type: ignore[arg-type]
                         printer=None,  # type: ignore[arg-type]
                         new_transaction=lambda: "screens")
        flow.set_connected(True)
        flow.on_hub(online)
        flow.set_queues(queues)
        flow.set_printer(PrinterState("ok", True))
        return KioskApp(flow, landscape=orientation == "landscape")
    if app_name == "board":
        from display.board_app import BoardApp
        from display.board_model import BoardModel

        device = next(d for d in config.devices if d.role == "board")
        model = BoardModel(config, device.board_settings)
        model.set_connected(True)
        model.on_hub(online)
        model.on_queues(queues)
        calls = []
        for seq, counter in enumerate(config.counters[:12], 1):
            service = counter.services[0]
            number = f"{service}{seq + 20:03d}"
            calls.append(m.BoardCall(seq=seq, number=number, counter=counter.id,
                                     counter_number=counter.number, service=service,
                                     recall=False, at=now))
            ticket = m.TicketView(id=seq, number=number, service=service, state="called",
                                  issued_at=now, called_at=now, counter=counter.id)
            model.on_counter(m.CounterView(counter=counter.id, number=counter.number,
                                           status="open", services=list(counter.services),
                                           ticket=ticket if seq > 3 else None, at=now))
        model.on_board(m.BoardState(seq=len(calls), at=now, calls=list(reversed(calls))))
        return BoardApp(model, portrait=orientation == "portrait")
    from devicekit.i18n import tr
    from display.terminal_app import TerminalApp
    from display.terminal_model import DONE, TerminalModel

    counter = config.counters[0]
    model_t = TerminalModel(config, counter.id, lambda *_a, **_k: None)  # type: ignore[arg-type,return-value]
    model_t.set_connected(True)
    model_t.on_hub(online)
    model_t.on_queues(queues)
    ticket = m.TicketView(id=1, number=f"{counter.services[0]}023",
                          service=counter.services[0], state="called", issued_at=now,
                          called_at=now, counter=counter.id, priority=None)
    model_t.on_counter(m.CounterView(counter=counter.id, number=counter.number, status="open",
                                     services=list(counter.services), ticket=ticket, at=now))
    # The confirmation staff see after pressing Next, so the gallery shows its colour too.
    model_t.message = tr(model_t.language, DONE["call_next"], number=ticket.number)
    return TerminalApp(model_t)


if __name__ == "__main__":
    main()
