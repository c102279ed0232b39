"""The running hub: MQTT in, one worker thread through the engine, state out.

Every request, key press and timer tick becomes a job on one queue, served by one thread, so
the engine and SQLite see one change at a time. After each change the hub replies first (the
device is waiting), then publishes the retained state and the `event/called` events.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from hub.config_revisions import current_revision
from hub.engine import Engine, Outcome, refusal
from hub.keypad import KeypadBus
from hub.operations import Changes
from hub.reload import ReloadResult, live_part_of, needs_restart
from hub.watchdog import Watchdog
from lobby.bus import BrokerAddress, Bus
from lobby.clock import stamp
from lobby.config import ConfigError, load_config
from lobby.config.models import LobbyConfig
from lobby.contract import messages as m
from lobby.contract.codec import read_transaction
from lobby.contract.registry import Topics, spec

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0

_REPLY = spec("reply")
_HUB = spec("state.hub")
_QUEUES = spec("state.queues")
_COUNTER = spec("state.counter")
_BOARD = spec("state.board")
_CONFIG = spec("state.config")
_CALLED = spec("event.called")
_ANNOUNCEMENT = spec("event.announcement")
_STATUS = spec("device.status")


class Hub:
    def __init__(self, config: LobbyConfig, engine: Engine, broker: BrokerAddress) -> None:
        self.config = config
        self.engine = engine
        self.clock = engine.clock
        self.views = engine.views
        self.topics = Topics(config.site.id)
        self.since = self.clock.now()
        self.revision = current_revision(engine.store, config, self.since, "hub start")
        # With credentials the client id is the user name, which the production broker
        # enforces (`use_username_as_clientid`), so no device can take the hub's connection.
        self.bus = Bus(self.topics, client_id=broker.username or f"hub-{config.site.id}",
                       broker=broker)
        self.bus.set_will(_HUB, self.views.hub("offline", self.since, self.since))
        self.bus.on_connected(lambda: self.jobs.put(self.publish_all))
        self.bus.subscribe_raw(self.topics.all_requests_filter(), self._on_request)
        self.bus.subscribe(_STATUS, self._on_status)
        self.jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.watchdog = Watchdog(config.hub.stale_after_seconds)
        self.keypads: KeypadBus | None = None
        if config.serial is not None:
            self.keypads = KeypadBus(config.serial, self.submit_counter_command,
                                     on_open=lambda: self.jobs.put(self._show_all_leds))
        self._worker = threading.Thread(target=self._work, name="hub-worker", daemon=True)
        self._ticker_stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick_loop, name="hub-ticker", daemon=True)
        self._last_queues: list[m.ServiceQueue] | None = None
        self._unknown_statuses: set[str] = set()
        self._last_beat = float("-inf")

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self._worker.start()
        self.bus.start()
        self._ticker.start()
        if self.keypads:
            self.keypads.start()

    def stop(self) -> None:
        self._ticker_stop.set()
        if self.keypads:
            self.keypads.stop()
        self.jobs.put(None)
        self._worker.join(5)
        if self.bus.connected.is_set():
            self.bus.publish(_HUB, self.views.hub("offline", self.since, self.clock.now())
                             ).wait_for_publish(2)
        self.bus.stop()
        self.engine.store.close()

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            try:
                job()
            except Exception:
                log.exception("hub job failed")

    def _tick_loop(self) -> None:
        # Often enough for the hub's heartbeat too (a test centre beats every 0.2 s).
        period = min(TICK_SECONDS, self.config.hub.heartbeat_seconds / 2)
        while not self._ticker_stop.wait(period):
            self.jobs.put(self._tick)

    # --- inputs (paho's thread, the keypad thread) ----------------------------------------------

    def _on_request(self, topic: str, payload: bytes) -> None:
        parsed = self.topics.parse_request_topic(topic)
        if parsed is None:
            return
        device, action = parsed
        self.jobs.put(lambda: self._serve(device, action, payload))

    def _on_status(self, status: m.DeviceStatus, params: dict[str, str]) -> None:
        device = params["device"]
        known = self.config.device(device)
        if known is None:
            # Anyone the broker lets publish could name any device (`kiosk 1`, a made-up
            # one): only this centre's devices are watched; the rest is said once.
            if device not in self._unknown_statuses:
                self._unknown_statuses.add(device)
                log.warning("status for %r, which is no device of this centre: ignored",
                            device)
            return
        now = self.clock.now()
        # The role is the config's: a status cannot make a kiosk pass for a board.
        self.jobs.put(lambda: self.watchdog.seen(device, known.role, status.state, now))

    def submit_counter_command(self, counter: str, action: str, source: str,
                               arguments: dict[str, Any]) -> None:
        self.jobs.put(lambda: self._serve_command(counter, action, source, arguments))

    # --- jobs (the worker thread) ----------------------------------------------------------------

    def _serve(self, device: str, action: str, payload: bytes) -> None:
        try:
            outcome = self.engine.handle_request(device, action, payload)
        except Exception:
            # Never leave a device waiting: answer on its transaction, and it may retry it.
            log.exception("request %s from %s failed", action, device)
            outcome = Outcome(refusal(read_transaction(payload), action, "internal",
                                      "the hub could not do that now"))
        if not self.topics.is_identifier(device):
            log.warning("a request from %r, which is no device id, gets no reply", device)
        else:
            # One line per request, so an administrator can follow what each device asked for
            # (%r: the action is whatever the topic said, and must not forge log lines).
            error = outcome.reply.error
            log.info("%s %r: %s", device, action,
                     "ok" if error is None else f"refused ({error.code})")
            try:
                self.bus.publish(_REPLY, outcome.reply, device=device)
            except Exception:  # never a reason to stop: the state below must still go out
                log.exception("the reply to %s's %s could not be sent", device, action)
        self.publish_changes(outcome.changes)

    def _serve_command(self, counter: str, action: str, source: str,
                       arguments: dict[str, Any]) -> None:
        outcome = self.engine.handle_counter_command(counter, action, source, **arguments)
        if not outcome.reply.ok and outcome.reply.error:
            log.info("%s %s at counter %s refused: %s", source, action, counter,
                     outcome.reply.error.message)
        self.publish_changes(outcome.changes)

    def _beat(self, now: float) -> None:
        """`state/hub` online, now: devices take the hub for gone after three missed beats."""
        self._last_beat = now
        keypads = None if self.keypads is None else (self.keypads.connected.is_set(),
                                                     dict(self.keypads.last_key))
        self.bus.publish(_HUB, self.views.hub("online", self.since, now, keypads))

    def _tick(self) -> None:
        now = self.clock.now()
        if self.bus.connected.is_set() and (
                now - self._last_beat >= self.config.hub.heartbeat_seconds):
            self._beat(now)
        self.publish_changes(self.engine.roll_day())
        self.publish_changes(self.engine.expire_ratings(now))
        if not self.bus.connected.is_set():
            self.watchdog.excuse(now)  # it hears nobody: their silence is the hub's own
        for device, role, silent in self.watchdog.newly_stale(now):
            log.warning("device %s (%s) silent for %.0fs: marked stale", device, role, silent)
            try:
                self.bus.publish(_STATUS, m.DeviceStatus(
                    state="stale", role=role, at=stamp(now, self.config.site.zone),
                    detail=f"no heartbeat for {silent:.0f}s"), device=device)
            except Exception:  # one device's trouble must not keep the others unwatched
                log.exception("could not mark %r stale", device)
        # Opening hours move on their own: republish when a service opens or closes.
        queues = self.views.queues(self.engine.live, now)
        if self._last_queues is not None and [
            (q.id, q.open) for q in queues.services
        ] != [(q.id, q.open) for q in self._last_queues]:
            self._publish_queues(queues)

    def publish_changes(self, changes: Changes) -> None:
        self._publish_state(changes)
        if self.keypads:
            for counter_id in sorted(changes.counters):
                ticket = self.engine.live.counters[counter_id].ticket
                self.keypads.show(counter_id, ticket.number if ticket else None)

    def _publish_state(self, changes: Changes) -> None:
        now = self.clock.now()
        live = self.engine.live
        for counter_id in sorted(changes.counters):
            self.bus.publish(_COUNTER, self.views.counter(live.counters[counter_id], now),
                             counter=counter_id)
        if changes.calls:
            self.bus.publish(_BOARD, self.views.board(live, now))
            for call in changes.calls:
                self.bus.publish(_CALLED, self.views.called(call))
        if changes.queues:
            self._publish_queues(self.views.queues(live, now))
        for announcement in changes.announcements:
            self.bus.publish(_ANNOUNCEMENT, announcement)

    def _publish_queues(self, queues: m.QueuesState) -> None:
        self._last_queues = queues.services
        self.bus.publish(_QUEUES, queues)

    def publish_all(self) -> None:
        """After (re)connecting: the whole state, so retained topics are right at once."""
        now = self.clock.now()
        self._beat(now)
        revision = self.revision
        self.bus.publish(_CONFIG, self.views.config_state(revision.number, revision.at,
                                                          revision.config))
        # MQTT only: the LED displays are repainted when their own line opens.
        self._publish_state(Changes(counters=set(self.engine.live.counters), queues=True))
        self.bus.publish(_BOARD, self.views.board(self.engine.live, now))

    def reload(self, path: str, applied_by: str) -> ReloadResult:
        """Read the configuration file again and run on it, on the worker thread (as a job):
        a broken file changes nothing; parts that need a restart keep their running value."""
        result = ReloadResult(applied_by=applied_by)
        try:
            new = load_config(path)
        except ConfigError as exc:
            result.error = str(exc)
            log.error("configuration not reloaded, nothing changed:\n%s", exc)
            return result
        result.needs_restart = needs_restart(self.config, new)
        running = live_part_of(self.config, new)
        self.engine.reconfigure(running)
        self.config, self.views = running, self.engine.views
        self.revision = current_revision(self.engine.store, running, self.clock.now(),
                                         applied_by)
        result.revision, result.changed = self.revision.number, list(self.revision.changes)
        log.info("configuration revision %d (%s) by %s%s", self.revision.number,
                 ", ".join(result.changed) or "no change", applied_by,
                 f"; needs a restart: {', '.join(result.needs_restart)}"
                 if result.needs_restart else "")
        self.publish_all()
        return result

    def _show_all_leds(self) -> None:
        if self.keypads:
            for counter_id, counter in self.engine.live.counters.items():
                self.keypads.show(counter_id, counter.ticket.number if counter.ticket else None)
