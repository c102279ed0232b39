"""The configuration the hub publishes to devices (`state/config`) and its revisions.

What devices get is the configuration file's content without what only the hub may know:
`broker` (addresses, user names, password files), the store's path (`hub.db`) and `serial`
(its keypad line); the hub's timers stay, as devices beat at the hub's heartbeat. Each
different configuration the hub runs with becomes a new revision in the store, with when
and by what it was applied and which parts changed, so that devices can tell a change and
the console can show the history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hub.store import Store
from lobby.config.models import LobbyConfig

HUB_ONLY: dict[str, Any] = {"broker": True, "serial": True, "hub": {"db"}}


@dataclass(frozen=True)
class Revision:
    number: int
    at: float
    config: dict[str, Any]
    changes: tuple[str, ...] = ()  # what this revision changed; () when none was made


def for_devices(config: LobbyConfig) -> dict[str, Any]:
    public: dict[str, Any] = config.model_dump(mode="json", exclude=HUB_ONLY)
    return public


def changed_parts(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Which parts differ, as paths ("services.B", "counters.3", "site"): enough to say
    what a revision changed; the full configurations are kept too."""
    parts = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, list) and isinstance(new, list) and all(
                isinstance(x, dict) and "id" in x for x in old + new):
            olds = {x["id"]: x for x in old}
            news = {x["id"]: x for x in new}
            parts += [f"{key}.{i}" for i in sorted(olds.keys() | news.keys())
                      if olds.get(i) != news.get(i)]
        else:
            parts.append(key)
    return parts


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
