"""The console under test: the small centre with a console device and three users (one per
role), a real hub on a real broker, and the console's app served by uvicorn on a free
loopback port, in this process (a thread), so a test can also look at its state."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from console.app import ConsoleServices
from console.auth import Users
from console.day_cache import DayCache
from console.link import LobbyLink
from console.store import StoreReader
from console.web import create_app
from hub.console_user_cli import password_hasher
from lobby.bus import BrokerAddress
from lobby.config import load_config
from lobby.config.models import LobbyConfig
from lobby.config.watched import CentreConfig
from tests.helpers import SMALL_YAML, RunningHub, free_port
from tests.web_helpers import RunningWing

PASSWORDS = {"giamdoc": "mật-khẩu-giám-đốc", "giamsat": "mat-khau-giam-sat",
             "xem": "chi-xem-thoi-nhe"}
CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by scripts/bootstrap.sh
ROLES = {"giamdoc": "admin", "giamsat": "supervisor", "xem": "viewer"}


@cache
def _hashes() -> dict[str, str]:
    hasher = password_hasher()
    return {name: hasher.hash(password) for name, password in PASSWORDS.items()}


def console_yaml() -> str:
    users = "\n".join(f'    - {{name: {name}, role: {ROLES[name]}, password_hash: "{h}"}}'
                      for name, h in _hashes().items())
    text = SMALL_YAML.replace("devices:\n", "devices:\n  - {id: console-1, role: console}\n")
    text = text.replace("    names: {vi: \"Hộ tịch\", en: \"Civil status\"}\n",
                        "    names: {vi: \"Hộ tịch\", en: \"Civil status\"}\n"
                        "    target_wait_minutes: 15\n", 1)
    return text + f"console:\n  users:\n{users}\n"


def console_config_file(folder: Path, devices: str = "") -> tuple[LobbyConfig, Path]:
    """The console's test centre as a file (under a site id of its own); `devices`: more
    device lines."""
    config_file = folder / "lobby.yaml"
    text = console_yaml().replace("id: test-site", f"id: t-{uuid.uuid4().hex[:10]}")
    config_file.write_text(text.replace("devices:\n", "devices:\n" + devices),
                           encoding="utf-8")
    return load_config(config_file), config_file


class RunningConsole(RunningWing):
    """The console app on a free port; `url` is its address."""

    def __init__(self, config: LobbyConfig, config_file: Path, db: Path,
                 broker: BrokerAddress | None) -> None:
        centre = CentreConfig(config_file)
        # No broker: the reports and the lookup only (they read the store).
        link = LobbyLink(config, "console-1", broker) if broker else None
        self.services = ConsoleServices(
            centre=centre, users=Users(centre), store=StoreReader(db), link=link,
            days=DayCache(config_file.parent / "console-days.sqlite", db),
            reports_dir=config_file.parent / "reports")
        super().__init__(create_app(self.services, secret="test-secret-" + config.site.id),
                         free_port(), "console", link, self.services.store)
        self.link: LobbyLink | None = link


@contextmanager
def console_lobby(folder: Path, broker: BrokerAddress,
                  devices: str = "") -> Iterator[tuple[RunningHub, RunningConsole]]:
    """A hub and its console on `broker`, the store and config file in `folder`."""
    config, config_file = console_config_file(folder, devices)
    db = folder / "hub.sqlite"
    hub = RunningHub(config, db, broker)
    console = RunningConsole(config, config_file, db, broker)
    try:
        yield hub, console
    finally:
        console.stop()
        hub.stop()


# As bench/common.py's: without the background-networking flags it keeps trying Google.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Page, url: str, name: str, lang: str = "en") -> None:
    """Signs `name` in, the pages in `lang` (English by default: the tests read its words)."""
    page.goto(f"{url}/login")
    page.goto(f"{url}/lang/{lang}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
