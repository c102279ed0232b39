"""Where the data files are: the `lobby_assets` package, found with importlib.resources, so
the same code works from the source tree (editable install) and from an installed wheel.

Kivy, Pillow and aplay want file names, so the package's folder is used as a path: pip always
installs a wheel unpacked on disk, never as a zip."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

ASSETS = Path(str(files("lobby_assets")))
FONT = ASSETS / "fonts" / "DejaVuSans.ttf"
FONT_BOLD = ASSETS / "fonts" / "DejaVuSans-Bold.ttf"
LOCALE_DIR = ASSETS / "locale"
CHIME = ASSETS / "sounds" / "chime.wav"


def icon(name: str | None) -> Path:
    """A service's icon, or the default one when it has none or names one that is missing."""
    path = ASSETS / "icons" / f"{name or 'default'}.png"
    return path if path.exists() else ASSETS / "icons" / "default.png"
