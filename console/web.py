"""The console's web application put together: its routes (the pages' modules), the session
and security middleware, and what runs beside it (the live link's wake-ups, the day cache's
fill, the daily report)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console import (
    daily_report,
    pages_announce,
    pages_live,
    pages_other,
    pages_reports,
    pages_settings,
)
from console.app import (
    SESSION_HOURS,
    ConsoleServices,
    choose_language,
    login_page,
    logout,
    render,
    services,
)
from console.i18n import HERE
from devicekit.assets import ASSETS

DAYS_KEPT_WARM = 400  # the year's report and the same month last year
log = logging.getLogger(__name__)


def fill_last_year(console: ConsoleServices) -> None:
    """The day cache filled for the last year, in the background at start: the reports of a
    month or a year are then quick from the first time they are asked for."""
    config = console.centre.current()
    today = dt.datetime.now(config.site.zone).date()
    try:
        console.days.fill(config, today - dt.timedelta(days=DAYS_KEPT_WARM), today)
    except Exception:  # e.g. no store yet (the hub never ran): the pages compute as asked
        log.exception("the day cache was not filled")


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


async def store_unreadable(request: Request, exc: Exception) -> Response:
    """The hub's store cannot be read (the wrong --db, the hub never started): a page that
    says so and where the console looked, not a bare server error."""
    log.error("the hub's store %s cannot be read: %s", services(request).store.db, exc)
    return render(request, "store_problem.html", status_code=503,
                  store=services(request).store.db, problem=str(exc))


def create_app(console: ConsoleServices, secret: str, https_only: bool = False) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        if console.link is not None:
            def changed() -> None:
                loop.call_soon_threadsafe(console.changes.bump)
            console.link.changed = changed
        background = [
            asyncio.create_task(daily_report.write_each_day(console.days, console.centre,
                                                            console.reports_dir)),
            asyncio.create_task(asyncio.to_thread(fill_last_year, console)),
        ] if console.write_daily_reports else []
        yield
        console.days.stopping.set()
        for task in background:
            task.cancel()
        if console.link is not None:
            console.link.changed = lambda: None
            if console.stop_link_on_shutdown:
                console.link.stop()

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
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={sqlite3.Error: store_unreadable})
    app.state.services = console
    app.state.users = console.users
    return app
