"""How a device app is started from the `lobby` command: its arguments, who it is and where
its broker is (provisioning.py), the configuration to start from (configuration.py), a
waiting screen when it has none yet, and a clear message (exit 2) when something is wrong."""

from __future__ import annotations

import argparse
import importlib.util
import signal
import sys
from pathlib import Path
from typing import NoReturn

from devicekit.configuration import ConfigFollower, Configuration
from devicekit.provisioning import (
    DeviceIdentity,
    ProvisioningError,
    read_credentials,
    resolve,
)
from devicekit.stopping import STOP_REQUESTED
from devicekit.window import open_waiting_window
from lobby.cli import add_broker_argument, read_config
from lobby.contract import messages as m


def add_device_arguments(parser: argparse.ArgumentParser, var_help: str) -> None:
    """What every device app (kiosk, board, counter terminal) is started with."""
    parser.add_argument("--device", help="the device's id in the centre's configuration "
                        "(default: the credentials file's)")
    parser.add_argument("--credentials", metavar="FILE", help="the file `lobby broker-config` "
                        "wrote for this device: its centre, id, broker and password")
    parser.add_argument("--site", help="the centre's site id (default: the credentials "
                        "file's, or the one the device kept)")
    add_broker_argument(parser)
    parser.add_argument("--config", metavar="FILE", help="start from this configuration file "
                        "(the demo, development); a device otherwise learns its "
                        "configuration from the hub")
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




def configuration_for(args: argparse.Namespace,
                      role: m.DeviceRole) -> tuple[DeviceIdentity, Configuration]:
    """Who this device is and the configuration it starts on; a device that has none yet
    shows the waiting screen until the hub's arrives, then starts again with it (this call
    does not return then). Exit 2 with what is wrong."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: STOP_REQUESTED.set())
    from_file = None
    if args.config:
        config = read_config(args.config)
        device_id = args.device or _credentials_device(args)
        device = config.device(device_id) if device_id else None
        if device is None or device.role != role:
            _fail(args, f"{device_id!r} is not a {role} device in {args.config}")
        from_file = Configuration(config, device, None, "file")
    try:
        identity, start = resolve(args, role, from_file)
    except ProvisioningError as exc:
        _fail(args, str(exc))
    if start is None:
        open_waiting_window(role, args.windowed, args.window_at)
        from devicekit.waiting_app import wait_for_configuration  # Kivy, after the settings

        wait_for_configuration(identity, role, Path(args.var))
        raise SystemExit(0)  # stopped while waiting
    return identity, start


def follower_for(args: argparse.Namespace, start: Configuration) -> ConfigFollower:
    role: m.DeviceRole = start.device.role
    return ConfigFollower(start.device.id, role, Path(args.var), start)


def _credentials_device(args: argparse.Namespace) -> str | None:
    if not args.credentials:
        return None
    try:
        return read_credentials(args.credentials).get("LOBBY_DEVICE")
    except ProvisioningError as exc:
        _fail(args, str(exc))


def _fail(args: argparse.Namespace, message: str) -> NoReturn:
    print(f"lobby {args.command}: {message}", file=sys.stderr)
    raise SystemExit(2)


def require_screen_packages(command: str, extra: str) -> None:
    """A machine installed without this app's extra (a hub machine) has no Kivy: say how to
    install it instead of failing on an import deep inside the app."""
    if importlib.util.find_spec("kivy") is None:
        print(f"lobby {command}: this machine has no Kivy; install the app with "
              f"pip install 'lobby-queue[{extra}]'", file=sys.stderr)
        raise SystemExit(2)
