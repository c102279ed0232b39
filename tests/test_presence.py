"""Whether a device believes the hub is there: live beats, a retained copy judged by its age,
and a silent hub given up after three missed beats."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from lobby.contract import messages as m
from lobby.presence import HubPresence

WALL = 1_795_500_000.0  # the device's clock
BEAT = 10.0


class Device(HubPresence):
    def __init__(self) -> None:
        self.changes = 0

    def on_change(self) -> None:
        self.changes += 1


def hub_said(state: Literal["online", "offline"], seconds_ago: float,
             beat: float | None = BEAT) -> m.HubState:
    at = dt.datetime.fromtimestamp(WALL - seconds_ago, dt.UTC)
    return m.HubState(state=state, version="x", since=at, at=at, heartbeat_seconds=beat)


def connected() -> Device:
    device = Device()
    device.set_connected(True)
    return device


def test_a_fresh_retained_online_is_believed_until_three_beats_pass() -> None:
    device = connected()
    device.on_hub(hub_said("online", 4), monotonic=100, wall=WALL)  # the retained copy
    assert device.online
    device.check_hub(monotonic=100 + 3 * BEAT - 4 - 0.1)
    assert device.online
    device.check_hub(monotonic=100 + 3 * BEAT - 4)  # three beats after the hub sent it
    assert not device.online


def test_an_old_retained_online_is_not_believed_and_a_live_beat_is() -> None:
    device = connected()
    device.on_hub(hub_said("online", 3 * BEAT + 1), monotonic=100, wall=WALL)
    assert not device.online  # kept by a broker across a power cut: no hub behind it
    device.on_hub(hub_said("online", 0), monotonic=105, wall=WALL)
    assert device.online


def test_a_live_beat_is_believed_whatever_the_devices_clock_says() -> None:
    device = connected()
    device.on_hub(hub_said("online", 0), monotonic=100, wall=WALL)
    # The device's clock is an hour fast: live beats (not the first copy) still count.
    device.on_hub(hub_said("online", 0), monotonic=110, wall=WALL + 3600)
    device.check_hub(monotonic=110 + 3 * BEAT - 1)
    assert device.online


def test_a_reconnection_judges_the_next_copy_again() -> None:
    device = connected()
    device.on_hub(hub_said("online", 0), monotonic=100, wall=WALL)
    device.set_connected(False)
    device.set_connected(True)
    device.on_hub(hub_said("online", 600), monotonic=700, wall=WALL)  # retained, 10 min old
    assert not device.online


def test_offline_is_offline_and_a_hub_without_beats_is_taken_at_its_word() -> None:
    device = connected()
    device.on_hub(hub_said("offline", 0), monotonic=100, wall=WALL)
    assert not device.online
    device.on_hub(hub_said("online", 600, beat=None), monotonic=100, wall=WALL)  # a 0.1 hub
    device.check_hub(monotonic=10_000)
    assert device.online


def test_only_changes_repaint() -> None:
    device = connected()
    before = device.changes
    for second in range(5):
        device.on_hub(hub_said("online", 0), monotonic=100 + second, wall=WALL)
    assert device.changes == before + 1
