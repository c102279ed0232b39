"""The console's part of the contract (added within v1): a supervisor's actions on a waiting
ticket and the announcements to the hall, each naming the signed-in user. Kept apart from
lobby/contract/messages.py, the devices' messages, which it builds on."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from lobby.contract import messages as m

User = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")]


class SupervisorRequest(m.Request[m.TicketView]):
    """Added within v1: a supervisor's action on a waiting ticket, from the console, which
    names its signed-in user (kept with the ticket's events)."""

    ticket_id: int = Field(ge=1, le=2**63 - 1)
    user: User


class CancelRequest(SupervisorRequest):
    reason: str = Field(min_length=1, max_length=200)


class MoveRequest(SupervisorRequest):
    service: m.Identifier


class RaisePriorityRequest(SupervisorRequest):
    priority: m.Identifier


class CallToRequest(m.Request[m.CounterView]):
    """Added within v1: a supervisor calls a given waiting ticket to a counter."""

    ticket_id: int = Field(ge=1, le=2**63 - 1)
    user: User
    counter: m.Identifier


AnnouncementText = Annotated[str, StringConstraints(
    min_length=1, max_length=120, strip_whitespace=True, pattern=r"^[^\x00-\x1f]+$")]


class AnnouncementEvent(m.Lenient):
    """Added within v1: what a supervisor told the hall, shown on the boards until `until`
    and said once."""

    id: int
    texts: dict[str, str]
    boards: list[str]  # empty: every board
    at: AwareDatetime
    until: AwareDatetime


class AnnounceRequest(m.Request[AnnouncementEvent]):
    """Added within v1: a supervisor tells the hall something, from the console: the boards
    show it as a banner for `minutes` and speak it after the call in progress."""

    user: User
    texts: dict[m.Identifier, AnnouncementText] = Field(
        min_length=1, description="by language: the site's languages only")
    boards: list[m.Identifier] = Field(default_factory=list, max_length=64,
                                       description="board devices; empty: every board")
    minutes: int = Field(default=15, ge=1, le=240)
