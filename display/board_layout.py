"""Where everything goes on the ceiling board, and how large: plain arithmetic, no Kivy, so a
test can check every layout from 1 to 16 serving counters and 1 to 20 services.

Regions never overlap: the header (centre, offline mark, date and clock), "now serving",
"recent calls" and "waiting" each get a rectangle of their own, and every row is sized to fit
its rectangle. Text is sized by its glyph height (the capital letters' height, which is what a
reader 5 m away sees), as a share of the board's reference side: its height in landscape, its
width in portrait — a portrait board is as wide as a landscape one is tall, and a number 9 %
of 1,920 px tall would not fit beside its counter on a 1,080-px line.

- a called number: ≥ 9 % with up to 4 serving counters, shrinking to ≥ 5 % with 16
  (two columns from 5 counters on);
- recent calls and the waiting lines: ≥ 3 %;
- a supervisor's announcement (a strip along the bottom, while shown): 3.2 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CAP_HEIGHT = 0.729  # DejaVu Sans (and Bold): capital height / font size (1493 / 2048 em)
ROW_LEADING = 1.3  # a row's height / its font size
# Widths in font sizes (DejaVu Sans Bold): "M002" is 3.1, "Quầy 15" at half the number's size
# 2.3, plus the paddings: a serving row needs about 5.9 font sizes of width. The app measures
# the real texts and shrinks the font further if they need more.
SERVING_ROW_EMS = 5.9
NUMBER_CAP_FEW = 0.09  # up to 4 serving counters
NUMBER_CAP_MANY = 0.05  # 16 serving counters
LINE_CAP = 0.03  # recent calls and waiting lines
HEADING_CAP = 0.026
HEADER_CAP = 0.034
BANNER_CAP = 0.032  # an announcement: read from across the hall, like the waiting lines

Rect = tuple[float, float, float, float]  # x, y (from the bottom, as Kivy), width, height


def font_for_cap(cap: float) -> float:
    return cap / CAP_HEIGHT


@dataclass(frozen=True)
class Region:
    rect: Rect
    heading: Rect
    rows: list[Rect]
    font: float  # font size of the rows' main text


@dataclass(frozen=True)
class BoardLayout:
    reference: float  # the side text heights are shares of
    header: Rect
    serving: Region
    recent: Region
    waiting: Region
    header_font: float
    heading_font: float
    banner: Rect | None = None  # a supervisor's announcement: a strip along the bottom
    banner_font: float = 0.0

    def regions(self) -> list[Rect]:
        return [self.header, self.serving.rect, self.recent.rect, self.waiting.rect,
                *([self.banner] if self.banner else [])]


def number_cap_share(serving: int) -> float:
    """The target glyph height of the called numbers for this many serving counters."""
    if serving <= 4:
        return NUMBER_CAP_FEW
    share = (serving - 4) / 12  # 0 at 4 counters, 1 at 16
    return NUMBER_CAP_FEW - share * (NUMBER_CAP_FEW - NUMBER_CAP_MANY)


def _split(rect: Rect, share: float, vertical: bool, gap: float) -> tuple[Rect, Rect]:
    """Two rectangles: the first `share` of `rect` (top or left) and the rest."""
    x, y, w, h = rect
    if vertical:
        top = (h - gap) * share
        return (x, y + h - top, w, top), (x, y, w, h - top - gap)
    left = (w - gap) * share
    return (x, y, left, h), (x + left + gap, y, w - left - gap, h)


def _rows(area: Rect, count: int, columns: int, row_height: float, gap: float) -> list[Rect]:
    """`count` rows from the top, filling columns left to right."""
    x, y, w, h = area
    per_column = math.ceil(count / columns) if count else 0
    width = (w - gap * (columns - 1)) / columns
    rows = []
    for index in range(count):
        column, row = divmod(index, per_column)
        top = y + h - row * (row_height + gap)
        rows.append((x + column * (width + gap), top - row_height, width, row_height))
    return rows


def _region(rect: Rect, heading_height: float, gap: float) -> tuple[Rect, Rect]:
    """The heading at the top of `rect`, and the area for rows below it."""
    heading, area = _split(rect, heading_height / rect[3], True, gap)
    return heading, area


def board_layout(width: float, height: float, portrait: bool, serving: int,
                 recent_wanted: int, services: int, banner_lines: int = 0) -> BoardLayout:
    """`banner_lines`: an announcement's lines (one per language) to keep room for at the
    bottom; the rest shrinks to make room, nothing is covered."""
    reference = min(width, height)
    pad = reference * 0.022
    gap = reference * 0.014
    header_font = font_for_cap(reference * HEADER_CAP)
    heading_font = font_for_cap(reference * HEADING_CAP)
    heading_height = heading_font * ROW_LEADING
    line_font = font_for_cap(reference * LINE_CAP)
    line_height = line_font * ROW_LEADING

    inner: Rect = (pad, pad, width - 2 * pad, height - 2 * pad)
    banner: Rect | None = None
    banner_font = font_for_cap(reference * BANNER_CAP)
    if banner_lines:
        strip = banner_lines * banner_font * ROW_LEADING + banner_font * 0.6
        inner, banner = _split(inner, 1 - (strip + gap) / inner[3], True, gap)
    header, body = _split(inner, header_font * 1.5 / inner[3], True, gap)
    if portrait:
        serving_rect, rest = _split(body, 0.56, True, gap * 2)
        recent_rect, waiting_rect = _split(rest, 0.36, True, gap * 2)
    else:
        serving_rect, side = _split(body, 0.62, False, gap * 3)
        recent_rect, waiting_rect = _split(side, 0.40, True, gap * 2)

    # Now serving: one column up to 4 counters, two from 5; the largest font that fits both
    # the row height the count leaves and the column width, never below what the count needs.
    heading, area = _region(serving_rect, heading_height, gap)
    columns = 1 if serving <= 4 else 2
    per_column = max(1, math.ceil(serving / columns))
    column_width = (area[2] - gap * (columns - 1)) / columns
    by_height = (area[3] - gap * (per_column - 1)) / per_column / ROW_LEADING
    by_width = column_width / SERVING_ROW_EMS
    target = font_for_cap(reference * number_cap_share(max(serving, 1)))
    number_font = min(by_height, by_width, target * 1.25)
    serving_region = Region(serving_rect, heading,
                            _rows(area, serving, columns, number_font * ROW_LEADING, gap),
                            number_font)

    # Recent calls and waiting lines: as many rows as fit (no empty placeholders).
    heading_r, area_r = _region(recent_rect, heading_height, gap)
    fit_recent = max(0, int((area_r[3] + gap) // (line_height + gap)))
    recent = Region(recent_rect, heading_r,
                    _rows(area_r, min(recent_wanted, fit_recent), 1, line_height, gap),
                    line_font)
    # Waiting: a second column when one is not enough; beyond two, pages that turn.
    heading_w, area_w = _region(waiting_rect, heading_height, gap)
    fit_waiting = max(1, int((area_w[3] + gap) // (line_height + gap)))
    # Two columns only where a name still gets room (16 font sizes a column); else pages.
    columns_w = 1 if services <= fit_waiting or area_w[2] < 2 * 16 * line_font else 2
    waiting = Region(waiting_rect, heading_w,
                     _rows(area_w, min(services, fit_waiting * columns_w), columns_w,
                           line_height, gap), line_font)
    return BoardLayout(reference, header, serving_region, recent, waiting, header_font,
                       heading_font, banner, banner_font)


def overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(inner: Rect, outer: Rect, slack: float = 0.5) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[0] + inner[2] <= outer[0] + outer[2] + slack
            and inner[1] + inner[3] <= outer[1] + outer[3] + slack)
