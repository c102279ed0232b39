"""The `lobby` command. The shared subcommands live here; each app adds its own through the
`lobby.commands` entry-point group (pyproject.toml), so this module imports no app."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from lobby import __version__
from lobby.bus import BrokerAddress
from lobby.config import ConfigError, LobbyConfig, load_config

log = logging.getLogger("lobby")

DEFAULT_CONFIG = "config/demo.yaml"


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=DEFAULT_CONFIG, metavar="FILE",
                        help=f"the centre's YAML configuration (default: {DEFAULT_CONFIG})")


def broker_argument(text: str) -> BrokerAddress:
    """argparse type for HOST:PORT: a typo is a usage error (exit 2), not a traceback."""
    try:
        return BrokerAddress.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_broker_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", metavar="HOST:PORT", type=broker_argument,
                        help="the MQTT broker to use (default: the config's broker)")


def read_config(path: str) -> LobbyConfig:
    """Load the config or exit with every problem listed (exit code 2)."""
    try:
        return load_config(path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


def _check_config(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.file)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {args.file}", file=sys.stderr)
        return 2
    print(f"{args.file}: OK — site {config.site.id}, {len(config.services)} services, "
          f"{len(config.counters)} counters, {len(config.devices)} devices")
    return 0


def _broker_config(args: argparse.Namespace) -> int:
    from lobby.broker.mosquitto_conf import CONF_NAME, kept_passwords, production_files

    config = read_config(args.config)
    out = Path(args.out)
    kept = {} if args.new_passwords else kept_passwords(out / "credentials")
    creds = production_files(config, out, port=args.port or config.broker.port,
                             passwords=kept, bind=args.bind)
    print(f"wrote {out}/{CONF_NAME}, passwd, acl and credentials for "
          f"{len(creds)} users ({', '.join(c.user for c in creds)})")
    if kept:
        print(f"kept the passwords of {len(kept)} user(s) already provisioned "
              "(--new-passwords draws new ones for every user)")
    print("credentials/*.env are readable by their owner only; copy each to its device.")
    if config.broker.host in ("127.0.0.1", "localhost", "::1") and len(config.devices) > 0:
        print(f"note: broker.host is {config.broker.host}: devices on other machines cannot "
              "reach it there; set it to the hub machine's LAN address", file=sys.stderr)
    return 0


def _mqtt_docs(args: argparse.Namespace) -> int:
    from lobby.contract.docgen import render

    text = render()
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    return _parser_and_commands()[0]


def _parser_and_commands() -> tuple[argparse.ArgumentParser, Any]:
    parser = argparse.ArgumentParser(prog="lobby", description="Queue system for a "
                                     "public-service centre lobby.")
    parser.add_argument("--version", action="version", version=f"lobby {__version__}")
    parser.add_argument("--log-level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="how much the program logs (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check-config", help="validate a configuration file")
    check.add_argument("file", metavar="FILE", help="the YAML configuration to check")
    check.set_defaults(run=_check_config)

    broker = sub.add_parser("broker-config", help="write a production Mosquitto configuration "
                            "with per-device users and access rules")
    add_config_argument(broker)
    broker.add_argument("--out", required=True, metavar="DIR",
                        help="the folder to write lobby.conf, passwd, acl and credentials/")
    broker.add_argument("--port", type=int,
                        help="the port the broker listens on (default: the config's "
                        "broker.port)")
    broker.add_argument("--new-passwords", action="store_true",
                        help="draw new passwords for every user, also those already "
                        "provisioned (by default their passwords are kept)")
    broker.add_argument("--bind", metavar="ADDRESS",
                        help="the address the broker listens on (default: the config's "
                        "broker.host, the address devices are given; 0.0.0.0 for every "
                        "interface)")
    broker.set_defaults(run=_broker_config)

    docs = sub.add_parser("mqtt-docs", help="write docs/mqtt-api.md from the contract registry")
    docs.add_argument("--out", default="docs/mqtt-api.md", metavar="FILE", help="'-' for stdout")
    docs.set_defaults(run=_mqtt_docs)

    for entry in entry_points(group="lobby.commands"):
        try:
            entry.load()(sub)
        except Exception as exc:  # one broken app must not take the whole command down
            print(f"lobby: command {entry.name!r} is unavailable: {exc}", file=sys.stderr)
    return parser, sub


def available_commands() -> set[str]:
    """Every subcommand, the apps' included (as their entry points registered them)."""
    return set(_parser_and_commands()[1].choices)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
