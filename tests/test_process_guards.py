"""What keeps one lobby whole: one embedded broker per port and one hub per store (a second
one is refused at start, says why and starts nothing: two hubs would hand out the same
numbers), two hubs sharing a broker named in the log, and a dead embedded broker restarted."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from lobby.broker.embedded import AmqttBroker, BrokerStartError, MosquittoBroker
from lobby.bus import BrokerAddress, TakeoverWatch
from tests.helpers import (
    DeviceClient,
    RunningHub,
    free_port,
    hub_command,
    small_config,
    small_config_file,
    wait_for,
)


@pytest.mark.parametrize("start", [
    lambda tmp, port: MosquittoBroker(tmp / "broker", port),
    lambda tmp, port: AmqttBroker(port),
], ids=["mosquitto", "amqtt"])
def test_embedded_broker_refuses_a_port_already_listened_on(
    start: Callable[[Path, int], object], tmp_path: Path
) -> None:
    # Anything listening answers a connect: before this check the broker's readiness test
    # passed and its own child's "address in use" exit went unseen.
    with socket.create_server(("127.0.0.1", 0)) as other:
        port = other.getsockname()[1]
        with pytest.raises(BrokerStartError, match="already in use"):
            start(tmp_path, port)
    assert not (tmp_path / "broker").exists()  # the running broker's files are not touched


def test_second_hub_on_one_store_is_refused_until_the_first_dies(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    _, config_file = small_config_file(tmp_path)
    db = tmp_path / "hub.sqlite"
    command = hub_command(config_file, db, mosquitto, "INFO")
    log = tmp_path / "first.log"
    with log.open("wb") as out:
        first = subprocess.Popen(command, stderr=out)
    try:
        assert wait_for(lambda: "hub for site" in log.read_text(), 15)
        second = subprocess.run(command, capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert f"in use by another hub (pid {first.pid})" in second.stderr
        assert "hub for site" not in second.stderr  # it started nothing
        assert first.poll() is None
        first.send_signal(signal.SIGKILL)  # however the first ends, its lock goes with it
        first.wait(5)
        third = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        try:
            assert third.stderr is not None
            assert any("hub for site" in line for line in third.stderr)
        finally:
            third.terminate()
            assert third.wait(10) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def test_second_demo_hub_on_a_busy_broker_port_starts_nothing(tmp_path: Path) -> None:
    _, config_file = small_config_file(tmp_path)
    port = free_port()
    with socket.create_server(("127.0.0.1", port)):
        run = subprocess.run(
            [*hub_command(config_file, tmp_path / "hub.sqlite", BrokerAddress("127.0.0.1", port)),
             "--embedded-broker", "--var", str(tmp_path / "var")],
            capture_output=True, text=True, timeout=30)
    assert run.returncode == 1
    assert "already in use" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "hub.sqlite").exists()


def test_two_hubs_for_one_site_on_one_broker_are_named_in_the_log(
    mosquitto: BrokerAddress, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Different stores, so no lock stops the second: they share the client id hub-<site>,
    # and the broker hands the connection from one to the other every second.
    config = small_config()
    first = RunningHub(config, tmp_path / "first.sqlite", mosquitto)
    second = RunningHub(config, tmp_path / "second.sqlite", mosquitto)
    try:
        assert wait_for(lambda: any("same client id" in r.getMessage()
                                    for r in caplog.records if r.levelno == logging.ERROR), 20)
    finally:
        second.stop()
        first.stop()


def test_takeover_watch_speaks_at_the_third_short_connection_in_a_minute_and_once(
    caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    watch = TakeoverWatch("hub-x", clock=lambda: now[0])

    def connection(opened: float, closed: float) -> None:
        now[0] = opened
        watch.connected()
        now[0] = closed
        watch.dropped()

    def errors() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]

    for opened in (0, 20, 40):  # connections that held 15 s: a poor network, not a takeover
        connection(opened, opened + 15)
    assert errors() == []
    for opened in (60, 100, 130, 135):  # short ones; the one at 60 is out of the window by 130
        connection(opened, opened + 1)
    assert len(errors()) == 1 and "'hub-x'" in errors()[0]
    connection(140, 141)  # still flapping, but said already within the minute
    assert len(errors()) == 1


def test_hub_starts_its_embedded_broker_again_when_it_dies(tmp_path: Path) -> None:
    config, config_file = small_config_file(tmp_path)
    address = BrokerAddress("127.0.0.1", free_port())
    command = [*hub_command(config_file, tmp_path / "hub.sqlite", address, "INFO"),
               "--embedded-broker", "--var", str(tmp_path / "var")]
    hub = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    kiosk = None
    try:
        def broker_child() -> psutil.Process | None:
            children = psutil.Process(hub.pid).children()
            return next((c for c in children if c.name() == "mosquitto"), None)

        assert wait_for(lambda: broker_child() is not None, 15)
        kiosk = DeviceClient(config, address, "kiosk-1")
        assert kiosk.ask("issue", service="A").ok
        first = broker_child()
        assert first is not None
        first.kill()  # the broker dies under a running lobby
        assert wait_for(lambda: (broker_child() or first).pid != first.pid, 10)
        # Every client comes back by itself: the kiosk's next ticket is answered.
        assert wait_for(lambda: kiosk is not None and kiosk.bus.connected.is_set(), 20)
        reply = kiosk.ask("issue", service="A")
        assert reply.ok and reply.data is not None and reply.data.number == "A002"
    finally:
        if kiosk is not None:
            kiosk.stop()
        hub.terminate()
        assert hub.wait(15) == 0
