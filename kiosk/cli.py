"""`lobby kiosk`: registered into the `lobby` command through the entry-point group."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from devicekit.startup import (
    add_device_arguments,
    configuration_for,
    follower_for,
    require_screen_packages,
)
from devicekit.window import open_device_window


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "kiosk", help="run a ticket kiosk: touchscreen, printer and voice")
    add_device_arguments(parser, "where voice clips are cached and a file printer's tickets "
                         "go when its path is relative")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    require_screen_packages("kiosk", "kiosk")
    identity, start = configuration_for(args, "kiosk")
    config, device = start.config, start.device
    settings = device.kiosk_settings
    open_device_window(device, settings.fullscreen, args.windowed, args.window_at)

    from devicekit.speech import AplaySink
    from kiosk.app import KioskApp
    from kiosk.client import KioskClient
    from kiosk.printing.devices import open_printer
    from kiosk.voice import KioskVoice

    var = Path(args.var)
    voice = None
    if settings.voice:
        voice = KioskVoice(config, settings.voices, var / "clips",
                           AplaySink(settings.audio_device))
        voice.prewarm()
    client = KioskClient(config, device, identity.broker, open_printer(settings.printer, var),
                         voice)
    client.follow(follower_for(args, start))
    client.start()
    try:
        KioskApp(client.flow, landscape=settings.orientation == "landscape").run()
    finally:
        client.stop()
        if voice:
            voice.close()
    return 0
