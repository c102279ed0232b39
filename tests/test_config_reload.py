"""Changing the running hub's configuration (issue #10): what a reload changes in the queue,
and `lobby config apply` against a real hub process on Mosquitto."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from hub.reload import live_part_of, needs_restart
from lobby.bus import BrokerAddress
from lobby.config import parse_config
from tests.helpers import (
    SMALL_YAML,
    Recorder,
    hub_command,
    small_config,
    small_config_file,
    wait_for,
)
from tests.test_engine import Lobby

WITHOUT_B = (SMALL_YAML
             .replace('  - id: B\n    names: {vi: "Đất đai", en: "Land"}\n'
                      '    numbering: {start: 1, width: 3}\n', "")
             .replace("services: [A, B]", "services: [A]")
             .replace('  - {id: "2", number: 2, services: [B]}\n', "")
             .replace('  - {id: counter-2, role: counter, counters: ["2"]}\n', ""))


def reconfigured(lobby: Lobby, text: str) -> None:
    new = parse_config(text.replace("id: test-site", f"id: {lobby.config.site.id}"))
    lobby.engine.reconfigure(new)
    lobby.config = new


def status(lobby: Lobby, counter: str) -> str:
    return lobby.engine.live.counters[counter].status


def test_a_removed_service_takes_no_ticket_but_its_waiting_ones_can_be_served(
    tmp_path: Path,
) -> None:
    lobby = Lobby(tmp_path / "hub.sqlite")
    assert [lobby.issue("B"), lobby.issue("B"), lobby.issue("A")] == ["B001", "B002", "A001"]
    reconfigured(lobby, WITHOUT_B)
    assert lobby.issue("B") == "unknown_service"
    assert lobby.next("1") == "A001"  # counter 1 serves A only now
    assert lobby.next("1") == "queue_empty"
    called = lobby.ask("counter-1", "call", counter="1", number="B002")
    assert called.ok and called.data.ticket.number == "B002"
    moved = lobby.ask("counter-1", "transfer", counter="1", service="A")
    assert moved.ok and lobby.next("1") == "B002"  # keeps its number in its new line
    assert lobby.ask("counter-1", "call", counter="1", number="B001").ok


def test_a_removed_counter_finishes_its_ticket_first(tmp_path: Path) -> None:
    lobby = Lobby(tmp_path / "hub.sqlite")
    lobby.issue("B")
    lobby.issue("B")
    assert lobby.next("2") == "B001"
    reconfigured(lobby, SMALL_YAML.replace('  - {id: "2", number: 2, services: [B]}\n', "")
                 .replace('  - {id: counter-2, role: counter, counters: ["2"]}\n', ""))
    keypad = lobby.engine.handle_counter_command  # counter 2's keypad is still wired
    refused = keypad("2", "call_next", "keypad").reply
    assert refused.error is not None and refused.error.code == "unknown_counter"
    live = lobby.engine.live.counters["2"]
    assert live.ticket is not None and live.ticket.number == "B001"
    assert lobby.engine.views.counter(live, 0).number == 2  # still counter 2 until done
    assert keypad("2", "done", "keypad").reply.ok
    assert lobby.engine.live.counters["2"].status == "closed"
    assert lobby.next("1") == "B002"


def test_a_terminal_moved_to_another_counter_still_finishes_the_old_ones_ticket(
    tmp_path: Path,
) -> None:
    lobby = Lobby(tmp_path / "hub.sqlite")
    lobby.issue("B")
    assert lobby.next("2") == "B001"
    text = (SMALL_YAML.replace('  - {id: "2", number: 2, services: [B]}\n',
                               '  - {id: "3", number: 3, services: [B]}\n')
            .replace('counters: ["2"]', 'counters: ["3"]'))
    reconfigured(lobby, text)
    assert lobby.ask("counter-2", "done", counter="2").ok
    refused = lobby.ask("counter-2", "call_next", counter="2")
    assert refused.error is not None and refused.error.code == "unknown_counter"
    lobby.issue("B")
    serving = lobby.ask("counter-2", "call_next", counter="3")  # and serves its new counter
    assert serving.ok and serving.data.ticket.number == "B002"


def test_what_needs_a_restart_keeps_its_running_value() -> None:
    running = small_config()
    text = SMALL_YAML.replace("id: test-site", f"id: {running.site.id}")
    new = parse_config(text.replace("heartbeat_seconds: 0.2", "heartbeat_seconds: 5")
                       + "broker:\n  port: 1999\n"
                       + 'serial:\n  port: "loop://"\n  keypads: {"01": "1"}\n')
    assert needs_restart(running, new) == ["broker", "hub", "serial"]
    live = live_part_of(running, new)
    assert (live.broker, live.hub, live.serial) == (running.broker, running.hub, None)
    moved = parse_config(text.replace("id: t-", "id: other-"))
    assert needs_restart(running, moved) == ["site.id"]
    assert live_part_of(running, moved).site.id == running.site.id


def test_engine_reload_keeps_numbers(tmp_path: Path) -> None:
    lobby = Lobby(tmp_path / "hub.sqlite")
    assert lobby.issue("A") == "A001"
    reconfigured(lobby, SMALL_YAML.replace("Hộ tịch", "Hộ tịch - Chứng thực"))
    assert lobby.issue("A") == "A002"


def _lobby(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lobby.cli", *args], capture_output=True,
                          text=True, timeout=60)


def test_config_apply_changes_the_running_hub_or_nothing(
    mosquitto: BrokerAddress, tmp_path: Path,
) -> None:
    config, path = small_config_file(tmp_path)
    db = tmp_path / "hub.sqlite"
    recorder = Recorder(config, mosquitto, "state/config", client_id="config-watch")
    hub = subprocess.Popen(hub_command(path, db, mosquitto),
                           stderr=(tmp_path / "hub-log.txt").open("a"), text=True)
    try:
        assert wait_for(lambda: recorder.last("state/config") is not None, 15)
        broken = tmp_path / "broken.yaml"
        broken.write_text(path.read_text().replace("width: 3", "width: nine", 1))
        refused = _lobby("config", "apply", str(broken), "--config", str(path), "--db", str(db))
        assert refused.returncode == 2
        assert "broken.yaml:7: services[0].numbering.width" in refused.stderr
        assert "nothing was changed" in refused.stderr
        assert "width: 3" in path.read_text()  # the hub's file untouched

        renamed = tmp_path / "renamed.yaml"
        renamed.write_text(path.read_text().replace("Hộ tịch", "Hộ tịch - Chứng thực")
                           + "broker:\n  port: 1999\n")
        applied = _lobby("config", "apply", str(renamed), "--config", str(path),
                         "--db", str(db))
        assert applied.returncode == 0, applied.stderr
        assert "revision 2 applied: services.A.names.vi" in applied.stdout
        assert "needs a restart" in applied.stdout and "broker" in applied.stdout
        assert wait_for(lambda: (recorder.last("state/config") or {}).get("revision") == 2)
        published = recorder.last("state/config")
        assert published is not None
        assert published["config"]["services"][0]["names"]["vi"] == "Hộ tịch - Chứng thực"
        assert (tmp_path / "lobby.yaml.previous").exists()

        os.kill(hub.pid, signal.SIGHUP)  # the same file again: no new revision
        assert not wait_for(lambda: (recorder.last("state/config") or {}).get("revision") == 3,
                            1.5)
        history = _lobby("config", "history", "--config", str(path), "--db", str(db))
        lines = history.stdout.splitlines()
        assert len(lines) == 2 and "hub start" in lines[0]
        assert "lobby config apply by" in lines[1] and "services.A.names.vi" in lines[1]
        assert hub.poll() is None
    finally:
        hub.terminate()
        hub.wait(10)
        recorder.stop()


def test_config_apply_without_a_running_hub_only_replaces_the_file(tmp_path: Path) -> None:
    _config, path = small_config_file(tmp_path)
    new = tmp_path / "new.yaml"
    new.write_text(path.read_text().replace("Đất đai", "Đất đai - Nhà ở"))
    done = _lobby("config", "apply", str(new), "--config", str(path),
                  "--db", str(tmp_path / "none.sqlite"))
    assert done.returncode == 0 and "no hub is running" in done.stdout
    assert "Nhà ở" in path.read_text()


def test_a_counter_closed_in_the_configuration_finishes_its_ticket_and_takes_no_call(
    tmp_path: Path,
) -> None:
    lobby = Lobby(tmp_path / "hub.sqlite")
    lobby.issue("B")
    lobby.issue("B")
    assert lobby.next("2") == "B001"
    closed = SMALL_YAML.replace('{id: "2", number: 2, services: [B]}',
                                '{id: "2", number: 2, services: [B], closed: true}')
    reconfigured(lobby, closed)
    assert status(lobby, "2") == "open"  # still serving B001
    assert lobby.next("2") == "closed"
    assert lobby.ask("counter-2", "done", counter="2").ok
    assert status(lobby, "2") == "closed"
    assert lobby.ask("counter-2", "resume", counter="2").error.code == "closed"
    assert lobby.engine.live.serving_counters("B") == 1  # estimates leave it out
    reconfigured(lobby, SMALL_YAML)  # opened again: the staff open it with their first call
    assert lobby.next("2") == "B002"


def test_a_service_whose_every_counter_is_closed_takes_no_ticket(tmp_path: Path) -> None:
    lobby = Lobby(tmp_path / "hub.sqlite")
    reconfigured(lobby, SMALL_YAML.replace("services: [A, B]", "services: [A]").replace(
        '{id: "2", number: 2, services: [B]}', '{id: "2", number: 2, services: [B], '
        'closed: true}'))
    assert lobby.issue("B") == "closed"  # it would wait for nobody
    queues = {q.id: q for q in lobby.engine.views.queues(lobby.engine.live, 0).services}
    assert not queues["B"].open and queues["B"].opens_at is None and queues["A"].open
