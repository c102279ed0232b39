"""`lobby board` and `lobby counter`: registered into the `lobby` command through the
entry-point group."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lobby.cli import add_device_arguments, read_config
from lobby.window import LANDSCAPE, PORTRAIT, TERMINAL, prepare_window

BOARD_SIZES = {"landscape": LANDSCAPE, "portrait": PORTRAIT}


def register(sub: Any) -> None:
    board = sub.add_parser("board", help="run a ceiling board and its announcer")
    add_device_arguments(board, "voice clips and the last announced call")
    board.set_defaults(run=run_board)
    counter = sub.add_parser("counter", help="run a counter terminal (for staff)")
    add_device_arguments(counter, "not used by the terminal")
    counter.add_argument("--counter", help="which of the device's counters (default: first)")
    counter.set_defaults(run=run_counter)


def _device(args: argparse.Namespace, role: str) -> Any:
    config = read_config(args.config)
    device = config.device(args.device)
    if device is None or device.role != role:
        raise SystemExit(f"lobby: {args.device!r} is not a {role} device in {args.config}")
    return config, device


def run_board(args: argparse.Namespace) -> int:
    config, device = _device(args, "board")
    settings = device.board_settings
    prepare_window(BOARD_SIZES[settings.orientation],
                   settings.fullscreen and not args.windowed, 0.5 if args.windowed else 1.0)
    from display.announcer import Announcer
    from display.board_app import BoardApp
    from display.board_client import BoardClient
    from display.board_model import BoardModel
    from lobby.connection import broker_address
    from lobby.speech import AplaySink, Speaker, Synthesizer

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
    config, device = _device(args, "counter")
    prepare_window(TERMINAL, device.terminal_settings.fullscreen and not args.windowed,
                   0.7 if args.windowed else 1.0)
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
