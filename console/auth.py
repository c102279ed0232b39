"""Who may use the console and what each may do.

Users are the config's `console.users` (argon2 hashes from `lobby console-user`), read again
when the file changes so a removed user or a changed role takes effect at the next request.
A session is Starlette's signed cookie (HttpOnly, SameSite=Strict, Secure behind TLS) holding
the user's name and a CSRF token; every POST must carry that token. Five failed logins lock
that user, and that address, for a minute (the hub's own guard, used twice).
"""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from hub.console_user_cli import password_hasher
from hub.errors import HubError
from hub.guard import SignInGuard
from lobby.config.people import ConsoleUser
from lobby.config.watched import CentreConfig

log = logging.getLogger(__name__)

Role = Literal["viewer", "supervisor", "admin"]
_RANK: dict[str, int] = {"viewer": 0, "supervisor": 1, "admin": 2}
_HASHER: PasswordHasher = password_hasher()
# Checked against when the name is unknown, so a wrong name costs the same time as a wrong
# password and the answer does not tell which names exist.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(8))
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class LoginRefusedError(Exception):
    def __init__(self, code: Literal["wrong_password", "locked"]) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SignedIn:
    name: str
    role: Role
    csrf: str

    def may(self, role: Role) -> bool:
        return _RANK[self.role] >= _RANK[role]


class Users:
    """The console's users, from the centre's configuration as it is now."""

    def __init__(self, centre: CentreConfig) -> None:
        self.centre = centre
        self.user_guard = SignInGuard()
        self.address_guard = SignInGuard()

    def get(self, name: str) -> ConsoleUser | None:
        console = self.centre.current().console
        return next((u for u in console.users if u.name == name), None) if console else None

    def check_password(self, name: str, password: str, address: str) -> ConsoleUser:
        """The user, or LoginRefusedError: `locked` (user or address) or `wrong_password`."""
        now = time.monotonic()
        try:
            self.user_guard.check("", name, now)
            self.address_guard.check(address, "", now)
        except HubError:
            log.warning("console login refused for %r from %s: locked", name, address)
            raise LoginRefusedError("locked") from None
        user = self.get(name)
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            user = None
        if user is None:
            self.user_guard.failed("", name, now)
            self.address_guard.failed(address, "", now)
            log.warning("console login refused for %r from %s", name, address)
            raise LoginRefusedError("wrong_password")
        self.user_guard.succeeded("", name)
        self.address_guard.succeeded(address, "")
        log.info("console login: %s (%s) from %s", name, user.role, address)
        return user


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def signed_in(request: Request, users: Users) -> SignedIn | None:
    """The session's user if it is still one of the config's users (with today's role)."""
    name, csrf = request.session.get("user"), request.session.get("csrf")
    if not isinstance(name, str) or not isinstance(csrf, str):
        return None
    user = users.get(name)
    return SignedIn(user.name, user.role, csrf) if user else None


async def csrf_ok(request: Request) -> bool:
    expected = request.session.get("csrf")
    if not isinstance(expected, str):
        return False
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return given is not None and hmac.compare_digest(given, expected)


Endpoint = Callable[[Request, SignedIn], Awaitable[Response]]


def page(role: Role) -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """An endpoint for users of `role` or above: no session → the login page; too low a
    role → 403; a POST without the session's CSRF token → 403, before the endpoint runs."""
    def wrap(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            users: Users = request.app.state.users
            user = signed_in(request, users)
            if user is None:
                if request.headers.get("hx-request"):  # htmx: send the whole page to login
                    return Response(status_code=401, headers={"HX-Redirect": "/login"})
                return RedirectResponse("/login", status_code=303)
            if request.method == "POST" and not await csrf_ok(request):
                log.warning("POST %s without a valid CSRF token (%s)", request.url.path,
                            user.name)
                return PlainTextResponse("CSRF token missing or wrong", status_code=403)
            if not user.may(role):
                return PlainTextResponse("not allowed for your role", status_code=403)
            return await endpoint(request, user)
        return guarded
    return wrap
