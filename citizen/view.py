"""A ticket's page as its citizen sees it, computed from the store (the ticket, the waiting
lines) and the hub's last word on the bus (estimates, counters): a frozen value, so that the
live side re-renders and re-sends a page only when something on it changed."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from citizen.store import CitizenTicket, InLine
from hub.numbering import local_day
from hub.policy import ahead_at_counters, ahead_in_each, working_counters
from lobby.config.models import Counter, LobbyConfig
from lobby.contract import messages as m

# What the page shows, one per ticket state, and "expired" for a ticket of an earlier day.
STATES = ("waiting", "called", "done", "no_show", "cancelled", "not_handed_out", "expired")


@dataclass(frozen=True)
class RatingChoice:
    id: str
    names: tuple[tuple[str, str], ...]  # (language, name)
    colour: str


@dataclass(frozen=True)
class TicketPage:
    kind: str  # one of STATES
    number: str
    service_names: tuple[tuple[str, str], ...]
    ahead: int | None = None
    estimate_minutes: int | None = None
    counters: tuple[int, ...] = ()  # the numbers of the counters that serve its service
    counter_number: int | None = None  # called: where to go
    recalls: int = 0
    coming: bool = False
    rating: tuple[RatingChoice, ...] = ()  # offered now (done, not rated, in the window)
    rated: bool = False
    rating_until: float | None = None  # the live side re-renders when the window closes
    rating_closed: bool = False  # done, not rated, the window passed
    priority_names: tuple[tuple[str, str], ...] = ()  # its priority class, if any
    # Waiting, and every counter that serves its line is closed or paused (the hub said so):
    # before opening, at lunch. "You are next" must not read as "soon".
    none_serving: bool = False
    stale: bool = False  # the hub or the broker is out of reach: what is shown may be old

    def service_name(self, lang: str) -> str:
        return _in(self.service_names, lang)

    def priority_name(self, lang: str) -> str:
        return _in(self.priority_names, lang)

    @property
    def times_called(self) -> int:
        return self.recalls + 1


def _in(names: tuple[tuple[str, str], ...], lang: str) -> str:
    by_language = dict(names)
    return by_language.get(lang) or by_language.get("en") or next(iter(by_language.values()), "")


def _none_serving(config: LobbyConfig, service: str,
                  counters: Mapping[str, m.CounterView]) -> bool:
    """Every counter serving the line has said it is not open (one not heard of yet counts
    as open: the page claims nothing it does not know)."""
    views = [counters.get(c.id) for c in config.counters_serving(service)]
    return bool(views) and all(v is not None and v.status != "open" for v in views)


def _working(config: LobbyConfig, service: str,
             counters: Mapping[str, m.CounterView]) -> list[Counter]:
    """The counters serving the service: the open ones if any is open, else all (as the hub
    counts them for its estimates)."""
    return working_counters(config.counters_serving(service),
                            lambda c: (v := counters.get(c.id)) is not None and v.status == "open")


@dataclass(frozen=True)
class Lines:
    """The waiting lines of one moment, each waiting ticket's place in its own line worked
    out once for every page that asks."""

    in_line: Mapping[int, int]  # ticket id -> people ahead in its own line
    waiting: Mapping[str, int]  # people waiting per service

    @classmethod
    def of(cls, lines: Mapping[str, Sequence[InLine]]) -> Lines:
        in_line: dict[int, int] = {}
        for line in lines.values():
            in_line.update(zip((t.id for t in line), ahead_in_each(line), strict=True))
        return cls(in_line, {service: len(line) for service, line in lines.items()})


def _ahead(ticket: CitizenTicket, lines: Lines, working: Sequence[Counter]) -> int | None:
    """As the hub counts for a new ticket: its own line by the queue policy, and the lines
    its counters serve first."""
    own = lines.in_line.get(ticket.id)
    if own is None:
        return None  # between the store's read and the line's: the next change tells
    return own + ahead_at_counters(ticket.service, [c.services for c in working],
                                   lines.waiting)


def _estimate(ahead: int | None, service: str, queues: m.QueuesState | None) -> int | None:
    """The hub's estimate for its whole line, in proportion to the people ahead (the hub
    estimates with one average service time per service and its serving counters)."""
    if ahead is None or queues is None:
        return None
    found = next((s for s in queues.services if s.id == service), None)
    if found is None or found.estimate_minutes is None or found.waiting <= 0:
        return None
    return math.ceil(found.estimate_minutes * ahead / found.waiting)


def _rating(config: LobbyConfig, ticket: CitizenTicket,
            now: float) -> tuple[tuple[RatingChoice, ...], float | None]:
    """The choices offered now and until when; none once rated or the window passed."""
    if ticket.state != "done" or ticket.closed_at is None or ticket.rated:
        return (), None
    until = ticket.closed_at + config.ratings.window_seconds(by_phone=True)
    if now >= until:
        return (), until
    choices = tuple(RatingChoice(level.id, tuple(level.names.items()), level.colour)
                    for level in config.ratings.levels)
    return choices, until


def page_for(ticket: CitizenTicket, config: LobbyConfig, lines: Lines,
             queues: m.QueuesState | None,
             counters: Mapping[str, m.CounterView], now: float, stale: bool) -> TicketPage:
    service = config.service(ticket.service)
    names = tuple(service.names.items()) if service else ((config.site.languages[0],
                                                           ticket.service),)
    if ticket.day != local_day(now, config.site.zone):
        return TicketPage("expired", ticket.number, names)
    counter = config.counter(ticket.counter) if ticket.counter else None
    group = config.priority_class(ticket.priority) if ticket.priority else None
    base = TicketPage(ticket.state, ticket.number, names, stale=stale,
                      priority_names=tuple(group.names.items()) if group else ())
    if ticket.state == "waiting":
        ahead = _ahead(ticket, lines, _working(config, ticket.service, counters))
        # Every counter that serves it, as the printed ticket lists them.
        numbers = tuple(sorted(c.number for c in config.counters_serving(ticket.service)))
        if _none_serving(config, ticket.service, counters):  # no estimate: nobody serves
            return replace(base, ahead=ahead, counters=numbers, none_serving=True)
        return replace(base, ahead=ahead,
                       estimate_minutes=_estimate(ahead, ticket.service, queues),
                       counters=numbers)
    if ticket.state == "called":
        view = counters.get(ticket.counter or "")
        number = counter.number if counter else (view.number if view else None)
        return replace(base, counter_number=number, recalls=ticket.recalls,
                       coming=ticket.coming)
    if ticket.state == "done":
        rating, until = _rating(config, ticket, now)
        return replace(base, counter_number=counter.number if counter else None,
                       rating=rating, rated=ticket.rated,
                       rating_until=until if rating else None,
                       rating_closed=until is not None and not rating)
    if ticket.state not in STATES:  # a state added later: say the least
        return replace(base, kind="cancelled")
    return replace(base, recalls=ticket.recalls)
