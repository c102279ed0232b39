from __future__ import annotations

import pytest

from lobby.contract import ACTIONS, REGISTRY, Topics
from lobby.contract import messages as m
from lobby.contract.codec import DecodeError, decode, decode_request
from lobby.contract.docgen import render
from tests.helpers import ROOT


def test_mqtt_docs_are_generated_from_the_registry() -> None:
    committed = (ROOT / "docs" / "mqtt-api.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/mqtt-api.md is stale: run `./run.sh docs`"


def test_topics_are_exactly_those_of_the_design() -> None:
    patterns = {spec.pattern for spec in REGISTRY}
    assert patterns == {f"request/{{device}}/{a}" for a in ACTIONS} | {
        "reply/{device}", "state/hub", "state/queues", "state/counters/{counter}", "state/config",
        "state/board", "event/called", "event/announcement", "device/{device}/status"}
    assert set(ACTIONS) == {"issue", "print_failed", "not_handed_out", "call_next", "recall",
                            "call", "done", "no_show", "transfer", "pause", "resume",
                            "login", "logout", "rate",  # added within v1 (#11)
                            "cancel", "move", "raise_priority", "call_to", "announce",  # and #12
                            "leave", "coming"}  # and #13
    for spec in REGISTRY:
        commands = spec.name.startswith("request") or spec.name == "reply"
        assert spec.qos == 1
        assert spec.retained == (spec.name.startswith("state") or spec.name == "device.status")
        assert not (commands and spec.retained)


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.name)
def test_every_example_round_trips_through_its_topic(spec: object) -> None:
    from lobby.contract.registry import TopicSpec

    assert isinstance(spec, TopicSpec)
    topics = Topics("hcm-q1")
    params = {p: "x-1" for p in spec.params}
    topic = topics.topic(spec, **params)
    assert topic.startswith("lobby/hcm-q1/")
    assert topics.parse(topic) == (spec, params)
    # Through the wire and back: the same bytes again.
    assert m.dump(decode(spec, m.dump(spec.example))) == m.dump(spec.example)


def test_topic_parameters_cannot_inject_levels_or_wildcards() -> None:
    topics = Topics("site")
    spec = REGISTRY[0]
    for bad in ("a/b", "+", "#", "", "x" * 33, "kiosk-1\n", "kiosk 1"):
        with pytest.raises(ValueError):
            topics.topic(spec, device=bad)
    with pytest.raises(ValueError):
        Topics("bad/site")


def test_decode_request_errors_keep_the_transaction() -> None:
    with pytest.raises(DecodeError) as caught:
        decode_request("issue", b'{"transaction": "t-9", "service": 5}')
    assert caught.value.code == "bad_request" and caught.value.transaction == "t-9"
    with pytest.raises(DecodeError) as caught:
        decode_request("issue", b"x" * 20_000)
    assert "over the limit" in caught.value.message
