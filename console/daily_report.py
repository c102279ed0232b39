"""The daily report: one printable PDF per local day, in the site's first language, with the
centre's name, the day's figures (the whole centre, by service, by counter), its satisfaction
and its charts. Written to `<var>/reports/` after each local midnight for the day that ended,
and made on demand for any past day (then kept).

WeasyPrint renders the same Jinja2 templates and server-drawn SVG charts as the pages; its
fonts are the lobby's own DejaVu files, so the PDF needs no network and no system font."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

from console import charts, reporting
from console.day_cache import DayCache
from console.i18n import environment, translations
from console.reporting import words
from devicekit.assets import ASSETS
from lobby.config.models import LobbyConfig
from lobby.config.watched import CentreConfig

log = logging.getLogger(__name__)

CHECK_SECONDS = 300.0  # how often the console looks whether a day has ended
RENDER_SECONDS = 120.0
CHART_WIDTH = 900  # px at WeasyPrint's 96 dpi: an A4 landscape page's text width is ~1030


def report_path(folder: Path, site: str, day: dt.date) -> Path:
    return folder / f"{site}-{day.isoformat()}.pdf"


def render_html(days: DayCache, config: LobbyConfig, day: dt.date) -> str:
    lang = config.site.languages[0]
    said = words(lang)
    first = last = day.isoformat()
    tables = {by or "all": reporting.figures_table(days.figures(config, first, last, by),
                                                   config, by, lang, said)
              for by in (None, "service", "counter")}
    hours = reporting.figures_table(days.figures(config, first, last, "hour"), config, "hour",
                                    lang, said)
    ratings = reporting.ratings_table(days.ratings(config, first, last, "counter"), config,
                                      "counter", lang, said)
    gettext = translations(lang).gettext
    arrivals = charts.bars([(str(row[0]), float(row[1])) for row in hours.rows
                            if isinstance(row[1], int)], "", width=CHART_WIDTH,
                           title=gettext("Arrivals by hour"), digits=0)
    waits = charts.bars([(str(row[0]), row[10] if isinstance(row[10], float) else None)
                         for row in tables["service"].rows], gettext("min"),
                        width=CHART_WIDTH, title=gettext("Mean wait"), label_width=400)
    return environment(lang).get_template("daily.html").render(
        site=config.site, lang=lang, day=day, tables=tables, ratings=ratings,
        text=reporting.text, arrivals=arrivals, waits=waits,
        made=dt.datetime.now(config.site.zone), font_dir=(ASSETS / "fonts").as_uri())


def write(days: DayCache, config: LobbyConfig, day: dt.date, folder: Path) -> Path:
    """The day's PDF, written atomically (a half-written file is never served); WeasyPrint
    runs in a process of its own (console/pdf_render.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = report_path(folder, config.site.id, day)
    page, partial = path.with_suffix(".html.part"), path.with_suffix(".part")
    page.write_text(render_html(days, config, day), encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, "-m", "console.pdf_render", str(page),
                               str(partial), str(ASSETS)], capture_output=True, text=True,
                              timeout=RENDER_SECONDS)
    finally:
        page.unlink(missing_ok=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"the PDF of {day} was not made: {done.stderr[-2000:]}")
    os.replace(partial, path)
    log.info("daily report for %s written to %s", day, path)
    return path


def for_day(days: DayCache, config: LobbyConfig, day: dt.date, folder: Path) -> Path:
    """The kept PDF of a past day, made first if there is none."""
    path = report_path(folder, config.site.id, day)
    return path if path.exists() else write(days, config, day, folder)


async def write_each_day(days: DayCache, centre: CentreConfig, folder: Path) -> None:
    """Runs beside the console: when a local day has ended, its report is written (also the
    day before the console started, if it was missing), which also keeps the day's figures in
    the day cache, so the month's and year's reports stay quick."""
    while True:
        config = centre.current()
        yesterday = dt.datetime.now(config.site.zone).date() - dt.timedelta(days=1)
        if not report_path(folder, config.site.id, yesterday).exists() and days.store.exists():
            try:
                await asyncio.to_thread(days.fill, config, yesterday, yesterday)
                await asyncio.to_thread(write, days, config, yesterday, folder)
            except Exception:  # a report that fails must not stop the console
                log.exception("daily report for %s not written", yesterday)
        await asyncio.sleep(CHECK_SECONDS)
