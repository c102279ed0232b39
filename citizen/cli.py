"""`lobby public --config FILE`: the citizens' page behind each ticket's QR code, a process
of its own beside the hub (it reads the hub's store read-only and talks to the hub as a
device of role `public`), never the staff console's listener."""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
from pathlib import Path
from typing import Any

from lobby.cli import add_broker_argument, add_config_argument, read_config


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "public", help="the citizens' live ticket page (behind each ticket's QR code)")
    add_config_argument(parser)
    add_broker_argument(parser)
    parser.add_argument("--listen", metavar="HOST:PORT",
                        help="where to listen (default: the config's public.listen)")
    parser.add_argument("--db", metavar="PATH", help="the hub's store (default: hub.db)")
    parser.add_argument("--device", metavar="ID",
                        help="its device id (default: the config's device of role public)")
    parser.set_defaults(run=run)


def _allow_many_connections() -> None:
    """Each phone's live page holds a connection: the soft limit on open files (often 1,024)
    raised to the hard one."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from citizen.limits import AddressLimits
    from citizen.link import PublicLink
    from citizen.live import LiveTickets
    from citizen.pages import Pages
    from citizen.store import PublicStore
    from citizen.web import PublicServices, create_app
    from lobby.config.watched import CentreConfig
    from lobby.connection import broker_address

    config = read_config(args.config)
    if config.public is None:
        print("lobby public: the configuration has no `public:` section (public: {url: "
              "http://ADDRESS:8090}): tickets' QR codes need the address phones reach",
              file=sys.stderr)
        return 2
    device = args.device or next((d.id for d in config.devices if d.role == "public"), None)
    if device is None or (found := config.device(device)) is None or found.role != "public":
        print("lobby public: the configuration has no device of role public "
              "(devices: - {id: public-1, role: public})", file=sys.stderr)
        return 2
    _allow_many_connections()
    listen = args.listen or config.public.listen
    host, _, port = listen.rpartition(":")
    centre = CentreConfig(Path(args.config))
    store_path = Path(args.db or config.hub.db)
    if not store_path.exists():
        print(f"lobby public: no store at {store_path} yet: pages answer 503 until the hub "
              f"has made it", file=sys.stderr)
    link = PublicLink(config, device, broker_address(config, args.broker))
    store = PublicStore(store_path)
    pages = Pages()
    limits = AddressLimits(config.public.requests_per_minute,
                           config.public.streams_per_address, config.public.trusted_proxies)
    services = PublicServices(centre=centre, store=store, link=link,
                              live=LiveTickets(centre, store, link, pages), pages=pages,
                              limits=limits)
    app = create_app(services)
    link.start()
    print(f"public page: http://{host}:{port}/t/<token> — tickets' QR codes lead to "
          f"{config.public.url}/t/<token> (device {device})", flush=True)
    try:
        uvicorn.run(app, host=host, port=int(port), log_level="warning",
                    proxy_headers=False,  # the client's address is the limiter's to tell
                    server_header=False, timeout_graceful_shutdown=2)
    finally:
        link.stop()
        store.close()
    return 0
