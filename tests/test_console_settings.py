"""The settings page: an admin's change goes into the hub's configuration file (its comments
kept), is checked as check-config checks it and applied live by the running hub (a process
of its own here), in the admin's name; a wrong value changes nothing; only admins may; a new
PIN is kept only as its hash and no hash reaches the page."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lobby.bus import BrokerAddress
from tests.console_helpers import PASSWORDS, RunningConsole, console_config_file
from tests.helpers import Recorder, hub_command, wait_for


@pytest.fixture
def running(mosquitto: BrokerAddress, tmp_path: Path) -> Iterator[tuple[RunningConsole,
                                                                         Recorder, Path]]:
    config, config_file = console_config_file(tmp_path)
    config_file.write_text("# The test centre: kept as the admin wrote it.\n"
                           + config_file.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "hub.sqlite"
    watch = Recorder(config, mosquitto, "state/config", client_id="settings-watch")
    hub = subprocess.Popen(hub_command(config_file, db, mosquitto),
                           stderr=(tmp_path / "hub.log").open("a"))
    console = None
    try:
        assert wait_for(lambda: watch.last("state/config") is not None, 15), \
            (tmp_path / "hub.log").read_text()
        console = RunningConsole(config, config_file, db, mosquitto)
        yield console, watch, config_file
    finally:
        if console is not None:
            console.stop()
        hub.terminate()
        hub.wait(10)
        watch.stop()


def signed_in(console: RunningConsole, name: str) -> tuple[httpx.Client, str]:
    session = httpx.Client(base_url=console.url, timeout=20)
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get("/login").text)
    assert token is not None
    session.post("/login", data={"csrf_token": token[1], "name": name,
                                 "password": PASSWORDS[name]})
    session.get("/lang/en")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', session.get("/settings").text
                     if name == "giamdoc" else session.get("/announcements").text)
    assert csrf is not None
    return session, csrf[1]


def test_an_admin_renames_a_service_and_the_hub_takes_it_live(
        running: tuple[RunningConsole, Recorder, Path]) -> None:
    console, watch, config_file = running
    session, csrf = signed_in(console, "giamdoc")
    answer = session.post("/settings/services/edit", data={
        "csrf_token": csrf, "item": "A", "name_vi": "Hộ tịch - Chứng thực",
        "name_en": "Civil status and certification", "target_wait_minutes": "20",
        "default_service_minutes": "6", "daily_quota": "250",
        "hours": "mon-fri 07:30-11:30 13:30-17:00\nsat 07:30-11:30"})
    assert answer.status_code == 200, answer.text
    assert "Applied: services.A · revision 2" in answer.text
    assert wait_for(lambda: (watch.last("state/config") or {}).get("revision") == 2)
    published = watch.last("state/config")
    assert published is not None
    service = published["config"]["services"][0]
    assert service["names"]["vi"] == "Hộ tịch - Chứng thực"
    assert service["target_wait_minutes"] == 20 and service["numbering"]["daily_quota"] == 250
    assert [rule["days"] for rule in service["hours"]] == [
        ["mon", "tue", "wed", "thu", "fri"], ["mon", "tue", "wed", "thu", "fri"], ["sat"]]
    text = config_file.read_text(encoding="utf-8")
    assert text.startswith("# The test centre: kept as the admin wrote it.\n")
    assert "console:giamdoc" in answer.text  # the history names who
    assert (config_file.parent / f"{config_file.name}.previous").exists()


def test_a_wrong_value_changes_nothing_and_says_what(
        running: tuple[RunningConsole, Recorder, Path]) -> None:
    console, watch, config_file = running
    before = config_file.read_text(encoding="utf-8")
    session, csrf = signed_in(console, "giamdoc")
    for form, said in (
            ({"item": "A", "name_vi": "Hộ tịch", "hours": "someday 9-5"},
             "is not a day"),
            ({"item": "A", "name_vi": "Hộ tịch", "daily_quota": "many"}, "not a number"),
            ({"item": "A", "name_vi": "Hộ tịch", "daily_quota": "0"},
             "numbering.daily_quota"),  # the model's own check, with the key
            ({"item": "A", "name_vi": "Hộ tịch", "hours": "mon 17:00-08:00"},
             "close must be after open")):
        answer = session.post("/settings/services/edit", data={"csrf_token": csrf, **form})
        assert answer.status_code == 422 and said in answer.text, (form, answer.text[-800:])
        assert "Nothing was changed" in answer.text
    refused = session.post("/settings/counters/remove", data={"csrf_token": csrf, "item": "1"})
    assert refused.status_code == 422  # counter-1's terminal still acts for it
    assert config_file.read_text(encoding="utf-8") == before
    assert (watch.last("state/config") or {}).get("revision") == 1


def test_only_an_admin_changes_settings_and_a_pin_stays_a_hash(
        running: tuple[RunningConsole, Recorder, Path]) -> None:
    console, _watch, config_file = running
    supervisor, csrf = signed_in(console, "giamsat")
    assert supervisor.get("/settings").status_code == 403
    assert supervisor.post("/settings/services/add", data={
        "csrf_token": csrf, "id": "Z", "name_vi": "Mới"}).status_code == 403
    admin, csrf = signed_in(console, "giamdoc")
    added = admin.post("/settings/staff/add", data={
        "csrf_token": csrf, "id": "nv-moi", "name": "Đỗ Văn Mới", "pin": "864209",
        "keypad_code": "31"})
    assert added.status_code == 200, added.text[-800:]
    text = config_file.read_text(encoding="utf-8")
    assert "nv-moi" in text and "$argon2id$" in text and "864209" not in text
    page = admin.get("/settings").text
    assert "Đỗ Văn Mới" in page and "$argon2" not in page and "864209" not in page
    assert "staff.nv-moi" in page  # the history: what was added
