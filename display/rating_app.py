"""The rating pad's Kivy app (a 7–10" tablet facing the citizen). Kivy lives only here and in
rating.kv; the logic is display/rating_model.py."""

from __future__ import annotations

import threading
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from devicekit import theme
from devicekit.app import DeviceApp
from devicekit.i18n import N_, tr
from display.rating_model import QUESTION, SKIP, WHY, RatingModel

COUNTER = N_("Counter {number}")
NUMBER = N_("Number {number}")
OFFICER = N_("Served by {name}")
IDLE_HINT = N_("After your matter is handled, please tell us how satisfied you are.")
OFFLINE = N_("Offline")


class RatingRoot(BoxLayout):  # type: ignore[misc]
    pass


class Face(Widget):  # type: ignore[misc]
    """A face drawn, not a font's emoji: +1 a broad smile, 0 a straight mouth, -1 a frown."""

    mood = NumericProperty(0.0)
    r = NumericProperty(10.0)


class LevelButton(ButtonBehavior, BoxLayout):  # type: ignore[misc]
    level = StringProperty("")
    colour = ListProperty([0, 0, 0, 1])
    mood = NumericProperty(0.0)
    first = StringProperty("")  # the level's word in the first language, large
    second = StringProperty("")  # in the others, smaller


class ChoiceButton(ButtonBehavior, BoxLayout):  # type: ignore[misc]
    choice = StringProperty("")
    colour = ListProperty(list(theme.TILE))
    first = StringProperty("")
    second = StringProperty("")


class RatingApp(DeviceApp):
    def __init__(self, model: RatingModel, landscape: bool = False, **kwargs: Any) -> None:
        super().__init__(model, tr(model.language, COUNTER, number=model.counter_number()),
                         **kwargs)
        self.model = model
        self.landscape = landscape
        self._shown: tuple[object, ...] = ()  # what the body holds now
        # The level buttons, made once per configuration and put back for each question:
        # drawing their texts again each time cost tens of milliseconds in software GL.
        self._level_buttons: tuple[object, list[LevelButton]] = (None, [])

    def build(self) -> RatingRoot:
        Window.clearcolor = theme.BACKGROUND
        self.root_widget = RatingRoot()
        Clock.schedule_interval(lambda _dt: self.model.tick(), 0.5)
        self.refresh()
        return self.root_widget

    # --- touches: the request goes off the UI thread --------------------------------------

    def choose(self, level: str) -> None:
        threading.Thread(target=self.model.choose, args=(level,), daemon=True,
                         name="rate").start()

    def choose_reason(self, reason: str | None) -> None:
        threading.Thread(target=self.model.choose_reason, args=(reason,), daemon=True,
                         name="rate").start()

    # --- painting ----------------------------------------------------------------------------

    def both(self, message: str, **values: Any) -> tuple[str, str]:
        """A message in the first language, and in the others (smaller)."""
        texts = [tr(lang, message, **values) for lang in self.model.config.site.languages]
        return texts[0], " · ".join(texts[1:])

    def refresh(self) -> None:
        model, ids = self.model, self.root_widget.ids
        lang = model.language
        ids.centre.text = model.config.site.name.get(lang, "")
        ids.offline.text = "● " + tr(lang, OFFLINE) if not model.online else ""
        asking = model.asking
        key: tuple[object, ...] = (model.screen, asking.ticket_id if asking else None,
                                   model.config, model.message)
        if key != self._shown:
            self._shown = key
            self._paint_body()

    def _paint_body(self) -> None:
        model, ids = self.model, self.root_widget.ids
        body = ids.body
        body.clear_widgets()
        asking = model.asking
        if model.screen in ("question", "reason") and asking is not None:
            # The number in the first language only (a number reads the same in any): the
            # question and the buttons need the room, on a landscape pad most of all.
            ids.title.text, ids.subtitle.text = self.both(NUMBER, number=asking.number)[0], ""
            officer = model.officer
            ids.detail.text = ("  ·  " if self.landscape else "\n").join(
                [tr(model.language, COUNTER, number=model.counter_number())]
                + ([tr(model.language, OFFICER, name=officer)] if officer else []))
            if model.screen == "question":
                ids.question.text, ids.question_second.text = self.both(QUESTION)
                self._levels(body)
            else:
                ids.question.text, ids.question_second.text = self.both(WHY)
                self._reasons(body)
            return
        ids.detail.text = ""
        ids.question.text = ids.question_second.text = ""
        if model.screen in ("thanks", "failed"):
            ids.title.text, ids.subtitle.text = self.both(model.message)
            if model.screen == "thanks":
                body.add_widget(Face(mood=1.0))
            return
        ids.title.text, ids.subtitle.text = self.both(COUNTER, number=model.counter_number())
        ids.question.text, ids.question_second.text = self.both(IDLE_HINT)
        body.add_widget(Face(mood=0.6))

    def _levels(self, body: Any) -> None:
        body.orientation = "horizontal" if self.landscape else "vertical"
        config, buttons = self._level_buttons
        if config is not self.model.config:
            buttons = []
            for level in self.model.levels():
                button = LevelButton(level=level.id, colour=theme.hex_colour(level.colour),
                                     mood=level.mood, first=level.words[0],
                                     second=" · ".join(level.words[1:]))
                button.bind(on_release=lambda b: self.choose(b.level))
                buttons.append(button)
            self._level_buttons = (self.model.config, buttons)
        for button in buttons:
            body.add_widget(button)

    def _reasons(self, body: Any) -> None:
        # In a grid, two or three abreast: six buttons stacked were under 15 mm on a portrait
        # pad and a few pixels high on a landscape one.
        grid = GridLayout(cols=3 if self.landscape else 2, spacing=self.u(0.025))
        for reason_id, words in self.model.reasons():
            button = ChoiceButton(choice=reason_id, first=words[0], second=" · ".join(words[1:]))
            button.bind(on_release=lambda b: self.choose_reason(b.choice))
            grid.add_widget(button)
        first, second = self.both(SKIP)
        skip = ChoiceButton(choice="", first=first, second=second, colour=theme.TILE_DISABLED)
        skip.bind(on_release=lambda _b: self.choose_reason(None))
        grid.add_widget(skip)
        body.add_widget(grid)
