"""Figures over a year of a busy centre (not a timed test): `python bench/metrics_bench.py`.

Builds a store holding a year of the merged commune centre (`--tickets`, default 300,000
tickets over 250 working days, with their events and ratings: served, no-shows, transfers,
cancellations), then times `hub.metrics.figures` and `hub.report.collect` for a month and
for the year, grouped by service, counter and officer, on the store opened read-only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import scratch_dir  # noqa: E402
from hub import metrics  # noqa: E402
from hub.report import collect  # noqa: E402
from hub.store import Store  # noqa: E402
from lobby.config import load_config  # noqa: E402

CENTRE = ROOT / "tests" / "fixtures" / "centres" / "merged-commune.yaml"
EventRow = tuple[int, float, str, str | None, str, str | None, str | None]


def build(db: Path, tickets: int, rng: random.Random,
          first_day: dt.date = dt.date(2025, 1, 2)) -> tuple[str, str, str]:
    """A year of tickets (250 working days from `first_day`); returns the first day, the
    first day of the last month, the last."""
    config = load_config(CENTRE)
    Store(db).close()  # the schema, by the migrations
    zone = ZoneInfo(config.site.timezone)
    services = [s.id for s in config.services]
    counters = [c.id for c in config.counters]
    staff = [f"nv-{i:02d}" for i in range(20)]
    days: list[dt.date] = []
    day = first_day
    while len(days) < 250:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    per_day = tickets // len(days)
    conn = sqlite3.connect(db)
    rows: list[tuple[object, ...]] = []
    events: list[EventRow] = []
    ratings: list[tuple[object, ...]] = []
    ticket_id = 0
    for day in days:
        opening = dt.datetime.combine(day, dt.time(7, 30), zone).timestamp()
        for index in range(per_day):
            ticket_id += 1
            service = rng.choice(services)
            issued = opening + rng.uniform(0, 8 * 3600)
            outcome = rng.random()
            state = ("cancelled" if outcome < 0.01 else "no_show" if outcome < 0.07
                     else "done")
            counter, officer = rng.choice(counters), rng.choice(staff)
            called = issued + rng.expovariate(1 / 900)
            closed = called + rng.expovariate(1 / 420)
            rows.append((ticket_id, service, service, f"{service}{index + 1:03d}",
                         day.isoformat(), index + 1, None, "vi", state, issued, issued,
                         "kiosk-1", None if state == "cancelled" else called,
                         closed, None if state == "cancelled" else counter, 0, 1))
            events.append((ticket_id, issued, "issued", None, "kiosk-1", None, None))
            if state == "cancelled":
                events.append((ticket_id, called, "cancelled", None, "console", "gd: về", None))
                continue
            events.append((ticket_id, called, "called", counter, "c", None, officer))
            if outcome > 0.95:  # transferred once, then served
                events.append((ticket_id, closed, "transferred", counter, "c",
                               f"{service}->{services[0]}", None))
                called2 = closed + rng.expovariate(1 / 600)
                events.append((ticket_id, called2, "called", counter, "c", None, officer))
                closed = called2 + 300
            events.append((ticket_id, closed, state, counter, "c", None, officer))
            if state == "done" and rng.random() < 0.4:
                ratings.append((ticket_id, "satisfied", 3, None, counter, officer, service,
                                closed + 30, "pad"))
    # By name: later migrations add columns (a public token) a year of history need not fill.
    conn.executemany(
        "INSERT INTO tickets (id, service, issued_service, number, day, daily_index, priority, "
        "language, state, issued_at, queued_at, device, called_at, closed_at, counter, recalls, "
        "printed) VALUES (" + ",".join("?" * 17) + ")", rows)
    conn.executemany("INSERT INTO ticket_events (ticket_id, at, kind, counter, device, detail, "
                     "staff) VALUES (?, ?, ?, ?, ?, ?, ?)", events)
    conn.executemany("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ratings)
    conn.commit()
    conn.close()
    last = days[-1]
    return days[0].isoformat(), last.replace(day=1).isoformat(), last.isoformat()


def timed(run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300_000)
    args = parser.parse_args()
    db = scratch_dir("metrics-bench-") / "hub.sqlite"
    started = time.perf_counter()
    first, month, last = build(db, args.tickets, random.Random(11))
    built = time.perf_counter() - started
    config = load_config(CENTRE)
    targets = {s.id: 15.0 for s in config.services}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    print("| measure | value |\n|---|---|")
    print(f"| store | {args.tickets:,} tickets over 250 days, built in {built:.0f} s, "
          f"{db.stat().st_size / 1e6:.0f} MB |")
    for name, (frm, to) in (("a month", (month, last)), ("the year", (first, last))):
        for by in ("service", "counter", "staff"):
            ms = timed(lambda f=frm, t=to, b=by: metrics.figures(
                conn, f, t, b, config.site.zone, targets))
            print(f"| figures for {name}, by {by} | {ms:,.0f} ms |")
        ms = timed(lambda f=frm, t=to: collect(db, f, t, "staff"))
        print(f"| ratings for {name}, by staff | {ms:,.0f} ms |")
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
