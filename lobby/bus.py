"""The MQTT bus every app uses: a thin, typed layer over paho-mqtt 2.

- connects in the background and keeps retrying on a short, capped backoff whose steps differ
  from client to client (see `reconnect_schedule`);
- sets TCP_NODELAY as soon as the socket opens (paho does not; with Nagle a QoS 1 round trip
  takes 44-88 ms instead of well under 1 ms, docs/stack-notes.md);
- re-subscribes after every reconnect and then runs the `on_connected` callbacks (which publish
  online status and the like);
- publishes and subscribes through the contract registry only; a payload that does not decode
  is logged with its topic and dropped, and no exception escapes into paho's thread.
"""

from __future__ import annotations

import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from pydantic import BaseModel

from lobby.contract.codec import DecodeError, decode
from lobby.contract.messages import dump
from lobby.contract.registry import Topics, TopicSpec

log = logging.getLogger(__name__)

TypedHandler = Callable[[Any, dict[str, str]], None]
RawHandler = Callable[[str, bytes], None]


@dataclass(frozen=True)
class BrokerAddress:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    tls: bool = False
    tls_insecure: bool = False

    @classmethod
    def parse(cls, text: str) -> BrokerAddress:
        host, _, port = text.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"broker address {text!r} is not HOST:PORT (a port 1-65535)")
        return cls(host=host, port=int(port))


RECONNECT_FIRST = (0.2, 0.5)  # seconds: the first retry, drawn per client in this range
RECONNECT_CAP = (1.2, 2.0)  # seconds: the longest wait between two retries, drawn likewise


def reconnect_schedule(rng: random.Random | None = None) -> tuple[float, float]:
    """This client's first retry delay and its cap. paho's default (1 s doubling to 15 s)
    left a lobby offline up to 15 s after its broker was back (retries at +1, +3, +7, +15 s,
    then every 15 s). With a cap of at most 2 s every device and the hub are back within about
    2 s of the broker accepting connections, whatever the outage; the values drawn per client
    keep 50 devices from retrying in step (each doubles at its own pace). A refused connection
    costs a LAN broker next to nothing, so retrying this often is cheap."""
    rng = rng or random.Random()
    return rng.uniform(*RECONNECT_FIRST), rng.uniform(*RECONNECT_CAP)


@dataclass
class _Subscription:
    filter: str
    qos: int
    handler: Callable[[str, bytes], None]


class TakeoverWatch:
    """The broker closes a connection when another client connects with the same client id,
    and paho then takes it back a second later: two hubs for one site, or two devices given
    one id, flap like this for ever, each serving in turn. Counted are the connections that
    lasted under SHORT seconds: one is a broker restart or the network; three within a
    minute are this, and are said plainly."""

    DROPS, WINDOW, SHORT = 3, 60.0, 10.0

    def __init__(self, client_id: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.client_id = client_id
        self._clock = clock
        self._drops: list[float] = []
        self._said_at = float("-inf")
        self._connected_at = float("-inf")

    def connected(self) -> None:
        self._connected_at = self._clock()

    def dropped(self) -> None:
        now = self._clock()
        if now - self._connected_at >= self.SHORT:
            return  # a connection that held: the network or a broker restart
        self._drops = [t for t in self._drops if now - t < self.WINDOW] + [now]
        if len(self._drops) >= self.DROPS and now - self._said_at >= self.WINDOW:
            self._said_at = now
            log.error("the broker closed this connection %d times within a minute: another "
                      "program probably connects with the same client id %r (a second hub "
                      "for this site, or two devices configured with one id), and each takes "
                      "the connection from the other", len(self._drops), self.client_id)


class Bus:
    def __init__(self, topics: Topics, client_id: str, broker: BrokerAddress,
                 keepalive: int = 15) -> None:
        self.topics = topics
        self.broker = broker
        self.keepalive = keepalive
        self.connected = threading.Event()
        self._subscriptions: list[_Subscription] = []
        self._on_connected: list[Callable[[], None]] = []
        self._on_disconnected: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._takeovers = TakeoverWatch(client_id)
        self._client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv311,
            clean_session=True,
        )
        # Bound what paho queues while offline and in flight, instead of growing without end.
        self._client.max_inflight_messages_set(100)
        self._client.max_queued_messages_set(10_000)
        first, cap = reconnect_schedule()
        # paho doubles the delay from `first` up to `cap`; it takes fractions of a second
        # although its signature says int.
        self._client.reconnect_delay_set(min_delay=first, max_delay=cap)  # type: ignore[arg-type]
        if broker.username:
            self._client.username_pw_set(broker.username, broker.password)
        if broker.tls or broker.ca_file:
            self._client.tls_set(ca_certs=broker.ca_file, cert_reqs=ssl.CERT_REQUIRED)
            self._client.tls_insecure_set(broker.tls_insecure)
        # Why the last attempt to connect failed (None once connected): said once per outage in
        # the log, and shown by a device that waits for its configuration.
        self.problem: str | None = None
        self._client.on_socket_open = self._socket_open
        self._client.on_connect_fail = self._connect_fail
        self._client.on_connect = self._connect
        self._client.on_disconnect = self._disconnect
        self._client.on_message = self._message

    # --- configuration before start ----------------------------------------------------------

    def set_will(self, spec: TopicSpec, message: BaseModel, **params: str) -> None:
        self._client.will_set(self.topics.topic(spec, **params), dump(message), spec.qos,
                              spec.retained)

    def on_connected(self, callback: Callable[[], None]) -> None:
        self._on_connected.append(callback)

    def on_disconnected(self, callback: Callable[[], None]) -> None:
        self._on_disconnected.append(callback)

    def subscribe(self, spec: TopicSpec, handler: TypedHandler, **params: str) -> None:
        """Typed subscription: the handler gets the decoded model and the topic parameters."""
        topic_filter = self.topics.filter(spec, **params)

        def deliver(topic: str, payload: bytes) -> None:
            parsed = self.topics.parse(topic)
            if parsed is None or parsed[0] is not spec:
                return
            if not payload and spec.retained:
                return  # a cleared retained message
            try:
                message = decode(spec, payload)
            except DecodeError as exc:
                log.warning("dropped bad payload on %s: %s", topic, exc.message)
                return
            handler(message, parsed[1])

        self._add(_Subscription(topic_filter, spec.qos, deliver))

    def subscribe_raw(self, topic_filter: str, handler: RawHandler, qos: int = 1) -> None:
        self._add(_Subscription(topic_filter, qos, handler))

    def _add(self, subscription: _Subscription) -> None:
        with self._lock:
            self._subscriptions.append(subscription)
        if self.connected.is_set():
            self._client.subscribe(subscription.filter, subscription.qos)

    # --- running -------------------------------------------------------------------------------

    def replay_retained(self, *specs: TopicSpec) -> None:
        """Has the broker send the retained messages of these subscriptions again (MQTT
        re-sends them when a subscription is made anew), for a device whose configuration
        changed what it shows."""
        prefixes = tuple(self.topics.prefix + s.pattern.split("{")[0] for s in specs)
        with self._lock:
            filters = [(s.filter, s.qos) for s in self._subscriptions
                       if s.filter.startswith(prefixes)]
        if filters and self.connected.is_set():
            self._client.subscribe(filters)

    def start(self) -> None:
        self._client.connect_async(self.broker.host, self.broker.port, self.keepalive)
        self._client.loop_start()

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    def stop(self) -> None:
        """Disconnect cleanly (the broker then does not publish the will)."""
        self.connected.clear()  # first, so the disconnect callback knows it was asked for
        self._client.disconnect()
        self._client.loop_stop()

    def publish(self, spec: TopicSpec, message: BaseModel, **params: str) -> mqtt.MQTTMessageInfo:
        if not isinstance(message, spec.model):
            raise TypeError(f"{spec.name} carries {spec.model.__name__}, "
                            f"not {type(message).__name__}")
        return self._client.publish(self.topics.topic(spec, **params), dump(message), spec.qos,
                                    spec.retained)

    def publish_raw(self, topic: str, payload: bytes, qos: int = 1,
                    retain: bool = False) -> mqtt.MQTTMessageInfo:
        """For tools and tests that must send what the contract would not (hostile payloads)."""
        return self._client.publish(topic, payload, qos, retain)

    # --- paho callbacks (paho's network thread) ------------------------------------------------

    def _socket_open(self, client: mqtt.Client, userdata: Any, sock: Any) -> None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):  # a websocket or TLS wrapper may not take it
            log.debug("could not set TCP_NODELAY")

    def _connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any,
                 properties: Any) -> None:
        if reason.is_failure:
            refused = (" (its user name or password is wrong, or the broker has no such user)"
                       if "authori" in str(reason).lower() else "")
            self._tell(f"broker {self.broker.host}:{self.broker.port} refused the connection: "
                       f"{reason}{refused}")
            return
        self.problem = None
        with self._lock:
            subscriptions = list(self._subscriptions)
        if subscriptions:
            client.subscribe([(s.filter, s.qos) for s in subscriptions])
        self.connected.set()
        self._takeovers.connected()
        log.info("connected to %s:%s", self.broker.host, self.broker.port)
        for callback in self._on_connected:
            try:
                callback()
            except Exception:
                log.exception("on_connected callback failed")

    def _connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        self._tell(f"cannot reach the broker at {self.broker.host}:{self.broker.port}; "
                   "retrying")

    def _tell(self, problem: str) -> None:
        """Logs a problem once, not at every retry (one every 2 s or so)."""
        if problem != self.problem:
            log.warning("%s", problem)
        self.problem = problem

    def _disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any,
                    properties: Any) -> None:
        if not self.connected.is_set():
            return  # asked for by stop(), or a failed attempt while already down
        log.warning("disconnected from broker (%s); reconnecting", reason)
        self.connected.clear()
        self._takeovers.dropped()
        for callback in self._on_disconnected:
            try:
                callback()
            except Exception:
                log.exception("on_disconnected callback failed")

    def _message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            if not mqtt.topic_matches_sub(subscription.filter, msg.topic):
                continue
            try:
                subscription.handler(msg.topic, bytes(msg.payload))
            except Exception:
                log.exception("handler for %s failed", msg.topic)
