"""The live lobby page, its server-sent events, and a supervisor's actions on a waiting
ticket (call to a counter, cancel with a reason, move to another service, raise to a priority
class), each a request to the hub in the signed-in user's name."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from console import live
from console.app import language, render, render_text, services
from console.auth import SignedIn, page, signed_in
from lobby.contract import messages as m
from lobby.rpc import RequestTimeoutError

log = logging.getLogger(__name__)

SHOWN_WAITING = 150  # rows of the waiting list on the page; the rest are counted
TICK_SECONDS = 5.0  # minutes waited and device ages move without any message


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
    lobby = _live(request)
    shown = lobby.waiting
    service = _filter(request)
    if service:
        shown = [w for w in shown if w.ticket.service == service]
    return render_text(request, "_live.html", lobby=lobby, shown=shown[:SHOWN_WAITING],
                       hidden=max(0, len(shown) - SHOWN_WAITING), service_filter=service)


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
        from console import pages_other
        while True:
            if signed_in(request, console.users) is None:
                return  # removed from the config while watching
            wake = console.changes.event
            if wants_lobby:
                yield _sse("lobby", await asyncio.to_thread(_panel, request))
            if wants_devices:
                yield _sse("devices", await asyncio.to_thread(pages_other.devices_panel,
                                                               request))
            yield _sse("alerts", render_text(request, "_alerts.html"))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), TICK_SECONDS)
            if await request.is_disconnected():
                return

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


_ERRORS = {"unknown_ticket", "unknown_service", "unknown_priority", "unknown_counter",
           "closed", "bad_request", "not_allowed"}


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


@page("supervisor")
async def ticket_actions(request: Request, user: SignedIn) -> Response:
    """The action forms for one waiting ticket (loaded into the page's action panel)."""
    ticket = next((t for t in await asyncio.to_thread(services(request).store.waiting)
                   if t.id == _ticket_id(request)), None)
    return render(request, "_ticket_actions.html", ticket=ticket,
                  status_code=200 if ticket else 404)


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
