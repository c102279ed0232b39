"""What a citizen may do from the page behind their ticket's QR code (issue #13): leave the
queue, and say they are coming when called. The page (a device of role `public`) names the
ticket by its public token; the hub finds the ticket by that token alone and only if it is of
today, so a page can act for no ticket whose printed address it was not given, and
yesterday's paper is dead. The rating from the phone is `rate` with the token
(hub/duty.py)."""

from __future__ import annotations

from hub.errors import HubError
from hub.model import LEFT_BY_PHONE, Ticket
from hub.numbering import local_day
from hub.operations import Changes, Operations, Result, operation
from lobby.contract import citizen as cz


def ticket_of_token(ops: Operations, token: str, now: float) -> Ticket:
    """Today's ticket with this public token (its live copy while it is open)."""
    stored = ops.store.ticket_by_token(token)
    if stored is None or stored.day != local_day(now, ops.zone):
        raise HubError("unknown_ticket", "no ticket of today has this address")
    return ops.open_ticket(stored.id) or stored


@operation(cz.LeaveRequest)
def leave(ops: Operations, request: cz.LeaveRequest, source: str, now: float) -> Result:
    ticket = ticket_of_token(ops, request.token, now)
    if ticket.state != "waiting":
        raise HubError("not_allowed", f"{ticket.number} is {ticket.state}, not waiting")
    ops.live.remove_waiting(ticket)
    ticket.state, ticket.closed_at = "cancelled", now
    ops.store.save_ticket(ticket)
    ops.store.add_event(ticket.id, "cancelled", now, device=source,
                        detail=LEFT_BY_PHONE)
    return Result(ops.views.ticket(ticket), Changes(queues=True))


@operation(cz.ComingRequest)
def coming(ops: Operations, request: cz.ComingRequest, source: str, now: float) -> Result:
    ticket = ticket_of_token(ops, request.token, now)
    if ticket.state != "called" or ticket.counter is None:
        raise HubError("not_allowed", f"{ticket.number} is {ticket.state}, not called")
    if ticket.coming_at is None:  # a second press says nothing new
        ticket.coming_at = now
        ops.store.save_ticket(ticket)
        ops.store.add_event(ticket.id, "coming", now, counter=ticket.counter, device=source)
    return Result(ops.views.ticket(ticket), Changes(counters={ticket.counter}))
