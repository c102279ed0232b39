"""The registry: every topic of the contract, its payload model, QoS, retention and parties.

`Topics(site)` builds concrete topics and subscription filters from these specs and parses an
incoming topic back to its spec and parameters. Nothing else in the code base spells a topic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from lobby.contract import citizen as cz
from lobby.contract import messages as m
from lobby.contract import supervisor as sv

ROOT = "lobby"

# Who publishes and who reads each topic. The hub authorises requests by these parties, the
# broker's access rules are generated from them, and the docs print them.
Party = Literal["hub", "kiosk", "board", "counter", "rating", "console", "public"]
DEVICE_PARTIES: tuple[Party, ...] = ("kiosk", "board", "counter", "rating", "console", "public")
_PARAM = re.compile(r"\{(\w+)\}")
_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")  # whole value: fullmatch, never match


@dataclass(frozen=True)
class TopicSpec:
    name: str
    pattern: str  # below lobby/<site>/, with {device} / {counter} placeholders
    model: type[BaseModel]
    qos: int
    retained: bool
    publishers: tuple[Party, ...]
    subscribers: tuple[Party, ...]
    description: str
    example: BaseModel
    note: str = ""  # who else takes part, for the docs (the hub's will, the keypad bus)
    action: str | None = None  # set on request topics
    reply: type[BaseModel] | None = None  # request topics: the model of the reply's data
    params: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", tuple(_PARAM.findall(self.pattern)))


def _request(action: str, model: type[m.Request[Any]], who: tuple[Party, ...],
             description: str, example: m.Request[Any], note: str = "") -> TopicSpec:
    return TopicSpec(
        name=f"request.{action}", pattern=f"request/{{device}}/{action}", model=model, qos=1,
        retained=False, publishers=who, subscribers=("hub",), description=description,
        example=example, note=note, action=action, reply=m.reply_model(model),
    )


_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_NOW = dt.datetime(2026, 11, 21, 8, 15, tzinfo=_ZONE)
_TICKET = m.TicketView(
    id=42, number="A023", service="A", state="called",
    issued_at=dt.datetime(2026, 11, 21, 8, 1, 12, tzinfo=_ZONE), called_at=_NOW, counter="5",
    recalls=0, printed=True,
)
_KEYPADS = "keypads reach the hub over its serial bus, not over MQTT"

REGISTRY: tuple[TopicSpec, ...] = (
    _request("issue", m.IssueRequest, ("kiosk",),
             "Take a ticket for a service, optionally in a priority class. With "
             "`replay_only`, only the reply already given to this transaction is returned; "
             "if there was none, `unknown_ticket` and nothing is issued.",
             m.IssueRequest(transaction="k1-000017", service="A", priority=None, language="vi")),
    _request("print_failed", m.PrintFailedRequest, ("kiosk",),
             "The kiosk could not print an issued ticket; the hub marks it not printed.",
             m.PrintFailedRequest(transaction="k1-000018", ticket_id=42, reason="paper out")),
    _request("not_handed_out", m.NotHandedOutRequest, ("kiosk",),
             "A ticket the hub issued but no citizen holds (the kiosk said the system was "
             "offline): the hub closes it as `not_handed_out`, so it is never called, and "
             "counts it apart.",
             m.NotHandedOutRequest(transaction="k1-000019", ticket_id=43)),
    _request("call_next", m.CallNextRequest, ("counter",),
             "Call the next ticket by the queue policy (opens a closed or paused counter).",
             m.CallNextRequest(transaction="c5-000101", counter="5"), note=_KEYPADS),
    _request("recall", m.RecallRequest, ("counter",),
             "Announce the counter's current ticket again; past the recall limit it is a no-show.",
             m.RecallRequest(transaction="c5-000102", counter="5"), note=_KEYPADS),
    _request("call", m.CallRequest, ("counter",),
             "Call a given waiting number of a service this counter serves.",
             m.CallRequest(transaction="c5-000103", counter="5", number="A023"), note=_KEYPADS),
    _request("done", m.DoneRequest, ("counter",),
             "The counter's current ticket was served.",
             m.DoneRequest(transaction="c5-000104", counter="5"), note=_KEYPADS),
    _request("no_show", m.NoShowRequest, ("counter",),
             "The counter's current ticket did not come.",
             m.NoShowRequest(transaction="c5-000105", counter="5"), note=_KEYPADS),
    _request("transfer", m.TransferRequest, ("counter",),
             "Send the current ticket to another service's queue, keeping its number and place.",
             m.TransferRequest(transaction="c5-000106", counter="5", service="B"), note=_KEYPADS),
    _request("pause", m.PauseRequest, ("counter",), "The counter stops calling for a while.",
             m.PauseRequest(transaction="c5-000107", counter="5"), note=_KEYPADS),
    _request("resume", m.ResumeRequest, ("counter",), "The counter is open again.",
             m.ResumeRequest(transaction="c5-000108", counter="5"), note=_KEYPADS),
    _request("login", m.LoginRequest, ("counter",),
             "A staff member signs in at the counter with their PIN (ending their shift at any "
             "other counter, and whoever was on duty here). Wrong PINs are counted: five in a "
             "row lock that name at that device for a minute (`locked`).",
             m.LoginRequest(transaction="c5-000109", counter="5", staff="nv-lan", pin="2468"),
             note=_KEYPADS),
    _request("logout", m.LogoutRequest, ("counter",),
             "The staff member on duty signs out; the counter goes on without an officer.",
             m.LogoutRequest(transaction="c5-000110", counter="5"), note=_KEYPADS),
    _request("rate", m.RateRequest, ("rating", "public"),
             "The citizen's rating of a ticket the counter finished, within the rating window "
             "(`rating_closed` after it); once per ticket (`already_rated`). Without "
             "`ticket_id`, the ticket the counter's state says awaits a rating. From the "
             "citizen's page (role `public`, added within v1): `ticket_id` and its `token`.",
             m.RateRequest(transaction="r5-000007", counter="5", ticket_id=42,
                           level="dissatisfied", reason="waited_long"),
             note="the keypad bus's RATE key too"),
    _request("announce", sv.AnnounceRequest, ("console",),
             "A supervisor tells the hall something: every board (or those named) shows it "
             "as a banner for `minutes` and says it after the call in progress. Answered with "
             "the announcement, as `event/announcement` carries it.",
             sv.AnnounceRequest(transaction="console-000005", user="giamdoc", texts={
                 "vi": "Trung tâm sẽ đóng cửa sau 15 phút nữa",
                 "en": "The centre closes in 15 minutes"}, boards=[], minutes=15)),
    _request("cancel", sv.CancelRequest, ("console",),
             "A supervisor takes a waiting ticket out of the queue, with a reason; it is "
             "`cancelled`, never called, and left out of the waits.",
             sv.CancelRequest(transaction="console-000001", ticket_id=42, user="giamdoc",
                             reason="công dân đã về")),
    _request("move", sv.MoveRequest, ("console",),
             "A supervisor moves a waiting ticket to another service's line, keeping its number "
             "and its place in time.",
             sv.MoveRequest(transaction="console-000002", ticket_id=42, user="giamdoc",
                           service="B")),
    _request("raise_priority", sv.RaisePriorityRequest, ("console",),
             "A supervisor puts a waiting ticket in a priority class.",
             sv.RaisePriorityRequest(transaction="console-000003", ticket_id=42, user="giamdoc",
                                    priority="elderly")),
    _request("call_to", sv.CallToRequest, ("console",),
             "A supervisor calls a given waiting ticket to a counter (any service); as a "
             "counter's call, it finishes the ticket the counter was serving.",
             sv.CallToRequest(transaction="console-000004", ticket_id=42, user="giamdoc",
                             counter="5")),
    _request("leave", cz.LeaveRequest, ("public",),
             "Added within v1: the citizen leaves the queue from the page behind their "
             "ticket's QR code; the waiting ticket named by its public token is `cancelled`, "
             "so no counter calls it. A token of another day is `unknown_ticket`.",
             cz.LeaveRequest(transaction="public-000001", token="Xq3v9Lk2PzR8sT1uW4yB0A")),
    _request("coming", cz.ComingRequest, ("public",),
             "Added within v1: the called citizen tells the counter they are on their way "
             "(the counter's state shows the ticket's `coming_at`).",
             cz.ComingRequest(transaction="public-000002", token="Xq3v9Lk2PzR8sT1uW4yB0A")),
    TopicSpec(
        name="reply", pattern="reply/{device}", model=m.Reply, qos=1, retained=False,
        publishers=("hub",), subscribers=("kiosk", "counter", "rating", "console", "public"),
        note="only the requesting device",
        description="The answer to every request, matched by `transaction`. `data` is the "
        "model the action names (see each request): the ticket for issue and print_failed, "
        "the counter view for counter actions.",
        example=m.Reply[m.TicketView](
            transaction="k1-000017", action="issue", ok=True, data=_TICKET.model_copy(update={
                "state": "waiting", "called_at": None, "counter": None, "ahead": 4,
                "estimate_minutes": 12})),
    ),
    TopicSpec(
        name="state.hub", pattern="state/hub", model=m.HubState, qos=1, retained=True,
        publishers=("hub",), subscribers=DEVICE_PARTIES, note="the broker publishes the hub's will",
        description="Whether the hub is up. The broker publishes `offline` as the hub's will. "
        "With a keypad line (`serial` in the configuration), whether its port is open and "
        "each keypad counter's last key press (added within v1).",
        example=m.HubState(state="online", version="0.1.0", since=_NOW, contract=1, at=_NOW,
                           heartbeat_seconds=10, keypads=m.KeypadBusState(
                               open=True, counters={"5": _NOW, "6": None})),
    ),
    TopicSpec(
        name="state.queues", pattern="state/queues", model=m.QueuesState, qos=1, retained=True,
        publishers=("hub",), subscribers=("kiosk", "board", "counter", "console", "public"),
        description="Per service: names, whether it is open now, people waiting and the wait "
        "estimate.",
        example=m.QueuesState(seq=311, at=_NOW, services=[m.ServiceQueue(
            id="A", names={"vi": "Hộ tịch", "en": "Civil status"}, open=True, waiting=4,
            waiting_priority=1, estimate_minutes=12, last_called="A023")]),
    ),
    TopicSpec(
        name="state.counter", pattern="state/counters/{counter}", model=m.CounterView, qos=1,
        retained=True, publishers=("hub",),
        subscribers=("board", "counter", "rating", "console", "public"),
        description="A counter's status, its current ticket (null when idle), the officer on "
        "duty and a finished ticket awaiting the citizen's rating (null when none).",
        example=m.CounterView(counter="5", number=5, status="open", services=["A", "B"],
                              ticket=_TICKET, at=_NOW,
                              officer=m.Officer(id="nv-lan", name="Nguyễn Thị Lan"),
                              awaiting_rating=m.AwaitingRating(
                                  ticket_id=41, number="A022", service="A", until=_NOW)),
    ),
    TopicSpec(
        name="state.config", pattern="state/config", model=m.ConfigState, qos=1, retained=True,
        publishers=("hub",), subscribers=("kiosk", "board", "counter", "rating", "console"),
        description="The centre's configuration (site, languages, services and their hours, "
        "counters, priority classes, devices and their settings) with its revision and the "
        "time it took effect; never a secret. Republished when it changes.",
        example=m.ConfigState(revision=3, at=_NOW, config={
            "site": {"id": "demo-centre", "name": {"vi": "Trung tâm", "en": "Centre"},
                     "timezone": "Asia/Ho_Chi_Minh", "languages": ["vi", "en"]},
            "services": [{"id": "A", "names": {"vi": "Hộ tịch", "en": "Civil status"}}],
            "counters": [{"id": "5", "number": 5, "services": ["A"]}],
            "devices": [{"id": "kiosk-1", "role": "kiosk"}]}),
    ),
    TopicSpec(
        name="state.board", pattern="state/board", model=m.BoardState, qos=1, retained=True,
        publishers=("hub",), subscribers=("board", "console"),
        description="The last calls, newest first, each with its `seq`.",
        example=m.BoardState(seq=311, at=_NOW, calls=[m.BoardCall(
            seq=311, number="A023", counter="5", counter_number=5, service="A", recall=False,
            at=_NOW)]),
    ),
    TopicSpec(
        name="event.announcement", pattern="event/announcement", model=sv.AnnouncementEvent,
        qos=1, retained=False, publishers=("hub",), subscribers=("board", "console"),
        description="Added within v1: what a supervisor told the hall (texts by language, "
        "the boards it is for, empty for all, and until when it is shown). An event like "
        "a call: a board shows it until `until` and says it once, after the call in "
        "progress; a board that was off when it was sent does not show it.",
        example=sv.AnnouncementEvent(id=7, texts={
            "vi": "Trung tâm sẽ đóng cửa sau 15 phút nữa",
            "en": "The centre closes in 15 minutes"}, boards=[], at=_NOW,
            until=_NOW + dt.timedelta(minutes=15)),
    ),
    TopicSpec(
        name="event.called", pattern="event/called", model=m.CalledEvent, qos=1,
        retained=False, publishers=("hub",), subscribers=("board",),
        description="A call or recall to announce. `seq` only grows; a board that has handled "
        "a `seq` does not show or say it again.",
        example=m.CalledEvent(seq=311, number="A023", counter="5", counter_number=5,
                              service="A", recall=False, at=_NOW),
    ),
    TopicSpec(
        name="device.status", pattern="device/{device}/status", model=m.DeviceStatus, qos=1,
        retained=True, publishers=DEVICE_PARTIES, subscribers=("hub", "console"),
        note="the broker publishes a device's will (offline); the hub publishes stale",
        description="Sent on connect and as a heartbeat. A kiosk adds its printer's state. "
        "The hub publishes `stale` for a device whose heartbeats stopped.",
        example=m.DeviceStatus(state="online", role="kiosk", at=_NOW, version="0.1.0", contract=1,
                               printer=m.PrinterStatus(paper="ok", online=True)),
    ),
)

_BY_NAME: Mapping[str, TopicSpec] = {spec.name: spec for spec in REGISTRY}
_BY_ACTION: Mapping[str, TopicSpec] = {s.action: s for s in REGISTRY if s.action}
_BY_REQUEST: Mapping[type[BaseModel], TopicSpec] = {s.model: s for s in REGISTRY if s.action}
ACTIONS: tuple[str, ...] = tuple(_BY_ACTION)


def spec(name: str) -> TopicSpec:
    return _BY_NAME[name]


def spec_for_action(action: str) -> TopicSpec | None:
    return _BY_ACTION.get(action)


def spec_for_request(model: type[BaseModel]) -> TopicSpec:
    """The request topic that carries `model`; a model that is not a request is a bug."""
    try:
        return _BY_REQUEST[model]
    except KeyError:
        raise TypeError(f"{model.__name__} is not a request of the contract") from None


class Topics:
    """Concrete topics of one site."""

    def __init__(self, site: str) -> None:
        if not _ID.fullmatch(site):
            raise ValueError(f"site id {site!r} may hold only letters, digits, '-' and '_'")
        self.site = site
        self.prefix = f"{ROOT}/{site}/"

    @staticmethod
    def is_identifier(value: str) -> bool:
        """Whether `value` can be a site, device or counter id inside a topic level."""
        return bool(_ID.fullmatch(value))

    def topic(self, spec: TopicSpec, **params: str) -> str:
        missing = set(spec.params) - params.keys()
        if missing or params.keys() - set(spec.params):
            raise ValueError(f"{spec.name} takes parameters {spec.params}, got {sorted(params)}")
        for key, value in params.items():
            if not _ID.fullmatch(value):
                raise ValueError(f"{key}={value!r} is not a valid identifier")
        return self.prefix + spec.pattern.format(**params)

    def filter(self, spec: TopicSpec, **params: str) -> str:
        """A subscription filter: parameters not given become `+`."""
        values = {p: params.get(p, "+") for p in spec.params}
        return self.prefix + spec.pattern.format(**values)

    def all_requests_filter(self) -> str:
        """Every request of every device, including actions the contract does not know, so
        that the hub can answer an unknown action with an error instead of silence."""
        return self.prefix + "request/+/+"

    def parse_request_topic(self, topic: str) -> tuple[str, str] | None:
        """`(device, action)` of a request topic of this site, or None."""
        if not topic.startswith(self.prefix + "request/"):
            return None
        parts = topic[len(self.prefix):].split("/")
        if len(parts) != 3:
            return None
        return parts[1], parts[2]

    def parse(self, topic: str) -> tuple[TopicSpec, dict[str, str]] | None:
        if not topic.startswith(self.prefix):
            return None
        levels = topic[len(self.prefix):].split("/")
        for candidate in REGISTRY:
            pattern_levels = candidate.pattern.split("/")
            if len(pattern_levels) != len(levels):
                continue
            params: dict[str, str] = {}
            for want, got in zip(pattern_levels, levels, strict=True):
                match = _PARAM.fullmatch(want)
                if match:
                    params[match.group(1)] = got
                elif want != got:
                    break
            else:
                return candidate, params
        return None
