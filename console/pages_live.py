"""The live lobby page, its server-sent events, and a supervisor's actions on a waiting
ticket (call to a counter, cancel with a reason, move to another service, raise to a priority
class), each a request to the hub in the signed-in user's name."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from console import live, pages_other
from console.app import alerts_now, language, render, render_text, services
from console.auth import SignedIn, page, signed_in
from lobby.contract import messages as m
from lobby.rpc import RequestTimeoutError

log = logging.getLogger(__name__)

SHOWN_WAITING = 150  # rows of the waiting list on the page; the rest are counted
TICK_SECONDS = 5.0  # minutes waited and device ages move without any message
# At most one push per page in this time (20 a second): a busy centre's hub publishes many
# times a second, and each push is a whole panel (tens of KB) morphed into the page; what
# changes meanwhile goes out together. A change after a quiet moment goes out at once.
BATCH_SECONDS = 0.05
_CACHE_KEPT = 16


def _live(request: Request) -> live.LiveLobby:
    console = services(request)
    config = console.centre.current()
    return live.build(config, console.now, console.store, language(request),
                      dt.datetime.now(config.site.zone))


def _filter(request: Request) -> str | None:
    service = request.query_params.get("service")
    config = services(request).centre.current()
    return service if service and config.service(service) else None


def _panel(request: Request) -> str:
    """The live panel, rendered once per state of the lobby, minute (minutes waited),
    language, filter and whether the viewer may act: every open page of the same kind
    shares it."""
    console = services(request)
    user = signed_in(request, console.users)
    service = _filter(request)
    key = (console.now.version, int(time.time() // 60), language(request), service,
           bool(user and user.may("supervisor")))
    with console.panels_lock:
        cached = console.panels.get(key)
    if cached is not None:
        return cached
    lobby = _live(request)
    shown = lobby.waiting
    if service:
        shown = [w for w in shown if w.ticket.service == service]
    html = render_text(request, "_live.html", lobby=lobby, shown=shown[:SHOWN_WAITING],
                       hidden=max(0, len(shown) - SHOWN_WAITING), service_filter=service,
                       waiting_shown=len(shown))
    with console.panels_lock:  # several pages' threads keep and trim it at once
        console.panels[key] = html
        while len(console.panels) > _CACHE_KEPT:
            console.panels.pop(next(iter(console.panels)))
    return html


@page("viewer")
async def live_page(request: Request, user: SignedIn) -> Response:
    panel = await asyncio.to_thread(_panel, request)
    return render(request, "live.html", panel=panel, service_filter=_filter(request))


@page("viewer")
async def live_panel(request: Request, user: SignedIn) -> Response:
    return Response(await asyncio.to_thread(_panel, request), media_type="text/html")


def _sse(event: str, html: str) -> str:
    data = "\n".join(f"data: {line}" for line in html.splitlines() or [""])
    return f"event: {event}\n{data}\n\n"


@page("viewer")
async def events(request: Request, user: SignedIn) -> Response:
    """One stream per open page: the live panel (on the live page) and the alert band (on
    every page), sent again whenever the hub says something, and every few seconds."""
    console = services(request)
    wants_lobby = request.query_params.get("page") == "live"
    wants_devices = request.query_params.get("page") == "devices"

    async def stream() -> AsyncIterator[str]:
        sent: dict[str, str] = {}  # each part as last sent: an unchanged one is not sent
        last_push = 0.0

        def changed(part: str, html: str) -> str | None:
            if sent.get(part) == html:
                return None
            sent[part] = html
            return _sse(part, html)

        while True:
            if signed_in(request, console.users) is None:
                return  # removed from the config, or signed out elsewhere
            wake = console.changes.event
            parts = [("alerts", render_text(request, "_alerts.html",
                                            open_alerts=alerts_now(console)))]
            if wants_lobby:
                parts.append(("lobby", await asyncio.to_thread(_panel, request)))
            if wants_devices:
                parts.append(("devices", await asyncio.to_thread(pages_other.devices_panel,
                                                                  request)))
            for part, html in parts:
                event = changed(part, html)
                if event is not None:
                    last_push = time.monotonic()
                    yield event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), TICK_SECONDS)
            if await request.is_disconnected():
                return
            pause = BATCH_SECONDS - (time.monotonic() - last_push)
            if pause > 0:
                await asyncio.sleep(pause)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


# Refusals the page says in the user's language (the hub's own message, English, is added
# where it tells more); any other code is shown as "refused" with the hub's message.
_ERRORS = {"unknown_ticket", "unknown_service", "unknown_priority", "unknown_counter",
           "closed", "bad_request"}


async def act(request: Request, user: SignedIn, action: str, **fields: Any) -> Response:
    console = services(request)
    result: dict[str, Any] = {"action": action}
    if console.link is None:
        result["problem"] = "no_hub"
    else:
        try:
            reply = await asyncio.to_thread(console.link.ask, action, user=user.name, **fields)
        except RequestTimeoutError:
            result["problem"] = "no_hub"
        except ValueError:  # the form's values do not make a valid request
            result["problem"] = "bad_request"
        else:
            if reply.ok:
                # cancel, move, raise: the ticket; call_to: the counter, serving it now
                data = reply.data
                ticket = data.ticket if isinstance(data, m.CounterView) else data
                result["number"] = getattr(ticket, "number", "") if ticket else ""
                if isinstance(data, m.CounterView):
                    result["counter"] = data.number
            else:
                code = reply.error.code if reply.error else "bad_request"
                result["problem"] = code if code in _ERRORS else "refused"
                result["message"] = reply.error.message if reply.error else ""
    log.info("%s by %s: %s", action, user.name, result)
    status = 200 if "problem" not in result else 409
    if request.headers.get("hx-request"):
        return render(request, "_action_result.html", status_code=status, result=result)
    return render(request, "action_done.html", status_code=status, result=result)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


def _ticket_id(request: Request) -> int:
    return int(request.path_params["ticket_id"])


@dataclass(frozen=True)
class CounterChoice:
    id: str
    number: int
    serves: bool  # the ticket's service
    serving: str | None  # the number it serves now (calling there finishes it)
    officer: str | None


def counter_choices(request: Request, service: str) -> list[CounterChoice]:
    """Where a ticket may be called: open counters that serve its service and are free first,
    then those serving someone, then the rest; counters closed by the centre are left out."""
    console = services(request)
    choices = []
    for counter in console.centre.current().counters:
        if counter.closed:
            continue
        view = console.now.counters.get(counter.id)
        choices.append(CounterChoice(
            counter.id, counter.number, service in counter.services,
            view.ticket.number if view and view.ticket else None,
            view.officer.name if view and view.officer else None))
    return sorted(choices, key=lambda c: (not c.serves, c.serving is not None,
                                          c.officer is None, c.number))


@page("supervisor")
async def ticket_actions(request: Request, user: SignedIn) -> Response:
    """The action forms for one waiting ticket (the page's action panel)."""
    ticket = next((t for t in await asyncio.to_thread(services(request).store.waiting)
                   if t.id == _ticket_id(request)), None)
    config = services(request).centre.current()
    service = config.service(ticket.service) if ticket else None
    klass = config.priority_class(ticket.priority) if ticket and ticket.priority else None
    return render(request, "_ticket_actions.html", ticket=ticket,
                  priority_name=klass.names.get(language(request)) if klass else None,
                  status_code=200 if ticket else 404,
                  choices=counter_choices(request, ticket.service) if ticket else [],
                  service_name=service.names.get(language(request)) if service else "",
                  waited=int((time.time() - ticket.issued_at) // 60) if ticket else 0)


@page("supervisor")
async def cancel(request: Request, user: SignedIn) -> Response:
    form = await _form(request)
    if not form.get("reason"):
        return render(request, "_action_result.html", status_code=422,
                      result={"action": "cancel", "problem": "reason_needed"})
    return await act(request, user, "cancel", ticket_id=_ticket_id(request),
                      reason=form["reason"][:200])


@page("supervisor")
async def move(request: Request, user: SignedIn) -> Response:
    form = await _form(request)
    return await act(request, user, "move", ticket_id=_ticket_id(request),
                      service=form.get("service", ""))


@page("supervisor")
async def raise_priority(request: Request, user: SignedIn) -> Response:
    form = await _form(request)
    return await act(request, user, "raise_priority", ticket_id=_ticket_id(request),
                      priority=form.get("priority", ""))


@page("supervisor")
async def call_to(request: Request, user: SignedIn) -> Response:
    form = await _form(request)
    return await act(request, user, "call_to", ticket_id=_ticket_id(request),
                      counter=form.get("counter", ""))


ROUTES = [
    Route("/", live_page),
    Route("/live/panel", live_panel),
    Route("/events", events),
    Route("/tickets/{ticket_id:int}/actions", ticket_actions),
    Route("/tickets/{ticket_id:int}/cancel", cancel, methods=["POST"]),
    Route("/tickets/{ticket_id:int}/move", move, methods=["POST"]),
    Route("/tickets/{ticket_id:int}/priority", raise_priority, methods=["POST"]),
    Route("/tickets/{ticket_id:int}/call", call_to, methods=["POST"]),
]
