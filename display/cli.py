"""`lobby board` and `lobby counter`: registered into the `lobby` command through the
entry-point group."""

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
from lobby.cli import add_config_argument, read_config


def register(sub: Any) -> None:
    board = sub.add_parser("board", help="run a ceiling board and its announcer")
    add_device_arguments(board, "where voice clips and the last announced call are kept")
    board.set_defaults(run=run_board)
    pack = sub.add_parser("voice-pack", help="check a folder of recorded voice parts")
    pack_sub = pack.add_subparsers(dest="voice_pack_command", required=True, metavar="ACTION",
                                   help="check: see what a folder of recordings covers")
    check = pack_sub.add_parser("check", help="list the parts a board's calls take, and "
                                "which the folder has, lacks or has in a wrong format")
    check.add_argument("folder", metavar="DIR", help="the voice pack: DIR/<language>/<words>.wav")
    add_config_argument(check)
    check.add_argument("--device", help="the board whose languages count (default: the first)")
    check.set_defaults(run=check_voice_pack)
    counter = sub.add_parser("counter", help="run a counter terminal (for staff)")
    add_device_arguments(counter, "not used by the terminal")
    counter.add_argument("--counter", help="which of the device's counters (default: first)")
    counter.set_defaults(run=run_counter)
    rating = sub.add_parser("rating", help="run a rating pad: a tablet facing the citizen at "
                            "one counter")
    add_device_arguments(rating, "where voice clips are cached")
    rating.set_defaults(run=run_rating)


def run_board(args: argparse.Namespace) -> int:
    require_screen_packages("board", "display")
    identity, start = configuration_for(args, "board")
    config, device = start.config, start.device
    settings = device.board_settings
    open_device_window(device, settings.fullscreen, args.windowed, args.window_at)
    from devicekit.speech import AplaySink, Speaker, Synthesizer
    from display.announcer import Announcer
    from display.board_app import BoardApp
    from display.board_client import BoardClient
    from display.board_model import BoardModel

    var = Path(args.var)
    model = BoardModel(config, settings)
    announcer = None
    if settings.voice:
        pack = Path(settings.voice_pack) if settings.voice_pack else None
        speaker = Speaker(Synthesizer(var / "clips", pack), AplaySink(settings.audio_device))
        announcer = Announcer(config, settings, speaker, var / f"{device.id}.last-seq")
        announcer.prewarm()
    client = BoardClient(config, device, identity.broker, model, announcer)
    client.follow(follower_for(args, start))
    client.start()
    try:
        BoardApp(model, portrait=settings.orientation == "portrait").run()
    finally:
        client.stop()
        if announcer:
            announcer.speaker.close()
    return 0


def check_voice_pack(args: argparse.Namespace) -> int:
    """Exit 0 when every part is recorded and usable, 1 when some fall back to espeak-ng,
    2 when a recording is unusable."""
    from devicekit.speech import check_recording, recorded_path
    from display.announcer import call_parts

    config = read_config(args.config)
    boards = [d for d in config.devices if d.role == "board"
              and (args.device is None or d.id == args.device)]
    if not boards:
        print(f"lobby voice-pack: no board {args.device or ''} in {args.config}")
        return 2
    folder = Path(args.folder)
    missing, broken, found = [], [], 0
    for lang in boards[0].board_settings.languages:
        for part in call_parts(config, lang):
            path = recorded_path(folder, lang, part)
            if not path.exists():
                missing.append(str(path.relative_to(folder)))
            elif (problem := check_recording(path)) is not None:
                broken.append(f"{path.relative_to(folder)}: {problem}")
            else:
                found += 1
    print(f"{found} part(s) recorded and usable")
    for line in broken:
        print(f"unusable: {line}")
    if missing:
        print(f"{len(missing)} part(s) not recorded, said by espeak-ng instead:")
        for name in missing:
            print(f"  {name}")
    return 2 if broken else 1 if missing else 0


def run_counter(args: argparse.Namespace) -> int:
    require_screen_packages("counter", "display")
    identity, start = configuration_for(args, "counter")
    config, device = start.config, start.device
    if args.counter is not None and args.counter not in device.counters:
        print(f"lobby counter: device {device.id} does not act for counter {args.counter} "
              f"(it acts for {', '.join(device.counters)})")
        return 2
    open_device_window(device, device.terminal_settings.fullscreen, args.windowed,
                       args.window_at)
    from display.terminal_app import TerminalApp
    from display.terminal_client import TerminalClient

    client = TerminalClient(config, device, identity.broker, args.counter)
    client.follow(follower_for(args, start))
    client.start()
    try:
        TerminalApp(client.model).run()
    finally:
        client.stop()
    return 0


def run_rating(args: argparse.Namespace) -> int:
    require_screen_packages("rating", "display")
    identity, start = configuration_for(args, "rating")
    config, device = start.config, start.device
    settings = device.rating_settings
    open_device_window(device, settings.fullscreen, args.windowed, args.window_at)
    from devicekit.speech import AplaySink
    from display.rating_app import RatingApp
    from display.rating_client import RatingClient
    from display.rating_voice import RatingVoice

    voice = None
    if settings.voice:
        voice = RatingVoice(config, settings.voices, Path(args.var) / "clips",
                            AplaySink(settings.audio_device))
        voice.prewarm()
    client = RatingClient(config, device, identity.broker, voice)
    client.follow(follower_for(args, start))
    client.start()
    try:
        RatingApp(client.model, landscape=settings.orientation == "landscape").run()
    finally:
        client.stop()
        if voice:
            voice.close()
    return 0
