"""One pydantic model per payload of the wire contract.

Requests are strict (`extra="forbid"`): a device that sends a field the hub does not know gets
`bad_request` rather than a silently ignored argument. Messages the hub publishes ignore
unknown fields when read, so a newer hub can add a field without breaking older devices.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Identifiers travel inside topic levels, so they may not hold "/", "+" or "#".
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
TransactionId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
TicketNumber = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,3}[0-9]{1,6}$")]
Names = dict[LanguageCode, str]

CounterStatusName = Literal["open", "paused", "closed"]
TicketStateName = Literal["waiting", "called", "done", "no_show"]
PaperState = Literal["ok", "near_end", "out", "unknown"]
DeviceRole = Literal["kiosk", "board", "counter", "simulator"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --- requests (device -> hub) ---------------------------------------------------------------


class Request(Strict):
    transaction: TransactionId


class IssueRequest(Request):
    service: Identifier
    priority: Identifier | None = None
    language: LanguageCode | None = None
    # Added in 0.2 (additive): only return the reply already given to this transaction, and
    # issue nothing new. A kiosk that never got its answer asks so, later, to learn whether
    # a ticket exists that nobody holds.
    replay_only: bool = False


class PrintFailedRequest(Request):
    ticket_id: int = Field(ge=1)
    reason: str = Field(default="", max_length=200)


class CounterRequest(Request):
    """Every counter action names the counter it acts for; the hub checks it is the device's."""

    counter: Identifier


class CallNextRequest(CounterRequest):
    pass


class RecallRequest(CounterRequest):
    pass


class CallRequest(CounterRequest):
    number: TicketNumber


class DoneRequest(CounterRequest):
    pass


class NoShowRequest(CounterRequest):
    pass


class TransferRequest(CounterRequest):
    service: Identifier


class PauseRequest(CounterRequest):
    pass


class ResumeRequest(CounterRequest):
    pass


# --- replies (hub -> device) ----------------------------------------------------------------


ErrorCode = Literal[
    "bad_request",
    "unknown_action",
    "unknown_device",
    "unknown_service",
    "unknown_counter",
    "unknown_ticket",
    "unknown_priority",
    "not_allowed",
    "closed",
    "quota_reached",
    "queue_empty",
    "no_current_ticket",
    "internal",
]


class ReplyError(Lenient):
    code: ErrorCode
    message: str


class Reply(Lenient):
    transaction: str | None
    action: str
    ok: bool
    data: dict[str, Any] | None = None
    error: ReplyError | None = None


class TicketView(Lenient):
    """A ticket as devices see it; `ahead` and `estimate_minutes` are filled when issued."""

    id: int
    number: str
    service: str
    state: TicketStateName
    priority: str | None = None
    issued_at: str
    called_at: str | None = None
    counter: str | None = None
    recalls: int = 0
    printed: bool = True
    ahead: int | None = None
    estimate_minutes: int | None = None


class CounterView(Lenient):
    counter: str
    number: int
    status: CounterStatusName
    services: list[str]
    ticket: TicketView | None = None
    at: str


# --- retained state and events (hub -> everyone) -------------------------------------------


class HubState(Lenient):
    state: Literal["online", "offline"]
    version: str
    since: str


class ServiceQueue(Lenient):
    id: str
    names: dict[str, str]
    open: bool
    waiting: int
    waiting_priority: int
    estimate_minutes: int | None
    last_called: str | None = None
    # Added in 0.2 (additive): the daily quota is used up; the kiosk disables the service.
    quota_reached: bool = False


class QueuesState(Lenient):
    seq: int
    services: list[ServiceQueue]
    at: str


class BoardCall(Lenient):
    seq: int
    number: str
    counter: str
    counter_number: int
    service: str
    recall: bool
    at: str


class BoardState(Lenient):
    seq: int
    calls: list[BoardCall]
    at: str


class CalledEvent(BoardCall):
    """The same record as a board line, sent once as an event for the announcer."""


class PrinterStatus(Lenient):
    paper: PaperState
    online: bool | None


class DeviceStatus(Lenient):
    state: Literal["online", "offline", "stale"]
    role: DeviceRole
    at: str
    version: str | None = None
    printer: PrinterStatus | None = None
    detail: str | None = None


def dump(message: BaseModel) -> bytes:
    """The one JSON encoding of the contract: UTF-8, no None fields left out (explicit nulls)."""
    return message.model_dump_json().encode("utf-8")
