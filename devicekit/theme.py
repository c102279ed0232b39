"""Colours and sizes of every screen (kiosk, board, terminal). Every text/background pair is
checked for a WCAG contrast of at least 4.5:1 (tests/test_kiosk_ui.py); touch targets are at
least 15 mm. Plain data: no Kivy here."""

from __future__ import annotations

RGBA = tuple[float, float, float, float]


def hex_colour(value: str) -> RGBA:
    value = value.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, 1.0)


BACKGROUND = hex_colour("#0B2545")
TEXT = hex_colour("#FFFFFF")
MUTED_TEXT = hex_colour("#D6E4F0")
TILE = hex_colour("#1D5FA8")
TILE_TEXT = TEXT
TILE_DISABLED = hex_colour("#3D4A5C")
TILE_DISABLED_TEXT = hex_colour("#E3E8EE")
ACCENT = hex_colour("#FFD166")  # selected priority, language in use
ACCENT_TEXT = hex_colour("#111111")
WARNING = hex_colour("#FFD166")
WARNING_TEXT = hex_colour("#111111")
ERROR = hex_colour("#B3261E")
ERROR_TEXT = TEXT
CONFIRM = hex_colour("#1E6B3A")  # the counter's "done" messages: green, not the error red
CONFIRM_TEXT = TEXT
NUMBER = hex_colour("#FFD166")
HIGHLIGHT = hex_colour("#FFD166")  # the board's newest call
HIGHLIGHT_TEXT = hex_colour("#111111")
PANEL = hex_colour("#13315C")
PANEL_LIT = hex_colour("#1D4E8F")  # the board's newest call, framed in HIGHLIGHT
OFFLINE = hex_colour("#FF8A80")

# (text, background) pairs that appear on screen.
PAIRS = {
    "body": (TEXT, BACKGROUND),
    "muted": (MUTED_TEXT, BACKGROUND),
    "tile": (TILE_TEXT, TILE),
    "tile disabled": (TILE_DISABLED_TEXT, TILE_DISABLED),
    "accent": (ACCENT_TEXT, ACCENT),
    "warning": (WARNING_TEXT, WARNING),
    "error": (ERROR_TEXT, ERROR),
    "confirmation": (CONFIRM_TEXT, CONFIRM),
    "number": (NUMBER, BACKGROUND),
    "highlight": (HIGHLIGHT_TEXT, HIGHLIGHT),
    "panel": (TEXT, PANEL),
    "panel number": (NUMBER, PANEL),
    "lit panel": (TEXT, PANEL_LIT),
    "lit panel number": (NUMBER, PANEL_LIT),
    "offline": (OFFLINE, BACKGROUND),
}

MIN_TOUCH_MM = 15.0


def luminance(colour: RGBA) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: RGBA, b: RGBA) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mm_to_px(mm: float, dpi: float) -> float:
    return mm / 25.4 * dpi
