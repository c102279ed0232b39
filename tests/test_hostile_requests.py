"""Requests an outside fuzzer sent, over a real broker to a real hub: each is answered
`bad_request` on its own transaction (when one can be read), says which field is wrong, and
changes nothing. Before, some got no reply at all, some `internal` with no transaction, and
some were coerced and acted on (`"replay_only": "no"` issued a ticket)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from lobby.bus import BrokerAddress
from lobby.contract.registry import Topics
from tests.helpers import DeviceClient, Recorder, RunningHub, small_config, wait_for

DEEP = b"[" * 3000 + b"]" * 3000
CASES = [  # action, payload, the transaction of the reply, what the message names
    ("issue", b'{"transaction": "r1\\ud800", "service": "A"}', None, "transaction"),
    ("issue", b'{"transaction": "r2", "service": "A", "x": ' + DEEP + b"}", "r2",
     "nested too deeply"),
    ("print_failed", b'{"transaction": "r3", "ticket_id": 9223372036854775808}', "r3",
     "ticket_id"),
    ("print_failed", b'{"transaction": "r4", "ticket_id": ' + b"9" * 5000 + b"}", "r4",
     "digits"),
    *[("issue", b'{"transaction": "r5", "service": "B", "replay_only": %s}' % value, "r5",
       "replay_only") for value in (b'"no"', b'"false"', b'"off"', b'"0"', b"0", b'"n"')],
    *[("print_failed", b'{"transaction": "r6", "ticket_id": %s}' % value, "r6", "ticket_id")
      for value in (b"true", b'"1"', b"1.0", b'" 1 "')],
    ("issue", b'{"transaction": "r7", "service": "A", "\\udc80": 1}', "r7", "unicode"),
    ("issue", b'{"transaction": "r8", "service": "A", "language": 7}', "r8", "language"),
]


@dataclass
class Lobby:
    topics: Topics
    hub: RunningHub
    kiosk: DeviceClient
    replies: Recorder


@pytest.fixture(scope="module")
def lobby(mosquitto: BrokerAddress, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Lobby]:
    config = small_config()
    hub = RunningHub(config, tmp_path_factory.mktemp("hub") / "hub.sqlite", mosquitto)
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    assert kiosk.ask("issue", service="A").ok  # ticket 1, A001: printed
    replies = Recorder(config, mosquitto, "reply/kiosk-1", client_id="hostile-replies")
    yield Lobby(Topics(config.site.id), hub, kiosk, replies)
    for party in (replies, kiosk, hub):
        party.stop()


@pytest.mark.parametrize(("action", "payload", "transaction", "names"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_hostile_request_is_refused_by_field_on_its_transaction(
    lobby: Lobby, action: str, payload: bytes, transaction: str | None, names: str
) -> None:
    replies = lobby.replies
    before = len(replies.on("reply/kiosk-1"))
    lobby.kiosk.bus.publish_raw(lobby.topics.prefix + f"request/kiosk-1/{action}", payload, qos=1)
    assert wait_for(lambda: len(replies.on("reply/kiosk-1")) > before), "no reply at all"
    reply = replies.on("reply/kiosk-1")[before]
    assert reply["transaction"] == transaction
    assert reply["ok"] is False and reply["error"]["code"] == "bad_request"
    assert names in reply["error"]["message"]
    # Nothing was acted on: one ticket, still printed, nothing in service B.
    rows = lobby.hub.engine.store.conn.execute("SELECT number, printed FROM tickets").fetchall()
    assert rows == [("A001", 1)]
    assert json.dumps(reply)  # the reply itself is clean UTF-8 JSON



def test_each_request_is_logged_in_one_line(
    lobby: Lobby, caplog: pytest.LogCaptureFixture
) -> None:
    # (A topic with a line break in it would forge a log line, but Mosquitto refuses such a
    # topic and drops the client; the action is logged with %r all the same.)
    replies = lobby.replies
    before = len(replies.on("reply/kiosk-1"))
    caplog.set_level("INFO", logger="hub")
    lobby.kiosk.bus.publish_raw(lobby.topics.prefix + "request/kiosk-1/issue",
                                b'{"transaction": "log1", "service": 7}', qos=1)
    assert wait_for(lambda: len(replies.on("reply/kiosk-1")) > before)
    assert wait_for(lambda: "kiosk-1 'issue': refused (bad_request)" in [
        r.getMessage() for r in caplog.records])
