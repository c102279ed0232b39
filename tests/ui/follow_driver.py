"""Runs a device app exactly as `lobby kiosk|board|counter ...` does (the arguments after
`--`), offscreen, and watches what its screen says: each marker (texts that must be shown,
texts that must not; `window:WxH` is the window's size) is checked every 20 ms, in order,
and the wall-clock time it first holds is appended to the output file. A device that starts
itself again (its first configuration, a new window setting) runs this driver again, which
skips the markers already seen.

    python follow_driver.py OUT MARKERS.json -- kiosk --device kiosk-1 --site S --broker H:P
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.02
HIDDEN = -5000  # the apps move unused rows far off the window instead of removing them


def screen_texts() -> set[str]:
    from kivy.core.window import Window

    found = {f"window:{Window.width}x{Window.height}"}
    widgets = [w for child in Window.children for w in child.walk(restrict=True)]
    for widget in widgets:
        if getattr(widget, "opacity", 1) == 0 or widget.x < HIDDEN or widget.y < HIDDEN:
            continue
        for attribute in ("text", "name", "number", "counter_text"):
            value = getattr(widget, attribute, None)
            if isinstance(value, str) and value:
                found.add(value)
    return found


def running_app() -> Any:
    """The running Kivy app, or None: `kivy.app` may be in sys.modules half imported (the
    app's thread is importing it), so its `App` is looked up, not assumed."""
    app_module = sys.modules.get("kivy.app")
    app_class = getattr(app_module, "App", None)
    return None if app_class is None else app_class.get_running_app()


def main() -> int:
    out, markers_file = Path(sys.argv[1]), Path(sys.argv[2])
    command = sys.argv[sys.argv.index("--") + 1:]
    markers: list[dict[str, Any]] = json.loads(markers_file.read_text())
    seen = {json.loads(line)["marker"] for line in out.read_text().splitlines()} \
        if out.exists() else set()
    pending = [m for m in markers if m["name"] not in seen]
    run = uuid.uuid4().hex  # this program's run: a device that starts again keeps its pid

    def watch() -> None:
        """Waits for the app to run, then checks the markers on its clock."""
        while running_app() is None:
            time.sleep(0.05)
        from kivy.clock import Clock

        def check(_dt: float) -> bool:
            if not pending:
                return False
            texts = " | ".join(sorted(screen_texts()))
            marker = pending[0]
            if all(t in texts for t in marker.get("present", ())) and not any(
                    t in texts for t in marker.get("absent", ())):
                pending.pop(0)
                with out.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps({"marker": marker["name"], "at": time.time(),
                                             "run": run, "texts": texts},
                                            ensure_ascii=False) + "\n")
            return True

        Clock.schedule_interval(check, POLL_SECONDS)

    threading.Thread(target=watch, daemon=True).start()
    from lobby.cli import main as lobby

    return lobby(command)


if __name__ == "__main__":
    sys.exit(main())
