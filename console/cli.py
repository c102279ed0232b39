"""`lobby console --config FILE`: the centre's web console, on the hub's machine (it reads the
hub's store, read-only, and the hub's configuration file for its users)."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import logging
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from lobby.cli import add_broker_argument, add_config_argument, read_config

log = logging.getLogger(__name__)
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def register(sub: Any) -> None:
    from console import explore

    explore.register(sub)
    parser: argparse.ArgumentParser = sub.add_parser(
        "console", help="the centre's web console (live lobby, devices, reports, actions)")
    add_config_argument(parser)
    add_broker_argument(parser)
    parser.add_argument("--listen", metavar="HOST:PORT",
                        help="where to listen (default: the config's console.listen)")
    parser.add_argument("--db", metavar="PATH", help="the hub's store (default: hub.db)")
    parser.add_argument("--device", metavar="ID",
                        help="the console's device id (default: the config's console device)")
    parser.add_argument("--var", default="var", metavar="DIR",
                        help="where the session key is kept (default: var)")
    parser.add_argument("--tls", action="store_true",
                        help="served behind TLS (a reverse proxy): session cookies are Secure")
    parser.set_defaults(run=run)


def session_secret(var: Path) -> str:
    """The key that signs session cookies, kept so that a restart keeps people signed in;
    made on first start, readable by this user only."""
    path = var / "console-session.key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    var.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _return_large_blocks() -> None:
    """A fixed mmap threshold: each sign-in's Argon2 check takes 19 MiB at once, and glibc's
    moving threshold would then serve such blocks from its heap and keep them after they are
    freed (the console stayed 19 MB larger after the first sign-in). Blocks of 1 MiB and more
    are then always mapped, and given back when freed (M_MMAP_THRESHOLD)."""
    with contextlib.suppress(OSError):  # not glibc: nothing to tune
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, 1 << 20)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    _return_large_blocks()
    from console.app import ConsoleServices
    from console.auth import Users
    from console.day_cache import DayCache
    from console.devices import AlertLog
    from console.link import LobbyLink
    from console.store import StoreReader
    from console.web import create_app
    from lobby.config.watched import CentreConfig
    from lobby.connection import broker_address

    config = read_config(args.config)
    device = args.device or next((d.id for d in config.devices if d.role == "console"), None)
    if device is None or (found := config.device(device)) is None or found.role != "console":
        print("lobby console: the configuration has no device of role console "
              "(devices: - {id: console-1, role: console})", file=sys.stderr)
        return 2
    listen = args.listen or (config.console.listen if config.console else "127.0.0.1:8080")
    host, _, port = listen.rpartition(":")
    if not config.console or not config.console.users:
        print("lobby console: no console users in the configuration (console: users:); "
              "`lobby console-user NAME` writes one", file=sys.stderr)
    centre = CentreConfig(Path(args.config))
    link = LobbyLink(config, device, broker_address(config, args.broker))
    store = Path(args.db or config.hub.db)
    if not store.exists():
        print(f"lobby console: no store at {store} yet: the pages say so until the hub has "
              f"made it (a hub started with --db needs the same --db here)", file=sys.stderr)
    console = ConsoleServices(centre=centre, users=Users(centre), store=StoreReader(store),
                              link=link, days=DayCache(Path(args.var) / "console-days.sqlite",
                                                       store),
                              reports_dir=Path(args.var) / "reports", write_daily_reports=True,
                              stop_link_on_shutdown=True,
                              alerts=AlertLog(path=Path(args.var) / "console-alerts.sqlite"))
    app = create_app(console, session_secret(Path(args.var)), https_only=args.tls)
    link.start()
    print(f"console: http://{host}:{port}/ (device {device})", flush=True)
    # Stopped by a signal, uvicorn shuts the app down (the link says `offline` then) and ends
    # the process by that signal.
    uvicorn.run(app, host=host, port=int(port), log_level="warning", proxy_headers=args.tls)
    return 0
