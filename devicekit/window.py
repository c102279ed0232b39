"""How a device app's Kivy window starts: its size, full screen or not, and settings that
matter without a GPU. Only environment variables are set (Kivy reads `KCFG_<SECTION>_<KEY>`
when it starts), so this module does not import Kivy: call it before the app imports Kivy."""

from __future__ import annotations

import os

from lobby.config.models import Device

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
TERMINAL = (1280, 800)
TABLET = (800, 1280)  # a rating pad, portrait
# With --windowed each app takes this share of its screen size, so that the demo's kiosk,
# board and terminal fit side by side on one monitor.
WINDOWED_SCALE = {"kiosk": 0.5, "board": 0.5, "counter": 0.7, "rating": 0.5}


def screen_size(role: str, orientation: str = "portrait") -> tuple[int, int]:
    """The screen a device of `role` is built for, in its orientation."""
    if role == "counter":
        return TERMINAL
    if role == "rating":
        return TABLET if orientation == "portrait" else (TABLET[1], TABLET[0])
    return PORTRAIT if orientation == "portrait" else LANDSCAPE


def device_screen(device: Device) -> tuple[int, int]:
    if device.role == "kiosk":
        return screen_size("kiosk", device.kiosk_settings.orientation)
    if device.role == "board":
        return screen_size("board", device.board_settings.orientation)
    if device.role == "rating":
        return screen_size("rating", device.rating_settings.orientation)
    return screen_size(device.role)


def windowed_size(device: Device) -> tuple[int, int]:
    width, height = device_screen(device)
    scale = WINDOWED_SCALE.get(device.role, 1.0)
    return int(width * scale), int(height * scale)


def open_device_window(device: Device, fullscreen: bool, windowed: bool,
                       at: tuple[int, int] | None = None) -> None:
    """The window of `device`'s app: its screen full size (full screen if its settings say
    so), or a scaled window with --windowed, placed at `at` (the top-left corner) if given."""
    if windowed:
        prepare_window(windowed_size(device), fullscreen=False, at=at)
    else:
        prepare_window(device_screen(device), fullscreen, at=at)


def open_waiting_window(role: str, windowed: bool, at: tuple[int, int] | None) -> None:
    """The window of a device not configured yet: its role's usual screen."""
    size = screen_size(role, "portrait" if role in ("kiosk", "rating") else "landscape")
    prepare_window(size, fullscreen=not windowed,
                   scale=WINDOWED_SCALE.get(role, 1.0) if windowed else 1.0, at=at)


def prepare_window(size: tuple[int, int], fullscreen: bool, scale: float = 1.0,
                   at: tuple[int, int] | None = None) -> None:
    if at is not None:
        os.environ.update({"KCFG_GRAPHICS_POSITION": "custom",
                           "KCFG_GRAPHICS_LEFT": str(at[0]), "KCFG_GRAPHICS_TOP": str(at[1])})
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
        # Esc must not quit a kiosk under a citizen's hand (devicekit.app ignores the other
        # ways to close a full-screen app too).
        "KCFG_KIVY_EXIT_ON_ESCAPE": "0",
        # SDL would turn SIGTERM into a window-close request, which a full-screen device app
        # refuses: the app handles the signal itself (devicekit.app), so the service stops.
        "SDL_NO_SIGNAL_HANDLERS": "1",
    }
    os.environ.update(settings)
