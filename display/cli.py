"""`lobby board` and `lobby counter`: registered into the `lobby` command through the
entry-point group."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from devicekit.startup import add_device_arguments, device_for, require_screen_packages
from devicekit.window import open_device_window


def register(sub: Any) -> None:
    board = sub.add_parser("board", help="run a ceiling board and its announcer")
    add_device_arguments(board, "where voice clips and the last announced call are kept")
    board.set_defaults(run=run_board)
    counter = sub.add_parser("counter", help="run a counter terminal (for staff)")
    add_device_arguments(counter, "not used by the terminal")
    counter.add_argument("--counter", help="which of the device's counters (default: first)")
    counter.set_defaults(run=run_counter)


def run_board(args: argparse.Namespace) -> int:
    config, device = device_for(args, "board")
    require_screen_packages("board", "display")
    settings = device.board_settings
    open_device_window(device, settings.fullscreen, args.windowed, args.window_at)
    from devicekit.speech import AplaySink, Speaker, Synthesizer
    from display.announcer import Announcer
    from display.board_app import BoardApp
    from display.board_client import BoardClient
    from display.board_model import BoardModel
    from lobby.connection import broker_address

    var = Path(args.var)
    model = BoardModel(config, settings)
    announcer = None
    if settings.voice:
        speaker = Speaker(Synthesizer(var / "clips"), AplaySink(settings.audio_device))
        announcer = Announcer(config, settings, speaker, var / f"{device.id}.last-seq")
        announcer.prewarm()
    client = BoardClient(config, device, broker_address(config, args.broker), model, announcer)
    client.start()
    try:
        BoardApp(model, portrait=settings.orientation == "portrait").run()
    finally:
        client.stop()
        if announcer:
            announcer.speaker.close()
    return 0


def run_counter(args: argparse.Namespace) -> int:
    config, device = device_for(args, "counter")
    require_screen_packages("counter", "display")
    if args.counter is not None and args.counter not in device.counters:
        print(f"lobby counter: device {device.id} does not act for counter {args.counter} "
              f"(it acts for {', '.join(device.counters)})")
        return 2
    open_device_window(device, device.terminal_settings.fullscreen, args.windowed,
                       args.window_at)
    from display.terminal_app import TerminalApp
    from display.terminal_client import TerminalClient
    from lobby.connection import broker_address

    client = TerminalClient(config, device, broker_address(config, args.broker), args.counter)
    client.start()
    try:
        TerminalApp(client.model).run()
    finally:
        client.stop()
    return 0
