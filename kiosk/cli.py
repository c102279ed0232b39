"""`lobby kiosk`: registered into the `lobby` command through the entry-point group."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from lobby.cli import add_device_arguments, read_config
from lobby.window import LANDSCAPE, PORTRAIT, prepare_window

log = logging.getLogger("kiosk")

def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "kiosk", help="run a ticket kiosk: touchscreen, printer and voice")
    add_device_arguments(parser, "where voice clips are cached")
    parser.set_defaults(run=run)


def window_size(orientation: str) -> tuple[int, int]:
    return PORTRAIT if orientation == "portrait" else LANDSCAPE


def run(args: argparse.Namespace) -> int:
    config = read_config(args.config)
    device = config.device(args.device)
    if device is None or device.role != "kiosk":
        print(f"lobby kiosk: {args.device!r} is not a kiosk in {args.config}")
        return 2
    settings = device.kiosk_settings
    prepare_window(window_size(settings.orientation), settings.fullscreen and not args.windowed,
                   0.5 if args.windowed else 1.0)

    from kiosk.app import KioskApp
    from kiosk.client import KioskClient
    from kiosk.printing.devices import open_printer
    from kiosk.voice import KioskVoice
    from lobby.connection import broker_address
    from lobby.speech import AplaySink

    voice = None
    if settings.voice:
        voice = KioskVoice(config, settings.voices, Path(args.var) / "clips",
                           AplaySink(settings.audio_device))
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
