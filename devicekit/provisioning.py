"""Who a device is and where its broker is: all a device needs to start, from the command
line, from the one file `lobby broker-config` writes for it (`--credentials`), or, for the
demo and development, from a configuration file (`--config`).

The credentials file is `KEY=VALUE` lines, also usable as a systemd `EnvironmentFile`:
LOBBY_SITE, LOBBY_DEVICE, LOBBY_BROKER (HOST:PORT), LOBBY_MQTT_USER, LOBBY_MQTT_PASSWORD and,
with TLS, LOBBY_MQTT_TLS=1 and LOBBY_MQTT_CA_FILE. The command line wins over the file."""

from __future__ import annotations

import argparse
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

from devicekit.configuration import Configuration, read_cache
from lobby.bus import BrokerAddress
from lobby.connection import broker_address, parse_credentials
from lobby.contract import messages as m
from lobby.contract.registry import Topics

log = logging.getLogger(__name__)

RESTARTED = "LOBBY_DEVICE_RESTARTED"  # set when a device restarts itself (startup.py)


class ProvisioningError(Exception):
    """What the device lacks to start, in words for the administrator."""


@dataclass(frozen=True)
class DeviceIdentity:
    site: str
    device: str
    broker: BrokerAddress


def read_credentials(path: str) -> dict[str, str]:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ProvisioningError(f"{path} is not a credentials file (not text)") from None
    except OSError as exc:
        raise ProvisioningError(f"cannot read the credentials file {path}: "
                                f"{exc.strerror}") from None
    values, problems = parse_credentials(text)
    if problems:
        number, what = problems[0]
        raise ProvisioningError(f"{path}:{number}: {what}")
    if file.stat().st_mode & 0o077:
        log.warning("%s holds a password and is readable by others: chmod 600 it", path)
    return values


def resolve(args: argparse.Namespace, role: m.DeviceRole,
            from_file: Configuration | None) -> tuple[DeviceIdentity, Configuration | None]:
    """The device's identity and the configuration to start with: the `--config` file's,
    else the one it kept (a restart after a change of its own settings prefers the kept one,
    which is the hub's), else None (it waits for the hub's)."""
    given = read_credentials(args.credentials) if args.credentials else {}
    # A systemd unit may pass the same values as its EnvironmentFile.
    creds = {**{k: v for k, v in os.environ.items() if k.startswith("LOBBY_")}, **given}
    device = args.device or creds.get("LOBBY_DEVICE") or (
        from_file.device.id if from_file else None)
    if not device:
        raise ProvisioningError("which device is this? give --device ID" + (
            f" ({args.credentials} names none)" if given else " or --credentials FILE"))
    if not Topics.is_identifier(device):
        raise ProvisioningError(f"{device!r} is not a device id")
    user = creds.get("LOBBY_MQTT_USER")
    if given and user and user != device:
        # The broker would take its password and then let it reach none of its topics.
        raise ProvisioningError(f"{args.credentials} is {user}'s, not {device}'s")
    kept = read_cache(Path(args.var), device, role)
    start = from_file
    if kept is not None and (start is None or os.environ.get(RESTARTED)):
        start = kept
    site = args.site or creds.get("LOBBY_SITE") or (start.config.site.id if start else None)
    if not site:
        raise ProvisioningError("which centre? give --site ID or --credentials FILE (this "
                                "device has never been configured)")
    if not Topics.is_identifier(site):
        raise ProvisioningError(f"{site!r} is not a site id")
    return DeviceIdentity(site, device, _broker(args, creds, from_file, bool(given))), start


def _broker(args: argparse.Namespace, creds: dict[str, str],
            from_file: Configuration | None, given: bool) -> BrokerAddress:
    if from_file is not None and not given:
        return broker_address(from_file.config, args.broker)  # the demo, development
    address: BrokerAddress | None = args.broker
    if address is None and "LOBBY_BROKER" in creds:
        try:
            address = BrokerAddress.parse(creds["LOBBY_BROKER"])
        except ValueError as exc:
            raise ProvisioningError(f"{args.credentials}: LOBBY_BROKER: {exc}") from None
    if address is None:
        raise ProvisioningError("where is the broker? give --broker HOST:PORT or "
                                "--credentials FILE")
    tls = creds.get("LOBBY_MQTT_TLS") == "1"
    return replace(address, username=creds.get("LOBBY_MQTT_USER") or address.username,
                   password=creds.get("LOBBY_MQTT_PASSWORD") or address.password,
                   tls=tls or address.tls, ca_file=creds.get("LOBBY_MQTT_CA_FILE"))
