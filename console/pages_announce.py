"""Announcements: a supervisor types or picks a message, chooses every board or some, and the
hub has the boards show it as a banner and say it after the call in progress. The page lists
what was announced, by whom, and what is still shown."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from console.app import render, render_text, services
from console.auth import SignedIn, page
from console.pages_live import act
from lobby.contract.supervisor import AnnouncementText

# Messages a centre often needs, in its two usual languages; the supervisor may edit them.
PRESETS = (
    {"vi": "Trung tâm sẽ đóng cửa sau 15 phút nữa",
     "en": "The centre closes in 15 minutes"},
    {"vi": "Trung tâm tạm ngừng tiếp nhận hồ sơ trong 10 phút, xin quý khách thông cảm",
     "en": "We pause for 10 minutes; thank you for your patience"},
    {"vi": "Quý khách vui lòng giữ phiếu và chú ý màn hình",
     "en": "Please keep your ticket and watch the screen"},
    {"vi": "Hệ thống mạng đang gián đoạn, xin quý khách vui lòng chờ",
     "en": "The network is down for a moment; please wait"},
)
MINUTES = (5, 15, 30, 60)


def _page(request: Request, **context: Any) -> dict[str, Any]:
    config = services(request).centre.current()
    boards = [d for d in config.devices if d.role == "board"]
    return {"boards": boards, "presets": PRESETS, "minute_choices": MINUTES,
            "history": services(request).store.announcements(),
            "now": dt.datetime.now(config.site.zone).timestamp(), "zone": config.site.zone,
            **context}


@page("viewer")
async def announcements(request: Request, user: SignedIn) -> Response:
    context = await asyncio.to_thread(_page, request)
    return render(request, "announce.html", **context)


@page("supervisor")
async def announce(request: Request, user: SignedIn) -> Response:
    form = await request.form()
    config = services(request).centre.current()
    texts = {lang: str(form.get(f"text_{lang}", "")).strip()
             for lang in config.site.languages}
    texts = {lang: text for lang, text in texts.items() if text}
    boards = [str(b) for b in form.getlist("board") if isinstance(b, str)]
    everywhere = form.get("where") != "some"
    try:
        minutes = int(str(form.get("minutes", "15")))
    except ValueError:
        minutes = 0
    if not texts or any(len(t) > _LONGEST for t in texts.values()):
        problem = "text_needed" if not texts else "too_long"
    elif not everywhere and not boards:
        problem = "boards_needed"
    elif not 1 <= minutes <= 240:
        problem = "bad_minutes"
    else:
        answer = await act(request, user, "announce", texts=texts,
                           boards=[] if everywhere else boards, minutes=minutes)
        if answer.status_code != 200 or not request.headers.get("hx-request"):
            return answer
        # The history below the form shows the new announcement at once (out of band).
        context = await asyncio.to_thread(_page, request)
        history = render_text(request, "_announce_history.html", oob=True, **context)
        return HTMLResponse(bytes(answer.body).decode("utf-8") + history)
    return render(request, "_action_result.html", status_code=422,
                  result={"action": "announce", "problem": problem})


_LONGEST = AnnouncementText.__metadata__[0].max_length  # type: ignore[attr-defined]

ROUTES = [
    Route("/announcements", announcements),
    Route("/announcements", announce, methods=["POST"]),
]
