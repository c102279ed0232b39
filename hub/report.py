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
import sys
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub import metrics
from hub.store.reading import open_read_only
from lobby.cli import add_config_argument, read_config
from lobby.config.models import LobbyConfig
from lobby.config.people import RatingLevel
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

    def satisfied(self, scale: list[RatingLevel]) -> int:
        """Ratings in the scale's two best levels: the satisfaction index's numerator."""
        return sum(self.levels[level.id] for level in scale[:2])


def register(sub: Any) -> None:
    report = sub.add_parser("report", help="figures from the hub's store (read-only)")
    kinds = report.add_subparsers(dest="report_kind", required=True, metavar="REPORT",
                                  help="ratings: the citizens' satisfaction; figures: "
                                  "tickets, waits and service times")
    ratings = kinds.add_parser("ratings", help="served tickets, ratings, response rate, "
                               "levels, satisfaction index and reasons")
    _add_range_arguments(ratings, GROUPS, "one line per counter, officer, service or day")
    ratings.set_defaults(run=ratings_command)
    figures_parser = kinds.add_parser(
        "figures", help="issued, served, no-show, cancelled, transferred; waits and service "
        "times (mean, median, p90, max) and the share within target (docs/metrics.md)")
    _add_range_arguments(figures_parser, metrics.GROUPS, "one line per group")
    figures_parser.set_defaults(run=figures_command)


def _add_range_arguments(parser: argparse.ArgumentParser, groups: tuple[str, ...],
                         by_help: str) -> None:
    """What every report takes: the store, the days, the grouping and the output."""
    add_config_argument(parser)
    parser.add_argument("--db", metavar="PATH", help="the hub's SQLite file "
                        "(default: the configuration's hub.db)")
    parser.add_argument("--from", dest="first", type=_day, metavar="DAY",
                        help="the first day, YYYY-MM-DD (default: today)")
    parser.add_argument("--to", dest="last", type=_day, metavar="DAY",
                        help="the last day, YYYY-MM-DD (default: the first)")
    parser.add_argument("--by", choices=groups, help=by_help)
    parser.add_argument("--csv", action="store_true", help="CSV on standard output")


def _store_and_days(args: argparse.Namespace) -> tuple[LobbyConfig, str, str, str] | None:
    """The configuration, the store and the days asked for; None (said) when they cannot
    be reported on."""
    config = read_config(args.config)
    db = args.db or config.hub.db
    if not Path(db).exists():
        print(f"lobby report: no store at {db}", file=sys.stderr)
        return None
    first = args.first or dt.datetime.now(config.site.zone).date().isoformat()
    last = args.last or first
    if first > last:
        print(f"lobby report: --from {first} is after --to {last}", file=sys.stderr)
        return None
    return config, db, first, last


def _day(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def collect(db: str | Path, first: str, last: str, by: str | None) -> dict[str, Figures]:
    """Figures per group (one group, "all", without `by`)."""
    groups: dict[str, Figures] = {}
    with closing(open_read_only(db)) as conn:
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
            _percent(f.satisfied(scale), rated),
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
    found = _store_and_days(args)
    if found is None:
        return 2
    config, db, first, last = found
    header, table = rows(config, collect(db, first, last, args.by), args.by)
    return _print_table(args, config, f"Ratings {first} – {last}", header, table)


def _print_table(args: argparse.Namespace, config: LobbyConfig, title: str, header: list[str],
                 table: list[list[str]]) -> int:
    if args.csv:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(table)
        # With a byte order mark: a spreadsheet then reads the Vietnamese as UTF-8.
        sys.stdout.buffer.write(out.getvalue().encode("utf-8-sig"))
        return 0
    print(f"{title} ({config.site.name.get(config.site.languages[0], '')})")
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths,
                                                                          strict=True)).rstrip())
    if not table:
        print("(no ticket in this range)")
    return 0


def figures_rows(config: LobbyConfig, groups: dict[str, metrics.Figures],
                 by: str | None) -> tuple[list[str], list[list[str]]]:
    header = [by or "all", "issued", "served", "no-show", "cancelled", "transferred",
              "not printed", "not handed out", "refused: quota", "refused: closed",
              "wait mean", "wait median", "wait p90", "wait max", "service mean",
              "service median", "on time %"]

    def minutes(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}"

    table = []
    for key in sorted(groups, key=_order):
        f = groups[key]
        waits, services = f.wait_summary(), f.service_summary()
        table.append([key, *(str(n) for n in (f.issued, f.served, f.no_show, f.cancelled,
                                              f.transferred, f.not_printed, f.not_handed_out,
                                              f.refused_quota, f.refused_closed)),
                      *(minutes(waits[k]) for k in ("mean", "median", "p90", "max")),
                      minutes(services["mean"]), minutes(services["median"]),
                      "—" if f.on_time_share is None else f"{100 * f.on_time_share:.1f}"])
    return header, table


def figures_command(args: argparse.Namespace) -> int:
    found = _store_and_days(args)
    if found is None:
        return 2
    config, db, first, last = found
    targets = {s.id: s.target_wait_minutes for s in config.services
               if s.target_wait_minutes is not None}
    with closing(open_read_only(db)) as conn:
        groups = metrics.figures(conn, first, last, args.by, config.site.zone, targets)
    header, table = figures_rows(config, groups, args.by)
    return _print_table(args, config, f"Figures {first} – {last}", header, table)
