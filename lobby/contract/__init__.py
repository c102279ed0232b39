"""The wire contract, v1: topics, message models and the one registry that binds them.

Publishing and subscribing code goes through `lobby.contract.registry`; no topic string is
written anywhere else (docs/mqtt-api.md is generated from the registry).
"""

from lobby.contract.registry import (
    ACTIONS,
    COUNTER_ACTIONS,
    KIOSK_ACTIONS,
    REGISTRY,
    Topics,
    TopicSpec,
    spec_for_action,
)

CONTRACT_VERSION = 1

__all__ = [
    "ACTIONS",
    "CONTRACT_VERSION",
    "COUNTER_ACTIONS",
    "KIOSK_ACTIONS",
    "REGISTRY",
    "TopicSpec",
    "Topics",
    "spec_for_action",
]
