"""How a device app's Kivy window starts: its size, full screen or not, and settings that
matter without a GPU. Only environment variables are set (Kivy reads `KCFG_<SECTION>_<KEY>`
when it starts), so this module does not import Kivy: call it before the app imports Kivy."""

from __future__ import annotations

import os

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
TERMINAL = (1280, 800)


def prepare_window(size: tuple[int, int], fullscreen: bool, scale: float = 1.0) -> None:
    settings = {
        "KIVY_NO_ARGS": "1",  # the lobby command parses the arguments, not Kivy
        "KIVY_LOG_MODE": "PYTHON",
        "KCFG_KIVY_LOG_LEVEL": "warning",
        "KCFG_GRAPHICS_WIDTH": str(int(size[0] * scale)),
        "KCFG_GRAPHICS_HEIGHT": str(int(size[1] * scale)),
        "KCFG_GRAPHICS_FULLSCREEN": "auto" if fullscreen else "0",
        # Text and rectangles need no multisampling, and without a GPU it multiplies the
        # cost of every frame (a board frame drawn in software: 42 ms with it, 18 without).
        "KCFG_GRAPHICS_MULTISAMPLES": "0",
        "KCFG_INPUT_MOUSE": "mouse,disable_multitouch",
    }
    os.environ.update(settings)
