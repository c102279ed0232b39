"""Ticket numbers and opening hours, as pure functions of the configuration and the time.

A number is the service prefix and a zero-padded value per service per local day, in the
site's time zone; the daily index (1, 2, 3, ... for the day) is what is stored, and the value
printed wraps from `wrap_at` back to `start`.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from lobby.config.base import WEEKDAYS
from lobby.config.models import Service


def local_day(timestamp: float, zone: ZoneInfo) -> str:
    return dt.datetime.fromtimestamp(timestamp, zone).date().isoformat()


def number_for(service: Service, daily_index: int) -> str:
    numbering = service.numbering
    span = numbering.highest - numbering.start + 1
    value = numbering.start + (daily_index - 1) % span
    return f"{service.id}{value:0{numbering.width}d}"


def quota_reached(service: Service, daily_index: int) -> bool:
    quota = service.numbering.daily_quota
    return quota is not None and daily_index > quota


def is_open(service: Service, timestamp: float, zone: ZoneInfo) -> bool:
    """No hours configured means always open; otherwise within one of the periods."""
    if not service.hours:
        return True
    moment = dt.datetime.fromtimestamp(timestamp, zone)
    weekday = WEEKDAYS[moment.weekday()]
    now = moment.time()
    return any(
        weekday in period.days and period.open <= now < period.close for period in service.hours
    )


def next_opening(service: Service, timestamp: float, zone: ZoneInfo) -> dt.datetime | None:
    """When a closed service opens next (within a week), for "opens 13:30" on the kiosk and
    the board; None when it is open now or has no opening hours at all."""
    if not service.hours or is_open(service, timestamp, zone):
        return None
    moment = dt.datetime.fromtimestamp(timestamp, zone).replace(microsecond=0)
    for days_ahead in range(8):
        day = moment.date() + dt.timedelta(days=days_ahead)
        weekday = WEEKDAYS[day.weekday()]
        starts = sorted(dt.datetime.combine(day, period.open, zone)
                        for period in service.hours if weekday in period.days)
        for start in starts:
            if start > moment:
                return start
    return None
