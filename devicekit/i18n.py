"""Translations through gettext catalogues (assets/locale/<lang>/LC_MESSAGES/lobby.po).

The .po files (in the `lobby_assets` package) are the source; they are compiled in memory
when loaded (Babel), so there is no compiled .mo file to go stale beside them.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from devicekit.assets import LOCALE_DIR

DOMAIN = "lobby"


@cache
def translations(language: str) -> gettext.NullTranslations:
    return catalogue(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)


def catalogue(po: Path, language: str) -> gettext.NullTranslations:
    """A .po file compiled in memory (none: the source language, untranslated)."""
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def tr(language: str, message: str, **values: object) -> str:
    """`message` in `language`, with `{name}` placeholders filled from `values`."""
    text = translations(language).gettext(message)
    return text.format(**values) if values else text


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for it
    """Marks a message for translation where it is defined (a table); `tr` translates it
    where it is shown. The catalogue test finds every marked message."""
    return message


def available_languages() -> list[str]:
    return sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
