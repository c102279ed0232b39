"""`lobby explore --config FILE`: Datasette on a copy of the hub's store, for analysts who want
to slice the figures further than the console's reports, with canned queries that follow
docs/metrics.md.

A copy, not the store itself: the copy is taken read-only with SQLite's backup (a consistent
snapshot while the hub runs), then what must not reach a browser is taken out of it — the
configuration texts kept with each revision (they hold the staff's PIN hashes and the console
users' password hashes), the log of replies to devices and the tickets' public tokens (each
opens a citizen's page) — and it is served immutable on
127.0.0.1. Run it again for fresher figures."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

from hub.store.reading import open_read_only
from lobby.cli import add_config_argument, read_config
from lobby.config.models import LobbyConfig

# One row per wait step (docs/metrics.md): from the issue, or the transfer that began the
# step, to its call; its service is the one named by the last transfer or move before the
# call. Tickets cancelled or never handed out have no wait.
STEPS = """
WITH steps AS (
  SELECT t.id AS ticket_id, t.day, e.counter, e.staff, e.at AS called_at,
         coalesce((SELECT max(p.at) FROM ticket_events p WHERE p.ticket_id = t.id
                   AND p.kind = 'transferred' AND p.at <= e.at), t.issued_at) AS started_at,
         coalesce((SELECT trim(substr(p.detail, instr(p.detail, '->') + 2))
                   FROM ticket_events p WHERE p.ticket_id = t.id
                   AND p.kind IN ('transferred', 'moved') AND p.at <= e.at
                   ORDER BY p.at DESC, p.id DESC LIMIT 1), t.issued_service) AS service
  FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id AND e.kind = 'called'
  WHERE t.state NOT IN ('cancelled', 'not_handed_out') AND t.day BETWEEN :first AND :last
)"""


def canned_queries(config: LobbyConfig) -> dict[str, dict[str, str]]:
    targets = ", ".join(f"('{s.id}', {s.target_wait_minutes})" for s in config.services
                        if s.target_wait_minutes is not None) or "(NULL, NULL)"
    return {
        "waits_by_service": {
            "title": "Waits by service (minutes, each step)",
            "sql": STEPS + """
SELECT service, count(*) AS waits, round(avg((called_at - started_at) / 60.0), 1) AS mean,
       round(max((called_at - started_at) / 60.0), 1) AS longest
FROM steps GROUP BY service ORDER BY service"""},
        "on_time_by_service": {
            "title": "Share called within the service's target wait",
            "sql": STEPS + f""", targets(service, minutes) AS (VALUES {targets})
SELECT s.service, count(*) AS timed,
       round(100.0 * sum((s.called_at - s.started_at) / 60.0 <= t.minutes) / count(*), 1)
         AS on_time_percent
FROM steps s JOIN targets t ON t.service = s.service GROUP BY s.service"""},
        "tickets_by_day": {
            "title": "Tickets by day and outcome",
            "sql": """
SELECT day, count(*) AS issued, sum(state = 'done') AS served,
       sum(state = 'no_show') AS no_show, sum(state = 'cancelled') AS cancelled,
       sum(state = 'not_handed_out') AS not_handed_out, sum(printed = 0) AS not_printed
FROM tickets WHERE day BETWEEN :first AND :last GROUP BY day ORDER BY day"""},
        "served_by_counter_and_officer": {
            "title": "Served by counter and officer",
            "sql": """
SELECT e.counter, e.staff, count(*) AS served
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
WHERE e.kind = 'done' AND t.day BETWEEN :first AND :last
GROUP BY e.counter, e.staff ORDER BY e.counter, served DESC"""},
        "satisfaction_by_counter": {
            "title": "Ratings by counter and level",
            "sql": """
SELECT r.counter, r.level, count(*) AS ratings
FROM ratings r JOIN tickets t ON t.id = r.ticket_id
WHERE t.day BETWEEN :first AND :last GROUP BY r.counter, r.level
ORDER BY r.counter, ratings DESC"""},
    }


def snapshot(store: Path, folder: Path, site: str) -> Path:
    """A consistent copy of the store without what must not reach a browser."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{site}-{dt.datetime.now():%Y%m%d-%H%M%S}.sqlite"
    with closing(open_read_only(store)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
        target.execute("UPDATE config_revisions SET config = ''")  # PIN and password hashes
        target.execute("DELETE FROM transactions")  # replies to devices, not figures
        target.execute("UPDATE tickets SET public_token = NULL")  # each opens a ticket's page
        target.commit()
        target.execute("VACUUM")  # the removed text leaves no page behind
    return copy


def metadata(config: LobbyConfig, database: str) -> dict[str, Any]:
    name = config.site.name.get(config.site.languages[0], config.site.id)
    return {"title": f"{name} — lobby store (a copy, read-only)",
            "description": "Definitions: docs/metrics.md. Times are UNIX seconds; days are "
                           "the centre's local dates.",
            "databases": {database: {"queries": canned_queries(config),
                                     "tables": {"config_revisions": {"hidden": True},
                                                "transactions": {"hidden": True}}}}}


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "explore", help="Datasette on a read-only copy of the hub's store, with the "
        "metrics as canned queries (for analysts)")
    add_config_argument(parser)
    parser.add_argument("--db", metavar="PATH", help="the hub's store (default: hub.db)")
    parser.add_argument("--port", type=int, default=8001, help="default 8001")
    parser.add_argument("--var", default="var", metavar="DIR",
                        help="where the copy is kept (default: var; under explore/)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = read_config(args.config)
    store = Path(args.db or config.hub.db)
    if not store.exists():
        print(f"lobby explore: no store at {store}", file=sys.stderr)
        return 2
    folder = Path(args.var) / "explore"
    copy = snapshot(store, folder, config.site.id)
    meta = folder / "metadata.json"
    meta.write_text(json.dumps(metadata(config, copy.stem), ensure_ascii=False, indent=1),
                    encoding="utf-8")
    print(f"lobby explore: a copy of {store} taken now ({copy}); "
          f"http://127.0.0.1:{args.port}/ — Ctrl-C stops it", flush=True)
    # Bound to this machine only: Datasette has no sign-in of its own.
    return subprocess.call([sys.executable, "-m", "datasette", "serve", "--immutable",
                            str(copy), "--metadata", str(meta), "--host", "127.0.0.1",
                            "--port", str(args.port), "--setting", "default_page_size",
                            "200"])
