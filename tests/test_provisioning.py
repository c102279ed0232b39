"""Who a device is, where its broker is and which configuration it starts on (issue #10):
the command line, its one credentials file, the configuration it kept on disk."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from devicekit.configuration import (
    ConfigFollower,
    Configuration,
    cache_path,
    read_cache,
    settings_needing_restart,
)
from devicekit.provisioning import ProvisioningError, resolve
from hub.config_revisions import for_devices
from lobby.bus import BrokerAddress
from lobby.contract import messages as m
from tests.helpers import small_config

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)


def args(tmp: Path, **given: Any) -> argparse.Namespace:
    values = {"credentials": None, "device": None, "site": None, "broker": None,
              "var": str(tmp / "var")}
    return argparse.Namespace(**{**values, **given})


def state(config: Any, revision: int) -> m.ConfigState:
    return m.ConfigState(revision=revision, at=NOW, config=for_devices(config))


def test_the_command_line_wins_over_the_credentials_file(tmp_path: Path) -> None:
    creds = tmp_path / "kiosk-1.env"
    creds.write_text("# written by lobby broker-config\nLOBBY_SITE=centre-a\n"
                     "LOBBY_DEVICE=kiosk-1\nLOBBY_BROKER=10.0.0.5:1883\n"
                     "LOBBY_MQTT_USER=kiosk-1\nLOBBY_MQTT_PASSWORD=pw=with=equals\n")
    identity, start = resolve(args(tmp_path, credentials=str(creds)), "kiosk", None)
    assert start is None
    assert (identity.site, identity.device, identity.broker.host, identity.broker.port) == (
        "centre-a", "kiosk-1", "10.0.0.5", 1883)
    assert identity.broker.password == "pw=with=equals"
    moved = args(tmp_path, credentials=str(creds), site="centre-b",
                 broker=BrokerAddress.parse("10.0.0.6:8883"))
    identity, _ = resolve(moved, "kiosk", None)
    assert (identity.site, identity.broker.host, identity.broker.username) == (
        "centre-b", "10.0.0.6", "kiosk-1")


@pytest.mark.parametrize(("given", "says"), [
    ({}, "which device is this?"),
    ({"device": "kiosk-1"}, "which centre?"),
    ({"device": "kiosk-1", "site": "centre-a"}, "where is the broker?"),
    ({"device": "kiosk 1", "site": "centre-a"}, "is not a device id"),
])
def test_what_a_device_lacks_is_said(tmp_path: Path, given: dict[str, str], says: str) -> None:
    with pytest.raises(ProvisioningError, match=says):
        resolve(args(tmp_path, **given), "kiosk", None)


def test_a_broken_credentials_file_says_its_line(tmp_path: Path) -> None:
    creds = tmp_path / "bad.env"
    creds.write_text("LOBBY_SITE=a\nthis is not a setting\n")
    with pytest.raises(ProvisioningError, match=r"bad.env:2: not KEY=VALUE"):
        resolve(args(tmp_path, credentials=str(creds)), "kiosk", None)


def test_a_device_keeps_what_it_was_given_and_starts_from_it(tmp_path: Path) -> None:
    config = small_config()
    var = tmp_path / "var"
    changes: list[Configuration] = []
    follower = ConfigFollower("board-1", "board", var, None, changes.append)
    follower.on_state(state(config, 4))
    follower.on_state(state(config, 4))  # again (a reconnect): nothing to redraw
    assert [c.revision for c in changes] == [4]
    other_store = m.ConfigState(revision=4, at=NOW + dt.timedelta(days=1),
                                config=for_devices(config))
    follower.on_state(other_store)  # the same number from a replaced store: a new one
    assert len(changes) == 2
    kept = read_cache(var, "board-1", "board")
    assert kept is not None and kept.revision == 4 and kept.source == "cache"
    identity, start = resolve(args(tmp_path, device="board-1",
                                   broker=BrokerAddress.parse("h:1")), "board", None)
    assert start is not None and start.revision == 4 and identity.site == config.site.id
    # A restart after a change of its own settings prefers the kept (the hub's) to a file.
    from_file = Configuration(config, kept.device, None, "file")
    _, start = resolve(args(tmp_path, device="board-1", broker=BrokerAddress.parse("h:1")),
                       "board", from_file)
    assert start is from_file


def test_a_configuration_that_is_not_this_devices_changes_nothing(tmp_path: Path) -> None:
    config = small_config()
    var = tmp_path / "var"
    changes: list[Configuration] = []
    follower = ConfigFollower("kiosk-9", "kiosk", var, None, changes.append)
    removed: list[bool] = []
    follower.on_removed = lambda: removed.append(True)
    follower.on_state(state(config, 2))
    assert changes == [] and follower.problem is not None and "kiosk-9" in follower.problem
    assert removed == [True]  # the device then goes back to its waiting screen
    assert not cache_path(var, "kiosk-9").exists()
    broken = m.ConfigState(revision=3, at=NOW, config={"site": {"id": "x"}})
    follower.on_state(broken)
    assert changes == [] and "not a valid configuration" in (follower.problem or "")
    assert removed == [True]  # a broken configuration removes nobody


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    cache_path(var, "kiosk-1").write_text('{"revision": 1, "config": {"site"')
    assert read_cache(var, "kiosk-1", "kiosk") is None
    cache_path(var, "kiosk-1").write_text(json.dumps({"revision": 1, "config": {}}))
    assert read_cache(var, "kiosk-1", "kiosk") is None


def test_only_a_devices_window_printer_and_voice_need_a_restart() -> None:
    config = small_config()
    kiosk = config.device("kiosk-1")
    assert kiosk is not None
    footer = kiosk.model_copy(update={"kiosk": kiosk.kiosk_settings.model_copy(
        update={"footer": {"vi": "Xin cảm ơn"}})})
    assert settings_needing_restart(kiosk, footer) == []
    turned = kiosk.model_copy(update={"kiosk": kiosk.kiosk_settings.model_copy(
        update={"orientation": "landscape", "voice": False})})
    assert settings_needing_restart(kiosk, turned) == ["voice", "orientation"]


def test_a_device_command_without_its_identity_exits_with_the_reason(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "lobby.cli", "board", "--device", "board-1",
                           "--var", str(tmp_path)], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "lobby board: which centre? give --site ID or --credentials FILE" in done.stderr


def test_a_credentials_file_of_another_device_or_with_a_typo_is_refused(tmp_path: Path) -> None:
    creds = tmp_path / "kiosk-2.env"
    creds.write_text("LOBBY_SITE=a\nLOBBY_DEVICE=kiosk-2\nLOBBY_BROKER=h:1\n"
                     "LOBBY_MQTT_USER=kiosk-2\nLOBBY_MQTT_PASSWORD=x\n")
    creds.chmod(0o600)
    with pytest.raises(ProvisioningError, match="is kiosk-2's, not kiosk-1's"):
        resolve(args(tmp_path, credentials=str(creds), device="kiosk-1"), "kiosk", None)
    creds.write_text("LOBBY_SITE=a\nLOBBY_MQTT_PASWORD=x\n")
    with pytest.raises(ProvisioningError, match=r"kiosk-2.env:2: unknown key 'LOBBY_MQTT_PAS"):
        resolve(args(tmp_path, credentials=str(creds)), "kiosk", None)
    creds.write_text("LOBBY_SITE=a\n")
    with pytest.raises(ProvisioningError, match=r"give --device ID \(.*kiosk-2.env names none"):
        resolve(args(tmp_path, credentials=str(creds)), "kiosk", None)
