"""The console's web application: Starlette routes, sessions, the login and logout, the static
files, and the one place pages are rendered (`render`), so every page gets the user, the
language, the CSRF token and the alert band the same way."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console import daily_report
from console import devices as device_view
from console.auth import LoginRefusedError, SignedIn, Users, csrf_ok, new_csrf, page, signed_in
from console.centre import CentreConfig
from console.day_cache import DayCache
from console.i18n import HERE, environment
from console.link import LobbyLink, LobbyNow
from console.store import StoreReader
from devicekit.assets import ASSETS

SESSION_HOURS = 12  # a working day; a session cookie of a closed browser ends sooner


@dataclass
class Changes:
    """Wakes every live page when the hub said something (set from paho's thread through the
    loop's call_soon_threadsafe)."""

    version: int = 0
    event: asyncio.Event = field(default_factory=asyncio.Event)

    def bump(self) -> None:
        self.version += 1
        self.event.set()
        self.event = asyncio.Event()


@dataclass
class ConsoleServices:
    centre: CentreConfig
    users: Users
    store: StoreReader
    link: LobbyLink | None
    days: DayCache  # settled days' figures, in the console's own file
    reports_dir: Path = Path("var/reports")  # the daily PDFs
    write_daily_reports: bool = False  # at each local midnight (the console's process only)
    alerts: device_view.AlertLog = field(default_factory=device_view.AlertLog)
    changes: Changes = field(default_factory=Changes)

    @property
    def now(self) -> LobbyNow:
        return self.link.now if self.link else LobbyNow()


def services(request: Request) -> ConsoleServices:
    found: ConsoleServices = request.app.state.services
    return found


def language(request: Request) -> str:
    languages = services(request).centre.current().site.languages
    chosen = request.session.get("lang")
    return chosen if chosen in languages else languages[0]


def local_now(request: Request) -> dt.datetime:
    return dt.datetime.now(services(request).centre.current().site.zone)


def alerts_now(console: ConsoleServices) -> list[device_view.AlertRecord]:
    """The alerts open now (refreshing the log), for the band every page shows."""
    config = console.centre.current()
    at = dt.datetime.now(config.site.zone)
    rows = device_view.device_rows(config, console.now, at)
    hub = console.now.hub
    console.alerts.update(device_view.current_alerts(rows, bool(hub and hub.state == "online")),
                          at)
    return [r for r in console.alerts.history() if r.ended is None]


def render_text(request: Request, template: str, **context: Any) -> str:
    console = services(request)
    lang = language(request)
    config = console.centre.current()
    user = signed_in(request, console.users)
    return environment(lang).get_template(template).render(
        request=request, user=user, lang=lang, config=config, site=config.site,
        languages=config.site.languages, csrf=request.session.get("csrf", ""),
        open_alerts=alerts_now(console) if user else [], **context)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    return HTMLResponse(render_text(request, template, **context), status_code=status_code)


async def login_page(request: Request) -> Response:
    if request.method == "GET":
        if signed_in(request, services(request).users):
            return RedirectResponse("/", status_code=303)
        request.session.setdefault("csrf", new_csrf())
        return render(request, "login.html")
    if not await csrf_ok(request):
        request.session["csrf"] = new_csrf()
        return render(request, "login.html", status_code=403, problem="expired")
    form = await request.form()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    address = request.client.host if request.client else "?"
    try:
        user = await asyncio.to_thread(services(request).users.check_password, name, password,
                                       address)
    except LoginRefusedError as refused:
        return render(request, "login.html", status_code=403 if refused.code == "locked"
                      else 401, problem=refused.code, name=name)
    lang = request.session.get("lang")
    request.session.clear()  # a new session on login: nothing carried from before
    request.session.update({"user": user.name, "csrf": new_csrf(), "since": time.time()})
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/", status_code=303)


@page("viewer")
async def logout(request: Request, user: SignedIn) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def choose_language(request: Request) -> Response:
    """Any visitor may switch (the login page too); only the site's languages are taken."""
    lang = request.path_params["lang"]
    if lang in services(request).centre.current().site.languages:
        request.session["lang"] = lang
    back = request.headers.get("referer", "/")
    return RedirectResponse(back if back.startswith(str(request.base_url)) else "/",
                            status_code=303)


# Every page: only the console's own files (no CDN, no inline script), never in a frame.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; "
     b"img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response (a plain ASGI middleware: it leaves the
    server-sent event streams alone, as a buffering middleware would not)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(console: ConsoleServices, secret: str, https_only: bool = False) -> Starlette:
    from console import pages_announce, pages_live, pages_other, pages_reports, pages_settings

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        if console.link is not None:
            def changed() -> None:
                loop.call_soon_threadsafe(console.changes.bump)
            console.link.changed = changed
        daily = asyncio.create_task(daily_report.write_each_day(
            console.days, console.centre, console.reports_dir)) \
            if console.write_daily_reports else None
        yield
        if daily is not None:
            daily.cancel()
        if console.link is not None:
            console.link.changed = lambda: None

    routes = [
        Route("/login", login_page, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/lang/{lang}", choose_language),
        Route("/favicon.ico", lambda _request: Response(status_code=204)),  # none: no 404
        *pages_live.ROUTES, *pages_reports.ROUTES, *pages_other.ROUTES,
        *pages_announce.ROUTES, *pages_settings.ROUTES,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/fonts", StaticFiles(directory=ASSETS / "fonts"), name="fonts"),
    ]
    middleware = [Middleware(SecurityHeaders),
                  Middleware(SessionMiddleware, secret_key=secret, session_cookie="console",
                             max_age=SESSION_HOURS * 3600, same_site="strict",
                             https_only=https_only)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.services = console
    app.state.users = console.users
    return app
