"""Wait estimates from recent service times (called -> done) per service."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

from lobby.config.models import LobbyConfig

RECENT = 20  # service times kept per service: recent enough to follow the day's pace


class ServiceTimes:
    def __init__(self, config: LobbyConfig) -> None:
        self._config = config
        self._recent: dict[str, deque[float]] = {s.id: deque(maxlen=RECENT)
                                                 for s in config.services}

    def record(self, service: str, seconds: float) -> None:
        if service in self._recent and 0 < seconds < 4 * 3600:
            self._recent[service].append(seconds)

    def load(self, rows: Iterable[tuple[str, float]]) -> None:
        for service, seconds in rows:
            self.record(service, seconds)

    def average_minutes(self, service: str) -> float:
        recent = self._recent.get(service)
        if recent:
            return sum(recent) / len(recent) / 60
        found = self._config.service(service)
        return found.default_service_minutes if found else 5.0

    def estimate_minutes(self, service: str, ahead: int, serving_counters: int) -> int:
        """Minutes until a ticket with `ahead` people before it is called, with
        `serving_counters` counters working the line in parallel (at least one assumed)."""
        if ahead <= 0:
            return 0
        return math.ceil(self.average_minutes(service) * ahead / max(1, serving_counters))
