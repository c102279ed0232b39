"""The hub's request path: decode, authorise, answer a repeated transaction from the store,
else run the operation in one SQLite transaction that also stores the reply.

Refusals that follow from the payload or the configuration alone (bad_request, unknown
device, not_allowed) are not stored: the same request always earns them again. Refusals that
depend on the queue (queue_empty, quota_reached, ...) are stored, so a retry gets the same
answer even after the queue has moved.

Who may ask for what comes from the contract registry: a device's role must be among the
action's publishers, and a counter action must name one of the device's own counters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

# Imported for their @operation registrations: staff and ratings, the supervisor's actions.
from hub import citizens, duty, supervision  # noqa: F401
from hub.errors import HubError
from hub.guard import SignInGuard
from hub.live import LiveState
from hub.numbering import local_day
from hub.operations import Changes, Operations, Result
from hub.store import Store
from hub.views import Views
from lobby.clock import Clock
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.contract.codec import DecodeError, build_request, decode_request
from lobby.contract.registry import TopicSpec, spec_for_action

log = logging.getLogger(__name__)

T = TypeVar("T")

# Issue refusals that turn a citizen away, kept for the figures.
REFUSALS_COUNTED = ("quota_reached", "closed")


@dataclass
class Outcome:
    reply: m.Reply[Any]
    changes: Changes = field(default_factory=Changes)


def refusal(transaction: str | None, action: str, code: m.ErrorCode,
            message: str) -> m.Reply[Any]:
    return m.Reply(transaction=transaction, action=action, ok=False,
                   error=m.ReplyError(code=code, message=message))


class Engine:
    def __init__(self, config: LobbyConfig, store: Store, clock: Clock | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock or Clock()
        self.views = Views(config)
        # Device -> counters it acted for under earlier configurations of this run: a terminal
        # may still finish the ticket of a counter a reload removed.
        self._former_counters: dict[str, set[str]] = {}
        self.guard = SignInGuard()  # kept across reloads: a lock outlives a config change
        self._load()
        self._today = ""
        self.roll_day()

    def _load(self) -> None:
        self.live = LiveState.load(self.config, self.store, self.views.retiring_counters())
        self.ops = Operations(self.config, self.store, self.live, self.views, self.guard)

    def reconfigure(self, config: LobbyConfig) -> None:
        """Run on `config` from now on (a reload; what needs a restart is already the running
        value). The queue is rebuilt from the store: tickets keep their numbers and services;
        a removed service's waiting tickets stay in line, to be called by number or
        transferred; a removed counter keeps the ticket it serves until that ticket ends."""
        for device in self.config.devices:
            self._former_counters.setdefault(device.id, set()).update(device.counters)
        self.views = Views(config, previous=self.views)
        self.config = config
        self._load()

    def _run(self, work: Callable[[], T]) -> T:
        """One SQLite transaction. A refusal (checked before any write) leaves memory as it
        was; a failed commit, or a refusal after a write (a bug), rolls SQLite back and
        rebuilds the in-memory mirror from it."""
        writes_before = self.store.conn.total_changes
        try:
            with self.store.transaction():
                return work()
        except HubError:
            if self.store.conn.total_changes != writes_before:
                log.error("a refusal came after a write: rebuilding the queue from the store")
                self._load()
            raise
        except BaseException:
            self._load()
            raise

    def expire_ratings(self, now: float) -> Changes:
        """Counters whose finished ticket can no longer be rated: their state says so (the
        rating pad goes back to idle)."""
        changes = Changes()
        for counter in self.live.counters.values():
            ends = self.views.rating_ends(counter.finished)
            if ends is not None and now >= ends:
                counter.finished = None
                changes.counters.add(counter.id)
        return changes

    def roll_day(self) -> Changes:
        """At the first request of a new local day, close what earlier days left open."""
        now = self.clock.now()
        today = local_day(now, self.config.site.zone)
        if today == self._today:
            return Changes()
        self._today = today
        return self._run(lambda: self.ops.close_earlier_days(today, now))

    def handle_request(self, device_id: str, action: str, payload: bytes) -> Outcome:
        changes = self.roll_day()
        try:
            request = decode_request(action, payload)
        except DecodeError as exc:
            return Outcome(refusal(exc.transaction, action, exc.code, exc.message), changes)
        spec = spec_for_action(action)
        assert spec is not None and spec.reply is not None  # decode_request found it
        txn = request.transaction
        device = self.config.device(device_id)
        if device is None:
            return Outcome(refusal(txn, action, "unknown_device",
                                   f"device {device_id!r} is not in this centre's config"),
                           changes)
        stored = self.store.find_reply(device_id, txn)
        if stored is not None:
            return Outcome(m.decode_reply(spec.reply, stored), changes)
        if isinstance(request, m.IssueRequest) and request.replay_only:
            return Outcome(refusal(txn, action, "unknown_ticket",
                                   "no ticket was issued for this transaction"), changes)
        try:
            self._authorise(device, spec, request)
        except HubError as exc:
            return Outcome(refusal(txn, action, exc.code, exc.message), changes)
        outcome = self._apply(device_id, action, request, store_reply=True)
        outcome.changes.merge(changes)
        return outcome

    def handle_counter_command(self, counter_id: str, action: str, source: str,
                               **arguments: Any) -> Outcome:
        """A counter action from a device with no transaction ids (the keypad bus)."""
        changes = self.roll_day()
        spec = spec_for_action(action)
        # A keypad acts for its counter: any action a counter or its rating pad may take.
        if spec is None or not issubclass(spec.model, m.CounterRequest):
            return Outcome(refusal(None, action, "not_allowed", "not a counter action"),
                           changes)
        fields = {"transaction": f"{source}-local", "counter": counter_id, **arguments}
        try:
            request = build_request(action, fields)
        except DecodeError as exc:
            return Outcome(refusal(None, action, exc.code, exc.message), changes)
        outcome = self._apply(source, action, request, store_reply=False)
        outcome.changes.merge(changes)
        return outcome

    def _authorise(self, device: Device, spec: TopicSpec, request: m.Request[Any]) -> None:
        if device.role not in spec.publishers:
            raise HubError("not_allowed", f"a {device.role} may not {spec.action}")
        if device.role == "public":
            # The citizens' page acts for a ticket by its token (checked by the operation),
            # never for a counter: a rating from it must name the ticket and its token.
            if isinstance(request, m.RateRequest) and (
                    request.token is None or request.ticket_id is None):
                raise HubError("not_allowed", "a rating from the citizens' page names the "
                               "ticket and its token")
            return
        if isinstance(request, m.CounterRequest) and not self._acts_for(device, request.counter):
            raise HubError("not_allowed",
                           f"device {device.id} does not act for counter {request.counter}")

    def _acts_for(self, device: Device, counter: str) -> bool:
        if counter in device.counters:
            return True
        return (counter in self.views.retiring_counters()
                and counter in self._former_counters.get(device.id, ()))

    def _apply(self, source: str, action: str, request: m.Request[Any],
               store_reply: bool) -> Outcome:
        now = self.clock.now()
        txn = request.transaction

        def work() -> Result:
            result = self.ops.run(request, source, now)
            if store_reply:
                reply = m.Reply(transaction=txn, action=action, ok=True, data=result.data)
                self.store.save_reply(source, txn, action, reply.model_dump_json(), now)
            return result

        try:
            result = self._run(work)
        except HubError as exc:
            reply = refusal(txn, action, exc.code, exc.message)
            if store_reply:
                with self.store.transaction():
                    self.store.save_reply(source, txn, action, reply.model_dump_json(), now)
                    if isinstance(request, m.IssueRequest) and exc.code in REFUSALS_COUNTED:
                        # A citizen turned away is a figure too (docs/metrics.md); once per
                        # transaction, as its reply.
                        self.store.add_refusal(now, local_day(now, self.config.site.zone),
                                               request.service, exc.code, source)
            return Outcome(reply)
        except Exception:
            log.exception("%s from %s failed", action, source)
            # Not stored: the device may retry the same transaction and succeed.
            return Outcome(refusal(txn, action, "internal", "the hub could not do that now"))
        return Outcome(m.Reply(transaction=txn, action=action, ok=True, data=result.data),
                       result.changes)
