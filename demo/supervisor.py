"""`lobby demo`: a whole lobby on one machine, with no network — as in the mobile sessions
centres run in villages. A private broker, the hub on a local SQLite file, and each installed
app as a process of its own (as the devices of a real lobby are)."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from devicekit.window import windowed_size
from lobby.broker.embedded import BrokerStartError, revive, start_embedded
from lobby.cli import DEFAULT_CONFIG, available_commands, read_config
from lobby.config.loader import PUBLIC_URL_ENV
from lobby.config.models import Device, LobbyConfig

log = logging.getLogger("demo")

# The app commands a demo starts when installed, and the device role each runs as.
APPS = (("kiosk", "kiosk"), ("board", "board"), ("counter", "counter"), ("rating", "rating"))


def has_screen() -> bool:
    """A window can open: an X or Wayland display, or SDL told where to draw."""
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"))


GAP = 12  # pixels between the demo's windows


def app_commands(config: LobbyConfig, config_path: str, var: Path) -> list[list[str]]:
    installed = available_commands()
    if importlib.util.find_spec("kivy") is None:
        return []  # installed without the screens' extras (a hub machine)
    devices = {role: next((d for d in config.devices if d.role == role), None)
               for _command, role in APPS}
    commands = []
    for (command, role), at in zip(APPS, _positions(devices), strict=True):
        device = devices[role]
        if command in installed and device is not None:
            # Windowed and placed side by side, so that all of them show on one screen.
            commands.append([command, "--config", config_path, "--device", device.id,
                             "--windowed", "--window-at", f"{at[0]},{at[1]}",
                             "--var", str(var)])
    return commands


# The demo configuration's console password, written beside its hash there. Another
# configuration has only hashes: the demo can then say only whom to sign in as.
DEMO_CONSOLE_PASSWORD = "bennghe-2026"


def _web_command(role: str, configured: bool, config: LobbyConfig,
                 args: argparse.Namespace, address: str, *extra: str) -> list[str] | None:
    """A web wing (`console`, `public`: the command is named as its device's role), when it
    is installed, its section is in the configuration and a device of its role is too."""
    if role not in available_commands() or importlib.util.find_spec("starlette") is None:
        return None
    if not configured or not any(d.role == role for d in config.devices):
        return None
    return [role, "--config", args.config, "--broker", address, *extra]


def lan_address() -> str | None:
    """This machine's address on its network (the route a packet out would take; nothing is
    sent), for phones on the same Wi-Fi; None without a network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            found: str = probe.getsockname()[0]
        except OSError:
            return None
    return None if found.startswith("127.") else found


def public_url_for_phones(config: LobbyConfig) -> str | None:
    """The ticket page's address on this machine's LAN, when it listens on every interface
    (the demo's setting): what the QR codes then carry, so that a phone on the same Wi-Fi
    opens it. None keeps the configuration's address."""
    if config.public is None:
        return None
    host, _, port = config.public.listen.rpartition(":")
    lan = lan_address() if host in ("0.0.0.0", "::") else None
    return f"http://{lan}:{port}" if lan else None


def _positions(devices: dict[str, Device | None]) -> list[tuple[int, int]]:
    """The kiosk at the left, the board right of it, the terminal under the board and the
    rating pad (its counter's citizen side) right of the terminal."""
    sizes = {role: windowed_size(d) if d else (0, 0) for role, d in devices.items()}
    right = sizes["kiosk"][0] + GAP
    below = sizes["board"][1] + GAP
    return [(0, 0), (right, 0), (right, below), (right + sizes["counter"][0] + GAP, below)]


def run_demo(args: argparse.Namespace) -> int:
    config = read_config(args.config)
    var = Path(args.var)  # made by the broker, once it has the port (a refused demo makes none)
    port = config.broker.port
    try:
        broker = start_embedded(var / "broker", port)
    except BrokerStartError as exc:
        print(f"lobby demo: {exc} (is another demo running on port {port}?)", file=sys.stderr)
        return 1
    print(f"lobby demo: {broker.kind} broker on {broker.host}:{broker.port}, data under {var}/")
    lobby = [sys.executable, "-m", "lobby.cli", "--log-level", args.log_level]
    address = f"{broker.host}:{broker.port}"
    phones_url = public_url_for_phones(config)
    # Every program reads it (the kiosk prints it in the QR codes, the hub publishes it).
    shared_env = {PUBLIC_URL_ENV: phones_url} if phones_url else {}
    processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, command: list[str], window: bool = False) -> None:
        env = {**os.environ, **shared_env}
        if window:
            # Kivy keeps its settings and logs in ~/.kivy unless told: under --var with the
            # rest, a folder per app (apps starting at once in one folder race to create its
            # files: seen as a FileExistsError from Kivy's logger); Kivy makes only the last
            # level of it.
            kivy_home = (var / "kivy" / name).resolve()
            kivy_home.mkdir(parents=True, exist_ok=True)
            env["KIVY_HOME"] = str(kivy_home)
        # Sessions of their own: Ctrl-C reaches only the demo, which then stops the apps,
        # the hub and the broker in that order.
        processes[name] = subprocess.Popen(lobby + command, start_new_session=True, env=env)

    start("hub", ["hub", "--config", args.config, "--broker", address, "--db",
                  str(var / "demo.sqlite")])
    apps = app_commands(config, args.config, var)
    if apps and not has_screen():
        print("lobby demo: no screen here (no DISPLAY): the kiosk and board windows are not "
              "opened; set SDL_VIDEODRIVER=offscreen to run them invisibly")
        apps = []
    for command in apps:
        start(command[0], [*command, "--broker", address], window=True)
    store = ["--db", str(var / "demo.sqlite")]
    console = _web_command("console", config.console is not None, config, args, address,
                           *store, "--var", str(var))
    if console is not None:
        start("console", console)
    public = _web_command("public", config.public is not None, config, args, address, *store)
    if public is not None:
        start("public", public)
    has_kiosk = any(c[0] == "kiosk" for c in apps)
    if args.simulate == "yes" or (args.simulate == "auto" and not has_kiosk):
        reason = "--simulate yes" if args.simulate == "yes" else "no kiosk window is open"
        print(f"lobby demo: {reason}, so a simulated day drives the lobby "
              "(--simulate no to stop that)")
        start("simulate", ["simulate", "--config", args.config, "--broker", address])
    if console is not None and config.console is not None:
        users = ", ".join(f"{u.name} ({u.role})" for u in config.console.users)
        password = (f", password {DEMO_CONSOLE_PASSWORD}"
                    if Path(args.config).resolve() == Path(DEFAULT_CONFIG).resolve() else "")
        print(f"lobby demo: the centre's console is at http://{config.console.listen}/ — sign "
              f"in as {users}{password}")
    if public is not None and config.public is not None:
        print(f"lobby demo: each ticket's QR code opens its live page at "
              f"{phones_url or config.public.url}/t/… (a phone on this Wi-Fi can open it)")
    print(f"lobby demo: running {', '.join(processes)}; watch it with\n"
          f"  mosquitto_sub -p {broker.port} -v -t 'lobby/{config.site.id}/#'\n"
          f"Ctrl-C stops everything.")

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    exit_code = 0
    while not stop.wait(0.5):
        try:
            broker = revive(broker, var / "broker")
        except BrokerStartError as exc:
            print(f"lobby demo: the broker stopped and did not start again: {exc}",
                  file=sys.stderr)
            exit_code = 1
            break
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"lobby demo: {name} stopped (exit {process.returncode}); stopping the "
                      f"others", file=sys.stderr)
                exit_code = process.returncode or 1
                stop.set()
                break
    # Devices first, then the hub (which publishes `offline`), then the broker.
    for name in [n for n in processes if n != "hub"] + ["hub"]:
        process = processes[name]
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    broker.stop()
    return exit_code
