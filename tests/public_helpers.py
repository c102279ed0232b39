"""The citizens' public page for tests: a hub on the shared broker and `lobby public`'s app on
a free loopback port, in this process (uvicorn in a thread), so a test can look inside."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from citizen.limits import AddressLimits
from citizen.link import PublicLink
from citizen.live import LiveTickets
from citizen.pages import Pages
from citizen.store import PublicStore
from citizen.web import PublicServices, create_app
from lobby.bus import BrokerAddress
from lobby.config import load_config
from lobby.config.models import LobbyConfig
from lobby.config.watched import CentreConfig
from tests.helpers import SMALL_YAML, RunningHub, free_port
from tests.web_helpers import RunningWing

PUBLIC_DEVICES = ("  - {id: public-1, role: public}\n"
                  "  - {id: pad-1, role: rating, counters: [\"1\"]}\n")


def public_config_file(folder: Path, port: int, path: str = "", extra: str = "",
                       **public: object) -> tuple[LobbyConfig, Path]:
    """The small centre with a public page at 127.0.0.1:`port`[`path`], under a site id of
    its own; `extra`: more top-level YAML."""
    settings = ", ".join(f"{key}: {value}" for key, value in
                         {"url": f"http://127.0.0.1:{port}{path}", **public}.items())
    text = SMALL_YAML.replace("devices:\n", "devices:\n" + PUBLIC_DEVICES)
    text = text.replace("id: test-site", f"id: t-{uuid.uuid4().hex[:10]}")
    config_file = folder / "lobby.yaml"
    config_file.write_text(text + f"public: {{{settings}}}\n" + extra, encoding="utf-8")
    return load_config(config_file), config_file


class RunningPublic(RunningWing):
    def __init__(self, config: LobbyConfig, config_file: Path, db: Path,
                 broker: BrokerAddress | None, port: int) -> None:
        assert config.public is not None
        centre = CentreConfig(config_file)
        link = PublicLink(config, "public-1", broker) if broker else None
        store = PublicStore(db)
        pages = Pages()
        self.services = PublicServices(
            centre=centre, store=store, link=link,
            live=LiveTickets(centre, store, link, pages), pages=pages,
            limits=AddressLimits(config.public.requests_per_minute,
                                 config.public.streams_per_address,
                                 config.public.trusted_proxies))
        super().__init__(create_app(self.services), port, "public page", link, store)
        self.link: PublicLink | None = link


@contextmanager
def public_lobby(folder: Path, broker: BrokerAddress, path: str = "", extra: str = "",
                 **public: object) -> Iterator[tuple[RunningHub, RunningPublic]]:
    port = free_port()
    config, config_file = public_config_file(folder, port, path, extra, **public)
    db = folder / "hub.sqlite"
    hub = RunningHub(config, db, broker)
    page = RunningPublic(config, config_file, db, broker, port)
    try:
        yield hub, page
    finally:
        page.stop()
        hub.stop()
