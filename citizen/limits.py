"""Per-address limits on the public page, which may face the internet: a token bucket of
requests per minute (token guessing and floods get 429), and a cap on live streams open at
once. Behind a reverse proxy the client's address is the last one the proxy added to
X-Forwarded-For, believed only from the configured proxies."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT = ("/static/", "/favicon.ico")  # constant, cached files
PRUNE_SECONDS = 60.0


@dataclass
class _Bucket:
    tokens: float
    at: float


class AddressLimits:
    def __init__(self, per_minute: int, streams: int, trusted_proxies: Iterable[str]) -> None:
        self.per_minute = per_minute
        self.streams_allowed = streams
        self.trusted = frozenset(trusted_proxies)
        self._buckets: dict[str, _Bucket] = {}
        self._streams: dict[str, int] = {}
        self._pruned = time.monotonic()

    def client(self, scope: Scope) -> str:
        peer = scope["client"][0] if scope.get("client") else "unknown"
        if peer not in self.trusted:
            return str(peer)
        for name, value in scope.get("headers", ()):
            if name == b"x-forwarded-for":
                hops = [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
                # The proxy appends the address it saw: the last hop not a proxy of ours.
                for hop in reversed(hops):
                    if hop not in self.trusted:
                        return str(hop)
        return str(peer)

    def allow(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self._prune(now)
        bucket = self._buckets.get(address)
        if bucket is None:
            bucket = self._buckets[address] = _Bucket(float(self.per_minute), now)
        bucket.tokens = min(float(self.per_minute),
                            bucket.tokens + (now - bucket.at) * self.per_minute / 60)
        bucket.at = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def open_stream(self, address: str) -> bool:
        if self._streams.get(address, 0) >= self.streams_allowed:
            return False
        self._streams[address] = self._streams.get(address, 0) + 1
        return True

    def close_stream(self, address: str) -> None:
        left = self._streams.get(address, 0) - 1
        if left > 0:
            self._streams[address] = left
        else:
            self._streams.pop(address, None)

    def _prune(self, now: float) -> None:
        """Forget addresses whose bucket has filled again: the table stays as small as the
        last minute's visitors."""
        if now - self._pruned < PRUNE_SECONDS:
            return
        self._pruned = now
        full = [a for a, b in self._buckets.items() if now - b.at >= 60]
        for address in full:
            del self._buckets[address]


class RateLimit:
    """ASGI middleware: a request over its address's budget gets 429 and a Retry-After."""

    def __init__(self, app: ASGIApp, limits: AddressLimits, refused: bytes) -> None:
        self.app = app
        self.limits = limits
        self.refused = refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        address = self.limits.client(scope)
        scope.setdefault("state", {})["client_address"] = address
        if self.limits.allow(address):
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"text/html; charset=utf-8"), (b"retry-after", b"30"),
            (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": self.refused})
