"""How a device app is started from the `lobby` command: its arguments, its device in the
config, and a clear message (exit 2) when the device is not one of its role."""

from __future__ import annotations

import argparse
import importlib.util
import signal
import sys
import threading

from lobby.cli import add_broker_argument, add_config_argument, read_config
from lobby.config.models import Device, LobbyConfig


def add_device_arguments(parser: argparse.ArgumentParser, var_help: str) -> None:
    """What every device app (kiosk, board, counter terminal) is started with."""
    add_config_argument(parser)
    parser.add_argument("--device", required=True, help="the device's id in the config")
    add_broker_argument(parser)
    parser.add_argument("--windowed", action="store_true",
                        help="a window (scaled to fit) instead of full screen")
    parser.add_argument("--window-at", metavar="X,Y", type=_position,
                        help="where the window's top-left corner goes on the screen")
    parser.add_argument("--var", default="var", metavar="DIR", help=f"{var_help} (default: var)")


def _position(text: str) -> tuple[int, int]:
    try:
        x, y = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y (two whole numbers)") from None
    return x, y


# Set when the service is stopped (SIGTERM) before the app's window is up; the app then stops
# as soon as it runs (devicekit.app), cleanly, instead of dying mid-start.
STOP_REQUESTED = threading.Event()


def device_for(args: argparse.Namespace, role: str) -> tuple[LobbyConfig, Device]:
    """The config and this app's device, or exit 2 with what is wrong."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: STOP_REQUESTED.set())
    config = read_config(args.config)
    device = config.device(args.device)
    if device is None or device.role != role:
        print(f"lobby {args.command}: {args.device!r} is not a {role} device in {args.config}",
              file=sys.stderr)
        raise SystemExit(2)
    return config, device


def require_screen_packages(command: str, extra: str) -> None:
    """A machine installed without this app's extra (a hub machine) has no Kivy: say how to
    install it instead of failing on an import deep inside the app."""
    if importlib.util.find_spec("kivy") is None:
        print(f"lobby {command}: this machine has no Kivy; install the app with "
              f"pip install 'lobby-queue[{extra}]'", file=sys.stderr)
        raise SystemExit(2)
