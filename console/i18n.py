"""The console's words in the site's languages: gettext catalogues (console/locale/<lang>/
LC_MESSAGES/console.po, compiled in memory by Babel as the devices' are), one Jinja2
environment per language with `_()` bound to its catalogue. English is the source language.

(`devicekit.i18n` is plain Python: the console shares its catalogue compiler, not Kivy.)"""

from __future__ import annotations

import datetime as dt
import gettext
from datetime import tzinfo
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from devicekit.i18n import catalogue

HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
TEMPLATES_DIR = HERE / "templates"
DOMAIN = "console"


@cache
def translations(language: str) -> gettext.NullTranslations:
    return catalogue(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)


@cache
def environment(language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["localtime"] = _local_time
    env.filters["localdatetime"] = _local_date_time
    return env


def _local_date_time(stamp: float, zone: tzinfo) -> str:
    return dt.datetime.fromtimestamp(stamp, zone).strftime("%d/%m %H:%M")


def _local_time(stamp: float, zone: tzinfo) -> str:
    return dt.datetime.fromtimestamp(stamp, zone).strftime("%H:%M:%S")
