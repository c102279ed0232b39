"""Settings (admins only): services (names, target wait, quota, hours), counters, priority
classes, staff and devices, changed one form at a time. Each change is made to the hub's
configuration file (console/settings_edit.py keeps its comments), checked as check-config
checks it, and applied live through the hub's own mechanism (hub/config_apply.py), in the
admin's name; the page shows the outcome and the history of changes (who, when, what)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from ruamel.yaml.comments import CommentedMap
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console import settings_edit as edit
from console.app import render, services
from console.auth import SignedIn, page
from hub.config_apply import apply_text
from lobby.config import ConfigError
from lobby.config.models import LobbyConfig

Form = dict[str, str]
Edit = Callable[[CommentedMap, str, Form, list[str], LobbyConfig], str]

# section/action -> the edit (document, item id, form fields, checked boxes, config)
EDITS: dict[tuple[str, str], Edit] = {
    ("services", "edit"): lambda d, i, f, _b, c: edit.edit_service(d, i, f, c.site.languages),
    ("services", "add"): lambda d, _i, f, _b, c: edit.add_service(d, f, c.site.languages),
    ("counters", "edit"): lambda d, i, f, b, _c: edit.edit_counter(d, i, f, b),
    ("counters", "add"): lambda d, _i, f, b, _c: edit.add_counter(d, f, b),
    ("counters", "remove"): lambda d, i, _f, _b, _c: edit.remove(d, "counters", i),
    ("priority", "edit"): lambda d, i, f, _b, c: edit.edit_priority(d, i, f,
                                                                      c.site.languages),
    ("staff", "add"): lambda d, _i, f, _b, _c: edit.add_staff(d, f),
    ("staff", "pin"): lambda d, i, f, _b, _c: edit.set_pin(d, i, f.get("pin", "")),
    ("staff", "remove"): lambda d, i, _f, _b, _c: edit.remove(d, "staff", i),
    ("devices", "add"): lambda d, _i, f, b, _c: edit.add_device(d, f, b),
    ("devices", "remove"): lambda d, i, _f, _b, _c: edit.remove(d, "devices", i),
}


def _context(request: Request, **outcome: Any) -> dict[str, Any]:
    console = services(request)
    config = console.centre.current()
    return {"hours_text": edit.hours_text, "revisions": console.store.revisions(),
            "zone": config.site.zone, "roles": ("kiosk", "board", "counter", "rating",
                                                "console"), **outcome}


@page("admin")
async def settings_page(request: Request, user: SignedIn) -> Response:
    context = await asyncio.to_thread(_context, request)
    return render(request, "settings.html", **context)


def _apply(request: Request, user: SignedIn, section: str, action: str, form: Form,
           boxes: list[str]) -> dict[str, Any]:
    """The edit, checked and applied; what the page says about it."""
    console = services(request)
    config = console.centre.current()
    target = console.centre.path
    try:
        document = edit.load(target)
        what = EDITS[(section, action)](document, form.get("item", ""), form, boxes, config)
        text = edit.dump(document)
    except edit.EditError as refused:
        return {"problems": [str(refused)]}
    try:
        applied = apply_text(text, target, str(console.store.db), f"console:{user.name}",
                             "settings")
    except ConfigError as exc:
        return {"problems": [f"{p.path or '(top level)'}: {p.message}"
                             for p in exc.problems] or [str(exc)]}
    if applied.hub_pid is None:
        return {"done": what, "no_hub": True, "later": applied.later}
    if applied.result is None:
        return {"problems": ["the hub did not answer; see its log"]}
    if applied.result.error is not None:
        return {"problems": [applied.result.error]}
    return {"done": what, "revision": applied.result.revision,
            "changed": applied.result.changed, "restart": applied.result.needs_restart}


@page("admin")
async def change(request: Request, user: SignedIn) -> Response:
    section, action = request.path_params["section"], request.path_params["action"]
    if (section, action) not in EDITS:
        return Response("no such setting", status_code=404)
    data = await request.form()
    form = {k: v for k, v in data.items() if isinstance(v, str) and k != "box"}
    boxes = [v for v in data.getlist("box") if isinstance(v, str)]
    outcome = await asyncio.to_thread(_apply, request, user, section, action, form, boxes)
    context = await asyncio.to_thread(_context, request, outcome=outcome,
                                      at=dt.datetime.now(dt.UTC))
    return render(request, "settings.html", status_code=422 if "problems" in outcome else 200,
                  **context)


ROUTES = [
    Route("/settings", settings_page),
    Route("/settings/{section}/{action}", change, methods=["POST"]),
]
