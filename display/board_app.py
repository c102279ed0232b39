"""The ceiling board's Kivy app: renders the view-model; repaints are batched (one per frame
at most) and calls flash by a timer. Kivy lives only here and in board.kv."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from display.board_model import BoardModel, CallRow
from lobby import theme
from lobby.i18n import ASSETS, tr

FLASH_PERIOD = 0.5  # seconds per blink of a new call


class CallLine(BoxLayout):  # type: ignore[misc]
    number = StringProperty("")
    counter_text = StringProperty("")
    number_size = NumericProperty(40)
    lit = BooleanProperty(False)  # highlighted: the newest call (blinking while new)


class BoardRoot(BoxLayout):  # type: ignore[misc]
    pass


def both(key: str, languages: list[str], **values: object) -> str:
    """A label in every site language: "Quầy 5 · Counter 5"."""
    return " · ".join(tr(lang, key, **values) for lang in languages)


class BoardApp(App):  # type: ignore[misc]
    font = str(ASSETS / "fonts" / "DejaVuSans.ttf")
    font_bold = str(ASSETS / "fonts" / "DejaVuSans-Bold.ttf")

    def __init__(self, model: BoardModel, portrait: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.portrait = portrait
        self.languages = model.config.site.languages
        self._blink = False
        self._trigger = Clock.create_trigger(lambda _dt: self.refresh())
        self.title = model.config.site.name.get(self.languages[0], "Lobby")

    def h(self, share: float) -> float:
        return float(Window.height * share)

    def u(self, share: float) -> float:
        """A share of the screen's shorter side: text is as large on a portrait screen as on
        a landscape one."""
        return float(min(Window.height, Window.width) * share)

    def call_sizes(self) -> tuple[float, float]:
        """Font sizes of the current calls and of the recent ones. Bounded by the width too,
        so "A023 → Quầy 15" fits a portrait screen, where it is still 9 % of the height."""
        return (min(self.h(0.13), Window.width * 0.16), self.u(0.05))

    def build(self) -> BoardRoot:
        self.root_widget = BoardRoot()
        self.model.on_change = self._trigger  # any thread: repaint on the UI thread, batched
        Clock.schedule_interval(self._tick, FLASH_PERIOD)
        self.refresh()
        return self.root_widget

    def _tick(self, _dt: float) -> None:
        self._blink = not self._blink
        if any(self.model.flashing(r) for r in self.model.current()) or self._clock_changed():
            self.refresh()

    def _clock_changed(self) -> bool:
        return bool(self.root_widget.ids.clock.text != self._clock_text())

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
        newest = model.newest()
        current_size, history_size = self.call_sizes()
        ids.current.clear_widgets()
        for row in model.current():
            ids.current.add_widget(self._line(row, current_size, newest))
        ids.current.add_widget(Widget())  # rows at the top, the space below
        ids.history.clear_widgets()
        for row in model.history():
            ids.history.add_widget(self._line(row, history_size, None))
        ids.history.add_widget(Widget())
        ids.waiting.clear_widgets()
        for line in model.waiting():
            label = Label(text=f"{line.service}   {line.names.get(langs[0], line.service)}:  "
                          f"{line.waiting}", font_name=self.font, font_size=self.u(0.03),
                          color=theme.TEXT, halign="left", valign="middle")
            label.bind(size=lambda widget, size: setattr(widget, "text_size", size))
            ids.waiting.add_widget(label)

    def _line(self, row: CallRow, size: float, newest: CallRow | None) -> CallLine:
        is_newest = newest is not None and row.seq == newest.seq
        blinking_off = self.model.flashing(row) and self._blink
        return CallLine(number=row.number, number_size=size,
                        counter_text=tr(self.languages[0], "Counter {number}",
                                        number=row.counter_number),
                        lit=is_newest and not blinking_off)
