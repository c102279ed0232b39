"""The wire contract, v1: topics, message models and the one registry that binds them.

Publishing and subscribing code goes through `lobby.contract.registry`; no topic string is
written anywhere else (docs/mqtt-api.md is generated from the registry).
"""

from lobby.contract.messages import CONTRACT_VERSION
from lobby.contract.registry import (
    ACTIONS,
    REGISTRY,
    Party,
    Topics,
    TopicSpec,
    spec_for_action,
)

__all__ = [
    "ACTIONS",
    "CONTRACT_VERSION",
    "REGISTRY",
    "Party",
    "TopicSpec",
    "Topics",
    "spec_for_action",
]
