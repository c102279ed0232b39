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
