"""Decoding payloads into contract models, with errors that say what was wrong.

Whatever arrives, decoding ends in a model or a `DecodeError` (never another exception): a
payload too large, not UTF-8, not JSON, nested too deeply for the parser, with a number of
thousands of digits, or holding a lone UTF-16 surrogate (valid JSON, but no UTF-8 text can
carry it back). A request's error keeps its transaction id whenever one can be read, even
from a payload the parser gave up on, so the device waiting on it gets its answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from lobby.contract import messages as m
from lobby.contract.registry import TopicSpec, spec_for_action

MAX_PAYLOAD_BYTES = 16 * 1024
# A top-level-looking `"transaction": "..."`, for payloads the JSON parser refused.
_TRANSACTION = re.compile(r'"transaction"\s*:\s*("(?:[^"\\\x00-\x1f]|\\.){1,400}")')


class DecodeError(ValueError):
    def __init__(self, code: m.ErrorCode, message: str, transaction: str | None = None) -> None:
        super().__init__(message)
        self.code: m.ErrorCode = code
        self.message = printable(message)
        self.transaction = transaction


def printable(text: str) -> str:
    """`text` with any lone surrogate written as an escape, so that it can be sent as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _valid_transaction(raw: object) -> str | None:
    if not isinstance(raw, str) or not 0 < len(raw) <= 64 or printable(raw) != raw:
        return None  # a reply could not carry it back
    return raw


def _scan_transaction(payload: bytes) -> str | None:
    """The transaction of a payload the JSON parser refused, if it says one plainly."""
    found = _TRANSACTION.search(payload[:MAX_PAYLOAD_BYTES].decode("utf-8", "replace"))
    if found is None:
        return None
    try:
        return _valid_transaction(json.loads(found.group(1)))
    except ValueError:
        return None


def _load_object(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise DecodeError("bad_request", f"payload of {len(payload)} bytes is over the limit "
                          f"of {MAX_PAYLOAD_BYTES}", _scan_transaction(payload))
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecodeError("bad_request", f"payload is not UTF-8 JSON: {exc}",
                          _scan_transaction(payload)) from None
    except RecursionError:
        raise DecodeError("bad_request", "payload is nested too deeply",
                          _scan_transaction(payload)) from None
    except ValueError as exc:  # e.g. an integer over the 4,300-digit limit of int()
        raise DecodeError("bad_request", f"payload is not usable JSON: {exc}",
                          _scan_transaction(payload)) from None
    if not isinstance(data, dict):
        raise DecodeError("bad_request", "payload must be a JSON object")
    return data


def read_transaction(payload: bytes) -> str | None:
    """The request's transaction id if it can be read at all, for answering a request whose
    handling failed unexpectedly (the device is waiting on that id)."""
    try:
        return _valid_transaction(_load_object(payload).get("transaction"))
    except DecodeError as exc:
        return exc.transaction


def describe(error: ValidationError) -> str:
    """Which field is wrong and how, for the first few problems."""
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "payload"
        parts.append(f"{where}: {item['msg']}")
    return printable("; ".join(parts))


def decode(spec: TopicSpec, payload: bytes) -> BaseModel:
    data = _load_object(payload)
    try:
        return spec.model.model_validate(data)
    except (ValidationError, RecursionError) as exc:
        message = describe(exc) if isinstance(exc, ValidationError) else "nested too deeply"
        raise DecodeError("bad_request", message) from None


def build_request(action: str, fields: dict[str, Any]) -> m.Request[Any]:
    """Validate request fields for `action` (a payload already parsed from JSON)."""
    transaction = _valid_transaction(fields.get("transaction"))
    spec = spec_for_action(action)
    if spec is None:
        raise DecodeError("unknown_action", f"unknown action {action!r}", transaction)
    try:
        request = spec.model.model_validate(fields)
    except ValidationError as exc:
        raise DecodeError("bad_request", describe(exc), transaction) from None
    except RecursionError:
        raise DecodeError("bad_request", "payload is nested too deeply", transaction) from None
    assert isinstance(request, m.Request)
    return request


def decode_request(action: str, payload: bytes) -> m.Request[Any]:
    """Decode a request; a DecodeError carries the transaction id when one could be read, so
    that even a rejected request can be answered where the device is waiting for it."""
    return build_request(action, _load_object(payload))
