"""The tickets' pages, live: every open page follows its ticket; on each word from the hub
(through the bus link) one round reads the waiting lines and the followed tickets once, works
out every followed ticket's page and re-renders and pushes only those that changed — one
round for a thousand phones, never one query per phone."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
import time
from dataclasses import dataclass, field

from citizen.link import PublicLink
from citizen.pages import Pages, sse_event
from citizen.store import CitizenTicket, PublicStore
from citizen.view import Lines, TicketPage, page_for
from lobby.config.models import LobbyConfig
from lobby.config.watched import CentreConfig

COALESCE_SECONDS = 0.025  # a burst of publishes (a call: the queues and a counter, at once)
TICK_SECONDS = 15.0  # rounds without news: the hub's silence, a rating window, midnight


@dataclass(eq=False)
class Follower:
    """One open page's stream: the last page sent and the fragment to send next."""

    ticket_id: int
    lang: str
    base: str
    page: TicketPage | None = None
    pending: str | None = None  # the panel as a server-sent event, ready to write
    ended: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, page: TicketPage, html: str) -> None:
        self.page, self.pending = page, html
        self.ended = page.kind == "expired"
        self.wake.set()


class LiveTickets:
    def __init__(self, centre: CentreConfig, store: PublicStore, link: PublicLink | None,
                 pages: Pages) -> None:
        self.centre = centre
        self.store = store
        self.link = link
        self.pages = pages
        self.followers: dict[int, set[Follower]] = {}
        self.signal = asyncio.Event()
        self.rounds = 0
        self._lines: Lines | None = None  # None: read again before use
        self._round_at = 0.0  # when the last round began

    def changed(self) -> None:
        """Something changed at the hub (call on the event loop)."""
        self._lines = None
        self.signal.set()

    def stale(self) -> bool:
        return self.link is not None and not self.link.reachable()

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.centre.current().site.zone)

    def _page(self, ticket: CitizenTicket, lines: Lines, config: LobbyConfig,
              stale: bool) -> TicketPage:
        link = self.link
        return page_for(ticket, config, lines, link.queues if link else None,
                        link.counters if link else {}, time.time(), stale)

    def page(self, ticket: CitizenTicket) -> TicketPage:
        """One ticket's page now (a page load: the lines as of the last change)."""
        lines = self._lines
        if lines is None:
            lines = self._lines = Lines.of(self.store.waiting_lines())
        return self._page(ticket, lines, self.centre.current(), self.stale())

    def follow(self, ticket_id: int, lang: str, base: str, page: TicketPage) -> Follower:
        follower = Follower(ticket_id, lang, base, page)
        self.followers.setdefault(ticket_id, set()).add(follower)
        return follower

    def unfollow(self, follower: Follower) -> None:
        followers = self.followers.get(follower.ticket_id)
        if followers is not None:
            followers.discard(follower)
            if not followers:
                del self.followers[follower.ticket_id]

    def _round(self, wanted: dict[int, list[Follower]]) -> list[tuple[Follower, TicketPage, str]]:
        """In a worker thread: every followed ticket's page, rendered once per language for
        those whose page changed."""
        lines = self._lines = Lines.of(self.store.waiting_lines())
        tickets = self.store.tickets(wanted)
        at = self.now()
        config, stale = self.centre.current(), self.stale()  # once for the whole round
        pushes: list[tuple[Follower, TicketPage, str]] = []
        for ticket_id, followers in wanted.items():
            ticket = tickets.get(ticket_id)
            if ticket is None:
                continue
            page = self._page(ticket, lines, config, stale)
            rendered: dict[tuple[str, str], str] = {}
            for follower in followers:
                if follower.page == page:
                    continue
                key = (follower.lang, follower.base)
                if key not in rendered:  # encoded here, off the loop that writes it out
                    rendered[key] = sse_event("ticket", self.pages.fragment(
                        page, follower.lang, follower.base, at))
                pushes.append((follower, page, rendered[key]))
        return pushes

    def _first_closing(self) -> float:
        """When the first rating window on an open page closes that the last round did not
        see closed (math.inf: none)."""
        return min((f.page.rating_until for followers in self.followers.values()
                    for f in followers if f.page is not None
                    and f.page.rating_until is not None
                    and f.page.rating_until > self._round_at), default=math.inf)

    async def _quiet(self) -> None:
        """Until news from the hub, the tick, or a rating window closing on an open page (its
        buttons go as it ends, not up to a tick late); looked at again every second, as a
        page opened meanwhile may close first."""
        tick_at = time.time() + TICK_SECONDS
        while not self.signal.is_set():
            wait = min(tick_at, self._first_closing()) - time.time()
            if wait <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.signal.wait(), min(wait, 1.0))

    async def run(self) -> None:
        while True:
            await self._quiet()
            await asyncio.sleep(COALESCE_SECONDS)
            self.signal.clear()
            self._lines = None
            wanted = {ticket_id: list(followers)
                      for ticket_id, followers in self.followers.items()}
            if not wanted:
                continue
            self._round_at = time.time()  # what it renders is as of now, or later
            pushes = await asyncio.to_thread(self._round, wanted)
            for follower, page, html in pushes:
                follower.push(page, html)
            self.rounds += 1
