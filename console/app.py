"""What every page of the console shares: its services (configuration, users, store, bus
link, day cache), the sign-in and sign-out, the language, and the one place pages are
rendered (`render`), so every page gets the user, the language, the CSRF token and the alert
band the same way. console/web.py puts the application together."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from console import devices as device_view
from console.auth import LoginRefusedError, SignedIn, Users, csrf_ok, new_csrf, page, signed_in
from console.day_cache import DayCache
from console.i18n import environment
from console.link import LobbyLink, LobbyNow, hub_online
from console.store import StoreReader
from lobby.config.watched import CentreConfig

SESSION_HOURS = 12  # a working day; a session cookie of a closed browser ends sooner
log = logging.getLogger(__name__)


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
    # The console's process: say `offline` on the bus when the server stops (uvicorn ends
    # the process by its signal right after, before any code after it would run).
    stop_link_on_shutdown: bool = False
    alerts: device_view.AlertLog = field(default_factory=device_view.AlertLog)
    panels: dict[tuple[object, ...], str] = field(default_factory=dict)  # rendered, shared
    panels_lock: threading.Lock = field(default_factory=threading.Lock)  # renders in threads
    started: float = field(default_factory=time.time)
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
    rows = device_view.device_rows(config, console.now, at, console.started)
    hub = console.now.hub
    online = hub_online(console.now)
    keypads = device_view.keypad_rows(config, console.now, at)
    console.alerts.update(device_view.current_alerts(
        rows, online, keypads, keypad_line_open=not (hub and hub.keypads and not hub.keypads.open),
        hub_up_seconds=(at - hub.since).total_seconds() if hub else 0.0,
        broker_connected=console.now.broker_connected or console.link is None), at)
    return [r for r in console.alerts.history() if r.ended is None]


def render_text(request: Request, template: str, **context: Any) -> str:
    """A page, or a fragment (`_*.html`): only a whole page carries the alert band, so the
    alerts are worked out for pages, not for every fragment the live page is sent."""
    console = services(request)
    lang = language(request)
    config = console.centre.current()
    user = signed_in(request, console.users)
    if not template.startswith("_") and "open_alerts" not in context:
        context["open_alerts"] = alerts_now(console) if user else []
    return environment(lang).get_template(template).render(
        request=request, user=user, lang=lang, config=config, site=config.site,
        languages=config.site.languages, csrf=request.session.get("csrf", ""), **context)


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
