"""The board's view-model and its announcer, with real espeak-ng clips into the recording
sink (its timeline shows order and overlap)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest

from devicekit.speech import Speaker, Synthesizer
from devicekit.spelling import number_words
from display.announcer import Announcer, call_words
from display.board_model import BoardModel
from lobby.config.models import Board
from lobby.contract import messages as m
from tests.doubles import RecordingSink
from tests.helpers import AT, hub_state, small_config

NOW = 1_795_300_000.0


def call(seq: int, number: str = "A001", counter: str = "1", service: str = "A",
         recall: bool = False, at: float = NOW) -> m.CalledEvent:
    return m.CalledEvent(seq=seq, number=number, counter=counter, counter_number=int(counter),
                         service=service, recall=recall, at=dt.datetime.fromtimestamp(at, dt.UTC))


def board(*calls: m.CalledEvent) -> m.BoardState:
    seq = max((c.seq for c in calls), default=0)
    ordered = sorted(calls, key=lambda c: -c.seq)
    return m.BoardState(seq=seq, at=AT, calls=[m.BoardCall(**c.model_dump()) for c in ordered])


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# --- the view-model ------------------------------------------------------------------------


def counter(counter_id: str, number: str | None, status: str = "open") -> m.CounterView:
    ticket = None if number is None else m.TicketView(
        id=1, number=number, service=number[0], state="called", issued_at=AT, called_at=AT,
        counter=counter_id)
    return m.CounterView.model_validate({"counter": counter_id, "number": int(counter_id),
                                         "status": status, "services": ["A", "B"],
                                         "ticket": ticket, "at": AT})


def test_now_serving_is_one_row_per_serving_counter_newest_first() -> None:
    clock = Clock()
    model = BoardModel(small_config(), Board(calls_shown=4), clock=clock)
    model.on_board(board())
    for seq, (number, counter_id) in enumerate(
            [("A001", "1"), ("B001", "2"), ("A002", "1"), ("B002", "2"), ("A003", "1")], 1):
        model.on_called(call(seq, number, counter_id))
        model.on_counter(counter(counter_id, number))
    model.on_called(call(5, "A003", "1"))  # the same seq again: shown once
    assert [(r.counter, r.number) for r in model.serving()] == [("1", "A003"), ("2", "B002")]
    assert [r.number for r in model.recent()] == ["A002", "B001", "A001"]
    assert model.flashing("1")
    clock.now += 10
    assert not model.flashing("1")
    # A recall flashes its counter's row again and adds no row.
    model.on_called(call(6, "A003", "1", recall=True))
    assert [r.number for r in model.serving()] == ["A003", "B002"]
    assert [r.number for r in model.recent()] == ["A002", "B001", "A001"]  # no duplicate
    assert model.flashing("1")
    # Counter 2's ticket ends: it leaves "now serving"; a paused counter is not serving.
    model.on_counter(counter("2", None))
    model.on_counter(counter("1", "A003", status="paused"))
    assert model.serving() == []
    assert [r.number for r in model.recent()] == ["A003", "B002", "A002", "B001"]


def test_first_board_paints_at_once_without_flashing_then_catches_up() -> None:
    model = BoardModel(small_config(), Board())
    model.on_board(board(call(7, "A007"), call(8, "B002", "2", "B")))
    assert [r.number for r in model.calls] == ["B002", "A007"]
    assert not model.flashing("1") and not model.flashing("2")
    # After a reconnect the retained board carries a call missed meanwhile: shown, flashing.
    model.on_board(board(call(7, "A007"), call(8, "B002", "2", "B"), call(9, "A008")))
    assert model.calls[0].number == "A008" and model.flashing("1")
    assert [r.seq for r in model.calls] == [9, 8, 7]


def test_zone_limits_calls_and_services() -> None:
    model = BoardModel(small_config(), Board(zone_counters=["2"], zone_services=["B"]))
    model.on_board(board())
    model.on_called(call(1, "A001", "1", "A"))
    model.on_called(call(2, "B001", "2", "B"))
    assert [r.number for r in model.calls] == ["B001"]
    queues = m.QueuesState(seq=2, at=AT, services=[
        m.ServiceQueue(id=s, names={"vi": s}, open=True, waiting=1, waiting_priority=0,
                       estimate_minutes=1) for s in ("A", "B")])
    model.on_queues(queues)
    assert [w.service for w in model.waiting()] == ["B"]


def test_offline_keeps_the_last_state() -> None:
    model = BoardModel(small_config(), Board())
    model.set_connected(True)
    model.on_hub(hub_state("online"))
    model.on_board(board(call(1)))
    assert not model.offline
    model.set_connected(False)
    assert model.offline and [r.number for r in model.calls] == ["A001"]
    model.set_connected(True)
    model.on_hub(hub_state("offline"))
    assert model.offline


# --- the announcer -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


def announcer(tmp_path: Path, clips: Path, state: Path | None = None,
              scale: float = 0.0) -> tuple[Announcer, RecordingSink]:
    sink = RecordingSink(tmp_path / "played", time_scale=scale)
    speaker = Speaker(Synthesizer(clips), sink)
    return Announcer(small_config(), Board(), speaker, state, clock=lambda: NOW), sink


def test_a_burst_of_50_calls_is_said_in_order_once_each_never_overlapping(
    tmp_path: Path, clips: Path
) -> None:
    voice, sink = announcer(tmp_path, clips, scale=0.002)
    voice.on_board(board())
    numbers = itertools.cycle(["A", "B"])
    events = [call(seq, f"{next(numbers)}{seq:03d}", str(1 + seq % 2)) for seq in range(1, 51)]
    for event in events:
        voice.on_called(event)
    for event in events[::7]:
        assert not voice.on_called(event)  # a duplicate delivery is not said again
    assert voice.speaker.wait_idle(120)
    assert [int(e.label.split()[0]) for e in sink.timeline] == list(range(1, 51))
    for before, after in itertools.pairwise(sink.timeline):
        assert before.end <= after.start
    timeline = json.loads((tmp_path / "played" / "timeline.json").read_text())
    # The first call in full (chime, both languages); the 49 queued behind it shorter
    # (Vietnamese only, no chime), so a burst does not pile up a minute of waiting.
    assert len(timeline) == 50 and timeline[0]["seconds"] > 6
    assert all(2 < entry["seconds"] < timeline[0]["seconds"] / 2 for entry in timeline[1:])
    voice.speaker.close()


def test_recall_is_said_again_with_its_own_seq(tmp_path: Path, clips: Path) -> None:
    voice, sink = announcer(tmp_path, clips)
    voice.on_board(board())
    voice.on_called(call(1, "A023", "5"))
    voice.on_called(call(2, "A023", "5", recall=True))
    assert voice.speaker.wait_idle(30)
    assert [e.label for e in sink.timeline] == ["1 A023 5", "2 A023 5 recall"]
    words = [w for w, _ in voice.phrases(call(2, "A023", "5", recall=True))]
    assert words[:6] == ["Xin nhắc lại", "Mời số", "A", "không", "hai", "ba"]
    voice.speaker.close()


def test_a_restarted_board_says_nothing_twice_and_catches_up_recent_calls(
    tmp_path: Path, clips: Path
) -> None:
    state = tmp_path / "board-1.last-seq"
    first, sink = announcer(tmp_path, clips, state)
    first.on_board(board(call(1), call(2, "A002")))  # a first start: the past is not said
    first.on_called(call(3, "A003"))
    assert first.speaker.wait_idle(30)
    first.speaker.close()
    assert [e.label for e in sink.timeline] == ["3 A003 1"]

    second, sink2 = announcer(tmp_path / "again", clips, state)
    old = call(4, "A004", at=NOW - 600)  # missed while down, too long ago to call out
    recent = call(5, "A005", at=NOW - 20)
    said = second.on_board(board(call(1), call(2, "A002"), call(3, "A003"), old, recent))
    assert said == [5]
    second.on_called(call(3, "A003"))  # delivered again after the reconnect
    assert second.speaker.wait_idle(30)
    assert [e.label for e in sink2.timeline] == ["5 A005 1"]
    assert state.read_text() == "5"
    second.speaker.close()


def test_a_call_outside_the_zone_is_not_said(tmp_path: Path, clips: Path) -> None:
    sink = RecordingSink(tmp_path / "played")
    voice = Announcer(small_config(), Board(zone_counters=["2"]),
                      Speaker(Synthesizer(clips), sink), clock=lambda: NOW)
    voice.on_board(board())
    voice.on_called(call(1, counter="1"))
    voice.on_called(call(2, counter="2"))
    assert voice.speaker.wait_idle(30)
    assert [e.label for e in sink.timeline] == ["2 A001 2"]
    voice.speaker.close()


# Written by hand, as a Vietnamese announcer says them (not computed by any library).
VIETNAMESE_NUMBERS = {
    1: "một", 4: "bốn", 5: "năm", 10: "mười", 11: "mười một", 14: "mười bốn", 15: "mười lăm",
    20: "hai mươi", 21: "hai mươi mốt", 24: "hai mươi tư", 25: "hai mươi lăm",
    100: "một trăm", 105: "một trăm linh năm", 110: "một trăm mười",
    31: "ba mươi mốt", 44: "bốn mươi tư", 55: "năm mươi lăm", 99: "chín mươi chín",
    1005: "một nghìn không trăm linh năm", 2024: "hai nghìn không trăm hai mươi tư",
}


@pytest.mark.parametrize(("value", "words"), VIETNAMESE_NUMBERS.items())
def test_counter_numbers_are_read_as_vietnamese_speakers_say_them(value: int,
                                                                  words: str) -> None:
    assert number_words(value, "vi") == words
    said = call_words(call(1, "A023", str(value)), "vi") if value < 1000 else None
    if said is not None:
        assert said == ["Mời số", "A", "không", "hai", "ba", "đến quầy số", words]
