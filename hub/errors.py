"""The hub's refusals: a stable code for devices, a message for people."""

from __future__ import annotations

from lobby.contract.messages import ErrorCode


class HubError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
