"""Text drawn once and kept: for screens that show the same words again and again (the
board's "Quầy 5", a number moving from row to row). In software GL (Mesa llvmpipe, a board
without a GPU) drawing a text takes milliseconds and uploading it in the middle of a frame
stalls the frame; a kept texture costs neither. Imports Kivy: device apps only."""

from __future__ import annotations

from functools import cache
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Rectangle
from kivy.properties import ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.widget import Widget

_TEXTURES: dict[tuple[str, str, int], Any] = {}


def text_texture(text: str, font_name: str, font_size: float) -> Any:
    """The texture of `text` in white (tinted by the drawing colour), drawn once and kept:
    every counter's "Quầy 5" and every number is drawn a single time however often it moves
    between rows. Drawing a text takes milliseconds in software GL, and uploading it in the
    middle of a frame stalls the frame."""
    key = (text, font_name, int(font_size))
    texture = _TEXTURES.get(key)
    if texture is None:
        label = CoreLabel(text=text, font_name=font_name, font_size=int(font_size))
        label.refresh()
        texture = label.texture
        texture.bind()  # uploaded now, between frames
        if len(_TEXTURES) > 2000:  # a day's numbers at a few sizes: then start afresh
            _TEXTURES.clear()
        _TEXTURES[key] = texture
    return texture


class CachedText(Widget):  # type: ignore[misc]
    """One line of text that is never shortened, drawn from `text_texture`, left- or
    right-aligned and centred vertically in its box."""

    text = StringProperty("")
    font_name = StringProperty("")
    font_size = NumericProperty(20)
    color = ListProperty([1, 1, 1, 1])
    align = StringProperty("left")
    texture = ObjectProperty(None, allownone=True)

    def on_text(self, *_args: Any) -> None:
        self._update()

    def on_font_size(self, *_args: Any) -> None:
        self._update()

    def on_font_name(self, *_args: Any) -> None:
        self._update()

    def _update(self) -> None:
        self.texture = (text_texture(self.text, self.font_name, self.font_size)
                        if self.text and self.font_name else None)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self.canvas:
            self._colour = Color(rgba=self.color)
            self._rect = Rectangle(texture=None, size=(0, 0))
        self.bind(pos=self._place, size=self._place, texture=self._place,
                  color=lambda *_: setattr(self._colour, "rgba", self.color))

    def _place(self, *_args: Any) -> None:
        width, height = self.texture.size if self.texture else (0, 0)
        x = self.x if self.align == "left" else self.right - width
        self._rect.texture = self.texture
        self._rect.pos = (x, self.center_y - height / 2)
        self._rect.size = (width, height)

    def text_box(self) -> tuple[float, float, float, float]:
        """Where the text is drawn, in window coordinates (for the layout tests)."""
        width, height = self._rect.size  # kept in step by _place on every change
        wx, wy = self.to_window(*self._rect.pos)
        return wx, wy, width, height


@cache
def measure(text: str, font: str) -> float:
    """The width of `text` at a font size of 1 (measured at 100 px)."""
    label = CoreLabel(text=text, font_size=100, font_name=font)
    label.refresh()
    return float(label.content_width) / 100
