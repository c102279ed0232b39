"""A device asked to stop before its window is up (devicekit/startup.py sets it, the app
stops as soon as it runs)."""

from __future__ import annotations

import threading

# Set when the service is stopped (SIGTERM) before the app's window is up; the app then stops
# as soon as it runs (devicekit.app), cleanly, instead of dying mid-start.
STOP_REQUESTED = threading.Event()
