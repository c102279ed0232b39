"""The console's day cache gives exactly the figures a pass over the store gives (counts,
waits, service times, on-time share, ratings), keeps only settled days, and computes again
when a service's target changes."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from console.day_cache import DayCache
from hub import metrics
from hub import report as ratings_report
from hub.store.reading import open_read_only
from lobby.config import parse_config
from tests.test_engine import Lobby
from tests.test_supervision import CONSOLE_YAML

YAML = CONSOLE_YAML.replace('names: {vi: "Hộ tịch", en: "Civil status"}\n',
                            'names: {vi: "Hộ tịch", en: "Civil status"}\n'
                            '    target_wait_minutes: 12\n', 1)


def three_days(db: Path) -> Lobby:
    lobby = Lobby(db, parse_config(YAML), start="2026-11-23T08:00:00")
    for day in range(3):
        for n in range(6 + day):
            lobby.issue("AB"[n % 2])
            lobby.clock.advance(60 * (n + 1))
        for counter in ("1", "2", "1", "2", "1"):
            if lobby.next(counter) in ("queue_empty", "closed"):
                continue
            lobby.clock.advance(300 * (day + 1))
            lobby.ask(f"counter-{counter}", "done", counter=counter)
        lobby.clock.advance(24 * 3600 - 60 * 60)
    return lobby


def same(a: dict[str, metrics.Figures], b: dict[str, metrics.Figures]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        left, right = vars(a[key]), vars(b[key])
        for name in left:
            if not isinstance(left[name], int):  # the minutes: lists, or arrays merged
                assert sorted(left[name]) == sorted(right[name]), (key, name)
            else:
                assert left[name] == right[name], (key, name)


def test_kept_days_give_the_figures_of_a_pass_over_the_store(tmp_path: Path) -> None:
    lobby = three_days(tmp_path / "hub.sqlite")
    config = lobby.config
    lobby.engine.store.close()
    cache = DayCache(tmp_path / "days.sqlite", tmp_path / "hub.sqlite")
    targets = {"A": 12.0}
    with closing(open_read_only(tmp_path / "hub.sqlite")) as conn:
        for by in (None, "service", "counter", "staff", "hour", "weekday", "day",
                   metrics.WEEKDAY_HOUR):
            direct = metrics.figures(conn, "2026-11-23", "2026-11-25", by, config.site.zone,
                                     targets)
            same(cache.figures(config, "2026-11-23", "2026-11-25", by), direct)
            same(cache.figures(config, "2026-11-23", "2026-11-25", by), direct)  # kept
    whole = cache.figures(config, "2026-11-23", "2026-11-25", None)["all"]
    assert (whole.issued, whole.served, whole.no_show, whole.timed) == (21, 15, 3, 9)
    rated = ratings_report.collect(tmp_path / "hub.sqlite", "2026-11-23", "2026-11-25",
                                   "counter")
    assert {k: v.served for k, v in cache.ratings(config, "2026-11-23", "2026-11-25",
                                                  "counter").items()} == \
        {k: v.served for k, v in rated.items()}
    with closing(sqlite3.connect(tmp_path / "days.sqlite")) as kept:
        days = {row[0] for row in kept.execute("SELECT DISTINCT day FROM days")}
    assert days == {"2026-11-23", "2026-11-24", "2026-11-25"}  # all settled by now


def test_a_changed_target_computes_again(tmp_path: Path) -> None:
    lobby = three_days(tmp_path / "hub.sqlite")
    lobby.engine.store.close()
    cache = DayCache(tmp_path / "days.sqlite", tmp_path / "hub.sqlite")
    before = cache.figures(lobby.config, "2026-11-23", "2026-11-25", None)["all"]
    lenient = parse_config(YAML.replace("target_wait_minutes: 12",
                                        "target_wait_minutes: 480"))
    after = cache.figures(lenient, "2026-11-23", "2026-11-25", None)["all"]
    assert before.timed == after.timed == 9  # A's waits
    assert before.within_target < after.within_target == 9
