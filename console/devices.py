"""Every configured device as the console sees it, and the alerts that need a person: paper
out or near its end, a kiosk or board offline (or never heard) for over a minute, the hub
offline, the broker unreachable, the keypad line down or a keypad silent. Alerts are kept with
when they began and ended (the history), in the console's own file across its restarts."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

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
    """Alerts as they begin and end; the newest first, at most `keep` of them. With a `path`
    (the console's own SQLite file), kept across the console's restarts: what happened
    overnight is still there in the morning, and an alert still true goes on unbroken."""

    keep: int = 200
    path: Path | None = None
    records: list[AlertRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, key TEXT, "
                       "kind TEXT, device TEXT, began TEXT, ended TEXT)")
            rows = db.execute("SELECT key, kind, device, began, ended FROM alerts "
                              "ORDER BY id DESC LIMIT ?", (self.keep,)).fetchall()
        self.records = [AlertRecord(Alert(key, kind, device), dt.datetime.fromisoformat(began),
                                    dt.datetime.fromisoformat(ended) if ended else None)
                        for key, kind, device, began, ended in rows]

    def update(self, alerts: list[Alert], at: dt.datetime) -> None:
        with self._lock:
            open_now = {r.alert.key: r for r in self.records if r.ended is None}
            keys = {a.key for a in alerts}
            ended, began = [], []
            for key, record in open_now.items():
                if key not in keys or record.alert not in alerts:
                    record.ended = at
                    ended.append(record)
            for alert in alerts:
                current = open_now.get(alert.key)
                if current is None or current.alert != alert:
                    record = AlertRecord(alert, at)
                    self.records.insert(0, record)
                    began.append(record)
            del self.records[self.keep:]
            if self.path is not None and (ended or began):
                self._write(ended, began)

    def _write(self, ended: list[AlertRecord], began: list[AlertRecord]) -> None:
        with closing(sqlite3.connect(self.path or "")) as db, db:
            for record in ended:
                db.execute("UPDATE alerts SET ended = ? WHERE key = ? AND began = ?",
                           (record.ended.isoformat() if record.ended else None,
                            record.alert.key, record.began.isoformat()))
            db.executemany("INSERT INTO alerts (key, kind, device, began) VALUES (?, ?, ?, ?)",
                           [(r.alert.key, r.alert.kind, r.alert.device, r.began.isoformat())
                            for r in began])

    def history(self) -> list[AlertRecord]:
        with self._lock:
            return list(self.records)
