"""A device's own settings in the configuration: the kiosk (and its printer), the board, the
counter terminal, the rating pad, and the device entry that carries them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from lobby.config.base import AlsaDevice, Identifier, Model, Names, Prefix


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


class RatingPad(Model):
    """A small tablet facing the citizen at one counter: how satisfied were you?"""

    rating_seconds: float = Field(default=30, ge=5, le=300,
                                  description="the question goes back to idle untouched")
    orientation: Literal["portrait", "landscape"] = "portrait"
    fullscreen: bool = True
    screen_dpi: float = Field(default=160, ge=50, le=600, description="a 7–10\" tablet")
    voice: bool = True
    voices: dict[str, str] = Field(default_factory=lambda: {"vi": "vi", "en": "en"})
    audio_device: AlsaDevice = "default"


class Device(Model):
    id: Identifier
    role: Literal["kiosk", "board", "counter", "rating", "console", "public"]
    counters: list[Identifier] = Field(default_factory=list)
    kiosk: Kiosk | None = None
    board: Board | None = None
    terminal: Terminal | None = None
    rating: RatingPad | None = None

    @model_validator(mode="after")
    def _settings_fit_the_role(self) -> Device:
        if self.role == "counter" and not self.counters:
            raise ValueError("a counter device must list the counters it acts for")
        if self.role == "rating" and len(self.counters) != 1:
            raise ValueError("a rating pad faces one counter: list exactly one")
        if self.role not in ("counter", "rating") and self.counters:
            raise ValueError(f"a {self.role} device does not act for counters")
        for role, settings in (("kiosk", self.kiosk), ("board", self.board),
                               ("counter", self.terminal), ("rating", self.rating)):
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

    @property
    def rating_settings(self) -> RatingPad:
        return self.rating or RatingPad()
