"""The public page's HTML: the whole page, the ticket's panel (what the live stream sends) and
the plain not-found page, in the citizen's language."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from citizen.view import RatingChoice, TicketPage
from citizen.words import LANGUAGE_NAMES, say
from lobby import __version__
from lobby.config.models import LobbyConfig

HERE = Path(__file__).parent
REFRESH_SECONDS = 20  # without JavaScript, the page reloads itself this often


def _title(page: TicketPage, lang: str) -> str:
    if page.kind == "called":
        return f"{say('called', lang, n=page.counter_number)} · {page.number}"
    if page.kind == "waiting" and page.ahead is not None:
        key = ("ahead_none" if page.ahead == 0 else "ahead_one" if page.ahead == 1
               else "ahead_many")
        return f"{page.number} · {say(key, lang, n=page.ahead)}"
    return page.number


class Pages:
    def __init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"),
                               autoescape=select_autoescape(["html"]),
                               trim_blocks=True, lstrip_blocks=True)
        self._fragment = self.env.get_template("_ticket.html")
        self._page = self.env.get_template("page.html")
        self._not_found = self.env.get_template("not_found.html")

    def _words(self, lang: str) -> dict[str, Any]:
        def choice_name(choice: RatingChoice) -> str:
            names = dict(choice.names)
            return names.get(lang) or names.get("en") or choice.id

        return {"lang": lang, "say": lambda key, **values: say(key, lang, **values),
                "choice_name": choice_name, "version": __version__}

    def fragment(self, page: TicketPage, lang: str, base: str, at: dt.datetime) -> str:
        until = (dt.datetime.fromtimestamp(page.rating_until, at.tzinfo).strftime("%H:%M")
                 if page.rating_until else None)
        return self._fragment.render(page=page, base=base, title=_title(page, lang),
                                     updated=at.strftime("%H:%M"), rating_until=until,
                                     **self._words(lang))

    def document(self, page: TicketPage, lang: str, base: str, at: dt.datetime,
                 config: LobbyConfig, message: str | None) -> str:
        site = config.site.name
        return self._page.render(
            fragment=Markup(self.fragment(page, lang, base, at)), base=base,
            title=_title(page, lang),
            site_name=site.get(lang) or next(iter(site.values()), ""), message=message,
            languages=[(code, LANGUAGE_NAMES[code]) for code in config.site.languages
                       if code in LANGUAGE_NAMES],
            refresh_seconds=REFRESH_SECONDS, static=base.rsplit("/t/", 1)[0] + "/static",
            style=Markup(style_for(levels_css(config))[0]),
            **self._words(lang))

    def not_found(self, lang: str, text_key: str = "not_found",
                  advice_key: str | None = "not_found_advice") -> str:
        """The plain page of a made-up or expired address (the same for both), or of a
        problem: it names nothing of the centre."""
        return self._not_found.render(text=say(text_key, lang),
                                      advice=say(advice_key, lang) if advice_key else None,
                                      style=Markup(style_for("")[0]), **self._words(lang))

    def too_many(self) -> str:
        """429, sent before the request is looked at: in both languages."""
        return self._not_found.render(text=say("too_many", "vi"), advice=say("too_many", "en"),
                                      style=Markup(style_for("")[0]), **self._words("vi"))


def levels_css(config: LobbyConfig) -> str:
    """The rating buttons' colours, from the centre's scale."""
    return "".join(f".level-{level.id}{{background:{level.colour}}}\n"
                   for level in config.ratings.levels)


@functools.lru_cache(maxsize=8)
def style_for(levels: str) -> tuple[str, str]:
    """The page's whole stylesheet, inlined (on a slow phone line every request costs a
    round trip before the first paint), and its CSP hash: the policy allows that one style
    and no other inline one."""
    text = (HERE / "static" / "ticket.css").read_text(encoding="utf-8") + levels
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return text, f"'sha256-{digest}'"


def sse_event(event: str, data: str) -> str:
    """One server-sent event: each line of `data` its own `data:` line."""
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"
