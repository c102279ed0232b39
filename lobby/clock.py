"""Time in one place: the hub and devices take a `Clock`, so tests can move it across
midnight, and every timestamp in a contract message is an aware datetime in the site's zone."""

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


def stamp(timestamp: float, zone: ZoneInfo) -> dt.datetime:
    """A contract timestamp: aware, in the site's zone, to the second (ISO 8601 with the
    site's offset on the wire)."""
    return dt.datetime.fromtimestamp(timestamp, zone).replace(microsecond=0)


def local(timestamp: float, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, zone)
