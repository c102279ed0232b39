"""`lobby config apply FILE` and `lobby config history`: change the running hub's
configuration and see every change, on the hub's machine (hub/reload.py says how the two
processes talk)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from hub.config_apply import WAIT_SECONDS, apply_text
from hub.reload import ReloadResult
from lobby.cli import add_config_argument
from lobby.config import ConfigError, load_config


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "config", help="change the running hub's configuration, or see its history")
    actions = parser.add_subparsers(dest="config_command", required=True, metavar="ACTION",
                                    help="apply: a new configuration; history: every change")
    apply = actions.add_parser(
        "apply", help="check FILE, make it the hub's configuration and have the running hub "
        "take it now (what cannot change live is reported as needing a restart)")
    apply.add_argument("file", metavar="FILE", help="the new YAML configuration")
    add_config_argument(apply)
    apply.add_argument("--db", metavar="PATH", help="the hub's SQLite file, if the hub was "
                       "started with --db (default: the configuration's hub.db)")
    apply.set_defaults(run=apply_command)
    history = actions.add_parser("history", help="every configuration revision the hub ran "
                                 "with: when, by whom, what changed (read-only)")
    add_config_argument(history)
    history.add_argument("--db", metavar="PATH", help="the hub's SQLite file")
    history.set_defaults(run=history_command)


def _problems(exc: ConfigError, file: str) -> int:
    print(exc, file=sys.stderr)
    print(f"{len(exc.problems)} problem(s) in {file}: nothing was changed", file=sys.stderr)
    return 2


def apply_command(args: argparse.Namespace) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8")
        applied = apply_text(text, Path(args.config), args.db,
                             f"lobby config apply by {getpass.getuser()}", args.file)
    except ConfigError as exc:
        return _problems(exc, args.file)
    if applied.replaced:
        print(f"{args.config}: now holds {args.file} (the previous file is "
              f"{args.config}.previous)")
    if applied.hub_pid is None:
        print(f"no hub is running on {applied.store}: it takes this configuration when it "
              "starts"
              + (f" (including {', '.join(applied.later)})" if applied.later else ""))
        return 0
    if applied.result is None:
        print(f"the hub (pid {applied.hub_pid}) did not answer within {WAIT_SECONDS:.0f} s; "
              "see its log", file=sys.stderr)
        return 1
    return _report(applied.result)


def _report(result: ReloadResult) -> int:
    if result.error is not None:
        print(result.error, file=sys.stderr)
        print("the hub refused the file: nothing was changed", file=sys.stderr)
        return 2
    if result.changed:
        print(f"revision {result.revision} applied: {', '.join(result.changed)}")
    else:
        print(f"no change: the hub runs revision {result.revision}")
    if result.needs_restart:
        print(f"needs a restart (kept as running until the hub restarts): "
              f"{', '.join(result.needs_restart)}")
    return 0


def history_command(args: argparse.Namespace) -> int:
    import sqlite3

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return _problems(exc, args.config)
    db = args.db or config.hub.db
    if not Path(db).exists():
        print(f"no store at {db}", file=sys.stderr)
        return 2
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT revision, at, applied_by, changes FROM config_revisions "
                            "ORDER BY revision").fetchall()
    for revision, at, applied_by, changes in rows:
        when = dt.datetime.fromtimestamp(at, config.site.zone).isoformat(timespec="seconds")
        print(f"{revision:>4}  {when}  {applied_by}: {', '.join(json.loads(changes))}")
    return 0
