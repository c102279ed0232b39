"""`lobby report ratings`: the citizens' satisfaction, straight from the hub's store, opened
read-only (SQLite `mode=ro`), so it runs while the hub runs.

Definitions (docs/ratings.md): a ticket is *served* when it was finished as done at a counter
on a day in the range (its issue day); *ratings* are those given to served tickets; the
*response rate* is ratings / served; the *satisfaction index* is the share of ratings in the
two best levels of the scale; reasons are counted over the ratings that gave one. A ticket's
officer is the one on duty when it was finished.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lobby.cli import add_config_argument, read_config
from lobby.config.models import LobbyConfig
from lobby.names import labels, sort_key

GROUPS = ("counter", "staff", "service", "day")
_SERVED = """
SELECT t.id, t.day, t.counter, t.service,
       (SELECT e.staff FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'done'
        ORDER BY e.at DESC, e.id DESC LIMIT 1) AS staff,
       r.level, r.reason
FROM tickets t LEFT JOIN ratings r ON r.ticket_id = t.id
WHERE t.state = 'done' AND t.day BETWEEN ? AND ?
"""


@dataclass
class Figures:
    served: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def ratings(self) -> int:
        return sum(self.levels.values())


def register(sub: Any) -> None:
    report = sub.add_parser("report", help="figures from the hub's store (read-only)")
    kinds = report.add_subparsers(dest="report_kind", required=True, metavar="REPORT",
                                  help="ratings: the citizens' satisfaction")
    ratings = kinds.add_parser("ratings", help="served tickets, ratings, response rate, "
                               "levels, satisfaction index and reasons")
    add_config_argument(ratings)
    ratings.add_argument("--db", metavar="PATH", help="the hub's SQLite file "
                         "(default: the configuration's hub.db)")
    ratings.add_argument("--from", dest="first", type=_day, metavar="DAY",
                         help="the first day, YYYY-MM-DD (default: today)")
    ratings.add_argument("--to", dest="last", type=_day, metavar="DAY",
                         help="the last day, YYYY-MM-DD (default: the first)")
    ratings.add_argument("--by", choices=GROUPS, help="one line per counter, officer, "
                         "service or day")
    ratings.add_argument("--csv", action="store_true", help="CSV on standard output")
    ratings.set_defaults(run=ratings_command)


def _day(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def collect(db: str | Path, first: str, last: str, by: str | None) -> dict[str, Figures]:
    """Figures per group (one group, "all", without `by`)."""
    groups: dict[str, Figures] = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        for _id, day, counter, service, staff, level, reason in conn.execute(
                _SERVED, (first, last)):
            key = {"counter": counter, "staff": staff, "service": service, "day": day,
                   None: "all"}[by] or "—"
            figures = groups.setdefault(str(key), Figures())
            figures.served += 1
            if level is not None:
                figures.levels[level] += 1
                if reason is not None:
                    figures.reasons[reason] += 1
    return groups


def rows(config: LobbyConfig, groups: dict[str, Figures],
         by: str | None) -> tuple[list[str], list[list[str]]]:
    """The table: a header and one row per group."""
    scale = config.ratings.levels
    lang = config.site.languages[0]
    best_two = {level.id for level in scale[:2]}
    header = [by or "all", "served", "ratings", "response %",
              *[level.names.get(lang, level.id) for level in scale],
              "satisfaction %", "reasons"]
    names: dict[str, str] = {"—": "(nobody signed in)"}
    if by == "staff":  # namesakes with their id
        names |= labels((s.id, s.name) for s in config.staff)
    elif by == "service":
        names |= {s.id: f"{s.id} · {s.names.get(lang, s.id)}" for s in config.services}
    reasons = {r.id: r.names.get(lang, r.id) for r in config.ratings.reasons}
    table = []
    def label(key: str) -> str:
        return names.get(key) or key

    for key in sorted(groups, key=lambda k: _order(label(k))):
        f = groups[key]
        rated = f.ratings
        table.append([
            label(key), str(f.served), str(rated), _percent(rated, f.served),
            *[str(f.levels[level.id]) for level in scale],
            _percent(sum(f.levels[i] for i in best_two), rated),
            ", ".join(f"{reasons.get(r, r)} ({n})" for r, n in f.reasons.most_common(3)),
        ])
    return header, table


def _order(label: str) -> tuple[bool, int, tuple[str, str, str]]:
    """Counters by number (2 before 10), people as Vietnamese lists order them, the rest by
    its text; "(nobody signed in)" last."""
    return (label.startswith("("), int(label) if label.isdigit() else 0, sort_key(label))


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "—"


def ratings_command(args: argparse.Namespace) -> int:
    config = read_config(args.config)
    db = args.db or config.hub.db
    if not Path(db).exists():
        print(f"lobby report: no store at {db}", file=sys.stderr)
        return 2
    first = args.first or dt.datetime.now(config.site.zone).date().isoformat()
    last = args.last or first
    if first > last:
        print(f"lobby report: --from {first} is after --to {last}", file=sys.stderr)
        return 2
    header, table = rows(config, collect(db, first, last, args.by), args.by)
    if args.csv:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(table)
        # With a byte order mark: a spreadsheet then reads the Vietnamese as UTF-8.
        sys.stdout.buffer.write(out.getvalue().encode("utf-8-sig"))
        return 0
    print(f"Ratings {first} – {last} ({config.site.name.get(config.site.languages[0], '')})")
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths,
                                                                          strict=True)).rstrip())
    if not table:
        print("(no ticket served in this range)")
    return 0
