"""The configuration models. Every model forbids unknown keys, so a typo is an error with its
line number rather than a setting silently ignored."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from lobby.config.base import WEEKDAYS, Identifier, Model, Names, Prefix, Weekday
from lobby.config.devices import Board, Device, Kiosk, Printer, RatingPad, Terminal
from lobby.config.people import Console, Ratings, Staff

__all__ = ["Board", "Counter", "Device", "Kiosk", "LobbyConfig", "Printer", "RatingPad",
           "Ratings", "Service", "Site", "Staff", "Terminal"]


class Site(Model):
    id: Identifier
    name: Names
    timezone: str = "Asia/Ho_Chi_Minh"
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]] = Field(
        default_factory=lambda: ["vi", "en"])

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
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
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
    target_wait_minutes: float | None = Field(
        default=None, gt=0, le=480,
        description="the wait the centre aims to call within: the share of waits within it "
        "is a figure of its own (docs/metrics.md)")
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


class PublicPage(Model):
    """The citizens' page behind each ticket's QR code (issue #13): `lobby public`, a process
    of its own, apart from the staff console, so that exposing it never exposes the console."""

    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/?#]+(/[^\s?#]*[^\s?#/])?$")] \
        = Field(description="the address citizens' phones reach the public page at, without "
                "a trailing slash: a ticket's QR code is {url}/t/{token}")
    listen: Annotated[str, StringConstraints(pattern=r"^[^\s:]+:[0-9]{1,5}$")] = Field(
        default="127.0.0.1:8090", description="HOST:PORT (0.0.0.0:8090 for phones on the "
        "centre's Wi-Fi; behind a reverse proxy, its own address)")
    # Generous per address: behind a mobile carrier's NAT many citizens share one address,
    # and one page needs about 3 requests a minute; a flood or a token hunt needs thousands.
    requests_per_minute: int = Field(
        default=600, ge=1, description="per client address: more get 429 for a while")
    streams_per_address: int = Field(
        default=200, ge=1, description="live connections open at once per client address (a "
        "café's Wi-Fi, a mobile carrier's NAT)")
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1"], description="addresses whose "
        "X-Forwarded-For is believed: the reverse proxy in front, if any")


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
    staff: list[Staff] = Field(default_factory=list, description="who may sign in at counters")
    ratings: Ratings = Ratings()
    console: Console | None = None
    public: PublicPage | None = None
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

    def staff_member(self, staff_id: str) -> Staff | None:
        return next((s for s in self.staff if s.id == staff_id), None)

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
        ("staff", ("staff",), [s.id for s in config.staff]),
    ]
    for kind, base, ids in groups:
        seen: set[str] = set()
        for index, item_id in enumerate(ids):
            if item_id in seen:
                problems.append(((*base, index, "id"), f"duplicate {kind} id {item_id!r}"))
            seen.add(item_id)
    codes: set[str] = set()
    for index, member in enumerate(config.staff):
        if member.keypad_code is not None and member.keypad_code in codes:
            problems.append((("staff", index, "keypad_code"),
                             f"keypad code {member.keypad_code!r} is someone else's too"))
        codes.add(member.keypad_code or "")
    scale: list[tuple[str, list[Names]]] = [
        ("levels", [x.names for x in config.ratings.levels]),
        ("reasons", [x.names for x in config.ratings.reasons])]
    for kind, all_names in scale:
        for index, names in enumerate(all_names):
            for lang in config.site.languages:
                if lang not in names:
                    problems.append((("ratings", kind, index, "names"), f"no name in {lang!r}"))
    services = {s.id for s in config.services}
    counters = {c.id for c in config.counters}
    for ci, counter in enumerate(config.counters):
        for si, service_id in enumerate(counter.services):
            if service_id not in services:
                problems.append(
                    (("counters", ci, "services", si), f"unknown service {service_id!r}")
                )
    faced: set[str] = set()
    for di, device in enumerate(config.devices):
        if device.role == "rating":  # two pads would race for one citizen's answer
            if device.counters and device.counters[0] in faced:
                problems.append((("devices", di, "counters"),
                                 f"counter {device.counters[0]!r} has a rating pad already"))
            faced.update(device.counters)
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
