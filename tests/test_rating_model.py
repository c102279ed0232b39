"""The rating pad's view-model without a window: what each touch sends, and what the pad says
when the hub refuses or does not answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from display.rating_model import FAILED, THANKS, TOO_LATE, RatingModel, mood
from lobby.config import parse_config
from lobby.contract import messages as m
from lobby.rpc import RequestTimeoutError
from tests.test_duty import STAFF_YAML

AT = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def screen(pad: Pad) -> str:
    return pad.model.screen


class Pad:
    def __init__(self, answer: Any = "ok") -> None:
        config = parse_config(STAFF_YAML)
        device = config.device("pad-1")
        assert device is not None
        self.sent: list[tuple[str, str | None, int]] = []
        self.answer = answer
        self.now = 0.0
        self.model = RatingModel(config, device, self.rate, clock=lambda: self.now)
        self.model.set_connected(True)

    def rate(self, level: str, reason: str | None, ticket: int) -> m.Reply[m.CounterView]:
        self.sent.append((level, reason, ticket))
        if self.answer == "timeout":
            raise RequestTimeoutError("no reply")
        if self.answer == "ok":
            return m.Reply(transaction="t", action="rate", ok=True)
        return m.Reply(transaction="t", action="rate", ok=False,
                       error=m.ReplyError(code=self.answer, message="refused"))

    def finished(self, ticket: int, number: str = "A001") -> None:
        self.model.on_counter(m.CounterView(
            counter="1", number=1, status="open", services=["A"], at=AT,
            officer=m.Officer(id="nv-lan", name="Nguyễn Thị Lan"),
            awaiting_rating=m.AwaitingRating(ticket_id=ticket, number=number, service="A",
                                             until=AT)))


def test_the_lowest_level_asks_a_reason_which_can_be_skipped() -> None:
    pad = Pad()
    pad.finished(7)
    assert pad.model.screen == "question" and pad.model.officer == "Nguyễn Thị Lan"
    pad.model.choose("dissatisfied")
    assert screen(pad) == "reason" and pad.sent == []
    pad.model.choose_reason(None)
    assert pad.sent == [("dissatisfied", None, 7)]
    assert screen(pad) == "thanks" and pad.model.message == THANKS
    pad.model.choose("satisfied")  # the thanks screen takes no touch
    assert len(pad.sent) == 1


def test_a_refusal_or_silence_is_said_and_the_pad_goes_back_to_idle() -> None:
    for answer, message in (("rating_closed", TOO_LATE), ("timeout", FAILED),
                            ("already_rated", THANKS)):
        pad = Pad(answer)
        pad.finished(9)
        pad.model.choose("satisfied")
        assert pad.model.message == message, answer
        pad.now += 7
        pad.model.tick()
        assert screen(pad) == "idle"
        pad.finished(9)  # the same ticket is not asked again here
        assert screen(pad) == "idle"


def test_the_next_citizen_does_not_wait_for_the_last_ones_thanks() -> None:
    pad = Pad()
    pad.finished(1)
    pad.model.choose("very_satisfied")
    pad.finished(2, "A002")
    assert pad.model.screen == "question" and pad.model.asking is not None
    assert pad.model.asking.number == "A002"


def test_the_faces_go_from_a_smile_to_a_frown() -> None:
    assert [mood(i, 4) for i in range(4)] == [1.0, 0.6, 0.0, -1.0]
    assert [mood(i, 3) for i in range(3)] == [1.0, 0.0, -1.0]
    assert [mood(i, 2) for i in range(2)] == [1.0, -1.0]


def test_the_lowest_level_counts_even_when_no_reason_follows() -> None:
    import time

    pad = Pad()
    pad.finished(3)
    pad.model.choose("dissatisfied")
    pad.now += 31  # the citizen walked away from the reasons
    pad.model.tick()
    for _ in range(100):  # sent in the background
        if pad.sent:
            break
        time.sleep(0.01)
    assert pad.sent == [("dissatisfied", None, 3)] and screen(pad) == "idle"
    pad.finished(4)
    pad.model.choose("dissatisfied")
    pad.finished(5, "A005")  # the next citizen's question replaces the reasons
    for _ in range(100):
        if len(pad.sent) == 2:
            break
        time.sleep(0.01)
    assert pad.sent[1] == ("dissatisfied", None, 4) and screen(pad) == "question"
