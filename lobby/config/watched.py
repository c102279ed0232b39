"""The centre's configuration as the console and the public page use it: the hub's own file,
read again when it changes (`lobby config apply` and the console's settings page replace it),
so a renamed service, a new counter or a removed console user takes effect at the next
request."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from lobby.config import load_config
from lobby.config.models import LobbyConfig

log = logging.getLogger(__name__)


class CentreConfig:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._config = load_config(path)  # a broken file at start is the admin's to fix
        self._stamp = path.stat().st_mtime_ns

    def current(self) -> LobbyConfig:
        with self._lock:
            try:
                stamp = self.path.stat().st_mtime_ns
            except OSError:
                return self._config
            if stamp != self._stamp:
                self._stamp = stamp
                try:
                    self._config = load_config(self.path)
                except Exception:  # the hub refuses such a file too: keep the last good one
                    log.exception("%s not re-read; keeping the last good configuration",
                                  self.path)
            return self._config
