"""Every word the console shows has its Vietnamese: the templates' `_()` texts, the report
tables' words and the keys translated at run time (statuses, roles, actions, events)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from console.i18n import TEMPLATES_DIR, translations
from console.reporting import GROUPINGS, WORDS
from hub.model import FIXED_DETAILS
from lobby.contract import messages as m

DYNAMIC = [
    # counter and device states, roles, the console's actions
    "open", "paused", "closed", "unknown", "online", "offline", "stale",
    "viewer", "supervisor", "admin", *get_args(m.DeviceRole),
    "cancel", "move", "raise_priority", "call_to", "announce",
    # ticket states and the events of a ticket's history
    "waiting", "called", "done", "no_show", "not_handed_out", "cancelled", "issued",
    "recalled", "transferred", "moved", "priority_raised", "called_by_supervisor",
    "print_failed", "coming", *FIXED_DETAILS,  # and the hub's own words in their detail
    # paper, alerts and groupings
    *(f"paper_{state}" for state in get_args(m.PaperState)),
    "paper_out", "paper_near_end", "hub_offline", "keypad_line", "keypad_silent",
    "broker_unreachable",
    *(f"by {g}" for g in GROUPINGS),
]
_CALL = re.compile(r"""_\(\s*(["'])(.+?)\1""")


def template_texts() -> set[str]:
    found = set()
    for template in Path(TEMPLATES_DIR).glob("*.html"):
        for _quote, text in _CALL.findall(template.read_text(encoding="utf-8")):
            if not text.endswith(" ") and not text.endswith("_"):  # "by " ~ g, "paper_" ~ x
                found.add(text)
    return found


def test_every_shown_word_has_its_vietnamese() -> None:
    vi = translations("vi")
    texts = template_texts() | set(WORDS.values()) | {t for t in DYNAMIC if t != "simulator"}
    missing = sorted(t for t in texts if vi.gettext(t) == t)
    assert missing == []
    assert len(texts) > 150  # the scan found the templates' words


def test_no_key_shows_as_itself_in_english() -> None:
    """English is the source language, but a key such as `paper_out` or `no_show` is not a
    word: the English catalogue gives each one its words."""
    en = translations("en")
    keys = {t for t in DYNAMIC if "_" in t}
    shown = {key: en.gettext(key) for key in keys}
    assert not [key for key, words in shown.items() if "_" in words]


def test_placeholders_survive_translation() -> None:
    vi = translations("vi")
    for text in template_texts():
        assert sorted(re.findall(r"%\(\w+\)s", vi.gettext(text))) == sorted(
            re.findall(r"%\(\w+\)s", text)), text
