"""The hub's request path: decode, authorise, answer a repeated transaction from the store,
else run the operation in one SQLite transaction that also stores the reply.

Refusals that follow from the payload or the configuration alone (bad_request, unknown
device, not_allowed) are not stored: the same request always earns them again. Refusals that
depend on the queue (queue_empty, quota_reached, ...) are stored, so a retry gets the same
answer even after the queue has moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.errors import HubError
from hub.live import LiveState
from hub.numbering import local_day
from hub.operations import Changes, Operations
from hub.store import Store
from hub.views import Views
from lobby.clock import Clock
from lobby.config.models import Device, LobbyConfig
from lobby.contract import COUNTER_ACTIONS, KIOSK_ACTIONS
from lobby.contract import messages as m
from lobby.contract.codec import DecodeError, build_request, decode_request

log = logging.getLogger(__name__)

Operation = Callable[[Any, str, float], dict[str, Any]]


@dataclass
class Outcome:
    reply: m.Reply
    changes: Changes


def _error(transaction: str | None, action: str, code: m.ErrorCode, message: str) -> m.Reply:
    return m.Reply(transaction=transaction, action=action, ok=False,
                   error=m.ReplyError(code=code, message=message))


class Engine:
    def __init__(self, config: LobbyConfig, store: Store, clock: Clock | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock or Clock()
        self.views = Views(config)
        self._load()
        self._today = ""
        self.roll_day()

    def _load(self) -> None:
        self.live = LiveState.load(self.config, self.store)
        self.ops = Operations(self.config, self.store, self.live, self.views)
        self._operations: dict[str, Operation] = {
            "issue": self.ops.issue, "print_failed": self.ops.print_failed,
            "call_next": self.ops.call_next, "recall": self.ops.recall, "call": self.ops.call,
            "done": self.ops.done, "no_show": self.ops.no_show, "transfer": self.ops.transfer,
            "pause": self.ops.pause, "resume": self.ops.resume,
        }

    def roll_day(self) -> Changes:
        """At the first request of a new local day, close what earlier days left open."""
        now = self.clock.now()
        today = local_day(now, self.config.site.zone)
        if today == self._today:
            return Changes()
        self._today = today
        return self._run(lambda: self.ops.close_earlier_days(today, now))

    def _run(self, work: Callable[[], None]) -> Changes:
        self.ops.changes = Changes()
        try:
            with self.store.transaction():
                work()
        except BaseException:
            # The in-memory mirror may hold half of a rolled-back change: rebuild it.
            self._load()
            raise
        return self.ops.changes

    def handle_request(self, device_id: str, action: str, payload: bytes) -> Outcome:
        changes = self.roll_day()
        try:
            request = decode_request(action, payload)
        except DecodeError as exc:
            return Outcome(_error(exc.transaction, action, exc.code, exc.message), changes)
        txn = request.transaction
        device = self.config.device(device_id)
        if device is None:
            return Outcome(_error(txn, action, "unknown_device",
                                  f"device {device_id!r} is not in this centre's config"), changes)
        stored = self.store.find_reply(device_id, txn)
        if stored is not None:
            return Outcome(m.Reply.model_validate_json(stored), changes)
        if isinstance(request, m.IssueRequest) and request.replay_only:
            return Outcome(_error(txn, action, "unknown_ticket",
                                  "no ticket was issued for this transaction"), changes)
        try:
            self._authorise(device, action, request)
        except HubError as exc:
            return Outcome(_error(txn, action, exc.code, exc.message), changes)
        outcome = self._apply(device_id, action, request, store_reply=True)
        outcome.changes.merge(changes)
        return outcome

    def handle_counter_command(self, counter_id: str, action: str, source: str,
                               **arguments: Any) -> Outcome:
        """A counter action from a device with no transaction ids (the keypad bus)."""
        changes = self.roll_day()
        fields = {"transaction": f"{source}-local", "counter": counter_id, **arguments}
        try:
            request = build_request(action, fields)
        except DecodeError as exc:
            return Outcome(_error(None, action, exc.code, exc.message), changes)
        if action not in COUNTER_ACTIONS:
            return Outcome(_error(None, action, "not_allowed", "not a counter action"), changes)
        outcome = self._apply(source, action, request, store_reply=False)
        outcome.changes.merge(changes)
        return outcome

    def _authorise(self, device: Device, action: str, request: m.Request) -> None:
        if action in KIOSK_ACTIONS and device.role != "kiosk":
            raise HubError("not_allowed", f"a {device.role} may not {action}")
        if action in COUNTER_ACTIONS:
            if device.role != "counter":
                raise HubError("not_allowed", f"a {device.role} may not {action}")
            assert isinstance(request, m.CounterRequest)
            if request.counter not in device.counters:
                raise HubError("not_allowed",
                               f"device {device.id} does not act for counter {request.counter}")

    def _apply(self, source: str, action: str, request: m.Request,
               store_reply: bool) -> Outcome:
        now = self.clock.now()
        txn = request.transaction
        reply: m.Reply

        def work() -> None:
            nonlocal reply
            data = self._operations[action](request, source, now)
            reply = m.Reply(transaction=txn, action=action, ok=True, data=data)
            if store_reply:
                self.store.save_reply(source, txn, action, reply.model_dump_json(), now)

        try:
            changes = self._run(work)
        except HubError as exc:
            reply = _error(txn, action, exc.code, exc.message)
            if store_reply:
                with self.store.transaction():
                    self.store.save_reply(source, txn, action, reply.model_dump_json(), now)
            return Outcome(reply, Changes())
        except Exception:
            log.exception("%s from %s failed", action, source)
            # Not stored: the device may retry the same transaction and succeed.
            return Outcome(_error(txn, action, "internal", "the hub could not do that now"),
                           Changes())
        return Outcome(reply, changes)

