"""`lobby simulate`: a realistic day against a running hub, on simulated time.

Citizens arrive at each service as a Poisson process and take tickets at the config's
kiosks (some in a priority class); the staff sign in at the counters (with the demo's PIN);
every counter device opens its counter, calls, serves for a time drawn around the service's
typical minutes, sometimes recalls a citizen who does not come and then marks a no-show; at a
counter with a rating pad, a share of the citizens rate the service. A one-line summary is
kept live on the terminal. Being a plain MQTT client of the contract, it is also the load
generator for the benchmarks.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import random
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from lobby.bus import Bus
from lobby.cli import read_config
from lobby.config.models import LobbyConfig
from lobby.connection import broker_address
from lobby.contract import messages as m
from lobby.contract.registry import Topics, spec
from lobby.device import DeviceLink
from lobby.rpc import Requester, RequestTimeoutError

PRIORITY_SHARE = 0.12  # of arrivals, in one of the configured classes
ABSENT_SHARE = 0.06  # called citizens who do not come
RATING_SHARE = 0.45  # of the citizens served at a counter with a rating pad
# How the ratings fall, best level first (a centre doing well; the rest on the lowest).
RATING_WEIGHTS = (0.55, 0.30, 0.10)
REASON_SHARE = 0.7  # of the lowest ratings, with a reason
DEMO_PIN = "2468"  # every staff member's PIN in config/demo.yaml
RETRY_EMPTY_SECONDS = 30.0  # a counter with nobody waiting looks again after this
SIMULATED = "simulated by lobby simulate"  # the devices' status detail

Data = TypeVar("Data")


@dataclass(order=True)
class _Event:
    at: float
    order: int
    kind: str = field(compare=False)
    who: str = field(compare=False)


class Simulation:
    def __init__(self, config: LobbyConfig, bus: Bus, speed: float, arrivals_per_hour: float,
                 rng: random.Random, pin: str = DEMO_PIN) -> None:
        self.config = config
        self.speed = speed
        self.rate = arrivals_per_hour / 3600.0
        self.rng = rng
        self.kiosks = [d.id for d in config.devices if d.role == "kiosk"]
        self.counters = {c: d.id for d in config.devices if d.role == "counter"
                         for c in d.counters}
        if not self.kiosks or not self.counters:
            raise ValueError("the config needs at least one kiosk and one counter device")
        self.pads = {d.counters[0]: d.id for d in config.devices if d.role == "rating"}
        self.pin = pin
        self.requesters = {device: Requester(bus, device)
                           for device in self.kiosks + sorted(set(self.counters.values()))
                           + sorted(self.pads.values())}
        # Each device it plays says it is online and beats, as the real one would: the
        # console's devices page and alerts see a working lobby, marked as simulated.
        roles = {d.id: d.role for d in config.devices}
        self.links = [DeviceLink(bus, config, device, roles[device], will=False,
                                 extras=lambda: {"detail": SIMULATED})
                      for device in self.requesters]
        self.stats: Counter[str] = Counter()
        self.waiting: dict[str, int] = {}
        self._events: list[_Event] = []
        self._order = itertools.count()
        self._absent: dict[str, int] = {}
        bus.subscribe(spec("state.queues"), self._on_queues)

    def _on_queues(self, state: m.QueuesState, params: dict[str, str]) -> None:
        self.waiting = {s.id: s.waiting for s in state.services}

    def _at(self, delay: float, kind: str, who: str) -> None:
        heapq.heappush(self._events, _Event(self.now + delay, next(self._order), kind, who))

    def _ask(self, device: str, message: Callable[[str], m.Request[Data]]) -> m.Reply[Data] | None:
        """Send the request `message(transaction)` from `device`; None when never answered."""
        requester = self.requesters[device]
        try:
            reply = requester.request(message(requester.new_transaction()), timeout=2.0,
                                      attempts=3)
        except RequestTimeoutError:
            self.stats["timeouts"] += 1
            return None
        if not reply.ok and reply.error is not None:
            self.stats[f"refused:{reply.error.code}"] += 1
        return reply

    def _arrival(self, service: str) -> None:
        classes = self.config.priority.classes
        priority = (self.rng.choice(classes).id
                    if classes and self.rng.random() < PRIORITY_SHARE else None)
        language = self.rng.choice(["vi", "vi", "vi", "en"])
        reply = self._ask(self.rng.choice(self.kiosks), lambda txn: m.IssueRequest(
            transaction=txn, service=service, priority=priority, language=language))
        if reply is not None and reply.ok:
            self.stats["issued"] += 1
        self._at(self.rng.expovariate(self.rate), "arrive", service)

    def _counter_free(self, counter: str) -> None:
        reply = self._ask(self.counters[counter],
                          lambda txn: m.CallNextRequest(transaction=txn, counter=counter))
        if reply is None or not reply.ok or reply.data is None or reply.data.ticket is None:
            self._at(RETRY_EMPTY_SECONDS, "free", counter)
            return
        self.stats["called"] += 1
        ticket = reply.data.ticket
        if self.rng.random() < ABSENT_SHARE:
            self._absent[counter] = 0
            self._at(45, "recall", counter)
            return
        minutes = self.config.service(ticket.service)
        mean = (minutes.default_service_minutes if minutes else 5.0) * 60
        self._at(self.rng.gammavariate(4, mean / 4), "done", counter)

    def _recall(self, counter: str) -> None:
        recalls = self._absent.get(counter, 0)
        if recalls < min(2, self.config.recall_limit):
            self._absent[counter] = recalls + 1
            self._ask(self.counters[counter],
                      lambda txn: m.RecallRequest(transaction=txn, counter=counter))
            self.stats["recalled"] += 1
            self._at(45, "recall", counter)
        else:
            self._absent.pop(counter, None)
            self._ask(self.counters[counter],
                      lambda txn: m.NoShowRequest(transaction=txn, counter=counter))
            self.stats["no_show"] += 1
            self._at(5, "free", counter)

    def _done(self, counter: str) -> None:
        reply = self._ask(self.counters[counter],
                          lambda txn: m.DoneRequest(transaction=txn, counter=counter))
        if reply is not None and reply.ok:
            self.stats["done"] += 1
            if counter in self.pads and self.rng.random() < RATING_SHARE:
                self._at(self.rng.uniform(3, 20), "rate", counter)
        self._at(self.rng.uniform(5, 20), "free", counter)

    def _rate(self, counter: str) -> None:
        """The citizen touches the pad: the counter's last finished ticket."""
        levels = [level.id for level in self.config.ratings.levels]
        weights = [*RATING_WEIGHTS[:len(levels) - 1]]
        weights += [max(0.0, 1 - sum(weights))] * (len(levels) - len(weights))
        level = self.rng.choices(levels, weights)[0]
        reasons = [r.id for r in self.config.ratings.reasons]
        reason = (self.rng.choice(reasons) if level == levels[-1] and reasons
                  and self.rng.random() < REASON_SHARE else None)
        reply = self._ask(self.pads[counter], lambda txn: m.RateRequest(
            transaction=txn, counter=counter, level=level, reason=reason))
        if reply is not None and reply.ok:
            self.stats["rated"] += 1

    def _sign_in(self) -> None:
        """One staff member at each counter, in the config's order."""
        for counter, member in zip(sorted(self.counters), self.config.staff, strict=False):
            self._ask(self.counters[counter],
                      partial(self._login_request, counter=counter, staff=member.id))

    def _login_request(self, transaction: str, counter: str, staff: str) -> m.LoginRequest:
        return m.LoginRequest(transaction=transaction, counter=counter, staff=staff,
                              pin=self.pin)

    def _resume(self, counter: str) -> None:
        self._ask(self.counters[counter],
                  lambda txn: m.ResumeRequest(transaction=txn, counter=counter))

    def run(self, duration: float, stop: threading.Event, out: object = sys.stdout) -> None:
        for link in self.links:
            link.publish_status()  # a bus connected before they were made announced none
            link.start_heartbeat()
        try:
            self._run(duration, stop, out)
        finally:
            for link in self.links:
                link.stop_heartbeat()
                link.say_offline()

    def _run(self, duration: float, stop: threading.Event, out: object) -> None:
        self.now = 0.0
        self._sign_in()
        for counter in self.counters:
            self._resume(counter)
            self._at(self.rng.uniform(30, 120), "free", counter)
        for service in self.config.services:
            self._at(self.rng.expovariate(self.rate), "arrive", service.id)
        started = time.monotonic()
        last_print = 0.0
        handlers = {"arrive": self._arrival, "free": self._counter_free,
                    "recall": self._recall, "done": self._done, "rate": self._rate}
        while not stop.is_set():
            event = heapq.heappop(self._events)
            real_due = started + event.at / self.speed
            if duration and real_due - started > duration:
                break
            stop.wait(max(0.0, real_due - time.monotonic()))
            self.now = event.at
            handlers[event.kind](event.who)
            if time.monotonic() - last_print > 0.5:
                last_print = time.monotonic()
                self._print(out)
        self._print(out)
        print(file=out)  # type: ignore[call-overload]

    def summary(self) -> str:
        clock = time.strftime("%H:%M", time.gmtime(8 * 3600 + self.now))
        waiting = " ".join(f"{k}:{v}" for k, v in sorted(self.waiting.items()))
        refused = sum(v for k, v in self.stats.items() if k.startswith("refused"))
        return (f"[day {clock}] issued {self.stats['issued']} called {self.stats['called']} "
                f"done {self.stats['done']} recalls {self.stats['recalled']} no-show "
                f"{self.stats['no_show']} rated {self.stats['rated']} refused {refused} "
                f"timeouts {self.stats['timeouts']}"
                f" | waiting {waiting}")

    def _print(self, out: object) -> None:
        print("\r" + self.summary().ljust(110), end="", file=out, flush=True)  # type: ignore[call-overload]


def run_simulation(args: argparse.Namespace) -> int:
    config = read_config(args.config)
    address = broker_address(config, args.broker)
    bus = Bus(Topics(config.site.id), client_id=f"simulator-{time.monotonic_ns()}",
              broker=address)
    simulation = Simulation(config, bus, args.speed, args.arrivals_per_hour,
                            random.Random(args.seed))
    bus.start()
    if not bus.wait_connected(10):
        print(f"lobby simulate: no broker at {address.host}:{address.port}", file=sys.stderr)
        bus.stop()
        return 1
    time.sleep(0.1)  # the reply subscriptions land
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        simulation.run(args.duration, stop)
    finally:
        bus.stop()
    return 0
