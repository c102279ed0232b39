"""The configuration a device runs on: the hub's retained `state/config`, else the copy it
kept on its disk, else a file given with `--config` (the demo, development).

A device keeps the last configuration it accepted in `<var>/<device>.config.json`, so that it
starts in the right shape while the hub is away. A configuration is accepted only if it is
valid and still has this device in its role; anything else is logged and the device carries
on with what it had."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m

log = logging.getLogger(__name__)

Source = Literal["file", "cache", "hub"]


@dataclass(frozen=True)
class Configuration:
    config: LobbyConfig
    device: Device
    revision: int | None  # the hub's revision; None for a file given on the command line
    source: Source
    # When the revision took effect: with the number, it tells a revision from the same number
    # of another store (a hub whose store was replaced counts from 1 again).
    at: str | None = None


def cache_path(var: Path, device_id: str) -> Path:
    return var / f"{device_id}.config.json"


def _accept(data: object, device_id: str, role: str, revision: int | None,
            source: Source, at: str | None) -> Configuration | str:
    """The configuration, or why it cannot be this device's."""
    try:
        config = LobbyConfig.model_validate(data)
    except ValidationError as exc:
        return f"not a valid configuration ({exc.error_count()} problem(s): {exc})"
    device = config.device(device_id)
    if device is None:
        return f"it has no {role} device {device_id!r}"
    if device.role != role:
        return f"it has no {role} device {device_id!r}: {device_id} is a {device.role}"
    return Configuration(config, device, revision, source, at)


def read_cache(var: Path, device_id: str, role: str) -> Configuration | None:
    path = cache_path(var, device_id)
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        found = _accept(kept["config"], device_id, role, int(kept["revision"]), "cache",
                        kept.get("at"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if path.exists():
            log.warning("ignoring the kept configuration %s: %s", path, exc)
        return None
    if isinstance(found, str):
        log.warning("ignoring the kept configuration %s: %s", path, found)
        return None
    return found


def write_cache(var: Path, device_id: str, state: m.ConfigState) -> None:
    """Atomically: a device switched off mid-write keeps the previous copy."""
    path = cache_path(var, device_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"revision": state.revision, "at": state.at.isoformat(),
                                     "config": state.config}, ensure_ascii=False),
                         encoding="utf-8")
    os.replace(temporary, path)


class ConfigFollower:
    """Takes each `state/config` the hub publishes (on the bus's thread), keeps it on disk and
    hands a new revision to `on_change`."""

    def __init__(self, device_id: str, role: m.DeviceRole, var: Path,
                 current: Configuration | None,
                 on_change: Callable[[Configuration], None] = lambda _c: None) -> None:
        self.device_id = device_id
        self.role = role
        self.var = var
        self.current = current
        self.on_change = on_change
        # Called when the hub's configuration, valid, no longer has this device: a device
        # removed from the centre must not go on looking as if it worked.
        self.on_removed: Callable[[], None] = lambda: None
        self.problem: str | None = None  # why the hub's last configuration was not taken
        self._lock = threading.Lock()

    def on_state(self, state: m.ConfigState) -> None:
        with self._lock:
            taken = self._take(state)
        if isinstance(taken, Configuration):
            log.info("configuration revision %d from the hub", state.revision)
            self.on_change(taken)
        elif taken == "removed":
            self.on_removed()

    def _take(self, state: m.ConfigState) -> Configuration | Literal["removed"] | None:
        """The new configuration; "removed" when it no longer has this device; None when
        there is nothing to do."""
        current, at = self.current, state.at.isoformat()
        if current is not None and (current.revision, current.at) == (state.revision, at):
            # The same revision again (a reconnect, a restarted hub), or the one the device
            # started from its disk: nothing to redraw.
            self.current = replace(current, source="hub")
            return None
        found = _accept(state.config, self.device_id, self.role, state.revision, "hub", at)
        if isinstance(found, str):
            self.problem = f"the centre's configuration {state.revision} is unusable here: "\
                           f"{found}"
            log.error("%s", self.problem)
            return "removed" if found.startswith("it has no") else None
        self.problem = None
        try:
            write_cache(self.var, self.device_id, state)
        except OSError as exc:
            log.error("could not keep the configuration on disk: %s", exc)
        self.current = found
        return found


# A device's own settings that its running app cannot take live (its window, its printer, its
# voice): the app restarts itself, in a second or two, to take them.
RESTART_SETTINGS = {
    "kiosk": ("printer", "voice", "voices", "audio_device", "orientation", "fullscreen"),
    "board": ("orientation", "fullscreen", "voice", "voices", "audio_device", "rate",
              "voice_pack", "languages"),
    "counter": ("fullscreen",),
    "rating": ("orientation", "fullscreen", "screen_dpi", "voice", "voices", "audio_device"),
}


def settings_needing_restart(before: Device, after: Device) -> list[str]:
    def settings(device: Device) -> object:
        return {"kiosk": device.kiosk_settings, "board": device.board_settings,
                "counter": device.terminal_settings,
                "rating": device.rating_settings}[device.role]

    old, new = settings(before), settings(after)
    return [name for name in RESTART_SETTINGS[before.role]
            if getattr(old, name) != getattr(new, name)]
