"""The configuration the hub publishes to devices (`state/config`) and its revisions.

What devices get is the configuration file's content without what only the hub may know:
`broker` (addresses, user names, password files), the store's path (`hub.db`), `serial`
(its keypad line) and the staff's PIN hashes and keypad codes (their names stay). The hub's
timers stay, as devices beat at the hub's heartbeat. Each different configuration the hub
runs with becomes a new revision in the store, with when and by what it was applied and
which parts changed, so that devices can tell a change and the console can show the
history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hub.store import Store
from lobby.config.models import LobbyConfig

HUB_ONLY: dict[str, Any] = {"broker": True, "serial": True, "hub": {"db"}, "console": True,
                            "staff": {"__all__": {"pin_hash", "keypad_code"}}}


@dataclass(frozen=True)
class Revision:
    number: int
    at: float
    config: dict[str, Any]
    changes: tuple[str, ...] = ()  # what this revision changed; () when none was made


def for_devices(config: LobbyConfig) -> dict[str, Any]:
    public: dict[str, Any] = config.model_dump(mode="json", exclude=HUB_ONLY)
    return public


def changed_parts(before: Any, after: Any, path: str = "") -> list[str]:
    """Which parts differ, as paths ("services.B.names", "counters.3.closed", "devices.kiosk-2
    added"): what a revision changed, for people; the full configurations are kept too.
    Lists of items with ids are compared item by item."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        return [part for key in sorted(before.keys() | after.keys())
                for part in _changed_key(before, after, key, path)]
    if isinstance(before, list) and isinstance(after, list) and all(
            isinstance(x, dict) and "id" in x for x in before + after):
        return changed_parts({str(x["id"]): x for x in before},
                             {str(x["id"]): x for x in after}, path)
    return [path or "everything"]


def _changed_key(before: dict[str, Any], after: dict[str, Any], key: str,
                 path: str) -> list[str]:
    where = f"{path}.{key}" if path else key
    if key not in before:
        return [f"{where} added"]
    if key not in after:
        return [f"{where} removed"]
    return changed_parts(before[key], after[key], where)


def current_revision(store: Store, config: LobbyConfig, now: float,
                     applied_by: str) -> Revision:
    """The revision of `config`: the last stored one if it is the same, else a new one."""
    public = for_devices(config)
    text = json.dumps(public, ensure_ascii=False, sort_keys=True)
    latest = store.latest_config()
    if latest is not None and latest[2] == text:
        return Revision(latest[0], latest[1], public)
    before = json.loads(latest[2]) if latest else {}
    changes = changed_parts(before, public) if latest else ["everything: the first revision"]
    number = store.add_config_revision(now, applied_by, text, json.dumps(changes))
    return Revision(number, now, public, tuple(changes))
