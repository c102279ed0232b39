"""The centre on the criteria provinces rate it by (docs/metrics.md, "Scorecard"): the share
served on time, the mean wait, the mean service time, the satisfaction index and the no-show
rate — today, this month, and week by week for the last eight weeks.

Figures by day (settled days kept by the console's day cache), summed into each period (a
period's waits are its days' waits together, so its mean is exact, not a mean of means)."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from console.day_cache import DayCache
from hub import metrics
from hub import report as ratings_report
from lobby.config.models import LobbyConfig
from lobby.config.people import RatingLevel

WEEKS = 8


@dataclass(frozen=True)
class Score:
    label: str  # "today", "month" or the Monday of a week (ISO date)
    first: dt.date
    last: dt.date
    issued: int
    on_time: float | None
    mean_wait: float | None
    mean_service: float | None
    satisfaction: float | None
    no_show_rate: float | None


@dataclass(frozen=True)
class Scorecard:
    today: Score
    month: Score
    weeks: list[Score]  # oldest first


def _score(label: str, first: dt.date, last: dt.date, days: dict[str, metrics.Figures],
           ratings: dict[str, ratings_report.Figures], scale: list[RatingLevel]) -> Score:
    waits: list[float] = []
    services: list[float] = []
    issued = timed = within = served = no_show = rated = satisfied = 0
    day = first
    while day <= last:
        key = day.isoformat()
        f = days.get(key)
        if f is not None:
            waits += f.waits
            services += f.services
            issued += f.issued
            timed += f.timed
            within += f.within_target
            served += f.served
            no_show += f.no_show
        r = ratings.get(key)
        if r is not None:
            rated += r.ratings
            satisfied += r.satisfied(scale)
        day += dt.timedelta(days=1)
    return Score(label, first, last, issued, within / timed if timed else None,
                 statistics.fmean(waits) if waits else None,
                 statistics.fmean(services) if services else None,
                 satisfied / rated if rated else None,
                 no_show / (served + no_show) if served + no_show else None)


def build(days_cache: DayCache, config: LobbyConfig, today: dt.date) -> Scorecard:
    monday = today - dt.timedelta(days=today.weekday())
    first_week = monday - dt.timedelta(weeks=WEEKS - 1)
    first = min(first_week, today.replace(day=1))
    days = days_cache.figures(config, first.isoformat(), today.isoformat(), "day")
    ratings = days_cache.ratings(config, first.isoformat(), today.isoformat(), "day")
    scale = config.ratings.levels
    weeks = [_score((first_week + dt.timedelta(weeks=n)).isoformat(),
                    first_week + dt.timedelta(weeks=n),
                    min(today, first_week + dt.timedelta(weeks=n, days=6)), days, ratings,
                    scale) for n in range(WEEKS)]
    return Scorecard(_score("today", today, today, days, ratings, scale),
                     _score("month", today.replace(day=1), today, days, ratings, scale),
                     weeks)
