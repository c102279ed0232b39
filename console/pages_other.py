"""The devices page (every configured device and the alert history) and the ticket lookup
(one ticket's whole history by its number and day)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console import devices as device_view
from console.app import alerts_now, render, render_text, services
from console.auth import SignedIn, page
from console.link import hub_online
from hub.model import FIXED_DETAILS

_NUMBER = re.compile(r"^[A-Z]{1,3}[0-9]{1,4}$")


def devices_panel(request: Request) -> str:
    console = services(request)
    config = console.centre.current()
    at = dt.datetime.now(config.site.zone)
    rows = device_view.device_rows(config, console.now, at, console.started)
    alerts_now(console)
    return render_text(request, "_devices.html", rows=rows, history=console.alerts.history(),
                       hub=console.now.hub, hub_up=hub_online(console.now),
                       broker_connected=console.now.broker_connected,
                       keypads=device_view.keypad_rows(config, console.now, at))


@page("viewer")
async def devices_page(request: Request, user: SignedIn) -> Response:
    return render(request, "devices.html", panel=await asyncio.to_thread(devices_panel, request))


@page("viewer")
async def ticket_lookup(request: Request, user: SignedIn) -> Response:
    config = services(request).centre.current()
    today = dt.datetime.now(config.site.zone).date()
    number = request.query_params.get("number", "").strip().upper()
    day_text = request.query_params.get("day", "") or today.isoformat()
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        return render(request, "ticket.html", status_code=400, problem="bad_day",
                      number=number, day=day_text)
    if not number:
        return render(request, "ticket.html", number="", day=day.isoformat())
    if not _NUMBER.match(number):
        return render(request, "ticket.html", status_code=400, problem="bad_number",
                      number=number, day=day.isoformat())
    history = await asyncio.to_thread(services(request).store.ticket, day.isoformat(), number)
    return render(request, "ticket.html", status_code=200 if history else 404,
                  problem=None if history else "not_found", number=number,
                  day=day.isoformat(), ticket=history, zone=config.site.zone,
                  staff_names={s.id: s.name for s in config.staff},
                  fixed_details=FIXED_DETAILS)  # the hub's words, translated; people's as typed


ROUTES = [
    Route("/devices", devices_page),
    Route("/tickets", ticket_lookup),
]
