"""Where a program finds its broker: the command line, else the config file; credentials from
the environment (as `lobby broker-config` writes them) or the config's password file."""

from __future__ import annotations

import os
from pathlib import Path

from lobby.bus import BrokerAddress
from lobby.config.models import LobbyConfig


def broker_address(config: LobbyConfig, override: BrokerAddress | None = None) -> BrokerAddress:
    settings = config.broker
    if override is not None:
        host, port = override.host, override.port
    else:
        host, port = settings.host, settings.port
    username = os.environ.get("LOBBY_MQTT_USER") or settings.username
    password = os.environ.get("LOBBY_MQTT_PASSWORD")
    if password is None and settings.password_file:
        password = Path(settings.password_file).read_text(encoding="utf-8").strip()
    tls = settings.tls
    return BrokerAddress(
        host=host, port=port, username=username, password=password,
        ca_file=tls.ca_file if tls else None, tls=tls is not None,
        tls_insecure=tls.insecure if tls else False,
    )


def credentials_text(site: str, device: str | None, broker: BrokerAddress) -> str:
    """The file a device (or the hub, `device` None) is provisioned with, written by `lobby
    broker-config`: KEY=VALUE lines, also a systemd EnvironmentFile (devicekit/provisioning.py
    reads them)."""
    lines = [f"LOBBY_SITE={site}", *([f"LOBBY_DEVICE={device}"] if device else []),
             f"LOBBY_BROKER={broker.host}:{broker.port}"]
    if broker.username:
        lines += [f"LOBBY_MQTT_USER={broker.username}",
                  f"LOBBY_MQTT_PASSWORD={broker.password or ''}"]
    if broker.tls:
        lines.append("LOBBY_MQTT_TLS=1")
        if broker.ca_file:
            lines.append(f"LOBBY_MQTT_CA_FILE={broker.ca_file}")
    return "\n".join(lines) + "\n"


CREDENTIAL_KEYS = frozenset({
    "LOBBY_SITE", "LOBBY_DEVICE", "LOBBY_BROKER", "LOBBY_MQTT_USER", "LOBBY_MQTT_PASSWORD",
    "LOBBY_MQTT_TLS", "LOBBY_MQTT_CA_FILE"})


def parse_credentials(text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """What `credentials_text` wrote, read back: its values, and its problems (line, what)
    — a line that is not KEY=VALUE, or an unknown key (a typo such as LOBBY_MQTT_PASWORD
    would otherwise look like a wrong password)."""
    values: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.partition("=")
        key = key.strip()
        if not equals or not key:
            problems.append((number, "not KEY=VALUE"))
        elif key not in CREDENTIAL_KEYS:
            problems.append((number, f"unknown key {key!r} (known: "
                                     f"{', '.join(sorted(CREDENTIAL_KEYS))})"))
        else:
            values[key] = value.strip()
    return values, problems
