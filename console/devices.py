"""Every configured device as the console sees it, and the alerts that need a person: paper
out or near its end, a kiosk or board offline for over a minute, the hub offline. Alerts are
kept with when they began and ended (the history), for as long as the console runs."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from console.link import LobbyNow
from lobby.config.models import LobbyConfig

OFFLINE_ALERT_SECONDS = 60.0
# Keypads send key presses only: an open counter whose keypad said nothing for this long (or
# nothing since the hub started, that long ago) may have a dead keypad.
KEYPAD_SILENT_SECONDS = 30 * 60.0
WATCHED_ROLES = ("kiosk", "board")  # a citizen or the hall is left without them


@dataclass(frozen=True)
class DeviceRow:
    id: str
    role: str
    state: str  # online / offline / stale / unknown (never heard)
    age_seconds: float | None  # since its last status
    version: str | None
    contract: int | None
    paper: str | None  # kiosks: ok / near_end / out / unknown
    detail: str | None


@dataclass(frozen=True)
class KeypadRow:
    counter: str
    number: int
    silent_seconds: float | None  # since its last key press (None: none since the hub began)
    counter_open: bool


def keypad_rows(config: LobbyConfig, now: LobbyNow, at: dt.datetime) -> list[KeypadRow]:
    """The keypad line's counters, with how long each keypad has said nothing."""
    state = now.hub.keypads if now.hub else None
    if state is None:
        return []
    rows = []
    for counter_id, last in sorted(state.counters.items()):
        counter = config.counter(counter_id)
        view = now.counters.get(counter_id)
        rows.append(KeypadRow(
            counter_id, counter.number if counter else 0,
            None if last is None else max(0.0, (at - last).total_seconds()),
            view is not None and view.status == "open"))
    return rows


@dataclass(frozen=True)
class Alert:
    key: str  # what it is about, e.g. "paper:kiosk-1"
    kind: str  # paper_out / paper_near_end / offline / hub_offline / broker_unreachable /
    # keypad_line / keypad_silent
    device: str | None


def device_rows(config: LobbyConfig, now: LobbyNow, at: dt.datetime,
                started: float | None = None) -> list[DeviceRow]:
    """`started`: when the console started; a device never heard since is as silent as
    that (the broker keeps nothing across its restart: a device dead since a power cut has no
    word at all)."""
    rows = []
    stale_after = config.hub.stale_after_seconds
    for device in config.devices:
        seen = now.devices.get(device.id)
        if seen is None:
            rows.append(DeviceRow(device.id, device.role, "unknown",
                                  None if started is None else
                                  max(0.0, at.timestamp() - started), None, None, None, None))
            continue
        status = seen.status
        state = status.state
        if state == "online":
            age = max(0.0, (at - status.at).total_seconds())
            if age > stale_after:  # its heartbeats stopped
                state = "stale"
        else:
            # A will carries the time it was set (at connect), so how long a device has
            # been down is counted from when the console heard it went down.
            age = max(0.0, at.timestamp() - seen.received)
        paper = status.printer.paper if status.printer else (
            "unknown" if device.role == "kiosk" else None)
        rows.append(DeviceRow(device.id, device.role, state, age, status.version,
                              status.contract, paper, status.detail))
    return rows


def current_alerts(rows: list[DeviceRow], hub_online: bool, keypads: list[KeypadRow] | None = None,
                   keypad_line_open: bool = True, hub_up_seconds: float = 0.0,
                   broker_connected: bool = True) -> list[Alert]:
    if not broker_connected:  # then nothing else can be told: say what to look at
        return [Alert("broker", "broker_unreachable", None)]
    alerts = [] if hub_online else [Alert("hub", "hub_offline", None)]
    if hub_online and not keypad_line_open:
        alerts.append(Alert("keypad-line", "keypad_line", None))
    for keypad in keypads or []:
        silent = keypad.silent_seconds if keypad.silent_seconds is not None else hub_up_seconds
        if keypad.counter_open and silent > KEYPAD_SILENT_SECONDS:
            alerts.append(Alert(f"keypad:{keypad.counter}", "keypad_silent",
                                str(keypad.number)))
    for row in rows:
        if row.paper == "out" and row.state == "online":
            alerts.append(Alert(f"paper:{row.id}", "paper_out", row.id))
        elif row.paper == "near_end" and row.state == "online":
            alerts.append(Alert(f"paper:{row.id}", "paper_near_end", row.id))
        if row.role in WATCHED_ROLES and row.state in ("offline", "stale", "unknown") and (
                row.age_seconds is not None and row.age_seconds > OFFLINE_ALERT_SECONDS):
            alerts.append(Alert(f"offline:{row.id}", "offline", row.id))
    return alerts


@dataclass
class AlertRecord:
    alert: Alert
    began: dt.datetime
    ended: dt.datetime | None = None


@dataclass
class AlertLog:
    """Alerts as they begin and end; the newest first, at most `keep` of them."""

    keep: int = 200
    records: list[AlertRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, alerts: list[Alert], at: dt.datetime) -> None:
        with self._lock:
            open_now = {r.alert.key: r for r in self.records if r.ended is None}
            keys = {a.key for a in alerts}
            for key, record in open_now.items():
                if key not in keys or record.alert not in alerts:
                    record.ended = at
            for alert in alerts:
                current = open_now.get(alert.key)
                if current is None or current.alert != alert:
                    self.records.insert(0, AlertRecord(alert, at))
            del self.records[self.keep:]

    def history(self) -> list[AlertRecord]:
        with self._lock:
            return list(self.records)
