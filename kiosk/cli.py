"""`lobby kiosk`: registered into the `lobby` command through the entry-point group."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import Any

from lobby.cli import add_config_argument, read_config

log = logging.getLogger("kiosk")

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "kiosk", help="run a ticket kiosk: touchscreen, printer and voice")
    add_config_argument(parser)
    parser.add_argument("--device", required=True, help="the kiosk's device id in the config")
    parser.add_argument("--broker", metavar="HOST:PORT", help="default: the config's broker")
    parser.add_argument("--windowed", action="store_true",
                        help="a window (scaled to fit) instead of full screen")
    parser.add_argument("--var", default="var", metavar="DIR",
                        help="where voice clips are cached (default: var)")
    parser.set_defaults(run=run)


def configure_window(orientation: str, fullscreen: bool, scale: float = 1.0) -> None:
    """Before Kivy's window exists: its size and mode, and no Kivy argument parsing."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.config import Config

    width, height = SIZES[orientation]
    Config.set("graphics", "width", str(int(width * scale)))
    Config.set("graphics", "height", str(int(height * scale)))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "log_level", "warning")
    Config.set("graphics", "multisamples", "0")  # see display/cli.py


def run(args: argparse.Namespace) -> int:
    config = read_config(args.config)
    device = config.device(args.device)
    if device is None or device.role != "kiosk":
        print(f"lobby kiosk: {args.device!r} is not a kiosk in {args.config}")
        return 2
    settings = device.kiosk_settings
    configure_window(settings.orientation, settings.fullscreen and not args.windowed,
                     0.5 if args.windowed else 1.0)

    from kiosk.app import KioskApp
    from kiosk.client import KioskClient
    from kiosk.printing.devices import open_printer
    from kiosk.voice import KioskVoice
    from lobby.connection import broker_address

    voice = None
    if settings.voice:
        voice = KioskVoice(config, settings.voices, Path(args.var) / "clips")
        voice.prewarm()
    client = KioskClient(config, device, broker_address(config, args.broker),
                         open_printer(settings.printer), voice)
    client.start()
    try:
        KioskApp(client.flow, landscape=settings.orientation == "landscape").run()
    finally:
        client.stop()
        if voice:
            voice.close()
    return 0
