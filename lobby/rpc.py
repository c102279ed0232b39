"""Request/reply over the bus, keyed by transaction id, typed end to end: a request model
names its reply's data model (`IssueRequest` is a `Request[TicketView]`), and `request()`
returns a `Reply[TicketView]`.

A request that gets no answer in time is sent again with the same transaction id, so the hub
applies it at most once (it stores every transaction's reply) and the device still gets its
answer. Only after every attempt has timed out does the caller get `RequestTimeoutError`.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from lobby.bus import Bus
from lobby.contract import messages as m
from lobby.contract.codec import describe
from lobby.contract.registry import spec, spec_for_action, spec_for_request

log = logging.getLogger(__name__)

Data = TypeVar("Data")


class RequestTimeoutError(TimeoutError):
    pass


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    payload: bytes = b""  # the reply as it came; decoded once, as its action's model


class Requester:
    def __init__(self, bus: Bus, device_id: str) -> None:
        self.bus = bus
        self.device_id = device_id
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        # A random prefix keeps ids unique across restarts of the same device.
        self._prefix = f"{device_id}-{uuid.uuid4().hex[:8]}-"
        self._counter = itertools.count(1)
        bus.subscribe_raw(bus.topics.topic(spec("reply"), device=device_id), self._on_reply)

    def new_transaction(self) -> str:
        return f"{self._prefix}{next(self._counter)}"

    def _on_reply(self, topic: str, payload: bytes) -> None:
        """On paho's thread: only find whose reply it is; the waiting caller decodes it."""
        try:
            transaction = json.loads(payload).get("transaction")
        except (ValueError, AttributeError):
            return  # not a JSON object: no request of ours can be matched to it
        with self._lock:
            pending = self._pending.get(transaction) if isinstance(transaction, str) else None
        if pending is not None:
            pending.payload = payload
            pending.done.set()

    def request(self, message: m.Request[Data], *, timeout: float = 3.0,
                attempts: int = 3) -> m.Reply[Data]:
        """Send `message` until answered (at most `attempts` times, `timeout` each)."""
        request_spec = spec_for_request(type(message))
        assert request_spec.reply is not None
        txn = message.transaction
        pending = _Pending()
        with self._lock:
            self._pending[txn] = pending
        try:
            for _ in range(attempts):
                self.bus.publish(request_spec, message, device=self.device_id)
                if pending.done.wait(timeout):
                    try:
                        return m.decode_reply(request_spec.reply, pending.payload)
                    except ValidationError as exc:  # not the contract's reply: ask again
                        log.warning("reply to %s %s does not decode: %s", request_spec.action,
                                    txn, describe(exc))
                        pending.done.clear()
            raise RequestTimeoutError(f"{request_spec.action} {txn}: no reply after "
                                      f"{attempts} attempts")
        finally:
            with self._lock:
                self._pending.pop(txn, None)

    def ask(self, action: str, *, timeout: float = 3.0, attempts: int = 3,
            transaction: str | None = None, **arguments: Any) -> m.Reply[Any]:
        """`request()` for an action named at run time (tools, a terminal's buttons)."""
        request_spec = spec_for_action(action)
        if request_spec is None:
            raise ValueError(f"unknown action {action!r}")
        message = request_spec.model.model_validate(
            {"transaction": transaction or self.new_transaction(), **arguments})
        assert isinstance(message, m.Request)
        return self.request(message, timeout=timeout, attempts=attempts)

