"""The ceiling board's Kivy app: renders the view-model; repaints are batched (one per frame
at most) and calls flash by a timer. Kivy lives only here and in board.kv."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from devicekit import theme
from devicekit.app import DeviceApp
from devicekit.i18n import tr
from display.board_model import BoardModel
from lobby.contract import messages as m

FLASH_PERIOD = 0.5  # seconds per blink of a new call


class CallLine(BoxLayout):  # type: ignore[misc]
    number = StringProperty("")
    counter_text = StringProperty("")
    number_size = NumericProperty(40)
    seq = NumericProperty(0)
    lit = BooleanProperty(False)  # highlighted: the newest call (blinking while new)

    def render_now(self) -> None:
        """Draw the labels' text at once: Kivy would otherwise defer it to the next frame,
        and a call would show a frame later."""
        for child in self.children:
            if isinstance(child, Label):
                child.texture_update()


class BoardRoot(BoxLayout):  # type: ignore[misc]
    pass


def both(key: str, languages: list[str], **values: object) -> str:
    """A label in every site language: "Quầy 5 · Counter 5"."""
    return " · ".join(tr(lang, key, **values) for lang in languages)


class BoardApp(DeviceApp):
    def __init__(self, model: BoardModel, portrait: bool = False, **kwargs: Any) -> None:
        languages = model.config.site.languages
        super().__init__(model, model.config.site.name.get(languages[0], "Lobby"), **kwargs)
        self.model = model
        self.portrait = portrait
        self.languages = languages
        self._blink = False

    def call_sizes(self) -> tuple[float, float]:
        """Font sizes of the current calls and of the recent ones. Bounded by the width too,
        so "A023 → Quầy 15" fits a portrait screen, where it is still 9 % of the height."""
        return (min(self.h(0.13), Window.width * 0.16), self.u(0.05))

    def build(self) -> BoardRoot:
        Window.clearcolor = theme.BACKGROUND
        self.root_widget = BoardRoot()
        ids = self.root_widget.ids
        current_size, history_size = self.call_sizes()
        # Fixed pools of rows, updated in place: rebuilding widgets on every call cost tens
        # of milliseconds a repaint (and the announcer waited for the GIL meanwhile).
        self.current_lines = [CallLine(number_size=current_size)
                              for _ in range(self.model.settings.current_calls)]
        self.history_lines = [CallLine(number_size=history_size)
                              for _ in range(self.model.settings.calls_shown)]
        self.waiting_labels = [self._waiting_label() for _ in self.model.config.services]
        for line in self.current_lines:
            ids.current.add_widget(line)
        ids.current.add_widget(Widget())  # rows at the top, the space below
        for line in self.history_lines:
            ids.history.add_widget(line)
        ids.history.add_widget(Widget())
        for label in self.waiting_labels:
            ids.waiting.add_widget(label)
        Clock.schedule_interval(self._tick, FLASH_PERIOD)
        self.refresh()
        return self.root_widget

    def _waiting_label(self) -> Label:
        label = Label(font_name=self.font, font_size=self.u(0.03), color=theme.TEXT,
                      halign="left", valign="middle")
        label.bind(size=lambda widget, size: setattr(widget, "text_size", size))
        return label

    def _tick(self, _dt: float) -> None:
        self._blink = not self._blink
        self._paint_lit()  # a property set to its own value is no change for Kivy
        clock = self._clock_text()
        if self.root_widget.ids.clock.text != clock:
            self.root_widget.ids.clock.text = clock

    def _clock_text(self) -> str:
        return dt.datetime.now(self.model.config.site.zone).strftime("%H:%M")

    def refresh(self) -> None:
        ids, model, langs = self.root_widget.ids, self.model, self.languages
        ids.centre.text = model.config.site.name.get(langs[0], "")
        ids.clock.text = self._clock_text()
        ids.offline.text = "● " + both("Offline", langs) if model.offline else ""
        ids.now_heading.text = both("Now serving", langs)
        ids.recent_heading.text = both("Recent calls", langs)
        ids.waiting_heading.text = both("Waiting", langs)
        self._fill(self.current_lines, model.current())
        self._fill(self.history_lines, model.history())
        rows = model.waiting()
        for index, label in enumerate(self.waiting_labels):
            line = rows[index] if index < len(rows) else None
            label.text = (f"{line.service}   {line.names.get(langs[0], line.service)}:  "
                          f"{line.waiting}") if line else ""
        self._paint_lit()

    def _fill(self, lines: list[CallLine], rows: list[m.BoardCall]) -> None:
        for index, line in enumerate(lines):
            row = rows[index] if index < len(rows) else None
            if line.seq == (row.seq if row else 0):
                continue
            line.seq = row.seq if row else 0
            line.number = row.number if row else ""
            line.counter_text = tr(self.languages[0], "Counter {number}",
                                   number=row.counter_number) if row else ""
            line.opacity = 1 if row else 0
            line.render_now()

    def _should_light(self, seq: int, newest: m.BoardCall | None) -> bool:
        if newest is None or seq != newest.seq:
            return False
        return not (self.model.flashing(newest) and self._blink)

    def _paint_lit(self) -> None:
        """Only the newest row's highlight changes while it blinks."""
        newest = self.model.newest()
        for line in self.current_lines:
            line.lit = self._should_light(line.seq, newest)
