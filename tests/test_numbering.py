from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hub.numbering import is_open, local_day, next_opening, number_for, quota_reached
from lobby.config.models import Numbering, OpeningHours, Service

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str, zone: ZoneInfo = VN) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def service(**numbering: int) -> Service:
    return Service(id="A", names={"vi": "A", "en": "A"}, numbering=Numbering(**numbering))


def test_day_is_local_to_the_site_not_utc() -> None:
    # 23:59 in Hanoi is 16:59 UTC the same day; 00:01 is still the previous day in UTC.
    assert local_day(at("2026-11-21T23:59:59"), VN) == "2026-11-21"
    assert local_day(at("2026-11-22T00:00:01"), VN) == "2026-11-22"
    assert dt.datetime.fromtimestamp(at("2026-11-22T00:00:01"), dt.UTC).day == 21


def test_number_is_prefix_and_zero_padded_value() -> None:
    assert number_for(service(width=3), 23) == "A023"
    assert number_for(service(width=4, start=100), 1) == "A0100"


def test_numbers_wrap_back_to_start() -> None:
    wrapping = service(width=2, start=1, wrap_at=3)
    assert [number_for(wrapping, i) for i in range(1, 8)] == [
        "A01", "A02", "A03", "A01", "A02", "A03", "A01"]
    full = service(width=2, start=1)
    assert number_for(full, 99) == "A99" and number_for(full, 100) == "A01"


def test_quota() -> None:
    assert not quota_reached(service(daily_quota=2), 2)
    assert quota_reached(service(daily_quota=2), 3)
    assert not quota_reached(service(), 10_000)


def test_opening_hours() -> None:
    hours = [OpeningHours(days=["mon"], open=dt.time(7, 30), close=dt.time(11, 30))]
    svc = Service(id="D", names={"vi": "D"}, hours=hours)
    monday = "2026-11-23"
    assert not is_open(svc, at(f"{monday}T07:29:59"), VN)
    assert is_open(svc, at(f"{monday}T07:30:00"), VN)
    assert not is_open(svc, at(f"{monday}T11:30:00"), VN)
    assert not is_open(svc, at("2026-11-24T09:00:00"), VN)  # a Tuesday
    assert is_open(Service(id="E", names={"vi": "E"}), at("2026-11-24T03:00:00"), VN)


def test_a_closed_service_says_when_it_opens_next() -> None:
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    desk = Service.model_validate({
        "id": "T", "names": {"vi": "Tiếp nhận", "en": "Reception"},
        "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "open": "07:30",
                   "close": "11:30"},
                  {"days": ["mon", "tue", "wed", "thu", "fri"], "open": "13:30",
                   "close": "17:00"},
                  {"days": ["sat"], "open": "08:00", "close": "11:00"}]})

    def at(text: str) -> float:
        return dt.datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()

    def opens(text: str) -> str | None:
        found = next_opening(desk, at(text), zone)
        return found.strftime("%a %H:%M") if found else None

    assert opens("2026-11-23T12:00") == "Mon 13:30"  # the lunch break
    assert opens("2026-11-23T09:00") is None  # open now
    assert opens("2026-11-27T17:30") == "Sat 08:00"  # Friday evening
    assert opens("2026-11-28T12:00") == "Mon 07:30"  # Saturday after closing
    always = Service.model_validate({"id": "A", "names": {"vi": "A", "en": "A"}})
    assert next_opening(always, at("2026-11-23T03:00"), zone) is None
