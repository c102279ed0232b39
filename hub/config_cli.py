"""`lobby config apply FILE` and `lobby config history`: change the running hub's
configuration and see every change, on the hub's machine (hub/reload.py says how the two
processes talk)."""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import getpass
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from hub.reload import ReloadResult, needs_restart, request_path, result_path
from lobby.cli import add_config_argument
from lobby.config import ConfigError, LobbyConfig, load_config

WAIT_SECONDS = 10.0


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
        new = load_config(args.file)
    except ConfigError as exc:
        return _problems(exc, args.file)
    target = Path(args.config)
    try:
        running: LobbyConfig | None = load_config(target)
    except ConfigError:
        running = None  # the hub's file itself is broken: the new one replaces it
    db = args.db or (running or new).hub.db
    replaced = (Path(args.file).resolve() != target.resolve()
                and _replace(target, Path(args.file).read_text(encoding="utf-8")))
    if replaced:
        print(f"{target}: now holds {args.file} (the previous file is {target}.previous)")
    pid = _running_hub(db)
    if pid is None:
        later = needs_restart(running, new) if running else []
        print(f"no hub is running on {db}: it takes this configuration when it starts"
              + (f" (including {', '.join(later)})" if later else ""))
        return 0
    result = _ask_hub(db, pid)
    if result is None:
        print(f"the hub (pid {pid}) did not answer within {WAIT_SECONDS:.0f} s; see its log",
              file=sys.stderr)
        return 1
    if result.error is not None and replaced:  # refused after all: the hub's file as it was
        (target.parent / f"{target.name}.previous").replace(target)
    return _report(result)


def _replace(target: Path, text: str) -> bool:
    """Atomically, keeping the previous file beside it; False when it is the same already."""
    if target.exists():
        if target.read_text(encoding="utf-8") == text:
            return False
        (target.parent / f"{target.name}.previous").write_bytes(target.read_bytes())
    temporary = target.parent / f".{target.name}.new"
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    return True


def _running_hub(db: str) -> int | None:
    """The pid of the hub holding the store's lock (hub/store/owner.py), None if none does."""
    lock = Path(f"{db}.lock")
    if not lock.exists():
        return None
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read().strip()
            return int(text) if text.isdigit() else None
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def _ask_hub(db: str, pid: int) -> ReloadResult | None:
    answer = result_path(db)
    answer.unlink(missing_ok=True)
    request_path(db).write_text(f"lobby config apply by {getpass.getuser()}\n",
                                encoding="utf-8")
    os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if answer.exists():
            return ReloadResult.from_json(answer.read_text(encoding="utf-8"))
        time.sleep(0.05)
    return None


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
