"""Reports (any range, by any grouping, with charts and the hour × weekday heatmap), their
downloads as CSV and XLSX, and the scorecard on the criteria provinces use."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console import charts, daily_report, reporting, scorecard
from console.app import language, render, services
from console.auth import SignedIn, page
from console.i18n import translations
from console.reporting import words
from hub import metrics

MAX_DAYS = 366 * 2


@dataclass(frozen=True)
class Query:
    first: str
    last: str
    by: str | None
    problem: str | None = None


def _query(request: Request) -> Query:
    config = services(request).centre.current()
    today = dt.datetime.now(config.site.zone).date()
    params = request.query_params
    by = params.get("by") or None
    if by is not None and by not in reporting.GROUPINGS:
        return Query(today.isoformat(), today.isoformat(), None, "bad_grouping")
    if params.get("period"):
        first, last = reporting.day_range(params["period"], today)
        return Query(first.isoformat(), last.isoformat(), by)
    try:
        first = dt.date.fromisoformat(params.get("first") or today.isoformat())
        last = dt.date.fromisoformat(params.get("last") or first.isoformat())
    except ValueError:
        return Query(today.isoformat(), today.isoformat(), by, "bad_day")
    if last < first or (last - first).days > MAX_DAYS:
        return Query(today.isoformat(), today.isoformat(), by, "bad_range")
    return Query(first.isoformat(), last.isoformat(), by)


def _tables(request: Request, query: Query, lang: str) -> list[reporting.Table]:
    console = services(request)
    config = console.centre.current()
    said = words(lang)
    rated_by = query.by if query.by in reporting.RATED_GROUPINGS else None
    return [
        reporting.figures_table(console.days.figures(config, query.first, query.last,
                                                     query.by), config, query.by, lang, said),
        reporting.ratings_table(console.days.ratings(config, query.first, query.last,
                                                     rated_by), config, query.by, lang, said)]


def _report_page(request: Request, query: Query, lang: str) -> dict[str, object]:
    tables = _tables(request, query, lang) if query.problem is None else []
    config = services(request).centre.current()
    context: dict[str, object] = {"query": query, "tables": tables, "text": reporting.text,
                                  "groupings": reporting.GROUPINGS}
    if tables and query.by:
        figures = tables[0]
        waits = [(str(row[0]), row[10]) for row in figures.rows]
        context["wait_chart"] = charts.bars(
            [(label, float(v) if isinstance(v, int | float) else None) for label, v in waits],
            translations(lang).gettext("min"), title=translations(lang).gettext("Mean wait"))
    cells = reporting.heatmap(services(request).days.figures(
        config, query.first, query.last, metrics.WEEKDAY_HOUR))
    context["heatmap"] = charts.heatmap(
        cells, reporting.WEEKDAY_NAMES.get(lang, reporting.WEEKDAY_NAMES["en"]),
        translations(lang).gettext("Arrivals by weekday and hour"))
    return context


@page("viewer")
async def reports_page(request: Request, user: SignedIn) -> Response:
    query, lang = _query(request), language(request)
    context = await asyncio.to_thread(_report_page, request, query, lang)
    return render(request, "reports.html", status_code=400 if query.problem else 200,
                  **context)


def csv_bytes(table: reporting.Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([reporting.text(cell, i in table.percent_columns)
                         for i, cell in enumerate(row)])
    # With a byte order mark: a spreadsheet then reads the Vietnamese as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: reporting.Table, title: str) -> bytes:
    """Numbers stay numbers (minutes to one decimal), shares stay fractions shown as
    percentages, each column as wide as its header."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for index, name in enumerate(table.header):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = max(10, min(60, len(name) + 2)) \
            if index else 34
    sheet.freeze_panes = "B2"
    sheet.append([_bold(sheet, name) for name in table.header])
    for row in table.rows:
        cells: list[object] = []
        for index, value in enumerate(row):
            if isinstance(value, float):
                cell = WriteOnlyCell(sheet, value=round(value, 3 if index in
                                                         table.percent_columns else 1))
                cell.number_format = "0.0%" if index in table.percent_columns else "0.0"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold(sheet: Any, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell


@page("viewer")
async def download(request: Request, user: SignedIn) -> Response:
    query, lang = _query(request), language(request)
    name, kind = request.path_params["table"], request.path_params["kind"]
    if query.problem or name not in ("figures", "ratings") or kind not in ("csv", "xlsx"):
        return Response("bad request", status_code=400)
    tables = await asyncio.to_thread(_tables, request, query, lang)
    table = next(t for t in tables if t.name == name)
    filename = f"{name}-{query.first}-{query.last}{'-' + query.by if query.by else ''}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if kind == "csv":
        return Response(csv_bytes(table), media_type="text/csv; charset=utf-8",
                        headers=headers)
    body = await asyncio.to_thread(xlsx_bytes, table, name)
    return Response(body, headers=headers, media_type="application/vnd.openxmlformats-"
                    "officedocument.spreadsheetml.sheet")


@page("viewer")
async def scorecard_page(request: Request, user: SignedIn) -> Response:
    console = services(request)
    config = console.centre.current()
    today = dt.datetime.now(config.site.zone).date()
    card = await asyncio.to_thread(scorecard.build, console.days, config, today)
    return render(request, "scorecard.html", card=card, text=reporting.text)


@page("viewer")
async def daily_pdf(request: Request, user: SignedIn) -> Response:
    """A day's printable report: kept for past days, made fresh (not kept) for today."""
    console = services(request)
    config = console.centre.current()
    try:
        day = dt.date.fromisoformat(request.path_params["day"])
    except ValueError:
        return Response("a day is written YYYY-MM-DD", status_code=400)
    today = dt.datetime.now(config.site.zone).date()
    if day > today or (today - day).days > MAX_DAYS:
        return Response("no report for that day", status_code=404)
    if day < today:
        path = await asyncio.to_thread(daily_report.for_day, console.days, config, day,
                                       console.reports_dir)
        body = path.read_bytes()
    else:
        with tempfile.TemporaryDirectory() as scratch:
            path = await asyncio.to_thread(daily_report.write, console.days, config, day,
                                           Path(scratch))
            body = path.read_bytes()
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{path.name}"'})


ROUTES = [
    Route("/reports/daily/{day}.pdf", daily_pdf),
    Route("/reports", reports_page),
    Route("/reports/{table}.{kind}", download),
    Route("/scorecard", scorecard_page),
]
