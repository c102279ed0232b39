"""Time in one place: the hub and devices take a `Clock`, so tests can move it across
midnight, and every timestamp on the wire is ISO 8601 with the site's offset."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo


class Clock:
    def now(self) -> float:
        return time.time()


class ManualClock(Clock):
    def __init__(self, start: float) -> None:
        self.value = start

    def now(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


def iso(timestamp: float, zone: ZoneInfo) -> str:
    return dt.datetime.fromtimestamp(timestamp, zone).isoformat(timespec="seconds")


def local(timestamp: float, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, zone)
