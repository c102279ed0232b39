"""Draws one app as the screen gallery does (scripts/screens.py: a realistic moment fed into
its view-model) and writes what the layout audit found: labels outside their boxes, over
each other or off the screen. Usage: screen_driver.py APP ORIENTATION CENTRE OUT.json"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    app_name, orientation, centre, out = sys.argv[1:5]
    spec = importlib.util.spec_from_file_location("screens", ROOT / "scripts" / "screens.py")
    assert spec is not None and spec.loader is not None
    screens = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(screens)
    from devicekit.window import prepare_window, screen_size
    from lobby.config import load_config

    config = load_config(screens.CENTRES[centre])
    prepare_window(screen_size("counter" if app_name == "terminal" else app_name, orientation),
                   fullscreen=False)
    from kivy.clock import Clock

    from tests.ui.harness import label_problems

    app = screens.build(app_name, orientation, config)
    found: dict[str, object] = {}

    def settle() -> None:
        """Lets Kivy lay the new page out before it is looked at."""
        from kivy.base import EventLoop

        for _ in range(3):
            EventLoop.idle()

    def audit(_dt: float) -> None:
        problems = label_problems(app.root)
        if app_name == "kiosk":
            found["pages"] = int(app.pages)
            for page in range(1, int(app.pages)):  # every page of services too
                app.page = page
                app.refresh()
                settle()
                problems += [f"page {page + 1}: {p}" for p in label_problems(app.root)]
        if app_name == "board":
            for page in range(1, 4):  # the waiting lines' other pages (they turn)
                app.show_waiting_page(page)
                settle()
                problems += [f"waiting page {page + 1}: {p}" for p in label_problems(app.root)]
        found["problems"] = problems
        app.stop()

    Clock.schedule_once(audit, 1.5)
    app.run()
    Path(out).write_text(json.dumps(found, ensure_ascii=False, indent=1))
    return 0 if "problems" in found else 1


if __name__ == "__main__":
    sys.exit(main())
