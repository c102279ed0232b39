"""Figures of settled days, kept by the console in its own SQLite file, so a year's report is
a merge of 250 kept days instead of a pass over 300,000 tickets and a million events.

A day is *settled* once it ended more than a quarter of an hour ago (the hub closes the day's
leftovers at midnight): its tickets take no new event, so its figures never change. Each
day's figures are kept per grouping and per the targets they were computed with (a changed
`target_wait_minutes` computes again). Today, and any day not settled, is computed live.
The store stays the hub's and read-only; this file is the console's alone and may be deleted
at any time (it fills again as reports are asked for, and each night).

Figures merge exactly: counts add up, and a period's waits are its days' waits together, so
medians and percentiles are those of the period, not averages of daily ones."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from array import array
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from console.reporting import GROUPINGS, RATED_GROUPINGS
from hub import metrics
from hub import report as ratings_report
from hub.store.reading import open_read_only
from lobby.config.models import LobbyConfig

SETTLE_AFTER = dt.timedelta(minutes=15)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS days (
    kind TEXT NOT NULL,      -- figures / ratings
    grouping TEXT NOT NULL,  -- '' for the whole centre
    basis TEXT NOT NULL,     -- what the figures depend on besides the store (the targets)
    day TEXT NOT NULL,
    body TEXT NOT NULL,      -- JSON: group key -> figures
    PRIMARY KEY (kind, grouping, basis, day)
)"""

Figures = dict[str, metrics.Figures]
Ratings = dict[str, ratings_report.Figures]


def _figures_json(groups: Figures) -> str:
    return json.dumps({key: {name: list(value) if isinstance(value, array) else value
                             for name, value in vars(f).items()}
                       for key, f in groups.items()}, separators=(",", ":"))


def _figures_from(body: str) -> Figures:
    return {key: metrics.Figures(**fields) for key, fields in json.loads(body).items()}


def _ratings_json(groups: Ratings) -> str:
    return json.dumps({key: {"served": f.served, "levels": f.levels, "reasons": f.reasons}
                       for key, f in groups.items()}, separators=(",", ":"))


def _ratings_from(body: str) -> Ratings:
    return {key: ratings_report.Figures(fields["served"], Counter(fields["levels"]),
                                        Counter(fields["reasons"]))
            for key, fields in json.loads(body).items()}


def merge_figures(into: Figures, more: Figures) -> None:
    """`more` added to `into`; the minutes join arrays of doubles (8 bytes a value, not a
    Python float's 32: a year's waits take 5 MB, not 20)."""
    for key, f in more.items():
        total = into.get(key)
        if total is None:
            total = into[key] = metrics.Figures(waits=array("d"), services=array("d"))
        for name, value in vars(f).items():
            if isinstance(value, list):
                getattr(total, name).extend(value)
            else:
                setattr(total, name, getattr(total, name) + value)


def merge_ratings(into: Ratings, more: Ratings) -> None:
    for key, f in more.items():
        total = into.setdefault(key, ratings_report.Figures())
        total.served += f.served
        total.levels.update(f.levels)
        total.reasons.update(f.reasons)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


class DayCache:
    def __init__(self, path: Path, store: Path) -> None:
        self.path = path
        self.store = store
        self._lock = threading.Lock()
        # Set when the console stops: a fill in progress ends at the next day (the process
        # would otherwise wait for its thread, up to the half minute a year's fill takes).
        self.stopping = threading.Event()
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    def settled_until(self, config: LobbyConfig) -> dt.date:
        """The last settled day."""
        return (dt.datetime.now(config.site.zone) - SETTLE_AFTER).date() - dt.timedelta(days=1)

    def figures(self, config: LobbyConfig, first: str, last: str, by: str | None,
                keep_only: bool = False) -> Figures:
        """Merged figures of [first, last]; `keep_only`: fill the cache, merge nothing."""
        targets = {s.id: s.target_wait_minutes for s in config.services
                   if s.target_wait_minutes is not None}
        basis = json.dumps(targets, sort_keys=True)

        def compute(conn: sqlite3.Connection, frm: str, to: str) -> Figures:
            return metrics.figures(conn, frm, to, by, config.site.zone, targets)

        result: Figures = {}
        self._collect(config, "figures", by, basis, first, last, compute, _figures_json,
                      None if keep_only else _figures_from,
                      lambda more: merge_figures(result, more))
        return result

    def ratings(self, config: LobbyConfig, first: str, last: str, by: str | None,
                keep_only: bool = False) -> Ratings:
        def compute(_conn: sqlite3.Connection, frm: str, to: str) -> Ratings:
            return ratings_report.collect(self.store, frm, to, by)

        result: Ratings = {}
        self._collect(config, "ratings", by, "", first, last, compute, _ratings_json,
                      None if keep_only else _ratings_from,
                      lambda more: merge_ratings(result, more))
        return result

    def fill(self, config: LobbyConfig, first: dt.date, last: dt.date) -> None:
        """Keeps the settled days in [first, last] for every grouping the pages use (in the
        background at start, and each night for the day that ended)."""
        end = min(last, self.settled_until(config))
        if first > end:
            return
        frm, to = first.isoformat(), end.isoformat()
        for by in (None, *GROUPINGS, metrics.WEEKDAY_HOUR):
            self.figures(config, frm, to, by, keep_only=True)
        for by in (None, *RATED_GROUPINGS):
            self.ratings(config, frm, to, by, keep_only=True)

    def _collect(self, config: LobbyConfig, kind: str, by: str | None, basis: str,
                 first: str, last: str, compute: Callable[[sqlite3.Connection, str, str], Any],
                 encode: Callable[[Any], str], decode: Callable[[str], Any] | None,
                 merge: Callable[[Any], None]) -> None:
        """Kept days decoded and merged, missing days computed and kept; with no `decode`,
        only the missing days are computed and kept (nothing is merged)."""
        start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        settled = min(end, self.settled_until(config))
        grouping = by or ""
        with closing(open_read_only(self.store)) as store, \
                closing(sqlite3.connect(self.path)) as cache:
            if start <= settled:
                kept = dict(cache.execute(
                    f"SELECT day, {'body' if decode else 'NULL'} FROM days WHERE kind = ? "
                    "AND grouping = ? AND basis = ? AND day BETWEEN ? AND ?",
                    (kind, grouping, basis, start.isoformat(), settled.isoformat())))
                for day in _days(start, settled):
                    if decode is None and self.stopping.is_set():
                        return  # only filling: nothing is waiting for this
                    key = day.isoformat()
                    if key in kept:
                        if decode is not None:
                            merge(decode(kept[key]))
                        continue
                    computed = compute(store, key, key)
                    with self._lock, cache:
                        cache.execute("INSERT OR REPLACE INTO days VALUES (?, ?, ?, ?, ?)",
                                      (kind, grouping, basis, key, encode(computed)))
                    if decode is not None:
                        merge(computed)
            live_from = max(start, settled + dt.timedelta(days=1))
            if live_from <= end and decode is not None:
                merge(compute(store, live_from.isoformat(), end.isoformat()))
