"""Staff on duty and the citizens' satisfaction scale.

A staff member's PIN is kept only as an Argon2 hash (`lobby staff-pin` makes one); the hub
checks it, and neither the hash nor the keypad code ever leaves the hub (`state/config`
carries names only)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from lobby.config.base import Colour, Identifier, Model, Names

PinHash = Annotated[str, StringConstraints(pattern=r"^\$argon2id\$v=19\$\S+$")]
KeypadCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}$")]


class Staff(Model):
    id: Identifier
    name: str = Field(min_length=1, max_length=80, description="full name, as shown")
    # Required in the file (the loader says so); absent from what devices receive.
    pin_hash: PinHash | None = Field(default=None,
                                     description="from `lobby staff-pin`; never the PIN itself")
    keypad_code: KeypadCode | None = Field(
        default=None, description="the number typed before the PIN on a counter keypad")


class RatingLevel(Model):
    id: Identifier
    names: Names
    colour: Colour = Field(description="the button's colour; white text on it must be "
                           "readable (contrast at least 4.5:1)")
    score: int = Field(ge=0, le=100)

    @field_validator("colour")
    @classmethod
    def _readable_under_white_text(cls, value: str) -> str:
        ratio = contrast_with_white(value)
        if ratio < 4.5:
            raise ValueError(f"white text on {value} has a contrast of {ratio:.1f}:1; "
                             "choose a darker colour (at least 4.5:1)")
        return value


def contrast_with_white(colour: str) -> float:
    """WCAG 2's contrast ratio of white text on `colour` (#RRGGBB)."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


class RatingReason(Model):
    id: Identifier
    names: Names


# Vietnamese one-stop counters' usual four, best first; colours with white text >= 4.5:1.
DEFAULT_LEVELS = (
    RatingLevel(id="very_satisfied", names={"vi": "Rất hài lòng", "en": "Very satisfied"},
                colour="#1E6B3A", score=4),
    RatingLevel(id="satisfied", names={"vi": "Hài lòng", "en": "Satisfied"},
                colour="#1D5FA8", score=3),
    RatingLevel(id="neutral", names={"vi": "Bình thường", "en": "Neither"},
                colour="#6B5B00", score=2),
    RatingLevel(id="dissatisfied", names={"vi": "Không hài lòng", "en": "Dissatisfied"},
                colour="#B3261E", score=1),
)
DEFAULT_REASONS = (
    RatingReason(id="waited_long", names={"vi": "Chờ quá lâu", "en": "Waited too long"}),
    RatingReason(id="attitude", names={"vi": "Thái độ phục vụ", "en": "Attitude"}),
    RatingReason(id="unclear", names={"vi": "Hướng dẫn không rõ", "en": "Unclear guidance"}),
    RatingReason(id="not_solved", names={"vi": "Chưa giải quyết được việc",
                                         "en": "Problem not solved"}),
    RatingReason(id="other", names={"vi": "Lý do khác", "en": "Other"}),
)


class Ratings(Model):
    """The satisfaction scale, asked after each service (the rating pad, the keypad's RATE)."""

    levels: list[RatingLevel] = Field(default_factory=lambda: list(DEFAULT_LEVELS),
                                      min_length=2, max_length=6,
                                      description="best first")
    reasons: list[RatingReason] = Field(default_factory=lambda: list(DEFAULT_REASONS),
                                        max_length=8,
                                        description="asked after the lowest level")
    rating_window_seconds: float = Field(default=120, ge=10, le=3600,
                                         description="after a ticket ends, how long it may "
                                         "be rated")
    # The citizen who has walked away from the counter rates from the phone later: on the
    # bus, in the car. The pad's window is for the next citizen's sake; the phone's is not.
    phone_rating_window_seconds: float = Field(
        default=1800, ge=10, le=43200,
        description="after a ticket ends, how long it may be rated from the ticket's page "
        "on the citizen's phone")

    @model_validator(mode="after")
    def _unique_ids(self) -> Ratings:
        for kind, ids in (("level", [x.id for x in self.levels]),
                          ("reason", [x.id for x in self.reasons])):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {kind} id")
        return self

    def window_seconds(self, by_phone: bool) -> float:
        """How long after its end a ticket may be rated: from the phone, or at the counter."""
        return self.phone_rating_window_seconds if by_phone else self.rating_window_seconds

    def level(self, level_id: str) -> RatingLevel | None:
        return next((x for x in self.levels if x.id == level_id), None)

    def reason(self, reason_id: str) -> RatingReason | None:
        return next((x for x in self.reasons if x.id == reason_id), None)

    @property
    def lowest(self) -> RatingLevel:
        return self.levels[-1]


PasswordHash = Annotated[str, StringConstraints(pattern=r"^\$argon2id\$v=19\$\S+$")]
UserName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9._-]{1,32}$")]


class ConsoleUser(Model):
    name: UserName
    role: Literal["viewer", "supervisor", "admin"] = Field(
        description="viewer: sees; supervisor: also acts on the queue; admin: also settings")
    password_hash: PasswordHash = Field(description="from `lobby console-user`")


class Console(Model):
    """The centre's web console (issue #12): where it listens and who may sign in. Never
    published to devices."""

    listen: Annotated[str, StringConstraints(pattern=r"^[^\s:]+:[0-9]{1,5}$")] = Field(
        default="127.0.0.1:8080", description="HOST:PORT")
    users: list[ConsoleUser] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> Console:
        names = [u.name for u in self.users]
        if len(set(names)) != len(names):
            raise ValueError("two console users have one name")
        return self
