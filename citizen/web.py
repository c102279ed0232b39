"""The public page's web application: a ticket's page by its token, its live stream (server-
sent events), its panel for polling, and the citizen's three acts. Nothing here is behind a
sign-in: the token in the address is the only key, so every answer is about that one ticket,
and an unknown or expired token gets the same plain 404 as any other address."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citizen.limits import AddressLimits, RateLimit
from citizen.link import PublicLink
from citizen.live import LiveTickets
from citizen.pages import HERE, Pages, levels_css, sse_event, style_for
from citizen.store import CitizenTicket, PublicStore
from citizen.words import choose_language, say
from hub.numbering import local_day
from lobby.config.models import LobbyConfig
from lobby.config.watched import CentreConfig
from lobby.rpc import RequestTimeoutError

log = logging.getLogger(__name__)
TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")
KEEPALIVE_SECONDS = 15.0
ACTIONS = ("leave", "coming", "rate")  # what a citizen may do (the hub's actions)
# What the page may be asked to say after an act (`?m=`), and its words.
MESSAGES = {"already_rated": "rated", "rating_closed": "rating_closed", "busy": "busy",
            "already_called": "already_called", "refused": "refused"}

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # The token is in the address: no other site may learn it from a Referer.
    (b"referrer-policy", b"no-referrer"),
    (b"x-robots-tag", b"noindex, nofollow"),
]


def _policy(config: LobbyConfig) -> bytes:
    """Only this server's script, and only the page's own inline stylesheet (by its hash)."""
    styles = " ".join(sorted({style_for(levels_css(config))[1], style_for("")[1]}))
    return (f"default-src 'none'; script-src 'self'; style-src {styles}; img-src 'self'; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'").encode()


class Headers:
    """The security headers on every answer, and pages never cached (a plain ASGI middleware,
    leaving the event streams unbuffered)."""

    def __init__(self, app: ASGIApp, centre: CentreConfig) -> None:
        self.app = app
        self.centre = centre

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = "/static/" in scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                cache = b"public, max-age=86400" if static else b"no-store"
                message["headers"] = [
                    *message.get("headers", []), *HEADERS, (b"cache-control", cache),
                    (b"content-security-policy", _policy(self.centre.current()))]
            await send(message)

        await self.app(scope, receive, with_headers)


@dataclass
class PublicServices:
    centre: CentreConfig
    store: PublicStore
    link: PublicLink | None
    live: LiveTickets
    pages: Pages
    limits: AddressLimits


def _services(request: Request) -> PublicServices:
    services: PublicServices = request.app.state.services
    return services


def _language(request: Request) -> str:
    config = _services(request).centre.current()
    return choose_language(request.query_params.get("lang"),
                           request.headers.get("accept-language", ""), config.site.languages)


def prefix(config: LobbyConfig) -> str:
    """The path of `public.url` ("" or "/xa-hoa-phu"): the page's own links carry it, and it
    answers under it as well as at the root, so a reverse proxy may strip it or pass it."""
    return urlsplit(config.public.url).path if config.public else ""


def _base(request: Request, ticket: CitizenTicket) -> str:
    return f"{prefix(_services(request).centre.current())}/t/{ticket.token}"


def _ticket(request: Request) -> CitizenTicket:
    """Today's ticket of the address's token, or 404 (made up, or of another day: alike)."""
    services = _services(request)
    token = request.path_params["token"]
    if not TOKEN.fullmatch(token):
        raise HTTPException(404)
    ticket = services.store.by_token(token)
    today = local_day(services.live.now().timestamp(), services.centre.current().site.zone)
    if ticket is None or ticket.day != today:
        raise HTTPException(404)
    return ticket


async def ticket_page(request: Request) -> Response:
    services = _services(request)
    ticket = _ticket(request)
    lang = _language(request)
    message_key = MESSAGES.get(request.query_params.get("m", ""))
    page = services.live.page(ticket)
    config = services.centre.current()
    html = services.pages.document(page, lang, _base(request, ticket), services.live.now(),
                                   config, say(message_key, lang) if message_key else None)
    return HTMLResponse(html)


async def fragment(request: Request) -> Response:
    services = _services(request)
    ticket = _ticket(request)
    page = services.live.page(ticket)
    return HTMLResponse(services.pages.fragment(page, _language(request), _base(request, ticket),
                                                services.live.now()))


async def events(request: Request) -> Response:
    services = _services(request)
    ticket = _ticket(request)
    address = request.scope.get("state", {}).get("client_address") or "unknown"
    if not services.limits.open_stream(address):
        return Response(status_code=429, headers={"retry-after": "30"})
    lang = _language(request)
    base = _base(request, ticket)
    page = services.live.page(ticket)
    follower = services.live.follow(ticket.id, lang, base, page)
    first = services.pages.fragment(page, lang, base, services.live.now())
    released = False

    def release() -> None:
        """Once, whichever comes first: the stream's end, or the response's (a phone gone
        before the stream started never runs the stream's own `finally`)."""
        nonlocal released
        if not released:
            released = True
            services.live.unfollow(follower)
            services.limits.close_stream(address)

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 3000\n\n" + sse_event("ticket", first)
            while not follower.ended:
                try:
                    # Spread: a thousand streams opened together must not all wake at once.
                    await asyncio.wait_for(follower.wake.wait(),
                                           KEEPALIVE_SECONDS * random.uniform(0.8, 1.2))
                except TimeoutError:
                    # Keeps proxies and phones' radios from dropping it, and tells the page
                    # it is still live (it shows the time).
                    yield sse_event("alive", services.live.now().strftime("%H:%M"))
                    continue
                follower.wake.clear()
                if follower.pending is not None:
                    event, follower.pending = follower.pending, None
                    yield event
        finally:
            release()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"},
                             background=BackgroundTask(release))


def _same_origin(request: Request) -> bool:
    """A form posted from this site: a page elsewhere may not make a phone act on its own
    ticket. Browsers say where a request comes from in Sec-Fetch-Site; under the page's
    no-referrer policy their Origin is "null", so it is only checked where it names a site
    (an older browser). The token in the address stays the key either way."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    config = _services(request).centre.current()
    allowed = {request.headers.get("host", "")}
    if config.public is not None:
        allowed.add(urlsplit(config.public.url).netloc)
    return urlsplit(origin).netloc in allowed


async def act(request: Request) -> Response:
    services = _services(request)
    ticket = _ticket(request)
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    if not _same_origin(request):
        return Response(status_code=403)
    config = services.centre.current()
    try:
        async with request.form(max_files=0, max_fields=4, max_part_size=1024) as form:
            lang = str(form.get("lang") or "")
            level = str(form.get("level") or "")
    except HTTPException:  # not this page's form (too many fields, a file, a huge value)
        return _back(_base(request, ticket), _language(request), "refused")
    lang = choose_language(lang, "", config.site.languages)
    fields: dict[str, object] = {"token": ticket.token}
    if action == "rate":
        if config.ratings.level(level) is None or ticket.counter is None:
            return _back(_base(request, ticket), lang, "refused")
        fields.update(counter=ticket.counter, ticket_id=ticket.id, level=level)
    outcome = await _ask(services, action, fields)
    if action == "leave" and outcome == "not_allowed":  # why: the ticket's state now
        now = await asyncio.to_thread(services.store.by_token, ticket.token)
        state = now.state if now is not None else None
        # Left already (a second tap, a form sent again): the page says it, no message.
        outcome = None if state == "cancelled" else (
            "already_called" if state == "called" else "refused")
    services.live.changed()
    return _back(_base(request, ticket), lang, outcome)


async def _ask(services: PublicServices, action: str, fields: dict[str, object]) -> str | None:
    """None when done, else the message's key."""
    if services.link is None or not services.link.reachable():
        return "busy"
    try:
        reply = await asyncio.to_thread(services.link.ask, action, **fields)
    except RequestTimeoutError:
        return "busy"
    if reply.ok:
        return None
    code = reply.error.code if reply.error else "refused"
    log.info("%s refused by the hub: %s", action, code)
    if action == "leave" and code == "not_allowed":
        return code  # not waiting any more: the caller says why, from the ticket's state
    return code if code in MESSAGES else "refused"


def _back(base: str, lang: str, message: str | None) -> Response:
    query = f"?lang={lang}" + (f"&m={message}" if message else "")
    return RedirectResponse(f"{base}{query}", status_code=303)


async def not_found(request: Request, _exc: Exception) -> Response:
    text = _services(request).pages.not_found(_language(request))
    return HTMLResponse(text, status_code=404)


async def store_unreadable(request: Request, exc: Exception) -> Response:
    log.error("the hub's store cannot be read: %s", exc)
    text = _services(request).pages.not_found(_language(request), "unavailable", None)
    return HTMLResponse(text, status_code=503, headers={"retry-after": "10"})


def create_app(services: PublicServices) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        if services.link is not None:
            def changed() -> None:  # from paho's thread: hop onto the loop
                loop.call_soon_threadsafe(services.live.changed)
            services.link.changed = changed
        rounds = asyncio.create_task(services.live.run())
        yield
        rounds.cancel()
        if services.link is not None:
            services.link.changed = lambda: None

    ticket_routes = [
        Route("/t/{token}", ticket_page),
        Route("/t/{token}/fragment", fragment),
        Route("/t/{token}/events", events),
        Route("/t/{token}/{action:str}", act, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    routes: list[BaseRoute] = [*ticket_routes,
                               Route("/favicon.ico", lambda _request: Response(status_code=204))]
    under = prefix(services.centre.current())
    if under:
        routes.append(Mount(under, routes=ticket_routes))
    refused = services.pages.too_many().encode()
    app = Starlette(routes=routes, lifespan=lifespan,
                    # Compressed pages (event streams are left alone by GZipMiddleware).
                    middleware=[Middleware(GZipMiddleware, minimum_size=500),
                                Middleware(Headers, centre=services.centre),
                                Middleware(RateLimit, limits=services.limits, refused=refused)],
                    exception_handlers={404: not_found, 405: not_found,
                                        sqlite3.Error: store_unreadable})
    app.state.services = services
    return app
