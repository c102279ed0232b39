"""The configuration models. Every model forbids unknown keys, so a typo is an error with its
line number rather than a setting silently ignored."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Prefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,3}$")]
Names = dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")], str]
# An ALSA PCM as `aplay -D` takes it: default, hdmi:CARD=PCH,DEV=0, plughw:1,0, null (silent).
AlsaDevice = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_:,=./-]{1,120}$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Site(Model):
    id: Identifier
    name: Names
    timezone: str = "Asia/Ho_Chi_Minh"
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]] = ["vi", "en"]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Numbering(Model):
    start: int = Field(default=1, ge=0)
    width: int = Field(default=3, ge=1, le=6)
    wrap_at: int | None = Field(default=None, ge=1, description="highest number before 'start'")
    daily_quota: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> Numbering:
        top = self.highest
        if top > 10**self.width - 1:
            raise ValueError(f"wrap_at {top} does not fit in width {self.width}")
        if top < self.start:
            raise ValueError(f"wrap_at {top} is below start {self.start}")
        return self

    @property
    def highest(self) -> int:
        return self.wrap_at if self.wrap_at is not None else 10**self.width - 1


class OpeningHours(Model):
    days: list[Weekday] = list(WEEKDAYS[:5])
    open: dt.time
    close: dt.time

    @model_validator(mode="after")
    def _ordered(self) -> OpeningHours:
        if self.close <= self.open:
            raise ValueError("close must be after open")
        return self


class Service(Model):
    id: Prefix = Field(description="the prefix letter(s) of its numbers")
    names: Names
    numbering: Numbering = Numbering()
    hours: list[OpeningHours] = Field(default_factory=list, description="empty: always open")
    default_service_minutes: float = Field(default=5.0, gt=0, le=240)
    icon: str | None = None


class Counter(Model):
    id: Identifier
    number: int = Field(ge=1, le=999, description="announced: 'quầy số <number>'")
    services: list[Prefix] = Field(min_length=1, description="in the order the counter serves")
    closed: bool = Field(default=False, description="closed by the centre (staff away, "
                         "works): it takes no calls, finishes a ticket it serves, and "
                         "estimates leave it out")


class PriorityClass(Model):
    id: Identifier
    names: Names
    max_wait_minutes: float = Field(default=20, gt=0)


class Priority(Model):
    classes: list[PriorityClass] = Field(default_factory=list)
    # Up to `priority_in_a_row` priority tickets are called before an ordinary ticket gets its
    # turn, so ordinary citizens are never starved.
    priority_in_a_row: int = Field(default=2, ge=1)


class Printer(Model):
    """The kiosk's ticket printer (python-escpos)."""

    connection: Literal["file", "serial", "network", "usb"] = "file"
    path: str = Field(default="tickets", description="file: the folder for .bin and .png; "
                      "a relative one lies under the kiosk's --var folder")
    port: str | None = Field(default=None, description="serial: the device, e.g. /dev/ttyUSB0")
    baudrate: int = Field(default=9600, ge=1200, le=921600)
    host: str | None = Field(default=None, description="network: the printer's address")
    tcp_port: int = Field(default=9100, ge=1, le=65535)
    usb_vendor: int | None = None
    usb_product: int | None = None
    profile: str = Field(default="TM-T20II", description="a python-escpos printer profile")
    # auto: Vietnamese in the printer's own CP1258 code page when the profile has one and is
    # a real model, else as a raster image (always works).
    text_mode: Literal["auto", "raster", "native"] = "auto"
    paper_width_px: int | None = Field(default=None, ge=200, le=1000)
    status_timeout_seconds: float = Field(default=0.4, gt=0, le=5)

    @model_validator(mode="after")
    def _connection_settings(self) -> Printer:
        needed = {"serial": ("port",), "network": ("host",), "usb": ("usb_vendor", "usb_product")}
        missing = [k for k in needed.get(self.connection, ()) if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.connection} printer needs {', '.join(missing)}")
        return self


class Kiosk(Model):
    printer: Printer = Printer()
    voice: bool = True
    voices: dict[str, str] = Field(default_factory=lambda: {"vi": "vi", "en": "en"},
                                   description="language -> espeak-ng voice")
    audio_device: AlsaDevice = "default"
    result_seconds: float = Field(default=12, ge=3, le=120)
    idle_reset_seconds: float = Field(
        default=30, ge=5, le=600,
        description="untouched this long, the kiosk returns to the first language, no priority")
    orientation: Literal["portrait", "landscape"] = "portrait"
    fullscreen: bool = True
    screen_dpi: float = Field(default=96, ge=50, le=600)
    qr_url: str = Field(default="https://dichvucong.example.gov.vn/ticket/{site}/{ticket_id}"
                        "?number={number}", description="placeholders: site, ticket_id, number")
    footer: Names = Field(default_factory=dict)

    @field_validator("qr_url")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        try:
            value.format(site="s", ticket_id=1, number="A001")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"qr_url may use only {{site}}, {{ticket_id}}, {{number}}: {exc}")\
                from None
        return value


class Board(Model):
    """A ceiling board and its announcer."""

    zone_counters: list[Identifier] = Field(default_factory=list,
                                            description="only these counters; empty: all")
    zone_services: list[Prefix] = Field(default_factory=list,
                                        description="only these services; empty: all")
    calls_shown: int = Field(default=8, ge=1, le=20)
    # No longer used: every serving counter has its row (up to 16). Still accepted, so that
    # configurations written for 0.1 keep loading.
    current_calls: int = Field(default=3, ge=1, le=6, description="not used any more")
    flash_seconds: float = Field(default=6, ge=0, le=60)
    orientation: Literal["landscape", "portrait"] = "landscape"
    fullscreen: bool = True
    voice: bool = True
    languages: list[str] = Field(default_factory=lambda: ["vi", "en"],
                                 description="spoken, in this order, after the chime")
    voices: dict[str, str] = Field(default_factory=lambda: {"vi": "vi", "en": "en"})
    audio_device: AlsaDevice = "default"
    rate: int = Field(default=160, ge=80, le=300, description="words per minute")
    voice_pack: str | None = Field(
        default=None, description="a folder of recorded parts (lobby voice-pack check)")
    repeat: int = Field(default=1, ge=1, le=3, description="times each call is said")
    missed_window_seconds: float = Field(
        default=120, ge=0, description="after a reconnect, say missed calls this recent")


class Terminal(Model):
    """A counter terminal screen."""

    fullscreen: bool = False


class Device(Model):
    id: Identifier
    role: Literal["kiosk", "board", "counter"]
    counters: list[Identifier] = Field(default_factory=list)
    kiosk: Kiosk | None = None
    board: Board | None = None
    terminal: Terminal | None = None

    @model_validator(mode="after")
    def _settings_fit_the_role(self) -> Device:
        if self.role == "counter" and not self.counters:
            raise ValueError("a counter device must list the counters it acts for")
        if self.role != "counter" and self.counters:
            raise ValueError(f"a {self.role} device does not act for counters")
        for role, settings in (("kiosk", self.kiosk), ("board", self.board),
                               ("counter", self.terminal)):
            if self.role != role and settings is not None:
                raise ValueError(f"a {self.role} device takes no {role} settings")
        return self

    @property
    def kiosk_settings(self) -> Kiosk:
        return self.kiosk or Kiosk()

    @property
    def board_settings(self) -> Board:
        return self.board or Board()

    @property
    def terminal_settings(self) -> Terminal:
        return self.terminal or Terminal()


class SerialBus(Model):
    port: str = Field(description="a device path or a pyserial URL (loop://, socket://, rfc2217://)")
    baudrate: int = Field(default=9600, ge=300, le=921600)
    keypads: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,8}$")], Identifier] = (
        Field(description="keypad address -> counter id")
    )


class Tls(Model):
    ca_file: str | None = None
    insecure: bool = False


class Broker(Model):
    mode: Literal["embedded", "external"] = "embedded"
    host: str = "127.0.0.1"
    port: int = Field(default=1883, ge=1, le=65535)
    tls: Tls | None = None
    username: str | None = None
    password_file: str | None = None


class HubSettings(Model):
    db: str = "var/lobby.sqlite"
    heartbeat_seconds: float = Field(default=10, gt=0)
    stale_after_seconds: float = Field(default=35, gt=0)
    board_calls: int = Field(default=10, ge=1, le=100)
    transactions_kept_days: int = Field(default=7, ge=1)


class LobbyConfig(Model):
    site: Site
    services: list[Service] = Field(min_length=1)
    counters: list[Counter] = Field(min_length=1)
    devices: list[Device] = Field(default_factory=list)
    priority: Priority = Priority()
    recall_limit: int = Field(default=3, ge=0, le=20)
    serial: SerialBus | None = None
    broker: Broker = Broker()
    hub: HubSettings = HubSettings()

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> LobbyConfig:
        # The loader asks to skip this and reports each problem at its own key and line.
        if not (info.context or {}).get("defer_references"):
            problems = reference_problems(self)
            if problems:
                raise ValueError("; ".join(message for _, message in problems))
        return self

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def counter(self, counter_id: str) -> Counter | None:
        return next((c for c in self.counters if c.id == counter_id), None)

    def counters_serving(self, service_id: str) -> list[Counter]:
        """The counters that serve `service_id` and are not closed by the centre."""
        return [c for c in self.counters if service_id in c.services and not c.closed]

    def device(self, device_id: str) -> Device | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def priority_class(self, class_id: str) -> PriorityClass | None:
        return next((p for p in self.priority.classes if p.id == class_id), None)


Path = tuple[str | int, ...]


def reference_problems(config: LobbyConfig) -> list[tuple[Path, str]]:
    """Cross-references the models cannot check one by one: unique ids, known services,
    counters and names in every site language. Each problem comes with its key path."""
    problems: list[tuple[Path, str]] = []
    groups: list[tuple[str, Path, list[str]]] = [
        ("service", ("services",), [s.id for s in config.services]),
        ("counter", ("counters",), [c.id for c in config.counters]),
        ("device", ("devices",), [d.id for d in config.devices]),
        ("priority class", ("priority", "classes"), [p.id for p in config.priority.classes]),
    ]
    for kind, base, ids in groups:
        seen: set[str] = set()
        for index, item_id in enumerate(ids):
            if item_id in seen:
                problems.append(((*base, index, "id"), f"duplicate {kind} id {item_id!r}"))
            seen.add(item_id)
    services = {s.id for s in config.services}
    counters = {c.id for c in config.counters}
    for ci, counter in enumerate(config.counters):
        for si, service_id in enumerate(counter.services):
            if service_id not in services:
                problems.append(
                    (("counters", ci, "services", si), f"unknown service {service_id!r}")
                )
    for di, device in enumerate(config.devices):
        for ki, counter_id in enumerate(device.counters):
            if counter_id not in counters:
                problems.append(
                    (("devices", di, "counters", ki), f"unknown counter {counter_id!r}")
                )
        if device.board is not None:  # a zone of unknown ids would leave the board blank
            for zi, counter_id in enumerate(device.board.zone_counters):
                if counter_id not in counters:
                    problems.append((("devices", di, "board", "zone_counters", zi),
                                     f"unknown counter {counter_id!r}"))
            for zi, service_id in enumerate(device.board.zone_services):
                if service_id not in services:
                    problems.append((("devices", di, "board", "zone_services", zi),
                                     f"unknown service {service_id!r}"))
    if config.serial:
        for address, counter_id in config.serial.keypads.items():
            if counter_id not in counters:
                problems.append(
                    (("serial", "keypads", address), f"unknown counter {counter_id!r}")
                )
    for si, service in enumerate(config.services):
        for lang in config.site.languages:
            if lang not in service.names:
                problems.append((("services", si, "names"), f"no name in {lang!r}"))
    return problems
