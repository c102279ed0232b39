"""Staff on duty and the citizens' ratings: the `login`, `logout` and `rate` operations.

A staff member signs in at a counter with their PIN (checked against its Argon2 hash); the hub
keeps the shift (who, which counter, from when to when) and records the officer on duty with
every call, done and no-show (hub/operations.py). A rating belongs to the ticket, once, within
`ratings.rating_window_seconds` after it was finished (`phone_rating_window_seconds` from the
citizen's phone), and to the officer who finished it — not to whoever is on duty when the
citizen touches the pad.
"""

from __future__ import annotations

import logging

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.errors import HubError
from hub.model import CounterLive, Ticket
from hub.operations import Changes, Operations, Result, operation
from lobby.config.models import Staff
from lobby.contract import messages as m

log = logging.getLogger(__name__)

_HASHER = PasswordHasher()


def hash_pin(pin: str) -> str:
    """What `lobby staff-pin` writes into the configuration."""
    return _HASHER.hash(pin)


def pin_matches(pin_hash: str | None, pin: str) -> bool:
    if pin_hash is None:
        return False
    try:
        return _HASHER.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def _member(ops: Operations, staff: str, source: str) -> Staff:
    member = ops.config.staff_member(staff)
    if member is None and source.startswith("keypad:"):  # a keypad types the staff's code
        member = next((s for s in ops.config.staff if s.keypad_code == staff), None)
    if member is None:
        raise HubError("unknown_staff", f"no staff member {staff!r} at this centre")
    return member


def _end_shift(ops: Operations, counter: CounterLive, now: float, why: str,
               changes: Changes) -> None:
    if counter.shift is not None:
        ops.store.end_shift(counter.shift, now, why)
    counter.officer = counter.shift = counter.shift_started = None
    changes.counters.add(counter.id)


@operation(m.LoginRequest)
def login(ops: Operations, request: m.LoginRequest, source: str, now: float) -> Result:
    counter = ops.configured(ops.counter(request.counter))
    member = _member(ops, request.staff, source)
    ops.guard.check(source, member.id, now)
    if not pin_matches(member.pin_hash, request.pin):
        count = ops.guard.failed(source, member.id, now)
        log.warning("wrong PIN for %s at counter %s from %s (%d in a row)", member.id,
                    counter.id, source, count)
        ops.guard.check(source, member.id, now)  # the fifth: say it is locked now
        raise HubError("wrong_pin", f"wrong PIN for {member.name}")
    ops.guard.succeeded(source, member.id)
    changes = Changes(counters={counter.id})
    if counter.officer == member.id:
        return Result(ops.views.counter(counter, now), changes)  # signed in already
    for other in ops.live.counters.values():  # one counter at a time
        if other.officer == member.id:
            _end_shift(ops, other, now, f"signed in at counter {counter.id}", changes)
    if counter.officer is not None:
        _end_shift(ops, counter, now, f"{member.id} signed in", changes)
    counter.officer, counter.shift_started = member.id, now
    counter.shift = ops.store.start_shift(member.id, counter.id, now, source)
    return Result(ops.views.counter(counter, now), changes)


@operation(m.LogoutRequest)
def logout(ops: Operations, request: m.LogoutRequest, source: str, now: float) -> Result:
    counter = ops.counter(request.counter)
    changes = Changes(counters={counter.id})
    if counter.officer is not None:
        _end_shift(ops, counter, now, "signed out", changes)
    return Result(ops.views.counter(counter, now), changes)


def _rated_ticket(ops: Operations, counter: CounterLive, request: m.RateRequest) -> Ticket:
    if request.ticket_id is None:
        if counter.finished is None:
            raise HubError("unknown_ticket", f"no ticket awaits a rating at counter {counter.id}")
        return counter.finished
    ticket = ops.store.ticket(request.ticket_id)
    if request.token is not None and (ticket is None or not ops.store.has_token(
            ticket.id, request.token)):
        raise HubError("unknown_ticket", f"ticket {request.ticket_id} has another address")
    if ticket is None or ticket.counter != counter.id or ticket.state != "done":
        raise HubError("unknown_ticket", f"ticket {request.ticket_id} was not served at "
                       f"counter {counter.id}")
    return ticket


@operation(m.RateRequest)
def rate(ops: Operations, request: m.RateRequest, source: str, now: float) -> Result:
    counter = ops.counter(request.counter)
    scale = ops.config.ratings
    level = scale.level(request.level)
    if level is None and request.level.isdigit() and 1 <= int(request.level) <= len(scale.levels):
        level = scale.levels[int(request.level) - 1]  # a keypad's RATE 1 is the best
    if level is None:
        raise HubError("bad_request", f"no rating level {request.level!r}")
    if request.reason is not None and scale.reason(request.reason) is None:
        raise HubError("bad_request", f"no rating reason {request.reason!r}")
    ticket = _rated_ticket(ops, counter, request)
    if ops.store.is_rated(ticket.id):
        raise HubError("already_rated", f"{ticket.number} has been rated already")
    assert ticket.closed_at is not None  # done
    device = ops.config.device(source)
    if now > ticket.closed_at + scale.window_seconds(by_phone=device is not None
                                                     and device.role == "public"):
        raise HubError("rating_closed", f"{ticket.number} can no longer be rated")
    ops.store.add_rating(ticket, level.id, level.score, request.reason,
                         ops.store.finished_by(ticket.id), now, source)
    if counter.finished is not None and counter.finished.id == ticket.id:
        counter.finished = None
    return Result(ops.views.counter(counter, now), Changes(counters={counter.id}))
