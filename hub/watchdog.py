"""Marks devices stale when their heartbeats stop.

A will covers a device whose connection drops, but amqtt sends no will on keepalive timeout
and a hung device may keep its TCP connection open (docs/stack-notes.md), so the hub watches the
heartbeats itself and, like a will would, publishes `stale` for the silent device.

While the hub itself cannot reach the broker it hears no device: their silence is its own,
so it marks none stale then, and gives each the whole limit again from its return.
"""

from __future__ import annotations

from dataclasses import dataclass

from lobby.contract import messages as m


@dataclass
class _Seen:
    role: m.DeviceRole
    at: float
    state: str


class Watchdog:
    def __init__(self, stale_after_seconds: float) -> None:
        self.stale_after = stale_after_seconds
        self._devices: dict[str, _Seen] = {}

    def seen(self, device: str, role: m.DeviceRole, state: str, now: float) -> None:
        self._devices[device] = _Seen(role, now, state)

    def state(self, device: str) -> str | None:
        seen = self._devices.get(device)
        return seen.state if seen else None

    def excuse(self, now: float) -> None:
        """The hub was deaf until `now` (its broker connection down): no silence counts."""
        for seen in self._devices.values():
            seen.at = max(seen.at, now)

    def newly_stale(self, now: float) -> list[tuple[str, m.DeviceRole, float]]:
        """Devices that were online and have been silent too long: (id, role, silent for).
        Each is reported once, until it speaks again."""
        found = []
        for device, seen in self._devices.items():
            silent = now - seen.at
            if seen.state == "online" and silent > self.stale_after:
                seen.state = "stale"
                found.append((device, seen.role, silent))
        return found
