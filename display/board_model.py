"""The ceiling board as a plain view-model: the Kivy app shows what it says.

It paints from the retained state the moment it connects; keeps the last state while the hub
or broker is away (and says so, discreetly); shows each call once by `seq`; and limits itself
to its zone (some counters or services) when configured.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from display.zone import in_zone, service_in_zone
from lobby.config.models import Board, LobbyConfig
from lobby.contract import messages as m
from lobby.presence import HubPresence


@dataclass(frozen=True)
class WaitingRow:
    service: str
    names: dict[str, str]
    waiting: int


class BoardModel(HubPresence):
    def __init__(self, config: LobbyConfig, settings: Board,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[], None] = lambda: None) -> None:
        self.config = config
        self.settings = settings
        self.clock = clock
        self.on_change = on_change
        self.calls: list[m.BoardCall] = []  # newest first, in the zone
        self.flash_until: dict[int, float] = {}
        self.max_seq: int | None = None  # the highest seq seen, None before the first board
        self.queues: list[m.ServiceQueue] = []
        self._lock = threading.Lock()

    # --- inputs (any thread) ---------------------------------------------------------------

    def on_board(self, board: m.BoardState) -> None:
        with self._lock:
            first = self.max_seq is None
            self._merge(board.calls, flash=not first)
            self.max_seq = max(self.max_seq or 0, board.seq)
        self.on_change()

    def on_called(self, call: m.CalledEvent) -> None:
        with self._lock:
            self._merge([call], flash=True)
            self.max_seq = max(self.max_seq or 0, call.seq)
        self.on_change()

    def on_queues(self, state: m.QueuesState) -> None:
        self.queues = [q for q in state.services if service_in_zone(self.settings, q.id)]
        self.on_change()

    def _merge(self, calls: list[m.BoardCall], flash: bool) -> None:
        known = {row.seq for row in self.calls}
        for call in calls:
            if call.seq in known or not in_zone(self.settings, call.counter, call.service):
                continue
            self.calls.append(m.BoardCall.model_validate(call.model_dump()))
            if flash and (self.max_seq is None or call.seq > self.max_seq):
                self.flash_until[call.seq] = self.clock() + self.settings.flash_seconds
        self.calls.sort(key=lambda r: r.seq, reverse=True)
        del self.calls[self.settings.calls_shown:]
        shown = {row.seq for row in self.calls}
        self.flash_until = {s: t for s, t in self.flash_until.items() if s in shown}

    # --- outputs ----------------------------------------------------------------------------

    @property
    def offline(self) -> bool:
        return not self.online

    def current(self) -> list[m.BoardCall]:
        """The newest calls, shown large; one per counter (its latest)."""
        rows, counters = [], set()
        for row in self.calls:
            if row.counter not in counters:
                rows.append(row)
                counters.add(row.counter)
            if len(rows) == self.settings.current_calls:
                break
        return rows

    def history(self) -> list[m.BoardCall]:
        current = {row.seq for row in self.current()}
        return [row for row in self.calls if row.seq not in current]

    def flashing(self, row: m.BoardCall) -> bool:
        return self.clock() < self.flash_until.get(row.seq, 0.0)

    def newest(self) -> m.BoardCall | None:
        return self.calls[0] if self.calls else None

    def waiting(self) -> list[WaitingRow]:
        return [WaitingRow(q.id, q.names, q.waiting) for q in self.queues]
