"""The ceiling board's Kivy app: paints the view-model into the regions `board_layout` gives
(none ever over another); repaints are batched (one per frame at most) and the newest call
flashes by a timer. Kivy lives only here and in board.kv."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from devicekit import theme
from devicekit.app import DeviceApp
from devicekit.i18n import tr
from devicekit.text import measure
from display.board_layout import (
    BANNER_CAP,
    BoardLayout,
    Rect,
    Region,
    board_layout,
    font_for_cap,
)
from display.board_model import BoardModel, ServingRow

FLASH_PERIOD = 0.5  # seconds per blink of a new call
PAGE_SECONDS = 6.0  # a page of the waiting lines, when they do not all fit
MAX_SERVING = 16
MAX_BANNER_LINES = 2  # an announcement: the site's two languages at most


class BoardText(Label):  # type: ignore[misc]
    pass


class CallRow(Widget):  # type: ignore[misc]
    number = StringProperty("")
    counter_text = StringProperty("")
    number_size = NumericProperty(40)
    counter_ratio = NumericProperty(0.5)  # the counter's font size / the number's
    lit = BooleanProperty(False)  # highlighted: the newest call (blinking while new)
    key = StringProperty("")  # the counter (serving rows) or the number (recent rows)


class BannerBox(Widget):  # type: ignore[misc]
    """The announcement strip's background (board.kv draws it)."""


class WaitingRow(Widget):  # type: ignore[misc]
    service = StringProperty("")
    name = StringProperty("")
    count = StringProperty("")
    open = BooleanProperty(True)
    text_size_px = NumericProperty(30)
    count_width = NumericProperty(100)


def both(key: str, languages: list[str], **values: object) -> str:
    """A label in every site language: "Quầy 5 · Counter 5"."""
    return " · ".join(tr(lang, key, **values) for lang in languages)


def hide(widget: Widget) -> None:
    """Off the screen, not only transparent: in software GL a transparent panel still costs
    its pixels every frame."""
    widget.opacity = 0
    widget.pos = (-10_000, -10_000)


def place(widget: Widget, rect: Rect) -> None:
    widget.size_hint = (None, None)  # the layout sizes everything itself
    widget.pos = (rect[0], rect[1])
    widget.size = (rect[2], rect[3])


class BoardApp(DeviceApp):
    def __init__(self, model: BoardModel, portrait: bool = False, **kwargs: Any) -> None:
        languages = model.config.site.languages
        super().__init__(model, model.config.site.name.get(languages[0], "Lobby"), **kwargs)
        self.model = model
        self.portrait = portrait
        self.languages = languages
        self._blink = False
        self._page = 0
        self._layout_key: tuple[object, ...] = ()
        self._boxes: dict[int, Rect] = {}  # where each text label goes when it has text
        self.layout: BoardLayout | None = None
        self._widest: tuple[float, float] | None = None  # the config's widest texts

    def build(self) -> FloatLayout:
        Window.clearcolor = theme.BACKGROUND
        root = FloatLayout()

        def text(**style: Any) -> BoardText:
            label = BoardText(**style)
            root.add_widget(label)
            return label

        self.centre = text(font_name=self.font_bold)
        self.offline_mark = text(color=theme.OFFLINE, halign="right")
        self.clock_label = text(font_name=self.font_bold, halign="right", markup=True)
        self.clock_label.shorten = False
        self.serving_heading = text(font_name=self.font_bold)
        self.recent_heading = text(font_name=self.font_bold)
        self.waiting_heading = text(font_name=self.font_bold)
        self.page_label = text(color=theme.MUTED_TEXT, halign="right")
        self.empty = text(halign="center", color=theme.MUTED_TEXT)
        self.empty.shorten = False
        # A supervisor's announcement: a strip along the bottom, one line per language.
        self.banner_box = BannerBox()
        hide(self.banner_box)
        root.add_widget(self.banner_box)
        self.banner_labels = [text(font_name=self.font_bold, color=theme.HIGHLIGHT_TEXT,
                                   halign="center") for _ in range(MAX_BANNER_LINES)]
        self._banner: list[str] = []
        # Fixed pools of rows, updated in place: rebuilding widgets on every call cost tens
        # of milliseconds a repaint.
        self.serving_rows = [CallRow() for _ in range(MAX_SERVING)]
        for row in self.serving_rows:
            hide(row)
            root.add_widget(row)
        self.root_widget = root
        self.recent_rows: list[CallRow] = []
        self.waiting_rows: list[WaitingRow] = []
        self._make_rows()
        Window.bind(size=lambda *_: self.request_refresh())
        Clock.schedule_interval(self._tick, FLASH_PERIOD)
        Clock.schedule_interval(self._turn_page, PAGE_SECONDS)
        self.refresh()
        return root

    def _make_rows(self) -> None:
        """The rows the configuration asks for: again after it changed (more services, more
        calls shown), with the widest texts measured anew."""
        for row in (*self.recent_rows, *self.waiting_rows):
            self.root_widget.remove_widget(row)
        # Recent rows: the counter as large as the number (both at least 3 % high).
        self.recent_rows = [CallRow(counter_ratio=1.0)
                            for _ in range(self.model.settings.calls_shown)]
        self.waiting_rows = [WaitingRow() for _ in range(max(1, len(self.model.config.services)))]
        for row in (*self.recent_rows, *self.waiting_rows):
            hide(row)
            self.root_widget.add_widget(row)
        self._generation = self.model.generation
        self.languages = self.model.config.site.languages
        self._widest = None
        self._layout_key = ()

    # --- timers -------------------------------------------------------------------------------

    def _tick(self, _dt: float) -> None:
        self._blink = not self._blink
        if self.model.banner()[:MAX_BANNER_LINES] != self._banner:  # one began or ended
            self.request_refresh()
        self._paint_lit()
        clock = self._clock_text()
        if self.clock_label.text != clock:
            self.clock_label.text = clock

    def show_waiting_page(self, page: int) -> None:
        """Turns the waiting lines to `page` now (the layout test looks at every page)."""
        self._page = page
        self.refresh()

    def _turn_page(self, _dt: float) -> None:
        self._page += 1
        self.request_refresh()

    def _clock_text(self) -> str:
        """The date (smaller) and the time."""
        now = dt.datetime.now(self.model.config.site.zone)
        small = int(self.clock_label.font_size * 0.6)
        return f"[size={small}]{now:%d/%m/%Y}[/size]  {now:%H:%M}"

    # --- painting -----------------------------------------------------------------------------

    def refresh(self) -> None:
        model, langs = self.model, self.languages
        if model.generation != self._generation:
            self._make_rows()
        serving = model.serving()[:MAX_SERVING]
        recent = model.recent()
        waiting = model.waiting()
        banner = model.banner()[:MAX_BANNER_LINES]
        rows = self._banner_rows(banner)
        layout = self._lay_out(len(serving), len(recent), len(waiting), sum(rows))
        self._paint_banner(layout, banner, rows)
        self._say(self.centre, model.config.site.name.get(langs[0], ""))
        self._say(self.clock_label, self._clock_text())
        self._say(self.offline_mark, "● " + both("Offline", langs) if model.offline else "")
        self._say(self.serving_heading, both("Now serving", langs))
        self._say(self.recent_heading, both("Recent calls", langs) if recent else "")
        self._say(self.waiting_heading, both("Waiting", langs))
        self._say(self.empty, "" if serving else "\n".join(
            tr(lang, "No number has been called yet") for lang in langs))
        word = tr(langs[0], "Counter {number}", number="{}")
        self._assign(self.serving_rows, layout.serving,
                     [(r.counter, r.number, word.format(r.counter_number)) for r in serving])
        self._assign(self.recent_rows, layout.recent,
                     [(c.number, c.number, word.format(c.counter_number)) for c in recent])
        self._paint_waiting(layout, waiting)
        self._paint_lit()

    def _banner_rows(self, lines: list[str]) -> list[int]:
        """Rows each line takes: one, or two where it does not fit one row at two thirds of
        the banner's font (a portrait board is narrow)."""
        reference = min(Window.width, Window.height)
        font = font_for_cap(reference * BANNER_CAP) * 2 / 3
        room = Window.width * (1 - 2 * 0.022) - font * 1.5
        return [1 if measure(line, self.font_bold) * font <= room else 2 for line in lines]

    def _paint_banner(self, layout: BoardLayout, lines: list[str], rows: list[int]) -> None:
        """The announcement's lines, each as large as the strip allows up to its font (down
        to two thirds); a line given two rows wraps."""
        self._banner = lines
        if layout.banner is None or not lines:
            hide(self.banner_box)
            for label in self.banner_labels:
                self._say(label, "")
            return
        place(self.banner_box, layout.banner)
        self.banner_box.opacity = 1
        x, y, width, height = layout.banner
        row_height = (height - layout.banner_font * 0.6) / sum(rows)
        top = y + height - layout.banner_font * 0.3
        for index, label in enumerate(self.banner_labels):
            text = lines[index] if index < len(lines) else ""
            span = rows[index] if index < len(rows) else 1
            top -= span * row_height
            self._box(label, (x + layout.banner_font * 0.5, top,
                              width - layout.banner_font, span * row_height))
            label.shorten, label.max_lines = span == 1, span
            if text:
                room = (width - layout.banner_font) * span / max(
                    measure(text, self.font_bold), 1e-6)
                label.font_size = max(layout.banner_font * 2 / 3,
                                      min(layout.banner_font, room * 0.95))
            self._say(label, text)

    def _lay_out(self, serving: int, recent: int, services: int,
                 banner_lines: int = 0) -> BoardLayout:
        key = (Window.width, Window.height, serving, recent, services, banner_lines)
        if key == self._layout_key and self.layout is not None:
            return self.layout
        layout = board_layout(Window.width, Window.height, self.portrait, serving,
                              min(recent, len(self.recent_rows)), services, banner_lines)
        self._layout_key, self.layout = key, layout
        header = layout.header
        # The date and time need about 8 of the header's font sizes: on a portrait board
        # that is half its width.
        clock_share = min(0.55, layout.header_font * 8.2 / header[2])
        name_share = 1 - clock_share - 0.17
        self._box(self.centre, (header[0], header[1], header[2] * name_share, header[3]))
        self._box(self.offline_mark, (header[0] + header[2] * name_share, header[1],
                                      header[2] * 0.17, header[3]))
        self._box(self.clock_label, (header[0] + header[2] * (1 - clock_share), header[1],
                                     header[2] * clock_share, header[3]))
        for label in (self.centre, self.offline_mark):
            label.font_size = layout.header_font * 0.8
        self.clock_label.font_size = layout.header_font
        for label, region in ((self.serving_heading, layout.serving),
                              (self.recent_heading, layout.recent),
                              (self.waiting_heading, layout.waiting)):
            self._box(label, region.heading)
            label.font_size = layout.heading_font
        heading = layout.waiting.heading
        self._box(self.page_label, (heading[0] + heading[2] * 0.7, heading[1],
                                    heading[2] * 0.3, heading[3]))
        self.page_label.font_size = layout.heading_font
        area = layout.serving.rect
        self._box(self.empty, (area[0], area[1], area[2], area[3] - layout.serving.heading[3]))
        self.empty.font_size = layout.heading_font * 1.2
        return layout

    def _fitting(self, region: Region, row: CallRow) -> float:
        """The layout's font for these rows, smaller if the centre's widest number or counter
        would not fit (numbers and counters are never shortened). Measured on the config, not
        on the numbers shown, so the size stays put as numbers change: every new size would
        draw every row's text again, which takes milliseconds a label without a GPU."""
        if not region.rows:
            return region.font
        width = region.rows[0][2]
        pad = region.rows[0][3] * 0.12 * 2 + region.font * 0.3
        number, counter = self._widest_texts()
        fit = (width - pad) / (number + counter * row.counter_ratio)
        return float(int(min(region.font, fit)))

    def _widest_texts(self) -> tuple[float, float]:
        """The widest number and counter this centre can show, at a font size of 1."""
        if self._widest is not None:
            return self._widest
        config = self.model.config
        number = max(measure(f"{s.id}{'0' * s.numbering.width}", self.font_bold)
                     for s in config.services)
        word = tr(self.languages[0], "Counter {number}", number="{}")
        counter = max(measure(word.format(c.number), self.font_bold) for c in config.counters)
        self._widest = (number, counter)
        return self._widest

    def _box(self, label: Label, rect: Rect) -> None:
        self._boxes[id(label)] = rect
        place(label, rect)

    def _say(self, label: Label, text: str) -> None:
        """Sets a label's text; a label with none goes off the screen (an empty label boxed
        by `text_size` would still draw a transparent texture the size of its box)."""
        if label.text != text:
            label.text = text
        if text:
            place(label, self._boxes[id(label)])
            label.opacity = 1
        else:
            hide(label)

    def _assign(self, rows: list[CallRow], region: Region,
                items: list[tuple[str, str, str]]) -> None:
        """Shows `items` (key, number, counter text) in `region`'s rows. A row keeps its key
        (a counter, or a number) and moves with it: drawing a text again takes milliseconds
        a label in software, and a new call would otherwise shift every row's texts."""
        items = items[:len(region.rows)]
        font = self._fitting(region, rows[0])
        wanted = {key for key, _number, _counter in items}
        by_key = {row.key: row for row in rows if row.key in wanted}
        free = [row for row in rows if row.key not in wanted]
        shown = set()
        for (key, number, counter), rect in zip(items, region.rows, strict=False):
            row = by_key.get(key) or free.pop(0)
            if row.number_size != font:
                row.number_size = font
            if (row.number, row.counter_text, row.key) != (number, counter, key):
                row.number, row.counter_text, row.key = number, counter, key
            place(row, rect)
            row.opacity = 1
            shown.add(id(row))
        for row in rows:
            if id(row) not in shown:
                hide(row)

    def _paint_waiting(self, layout: BoardLayout, waiting: list[Any]) -> None:
        langs, shown = self.languages, len(layout.waiting.rows)
        pages = max(1, -(-len(waiting) // shown)) if shown else 1
        page = self._page % pages
        self._say(self.page_label, f"{page + 1}/{pages}" if pages > 1 else "")
        lines = waiting[page * shown:(page + 1) * shown]
        today = dt.datetime.now(self.model.config.site.zone).date()
        for index, row in enumerate(self.waiting_rows):
            line = lines[index] if index < len(lines) else None
            if line is None:
                hide(row)
                continue
            place(row, layout.waiting.rows[index])
            row.opacity = 1
            row.text_size_px = layout.waiting.font
            row.service, row.open = line.service, line.open
            row.name = line.names.get(langs[0], line.service)
            if line.open:
                row.count = str(line.waiting)
            elif line.opens_at is not None:
                when = line.opens_at.strftime(
                    "%H:%M" if line.opens_at.date() == today else "%d/%m %H:%M")
                row.count = tr(langs[0], "opens {time}", time=when)
            else:
                row.count = tr(langs[0], "Closed")
            # The count (or "mở lúc 28/11 07:30") as wide as it really is, measured in the
            # bold font: the name gets the rest and is shortened with "…" if need be.
            row.count_width = (measure(row.count, self.font_bold) * layout.waiting.font
                               + layout.waiting.font * 0.5)

    def _paint_lit(self) -> None:
        """Only the newest serving row is highlighted; it blinks while new."""
        newest: ServingRow | None = self.model.newest()
        for row in self.serving_rows:
            lit = newest is not None and row.key == newest.counter and bool(row.number)
            row.lit = lit and not (self.model.flashing(row.key) and self._blink)
        for row in self.recent_rows:
            row.lit = False
