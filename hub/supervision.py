"""A supervisor's hands on the queue, from the console: cancel a waiting ticket with a reason,
move it to another service, raise it to a priority class, call it to a counter; and tell the
hall something (an announcement on the boards).

The console is a device of its own role; it names the signed-in user who acted, and the hub
keeps that name (and the reason) in the ticket's events. Each action checks all it refuses
before it writes, like every operation.
"""

from __future__ import annotations

from hub.errors import HubError
from hub.model import Ticket
from hub.numbering import is_open
from hub.operations import Changes, Operations, Result, operation
from lobby.clock import stamp
from lobby.contract import supervisor as sv


def _waiting(ops: Operations, ticket_id: int) -> Ticket:
    for line in ops.live.waiting.values():
        for ticket in line:
            if ticket.id == ticket_id:
                return ticket
    raise HubError("unknown_ticket", f"ticket {ticket_id} is not waiting")


def _recorded(ops: Operations, ticket: Ticket, kind: str, now: float, source: str,
              detail: str) -> Result:
    """The changed waiting ticket saved, the supervisor's act in its events (who, and
    what), and the answer: the ticket; the queues to publish again."""
    ops.store.save_ticket(ticket)
    ops.store.add_event(ticket.id, kind, now, device=source, detail=detail)
    return Result(ops.views.ticket(ticket), Changes(queues=True))


@operation(sv.CancelRequest)
def cancel(ops: Operations, request: sv.CancelRequest, source: str, now: float) -> Result:
    ticket = _waiting(ops, request.ticket_id)
    ops.live.remove_waiting(ticket)
    ticket.state, ticket.closed_at = "cancelled", now
    return _recorded(ops, ticket, "cancelled", now, source,
                     f"{request.user}: {request.reason}")


@operation(sv.MoveRequest)
def move(ops: Operations, request: sv.MoveRequest, source: str, now: float) -> Result:
    ticket = _waiting(ops, request.ticket_id)
    target = ops.config.service(request.service)
    if target is None:
        raise HubError("unknown_service", f"no service {request.service!r} at this centre")
    if not is_open(target, now, ops.zone):
        raise HubError("closed", f"service {target.id} is outside its opening hours")
    if ticket.service == request.service:
        raise HubError("bad_request", f"{ticket.number} waits for {request.service} already")
    if not ops.config.counters_serving(request.service):
        raise HubError("closed", f"no open counter serves {request.service}")
    previous = ticket.service
    ops.live.remove_waiting(ticket)
    ticket.service = request.service  # its number and its place in time stay
    ops.live.waiting.setdefault(ticket.service, [])
    ops.live.add_waiting(ticket)
    return _recorded(ops, ticket, "moved", now, source,
                     f"{request.user}: {previous}->{request.service}")


@operation(sv.RaisePriorityRequest)
def raise_priority(ops: Operations, request: sv.RaisePriorityRequest, source: str,
                   now: float) -> Result:
    ticket = _waiting(ops, request.ticket_id)
    if ops.config.priority_class(request.priority) is None:
        raise HubError("unknown_priority", f"no priority class {request.priority!r}")
    if ticket.priority == request.priority:
        raise HubError("bad_request", f"{ticket.number} is in {request.priority} already")
    ticket.priority = request.priority
    return _recorded(ops, ticket, "priority_raised", now, source,
                     f"{request.user}: {request.priority}")


@operation(sv.CallToRequest)
def call_to(ops: Operations, request: sv.CallToRequest, source: str, now: float) -> Result:
    counter = ops.configured(ops.counter(request.counter))
    ticket = _waiting(ops, request.ticket_id)
    ops.store.add_event(ticket.id, "called_by_supervisor", now, counter=counter.id,
                        device=source, detail=request.user)
    return ops.call_ticket(counter, ticket, now, source)


@operation(sv.AnnounceRequest)
def announce(ops: Operations, request: sv.AnnounceRequest, source: str, now: float) -> Result:
    languages = ops.config.site.languages
    unknown = sorted(set(request.texts) - set(languages))
    if unknown:
        raise HubError("bad_request", f"the centre does not speak {', '.join(unknown)} "
                       f"(its languages: {', '.join(languages)})")
    for board in request.boards:
        device = ops.config.device(board)
        if device is None or device.role != "board":
            raise HubError("unknown_device", f"no board {board!r} at this centre")
    texts = {lang: request.texts[lang] for lang in languages if lang in request.texts}
    boards = sorted(set(request.boards))
    until = now + request.minutes * 60
    announcement_id = ops.store.add_announcement(now, until, request.user, texts, boards,
                                                 source)
    zone = ops.config.site.zone
    event = sv.AnnouncementEvent(id=announcement_id, texts=texts, boards=boards,
                                at=stamp(now, zone), until=stamp(until, zone))
    return Result(event, Changes(announcements=[event]))
