"""`lobby board` and `lobby counter`: registered into the `lobby` command through the
entry-point group."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from lobby.cli import add_config_argument, read_config

BOARD_SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
TERMINAL_SIZE = (1280, 800)


def _common(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--device", required=True, help="the device id in the config")
    parser.add_argument("--broker", metavar="HOST:PORT", help="default: the config's broker")
    parser.add_argument("--windowed", action="store_true",
                        help="a window (scaled to fit) instead of full screen")
    parser.add_argument("--var", default="var", metavar="DIR",
                        help="voice clips and the last announced call (default: var)")


def register(sub: Any) -> None:
    board = sub.add_parser("board", help="run a ceiling board and its announcer")
    _common(board)
    board.set_defaults(run=run_board)
    counter = sub.add_parser("counter", help="run a counter terminal (for staff)")
    _common(counter)
    counter.add_argument("--counter", help="which of the device's counters (default: first)")
    counter.set_defaults(run=run_counter)


def configure_window(size: tuple[int, int], fullscreen: bool, scale: float = 1.0) -> None:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.config import Config

    Config.set("graphics", "width", str(int(size[0] * scale)))
    Config.set("graphics", "height", str(int(size[1] * scale)))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "log_level", "warning")
    # No multisampling: text and rectangles do not need it, and without a GPU it multiplies
    # the cost of every frame.
    Config.set("graphics", "multisamples", "0")


def _device(args: argparse.Namespace, role: str) -> Any:
    config = read_config(args.config)
    device = config.device(args.device)
    if device is None or device.role != role:
        raise SystemExit(f"lobby: {args.device!r} is not a {role} device in {args.config}")
    return config, device


def run_board(args: argparse.Namespace) -> int:
    config, device = _device(args, "board")
    settings = device.board_settings
    configure_window(BOARD_SIZES[settings.orientation],
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
        speaker = Speaker(Synthesizer(var / "clips"), AplaySink())
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
    configure_window(TERMINAL_SIZE, device.terminal_settings.fullscreen and not args.windowed,
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
