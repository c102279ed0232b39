"""What every configuration model shares: strictness (an unknown key is an error with its
line) and the value types used across sections."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Prefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,3}$")]
Names = dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")], str]
# An ALSA PCM as `aplay -D` takes it: default, hdmi:CARD=PCH,DEV=0, plughw:1,0, null (silent).
AlsaDevice = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_:,=./-]{1,120}$")]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
