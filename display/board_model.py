"""The ceiling board as a plain view-model: the Kivy app shows what it says.

"Now serving" is one row per counter that is serving: it has a called ticket not yet done or
no-show, and it is open (not paused or closed) — taken from the counters' retained state, so a
recall re-flashes its counter's row instead of adding one, and a counter whose ticket ends
leaves the list. "Recent calls" are the latest distinct numbers called that are not being
served now. The board paints from the retained state the moment it connects, keeps the last
state while the hub or broker is away (and says so), flashes each call once by `seq`, and
limits itself to its zone (some counters or services) when configured.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from display.zone import in_zone, service_in_zone
from lobby.config.models import Board, LobbyConfig
from lobby.contract import messages as m
from lobby.contract import supervisor as sv
from lobby.presence import HubPresence


@dataclass(frozen=True)
class ServingRow:
    counter: str
    counter_number: int
    number: str
    seq: int  # of the call that brought the ticket there (0 if not seen)


@dataclass(frozen=True)
class WaitingRow:
    service: str
    names: dict[str, str]
    waiting: int
    open: bool
    opens_at: dt.datetime | None  # local time; None when open or not opening this week


class BoardModel(HubPresence):
    def __init__(self, config: LobbyConfig, settings: Board,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[], None] = lambda: None) -> None:
        self.config = config
        self.settings = settings
        self.clock = clock
        self.on_change = on_change
        self.calls: list[m.BoardCall] = []  # newest first, in the zone
        self.counters: dict[str, m.CounterView] = {}  # in the zone
        self.flash_until: dict[str, float] = {}  # counter -> end of its row's flashing
        self.max_seq: int | None = None  # the highest seq seen, None before the first board
        self.queues: list[m.ServiceQueue] = []
        self.generation = 0  # counts configuration changes: the app re-measures on a new one
        self.announcement: sv.AnnouncementEvent | None = None  # the newest, for this board
        self.wall_clock: Callable[[], float] = time.time  # announcements end at a wall time
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

    def on_counter(self, view: m.CounterView) -> None:
        if self.settings.zone_counters and view.counter not in self.settings.zone_counters:
            return
        with self._lock:
            self.counters[view.counter] = view
        self.on_change()

    def on_announcement(self, announcement: sv.AnnouncementEvent) -> None:
        """A supervisor's announcement for this board: shown until its `until`; a newer one
        replaces it."""
        with self._lock:
            if self.announcement is None or announcement.id >= self.announcement.id:
                self.announcement = announcement
        self.on_change()

    def banner(self) -> list[str]:
        """The announcement's lines now, in the site's languages (none once it ended)."""
        shown = self.announcement
        if shown is None or shown.until.timestamp() <= self.wall_clock():
            return []
        return [shown.texts[lang] for lang in self.config.site.languages if lang in shown.texts]

    def reconfigure(self, config: LobbyConfig, settings: Board) -> None:
        """The centre's configuration or this board's zone changed: keep what still belongs;
        the client has the broker send the retained state again for what now does."""
        with self._lock:
            self.config, self.settings = config, settings
            self.calls = [c for c in self.calls if in_zone(settings, c.counter, c.service)]
            self.counters = {
                key: view for key, view in self.counters.items()
                if config.counter(key) is not None
                and (not settings.zone_counters or key in settings.zone_counters)}
            self.queues = [q for q in self.queues if service_in_zone(settings, q.id)]
            self.generation += 1
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
                self.flash_until[call.counter] = self.clock() + self.settings.flash_seconds
        self.calls.sort(key=lambda r: r.seq, reverse=True)
        # Enough history for the recent list after recalls and the serving rows are left out.
        del self.calls[4 * self.settings.calls_shown + len(self.config.counters):]

    # --- outputs ----------------------------------------------------------------------------

    @property
    def offline(self) -> bool:
        return not self.online

    def serving(self) -> list[ServingRow]:
        """Every serving counter of the zone once, the latest call first."""
        with self._lock:
            views = list(self.counters.values())
            calls = list(self.calls)
        rows = []
        for view in views:
            ticket = view.ticket
            if ticket is None or view.status != "open" or ticket.state != "called":
                continue
            if not in_zone(self.settings, view.counter, ticket.service):
                continue
            seq = next((c.seq for c in calls
                        if c.counter == view.counter and c.number == ticket.number), 0)
            rows.append(ServingRow(view.counter, view.number, ticket.number, seq))
        rows.sort(key=lambda r: (r.seq, r.counter_number), reverse=True)
        return rows

    def recent(self) -> list[m.BoardCall]:
        """The latest distinct numbers called that are not being served now."""
        serving = {row.number for row in self.serving()}
        with self._lock:
            calls = list(self.calls)
        rows: list[m.BoardCall] = []
        seen: set[str] = set()
        for call in calls:
            if call.number in seen or call.number in serving:
                continue
            seen.add(call.number)
            rows.append(call)
            if len(rows) == self.settings.calls_shown:
                break
        return rows

    def flashing(self, counter: str) -> bool:
        return self.clock() < self.flash_until.get(counter, 0.0)

    def newest(self) -> ServingRow | None:
        rows = self.serving()
        return rows[0] if rows else None

    def waiting(self) -> list[WaitingRow]:
        zone = self.config.site.zone
        return [WaitingRow(q.id, q.names, q.waiting, q.open,
                           q.opens_at.astimezone(zone) if q.opens_at else None)
                for q in self.queues]
