"""The citizen's page's part of the contract (added within v1, issue #13): what a citizen may
do from the page behind their ticket's QR code. The page is a device of role `public`; it
acts for one ticket at a time, named by that ticket's public token, which the hub checks, so
the page can touch no ticket whose printed address it was not given."""

from __future__ import annotations

from lobby.contract import messages as m


class CitizenRequest(m.Request[m.TicketView]):
    """A citizen's act on their own ticket, named by its public token."""

    token: m.PublicToken


class LeaveRequest(CitizenRequest):
    """The citizen leaves the queue: their waiting ticket is cancelled, so that no counter
    calls it and counts a no-show."""


class ComingRequest(CitizenRequest):
    """The citizen, called, tells the counter they are on their way."""
