"""The contract can grow without breaking what is deployed: every golden v1 payload (the
examples of docs/mqtt-api.md as published, by 0.1.0 and since) decodes, the hub accepts every
golden request, and a request re-encoded by today's code carries no field the golden one did
not (so an older hub accepts what a device sends when it uses no new feature)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lobby.contract import CONTRACT_VERSION, REGISTRY
from lobby.contract import messages as m
from lobby.contract.codec import decode, decode_request
from lobby.contract.registry import spec, spec_for_action
from tests.golden import FOLDER

GOLDEN = sorted(FOLDER.glob("*.json"))


def spec_of(path: Path) -> str:
    return path.stem.split("--")[0]  # `request.issue--0.1.0.json`: the 0.1.0 example


def test_every_topic_has_a_golden_payload() -> None:
    assert {s.name for s in REGISTRY} <= {spec_of(p) for p in GOLDEN}


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_payload_decodes(path: Path) -> None:
    topic = spec(spec_of(path))
    payload = path.read_bytes()
    if topic.action:
        request = decode_request(topic.action, payload)  # as strict as the hub is
        sent = json.loads(m.dump(request))
        assert set(sent) <= set(json.loads(payload)), "today's encoding adds a field"
    else:
        decode(topic, payload)
        if topic.name == "reply":  # and its data as the model its action names
            action = spec_for_action(json.loads(payload)["action"])
            assert action is not None and action.reply is not None
            assert m.decode_reply(action.reply, payload).data is not None


def test_a_payload_without_a_version_is_v1() -> None:
    old = decode(spec("state.hub"), (FOLDER / "state.hub--0.1.0.json").read_bytes())
    assert isinstance(old, m.HubState) and old.contract == 1 == CONTRACT_VERSION


def test_a_request_using_no_new_feature_leaves_new_fields_out() -> None:
    # 0.1.0 added `replay_only` to issue and every kiosk sent it, which an older hub refused.
    plain = m.IssueRequest(transaction="k1-1", service="A")
    assert json.loads(m.dump(plain)) == {"transaction": "k1-1", "service": "A"}
    asked = m.IssueRequest(transaction="k1-2", service="A", replay_only=True)
    assert json.loads(m.dump(asked))["replay_only"] is True
