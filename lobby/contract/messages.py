"""One pydantic model per payload of the wire contract.

Requests are strict (`extra="forbid"`): a device that sends a field the hub does not know gets
`bad_request` rather than a silently ignored argument. So that a device never sends what an
older hub would refuse, requests are encoded without the fields left at their defaults (a new
optional field costs nothing until it is used). Messages the hub publishes ignore unknown
fields when read, so a newer hub can add a field without breaking older devices.

Each request names the model of its reply's `data` (`IssueRequest(Request[TicketView])`), so
request/reply is typed end to end. Timestamps are aware datetimes; on the wire, ISO 8601 with
the site's offset.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

# The contract's major version: what may change within it is in docs/mqtt-api.md, "Versions".
CONTRACT_VERSION = 1

# Identifiers travel inside topic levels, so they may not hold "/", "+" or "#".
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
TransactionId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
TicketNumber = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,3}[0-9]{1,6}$")]
Names = dict[LanguageCode, str]
# A ticket's public address token: 16 random bytes, URL-safe base64 (22 characters).
PublicToken = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{22,64}$")]

CounterStatusName = Literal["open", "paused", "closed"]
# "cancelled" added within v1: a supervisor took a waiting ticket out of the queue.
TicketStateName = Literal["waiting", "called", "done", "no_show", "not_handed_out", "cancelled"]
PaperState = Literal["ok", "near_end", "out", "unknown"]
# Added within v1: "rating" (a rating pad at a counter, facing the citizen).
# "console" too: the centre's web console, acting for its signed-in supervisors.
# "public" too: the citizens' page behind each ticket's QR code, acting for a ticket by its token.
DeviceRole = Literal["kiosk", "board", "counter", "rating", "console", "public", "simulator"]


class Strict(BaseModel):
    """What a device sends: no unknown field, and no coercion (a boolean is a JSON boolean, an
    integer a JSON integer; `"no"`, `"0"` or `1.0` are refused, never read as something)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


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
    # Added within v1 (staff on duty, ratings):
    "unknown_staff",
    "wrong_pin",
    "locked",
    "already_rated",
    "rating_closed",
]


class ReplyError(Lenient):
    code: ErrorCode
    message: str


ReplyData = TypeVar("ReplyData")


class Reply(Lenient, Generic[ReplyData]):
    """`Reply[TicketView]` decodes `data` as a ticket; a bare `Reply` leaves it as JSON."""

    transaction: str | None
    action: str
    ok: bool
    data: ReplyData | None = None
    error: ReplyError | None = None


class TicketView(Lenient):
    """A ticket as devices see it; `ahead` and `estimate_minutes` are filled when issued."""

    id: int
    number: str
    service: str
    state: TicketStateName
    priority: str | None = None
    issued_at: AwareDatetime
    called_at: AwareDatetime | None = None
    counter: str | None = None
    recalls: int = 0
    printed: bool = True
    ahead: int | None = None
    estimate_minutes: int | None = None
    # Added within v1: the ticket's public address token (its QR code leads to
    # `{public.url}/t/{token}`): only in the issue reply, to the kiosk that prints it.
    token: str | None = None
    # Added within v1: when the citizen said from their phone that they are coming (a call).
    coming_at: AwareDatetime | None = None


class Officer(Lenient):
    """Added within v1: the staff member on duty at a counter (a name, never a secret)."""

    id: str
    name: str


class AwaitingRating(Lenient):
    """Added within v1: the counter's last finished ticket, open to a rating until `until`."""

    ticket_id: int
    number: str
    service: str
    until: AwareDatetime


class CounterView(Lenient):
    counter: str
    number: int
    status: CounterStatusName
    services: list[str]
    ticket: TicketView | None = None
    at: AwareDatetime
    # Added within v1: who is on duty, and a ticket awaiting the citizen's rating (a rating
    # pad that starts or reconnects asks again from this).
    officer: Officer | None = None
    awaiting_rating: AwaitingRating | None = None


# --- requests (device -> hub) ---------------------------------------------------------------


class Request(Strict, Generic[ReplyData]):
    """A request; its type parameter is the model of the reply's `data`."""

    transaction: TransactionId


class IssueRequest(Request[TicketView]):
    service: Identifier
    priority: Identifier | None = None
    language: LanguageCode | None = None
    # Added in 0.2 (additive): only return the reply already given to this transaction, and
    # issue nothing new. A kiosk that never got its answer asks so, later, to learn whether
    # a ticket exists that nobody holds.
    replay_only: bool = False


class PrintFailedRequest(Request[TicketView]):
    ticket_id: int = Field(ge=1, le=2**63 - 1)  # SQLite's INTEGER
    reason: str = Field(default="", max_length=200)


class NotHandedOutRequest(Request[TicketView]):
    """Added within v1: the kiosk never gave this ticket to anyone (it told the citizen the
    system was offline, and learnt later that the hub had issued it)."""

    ticket_id: int = Field(ge=1, le=2**63 - 1)


class CounterRequest(Request[CounterView]):
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


Pin = Annotated[str, StringConstraints(pattern=r"^[0-9]{4,12}$")]


class LoginRequest(CounterRequest):
    """Added within v1: a staff member signs in at the counter with their PIN."""

    staff: Identifier
    pin: Pin


class LogoutRequest(CounterRequest):
    """Added within v1: the staff member on duty signs out."""


class RateRequest(CounterRequest):
    """Added within v1: the citizen's rating of a ticket this counter finished (by default
    the one the counter's state says awaits a rating); once per ticket."""

    ticket_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    level: Identifier
    reason: Identifier | None = None
    # Added within v1: from the citizen's page (a device of role `public`), the ticket's
    # public token, which is what lets that device rate this ticket and no other.
    token: PublicToken | None = None


class ResumeRequest(CounterRequest):
    pass


# --- retained state and events (hub -> everyone) -------------------------------------------


class KeypadBusState(Lenient):
    """Added within v1: the hub's counter keypad line (docs/keypad-protocol.md): whether its
    serial port is open, and each keypad counter's last key press since the hub started
    (null: none yet). Keypads send nothing but key presses, so a long silence while its
    counter is open is the only sign a keypad may be dead."""

    open: bool
    counters: dict[str, AwareDatetime | None]


class HubState(Lenient):
    state: Literal["online", "offline"]
    version: str
    since: AwareDatetime
    # Added within v1: the contract version the hub speaks (absent: 1, the only one before).
    contract: int = 1
    # Added within v1: when this copy was published, and how often the hub publishes it
    # again while it runs. A device that hears nothing for three intervals shows the hub
    # offline, and does not take a retained copy older than that for a running hub (a broker
    # that kept it across a power cut would serve it with no hub behind it).
    at: AwareDatetime | None = None
    heartbeat_seconds: float | None = None
    # Added within v1: the keypad line, when the hub drives one (null: no keypads).
    keypads: KeypadBusState | None = None


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
    # Added within v1: when a closed service opens next (null when open, or never again
    # within a week); the kiosk and the board say "opens 13:30".
    opens_at: AwareDatetime | None = None


class QueuesState(Lenient):
    seq: int
    services: list[ServiceQueue]
    at: AwareDatetime


class BoardCall(Lenient):
    seq: int
    number: str
    counter: str
    counter_number: int
    service: str
    recall: bool
    at: AwareDatetime


class BoardState(Lenient):
    seq: int
    calls: list[BoardCall]
    at: AwareDatetime


class CalledEvent(BoardCall):
    """The same record as a board line, sent once as an event for the announcer."""


class ConfigState(Lenient):
    """Added within v1: the centre's configuration as devices need it, kept by the hub. The
    `config` object is the configuration file's content (docs/configuration.md) without what
    only the hub may know: `broker` (addresses, user names, password files), `hub.db` (its
    store) and `serial` (its keypad line) are left out, and nothing in it is a secret. Devices
    render from it and follow each new revision live."""

    revision: int
    at: AwareDatetime  # when this revision took effect
    config: dict[str, Any]


class PrinterStatus(Lenient):
    paper: PaperState
    online: bool | None


class DeviceStatus(Lenient):
    state: Literal["online", "offline", "stale"]
    role: DeviceRole
    at: AwareDatetime
    version: str | None = None
    # Added within v1: the contract version the device speaks (absent: 1).
    contract: int = 1
    printer: PrinterStatus | None = None
    detail: str | None = None


def dump(message: BaseModel) -> bytes:
    """The one JSON encoding of the contract, UTF-8. What the hub publishes carries every field
    (explicit nulls); a request leaves out the fields at their defaults, so that a device that
    uses no new feature sends what an older hub accepts."""
    return message.model_dump_json(exclude_defaults=isinstance(message, Request)).encode("utf-8")


def decode_reply(model: type[BaseModel], payload: str | bytes) -> Reply[Any]:
    """A reply whose `data` is decoded as `model` (the one its action names)."""
    typed: type[Reply[Any]] = Reply[model]  # type: ignore[valid-type]
    return typed.model_validate_json(payload)


def reply_model(request: type[Request[Any]]) -> type[BaseModel]:
    """The model of the reply `data` that `request` names as its type parameter."""
    for cls in request.__mro__:
        metadata = getattr(cls, "__pydantic_generic_metadata__", None)
        if metadata and metadata["origin"] is Request and metadata["args"]:
            model = metadata["args"][0]
            assert isinstance(model, type) and issubclass(model, BaseModel)
            return model
    raise TypeError(f"{request.__name__} does not name its reply model (Request[Model])")
