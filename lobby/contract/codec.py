"""Decoding payloads into contract models, with errors that say what was wrong."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from lobby.contract import messages as m
from lobby.contract.registry import TopicSpec, spec_for_action

MAX_PAYLOAD_BYTES = 16 * 1024


class DecodeError(ValueError):
    def __init__(self, code: m.ErrorCode, message: str, transaction: str | None = None) -> None:
        super().__init__(message)
        self.code: m.ErrorCode = code
        self.message = message
        self.transaction = transaction


def _load_object(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise DecodeError("bad_request", f"payload of {len(payload)} bytes is over the limit")
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecodeError("bad_request", f"payload is not UTF-8 JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DecodeError("bad_request", "payload must be a JSON object")
    return data


def _transaction_of(fields: dict[str, Any]) -> str | None:
    raw = fields.get("transaction")
    return raw if isinstance(raw, str) and 0 < len(raw) <= 64 else None


def read_transaction(payload: bytes) -> str | None:
    """The request's transaction id if it can be read at all, for answering a request whose
    handling failed unexpectedly (the device is waiting on that id)."""
    try:
        return _transaction_of(_load_object(payload))
    except DecodeError:
        return None


def describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "payload"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def decode(spec: TopicSpec, payload: bytes) -> BaseModel:
    data = _load_object(payload)
    try:
        return spec.model.model_validate(data)
    except ValidationError as exc:
        raise DecodeError("bad_request", describe(exc)) from None


def build_request(action: str, fields: dict[str, Any]) -> m.Request[Any]:
    """Validate request fields for `action` (a payload already parsed from JSON)."""
    transaction = _transaction_of(fields)
    spec = spec_for_action(action)
    if spec is None:
        raise DecodeError("unknown_action", f"unknown action {action!r}", transaction)
    try:
        request = spec.model.model_validate(fields)
    except ValidationError as exc:
        raise DecodeError("bad_request", describe(exc), transaction) from None
    assert isinstance(request, m.Request)
    return request


def decode_request(action: str, payload: bytes) -> m.Request[Any]:
    """Decode a request; a DecodeError carries the transaction id when one could be read, so
    that even a rejected request can be answered where the device is waiting for it."""
    return build_request(action, _load_object(payload))
