"""The centre on the criteria provinces rate it by (docs/metrics.md, "Scorecard"): the share
served on time, the mean wait, the mean service time, the satisfaction index and the no-show
rate — today, this month, and week by week for the last eight weeks.

One pass over the store: figures by day, then summed into each period (a period's waits are
its days' waits together, so its median and mean are exact, not a mean of means)."""

from __future__ import annotations

import datetime as dt
import statistics
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from hub import metrics
from hub import report as ratings_report
from hub.store.reading import open_read_only
from lobby.config.models import LobbyConfig

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
           ratings: dict[str, ratings_report.Figures], best_two: set[str]) -> Score:
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
            satisfied += sum(r.levels[level] for level in best_two)
        day += dt.timedelta(days=1)
    return Score(label, first, last, issued, within / timed if timed else None,
                 statistics.fmean(waits) if waits else None,
                 statistics.fmean(services) if services else None,
                 satisfied / rated if rated else None,
                 no_show / (served + no_show) if served + no_show else None)


def build(db: Path, config: LobbyConfig, today: dt.date) -> Scorecard:
    monday = today - dt.timedelta(days=today.weekday())
    first_week = monday - dt.timedelta(weeks=WEEKS - 1)
    first = min(first_week, today.replace(day=1))
    targets = {s.id: s.target_wait_minutes for s in config.services
               if s.target_wait_minutes is not None}
    with closing(open_read_only(db)) as conn:
        days = metrics.figures(conn, first.isoformat(), today.isoformat(), "day",
                               config.site.zone, targets)
    ratings = ratings_report.collect(db, first.isoformat(), today.isoformat(), "day")
    best_two = {level.id for level in config.ratings.levels[:2]}
    weeks = [_score((first_week + dt.timedelta(weeks=n)).isoformat(),
                    first_week + dt.timedelta(weeks=n),
                    min(today, first_week + dt.timedelta(weeks=n, days=6)), days, ratings,
                    best_two) for n in range(WEEKS)]
    return Scorecard(_score("today", today, today, days, ratings, best_two),
                     _score("month", today.replace(day=1), today, days, ratings, best_two),
                     weeks)
