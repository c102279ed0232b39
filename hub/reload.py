"""Changing the running hub's configuration: what may change live, and how `lobby config
apply` and the hub talk on the hub's machine.

Live: everything devices see (site names and languages, services, counters, devices,
priority classes, recall limit). Not live: `broker` (the hub's own connection), `hub` (its
store and timers), `serial` (its keypad line) and `site.id` and `site.timezone` (the topics
and the day's numbering hang on them); a reload keeps the running values of those, reports
them as "needs a restart", and the next start takes them from the file.

The protocol is two files beside the store, because the hub's machine is the only place a
configuration is applied from and the lock file already names the hub's pid:
`<db>.reload-request` (who asks; read and removed by the hub on SIGHUP) and
`<db>.reload-result` (what the reload did, written by the hub for whoever waits)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lobby.config.models import LobbyConfig

# Top-level parts and site fields a reload does not change.
RESTART_PARTS = ("broker", "hub", "serial")
RESTART_SITE_FIELDS = ("id", "timezone")


@dataclass
class ReloadResult:
    """What one reload did; `error` set means nothing changed."""

    applied_by: str
    revision: int | None = None
    changed: list[str] = field(default_factory=list)
    needs_restart: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ReloadResult:
        data: dict[str, Any] = json.loads(text)
        return cls(**data)


def needs_restart(running: LobbyConfig, new: LobbyConfig) -> list[str]:
    """The parts of `new` that differ from the running configuration but cannot change live."""
    parts = [part for part in RESTART_PARTS
             if getattr(running, part) != getattr(new, part)]
    parts += [f"site.{name}" for name in RESTART_SITE_FIELDS
              if getattr(running.site, name) != getattr(new.site, name)]
    return parts


def live_part_of(running: LobbyConfig, new: LobbyConfig) -> LobbyConfig:
    """`new` with the running values of everything that needs a restart."""
    site = new.site.model_copy(
        update={name: getattr(running.site, name) for name in RESTART_SITE_FIELDS})
    return new.model_copy(update={
        "site": site, **{part: getattr(running, part) for part in RESTART_PARTS}})


def request_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.reload-request")


def result_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.reload-result")


def take_request(db_path: str | Path) -> str | None:
    """Who asked for the reload (`lobby config apply` leaves its name), once."""
    path = request_path(db_path)
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    path.unlink(missing_ok=True)
    return text or None


def write_result(db_path: str | Path, result: ReloadResult) -> None:
    path = result_path(db_path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(result.to_json(), encoding="utf-8")
    temporary.replace(path)  # whoever waits reads a whole file or none
