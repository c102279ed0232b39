"""Wrong PINs in a row, per device and name: five lock that name at that device for a minute."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.errors import HubError

FAILURES_BEFORE_LOCK = 5
LOCK_SECONDS = 60.0


@dataclass
class SignInGuard:
    """Wrong PINs in a row, per device and name; five lock that name at that device for a
    minute. Kept in memory (a refusal writes nothing to the store) and logged."""

    failures: dict[tuple[str, str], int] = field(default_factory=dict)
    locked_until: dict[tuple[str, str], float] = field(default_factory=dict)

    def check(self, source: str, staff: str, now: float) -> None:
        until = self.locked_until.get((source, staff), 0.0)
        if now < until:
            raise HubError("locked", f"too many wrong PINs for {staff} here: try again in "
                           f"{int(until - now) + 1} s")

    def failed(self, source: str, staff: str, now: float) -> int:
        key = (source, staff)
        count = self.failures.get(key, 0) + 1
        self.failures[key] = count
        if count >= FAILURES_BEFORE_LOCK:
            self.failures[key] = 0
            self.locked_until[key] = now + LOCK_SECONDS
        return count

    def succeeded(self, source: str, staff: str) -> None:
        self.failures.pop((source, staff), None)
