"""The console's report tables: the figures of docs/metrics.md (hub.metrics) and the
satisfaction of docs/ratings.md (hub.report), per group, as typed cells — numbers stay numbers
for the XLSX, and the page and the CSV format them the same way. Labels and headers are in the
page's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from console.i18n import translations
from hub import metrics
from hub import report as ratings_report
from lobby.config.models import LobbyConfig
from lobby.names import labels, sort_key

GROUPINGS = ("service", "counter", "staff", "hour", "weekday", "day")
RATED_GROUPINGS = ("service", "counter", "staff", "day")  # what the ratings can be split by
WEEKDAY_NAMES = {"vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy",
                        "Chủ Nhật"),
                 "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                        "Sunday")}
Cell = str | int | float | None

# The tables' words, in English (the source language) and translated per page.
WORDS = {
    "group": "Group", "all": "All", "nobody": "(nobody signed in)",
    "no_counter": "(not called at a counter)", "issued": "Issued",
    "served": "Served", "no_show": "No-show", "transferred": "Transferred",
    "cancelled": "Cancelled", "not_printed": "Not printed", "not_handed_out": "Not handed out",
    "refused_quota": "Refused: quota", "refused_closed": "Refused: closed",
    "wait_mean": "Wait mean (min)", "wait_median": "Wait median (min)",
    "wait_p90": "Wait p90 (min)", "wait_max": "Wait max (min)",
    "service_mean": "Service mean (min)", "service_median": "Service median (min)",
    "on_time": "On time %", "responses": "Ratings", "response_rate": "Response %",
    "satisfaction": "Satisfaction %", "reasons": "Reasons (most given)",
}


def words(lang: str) -> dict[str, str]:
    gettext = translations(lang).gettext
    return {key: gettext(text) for key, text in WORDS.items()}


@dataclass(frozen=True)
class Table:
    name: str  # figures / ratings: the download's name
    header: list[str]
    rows: list[list[Cell]]
    percent_columns: frozenset[int] = frozenset()  # shown as 12.3 %, kept as 0.123
    split: int | None = None  # the page shows columns [0, split) and [0] + [split, end)

    @property
    def views(self) -> list[list[int]]:
        """The page's tables: one, or two sharing the group column (too wide for one)."""
        every = list(range(len(self.header)))
        if self.split is None:
            return [every]
        return [every[:self.split], [0, *every[self.split:]]]


def group_labels(config: LobbyConfig, by: str | None, lang: str,
                 said: dict[str, str]) -> Callable[[str], str]:
    """Each group's label; "—" (no officer, no counter) says which it is."""
    if by == "service":
        names = {s.id: f"{s.id} · {s.names.get(lang) or s.id}" for s in config.services}
    elif by == "counter":
        names = {c.id: f"{c.number}" for c in config.counters}
    elif by == "staff":
        names = labels((s.id, s.name) for s in config.staff)
    elif by == "weekday":
        names = dict(zip(metrics.WEEKDAYS, WEEKDAY_NAMES.get(lang, WEEKDAY_NAMES["en"]),
                         strict=True))
    elif by == "hour":
        names = {f"{h:02d}": f"{h:02d}:00" for h in range(24)}
    else:
        names = {}
    names["—"] = said["no_counter"] if by == "counter" else said["nobody"]
    return lambda key: names.get(key, key)


def _order(by: str | None, key: str, label: str) -> tuple[int, int, tuple[str, str, str]]:
    if key == "—":
        return (1, 0, ("", "", ""))
    if by == "weekday":
        return (0, metrics.WEEKDAYS.index(key), ("", "", ""))
    if by == "counter" and label.isdigit():
        return (0, int(label), ("", "", ""))
    return (0, 0, sort_key(label) if by == "staff" else (label, "", ""))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def figures_table(groups: dict[str, metrics.Figures], config: LobbyConfig, by: str | None,
                  lang: str, words: dict[str, str]) -> Table:
    label = group_labels(config, by, lang, words)
    header = [words["group"], *(words[k] for k in (
        "issued", "served", "no_show", "transferred", "cancelled", "not_printed",
        "not_handed_out", "refused_quota", "refused_closed", "wait_mean", "wait_median",
        "wait_p90", "wait_max", "service_mean", "service_median", "on_time"))]
    rows: list[list[Cell]] = []
    for key in sorted(groups, key=lambda k: _order(by, k, label(k))):
        f = groups[key]
        waits, times = f.wait_summary(), f.service_summary()
        rows.append([label(key) if by else words["all"], f.issued, f.served, f.no_show,
                     f.transferred, f.cancelled, f.not_printed, f.not_handed_out,
                     f.refused_quota, f.refused_closed, waits["mean"], waits["median"],
                     waits["p90"], waits["max"], times["mean"], times["median"],
                     f.on_time_share])
    return Table("figures", header, rows, frozenset({16}), split=10)


def ratings_table(groups: dict[str, ratings_report.Figures], config: LobbyConfig,
                  by: str | None, lang: str, words: dict[str, str]) -> Table:
    """`groups` by `by` if it is one of RATED_GROUPINGS, else for the whole centre."""
    by = by if by in RATED_GROUPINGS else None
    label = group_labels(config, by, lang, words)
    scale = config.ratings.levels
    reasons = {r.id: r.names.get(lang, r.id) for r in config.ratings.reasons}
    header = [words["group"], words["served"], words["responses"], words["response_rate"],
              *(level.names.get(lang, level.id) for level in scale), words["satisfaction"],
              words["reasons"]]
    rows: list[list[Cell]] = []
    for key in sorted(groups, key=lambda k: _order(by, k, label(k))):
        f = groups[key]
        rows.append([label(key) if by else words["all"], f.served, f.ratings,
                     _share(f.ratings, f.served), *(f.levels[level.id] for level in scale),
                     _share(f.satisfied(scale), f.ratings),
                     ", ".join(f"{reasons.get(r, r)} ({n})"
                               for r, n in f.reasons.most_common(3))])
    return Table("ratings", header, rows, frozenset({3, 4 + len(scale)}))


def heatmap(groups: dict[str, metrics.Figures]) -> dict[tuple[int, int],
                                                      tuple[int, float | None]]:
    """(weekday, hour) -> (tickets issued, mean wait in minutes), from figures grouped by
    metrics.WEEKDAY_HOUR."""
    cells: dict[tuple[int, int], tuple[int, float | None]] = {}
    for key, f in groups.items():
        day, hour = key.split()
        cells[(metrics.WEEKDAYS.index(day), int(hour))] = (f.issued, f.wait_summary()["mean"])
    return cells


def text(value: Cell, percent: bool = False) -> str:
    """A cell as the page and the CSV show it: minutes to one decimal, shares as percent."""
    if value is None:
        return "—"
    if percent and isinstance(value, float):
        return f"{100 * value:.1f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def day_range(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The named ranges the reports page offers."""
    if period == "week":
        return today - dt.timedelta(days=today.weekday()), today
    if period == "month":
        return today.replace(day=1), today
    if period == "30d":
        return today - dt.timedelta(days=29), today
    if period == "year":
        return today.replace(month=1, day=1), today
    return today, today
