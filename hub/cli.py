"""`lobby hub`: registered into the `lobby` command through the entry-point group."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lobby.cli import add_broker_argument, add_config_argument, read_config
from lobby.config.models import LobbyConfig

if TYPE_CHECKING:
    from hub.runtime import Hub

log = logging.getLogger("hub")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "hub", help="run the hub: the queue's authority, over MQTT and SQLite")
    add_config_argument(parser)
    add_broker_argument(parser)
    parser.add_argument("--embedded-broker", action="store_true",
                        help="start a private broker (Mosquitto, else amqtt) for this hub; "
                        "the default when the config's broker.mode is embedded and no "
                        "--broker is given")
    parser.add_argument("--db", metavar="PATH", help="SQLite file (default: the config's hub.db)")
    parser.add_argument("--var", default="var", metavar="DIR",
                        help="where the embedded broker keeps its files (default: var)")
    parser.set_defaults(run=run)
    from hub.config_cli import register as register_config
    from hub.console_user_cli import register as register_console_user
    from hub.report import register as register_report
    from hub.staff_cli import register as register_staff_pin

    register_config(sub)
    register_report(sub)
    register_staff_pin(sub)
    register_console_user(sub)


def run(args: argparse.Namespace) -> int:
    from hub.store.owner import StoreInUseError, StoreOwner
    from lobby.broker.embedded import BrokerStartError

    config = read_config(args.config)
    db_path = args.db or config.hub.db
    try:
        owner = StoreOwner(db_path)  # first: a refused hub starts nothing
    except StoreInUseError as exc:
        log.error("%s", exc)
        return 1
    try:
        return _serve(args, config, db_path)
    except BrokerStartError as exc:
        log.error("embedded broker not started: %s", exc)
        return 1
    finally:
        owner.release()


def _reload(hub: Hub, args: argparse.Namespace, db_path: str) -> None:
    """On SIGHUP (from `lobby config apply` or an administrator): the file again."""
    from hub.reload import take_request, write_result

    applied_by = take_request(db_path) or "SIGHUP"
    write_result(db_path, hub.reload(args.config, applied_by))


def _serve(args: argparse.Namespace, config: LobbyConfig, db_path: str) -> int:
    from hub.engine import Engine
    from hub.runtime import Hub
    from hub.store import Store
    from lobby.broker.embedded import revive, start_embedded
    from lobby.bus import BrokerAddress
    from lobby.connection import broker_address

    broker = None
    broker_dir = Path(args.var) / "broker"
    address = broker_address(config, args.broker)
    if args.embedded_broker or (config.broker.mode == "embedded" and not args.broker):
        broker = start_embedded(broker_dir, address.port)
        address = BrokerAddress(host=broker.host, port=broker.port)
        log.info("embedded %s broker on %s:%d", broker.kind, broker.host, broker.port)
    store = Store(db_path)
    engine = Engine(config, store)
    purged = store.purge_transactions(engine.clock.now() - config.hub.transactions_kept_days
                                      * 86400)
    log.info("store %s (schema %s, %d tickets, %d old transactions purged)", store.path,
             store.schema_version, store.count_tickets(), purged)
    hub = Hub(config, engine, address)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    signal.signal(signal.SIGHUP, lambda *_: hub.jobs.put(lambda: _reload(hub, args, db_path)))
    hub.start()
    log.info("hub for site %s on broker %s:%d", config.site.id, address.host, address.port)
    try:
        while not stop.wait(1):
            if broker is not None:
                broker = revive(broker, broker_dir)
    finally:
        log.info("stopping")
        hub.stop()
        if broker is not None:
            broker.stop()
    return 0
