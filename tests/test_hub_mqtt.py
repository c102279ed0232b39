"""The hub through a real broker: Mosquitto (and a smoke test on amqtt)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.engine import Outcome
from lobby.bus import BrokerAddress
from lobby.contract.registry import Topics
from lobby.device import DeviceLink
from tests.helpers import DeviceClient, Recorder, RunningHub, small_config, wait_for


def test_issue_call_board_and_counter_state(mosquitto: BrokerAddress, tmp_path: Path) -> None:
    config = small_config()
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    watcher = Recorder(config, mosquitto, "state/#", "event/#")
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    counter = DeviceClient(config, mosquitto, "counter-1")
    try:
        issued = kiosk.ask("issue", service="A", language="vi")
        assert issued.ok and issued.data.number == "A001" and issued.data.ahead == 0
        assert wait_for(lambda: (watcher.last("state/queues") or {}).get("services", [{}])[0]
                        .get("waiting") == 1)
        called = counter.ask("call_next", counter="1")
        assert called.ok and called.data.ticket.number == "A001"
        assert wait_for(lambda: bool(watcher.on("event/called")))
        [event] = watcher.on("event/called")
        assert (event["number"], event["counter"], event["seq"], event["recall"]) == (
            "A001", "1", 1, False)
        assert wait_for(lambda: (watcher.last("state/board") or {}).get("seq") == 1)
        assert watcher.last("state/board")["calls"][0]["number"] == "A001"  # type: ignore[index]
        assert watcher.last("state/counters/1")["ticket"]["number"] == "A001"  # type: ignore[index]
        assert watcher.last("state/hub")["state"] == "online"  # type: ignore[index]
    finally:
        for party in (kiosk, counter, watcher, hub):
            party.stop()


def test_retained_state_is_right_for_a_late_subscriber_and_after_restart(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    config = small_config()
    db = tmp_path / "hub.sqlite"
    hub = RunningHub(config, db, mosquitto)
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    counter = DeviceClient(config, mosquitto, "counter-1")
    for _ in range(3):
        kiosk.ask("issue", service="A")
    counter.ask("call_next", counter="1")
    hub.stop()
    hub = RunningHub(config, db, mosquitto)  # rebuilt from SQLite alone
    late = Recorder(config, mosquitto, "state/#", client_id="late")
    try:
        assert wait_for(lambda: late.last("state/board") is not None
                        and late.last("state/queues") is not None)
        assert late.last("state/board")["calls"][0]["number"] == "A001"  # type: ignore[index]
        assert late.last("state/queues")["services"][0]["waiting"] == 2  # type: ignore[index]
        assert counter.ask("call_next", counter="1").data.ticket.number == "A002"
        assert wait_for(lambda: (late.last("state/board") or {}).get("seq") == 2)
    finally:
        for party in (kiosk, counter, late, hub):
            party.stop()


def test_retry_with_the_same_transaction_issues_one_ticket(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    config = small_config()
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    try:
        first = kiosk.ask("issue", service="B", transaction="tap-77")
        second = kiosk.ask("issue", service="B", transaction="tap-77")
        assert first == second
        assert hub.engine.store.count_tickets() == 1
    finally:
        kiosk.stop()
        hub.stop()


def test_every_authorisation_denial_over_the_bus(mosquitto: BrokerAddress,
                                                  tmp_path: Path) -> None:
    config = small_config()
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    clients = {d: DeviceClient(config, mosquitto, d)
               for d in ("kiosk-1", "board-1", "counter-1", "intruder")}
    try:
        cases = [
            ("board-1", "issue", {"service": "A"}, "not_allowed"),
            ("counter-1", "issue", {"service": "A"}, "not_allowed"),
            ("kiosk-1", "call_next", {"counter": "1"}, "not_allowed"),
            ("counter-1", "call_next", {"counter": "2"}, "not_allowed"),
            ("intruder", "issue", {"service": "A"}, "unknown_device"),
        ]
        for device, action, fields, code in cases:
            reply = clients[device].ask(action, **fields)
            assert (reply.ok, reply.error.code) == (False, code), (device, action)
        assert hub.engine.store.count_tickets() == 0
    finally:
        for client in clients.values():
            client.stop()
        hub.stop()


def test_malformed_payloads_over_the_bus_are_answered(mosquitto: BrokerAddress,
                                                     tmp_path: Path) -> None:
    config = small_config()
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    replies = Recorder(config, mosquitto, "reply/#", client_id="replies")
    topics = Topics(config.site.id)
    sent = 0

    @settings(suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=300) | st.text(max_size=100).map(str.encode))
    def send(body: bytes) -> None:
        nonlocal sent
        replies.bus.publish_raw(topics.prefix + "request/kiosk-1/issue", body, qos=1)
        sent += 1

    try:
        send()
        assert wait_for(lambda: len(replies.on("reply/kiosk-1")) >= sent, 15)
        assert all(not r["ok"] for r in replies.on("reply/kiosk-1"))
        assert hub.engine.store.count_tickets() == 0
        # ...and the hub still works.
        kiosk = DeviceClient(config, mosquitto, "kiosk-1")
        assert kiosk.ask("issue", service="A").ok
        kiosk.stop()
    finally:
        replies.stop()
        hub.stop()


def test_silent_device_is_marked_stale(mosquitto: BrokerAddress, tmp_path: Path) -> None:
    config = small_config()  # heartbeat 0.2 s, stale after 0.8 s
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    statuses = Recorder(config, mosquitto, "device/+/status", client_id="statuses")
    client = DeviceClient(config, mosquitto, "kiosk-1")
    link = DeviceLink(client.bus, config, "kiosk-1", "kiosk")
    try:
        link.publish_status()
        link.start_heartbeat()  # on the already connected bus
        # Heartbeats for twice the stale limit (the 8th comes 1.6 s in): no stale mark between.
        assert wait_for(lambda: len(statuses.on("device/kiosk-1/status")) >= 8)
        assert all(s["state"] == "online" for s in statuses.on("device/kiosk-1/status"))
        link.stop_heartbeat()  # the device hangs: heartbeats stop, the connection stays up
        assert wait_for(lambda: (statuses.last("device/kiosk-1/status") or {})
                        .get("state") == "stale", 5)
        link.start_heartbeat()
        link.publish_status()
        assert wait_for(lambda: (statuses.last("device/kiosk-1/status") or {})
                        .get("state") == "online")
    finally:
        link.stop_heartbeat()
        client.stop()
        statuses.stop()
        hub.stop()


def test_a_status_for_no_device_of_the_centre_cannot_stop_the_watchdog(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    """On a broker that lets anyone publish statuses, `device/kiosk 1/status` followed by
    silence once made the watchdog fail on every tick: no device was ever marked stale."""
    config = small_config()  # stale after 0.8 s
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    statuses = Recorder(config, mosquitto, "device/+/status", client_id="statuses")
    client = DeviceClient(config, mosquitto, "kiosk-1")
    link = DeviceLink(client.bus, config, "kiosk-1", "kiosk")
    forged = b'{"state": "online", "role": "kiosk", "at": "2026-11-21T08:15:00+07:00"}'
    try:
        for device in ("kiosk 1", "nobody"):
            client.bus.publish_raw(f"{client.bus.topics.prefix}device/{device}/status", forged,
                                   qos=1)
        link.publish_status()
        assert wait_for(lambda: (statuses.last("device/kiosk-1/status") or {})
                        .get("state") == "stale", 5)
        assert statuses.on("device/nobody/status") == [json.loads(forged)]  # never marked
    finally:
        client.stop()
        statuses.stop()
        hub.stop()


def test_smoke_on_amqtt(amqtt_broker: BrokerAddress, tmp_path: Path) -> None:
    config = small_config()
    hub = RunningHub(config, tmp_path / "hub.sqlite", amqtt_broker)
    kiosk = DeviceClient(config, amqtt_broker, "kiosk-1")
    counter = DeviceClient(config, amqtt_broker, "counter-1")
    try:
        assert kiosk.ask("issue", service="A").data.number == "A001"
        assert counter.ask("call_next", counter="1").data.ticket.number == "A001"
        late = Recorder(config, amqtt_broker, "state/board", client_id="late-amqtt")
        assert wait_for(lambda: (late.last("state/board") or {}).get("seq") == 1)
        late.stop()
    finally:
        for party in (kiosk, counter, hub):
            party.stop()


def test_mosquitto_clients_alone_can_issue_call_and_read_the_board(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    """What docs/mqtt-api.md shows, with nothing but mosquitto_pub and mosquitto_sub."""
    import json
    import subprocess

    config = small_config()
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    site = f"lobby/{config.site.id}"
    port = str(mosquitto.port)

    def publish(topic: str, body: str) -> None:
        subprocess.run(["mosquitto_pub", "-p", port, "-q", "1", "-t", f"{site}/{topic}",
                        "-m", body], check=True, timeout=5)

    def read_one(topic: str, after: Callable[[], None] | None = None) -> dict[str, object]:
        reader = subprocess.Popen(["mosquitto_sub", "-p", port, "-C", "1", "-W", "5", "-t",
                                   f"{site}/{topic}"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.2)  # subscribed before the request goes out
        if after:
            after()
        out, _ = reader.communicate(timeout=10)
        return dict(json.loads(out))

    try:
        issued = read_one("reply/kiosk-1", lambda: publish(
            "request/kiosk-1/issue", '{"transaction": "try-1", "service": "A"}'))
        assert issued["ok"] is True and issued["data"]["number"] == "A001"  # type: ignore[index]
        called = read_one("reply/counter-1", lambda: publish(
            "request/counter-1/call_next", '{"transaction": "try-2", "counter": "1"}'))
        assert called["ok"] is True
        board = read_one("state/board")  # retained: answered at once
        assert board["calls"][0]["number"] == "A001"  # type: ignore[index]
    finally:
        hub.stop()


def test_an_unexpected_failure_is_answered_on_the_requests_transaction(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    """A bug deep in the hub must not leave the kiosk waiting out its timeout: the answer
    (`internal`) names its transaction, and the retry succeeds once the fault is gone."""
    config = small_config()
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    real = hub.engine.handle_request

    def broken(device: str, action: str, payload: bytes) -> Outcome:
        raise RuntimeError("a bug")

    try:
        hub.engine.handle_request = broken  # type: ignore[method-assign,assignment]
        failed = kiosk.requester.ask("issue", transaction="k-77", service="A", attempts=1)
        assert (failed.transaction, failed.ok) == ("k-77", False)
        assert failed.error is not None and failed.error.code == "internal"
        hub.engine.handle_request = real  # type: ignore[method-assign]
        again = kiosk.requester.ask("issue", transaction="k-77", service="A", attempts=1)
        assert again.ok and again.data is not None and again.data.number == "A001"
    finally:
        kiosk.stop()
        hub.stop()
