"""The centre's figures (docs/metrics.md) against a morning counted by hand: each step's wait
(a transfer waits again), recalls starting no new wait, cancelled and never-handed-out
tickets out of the waits, the share within each service's target."""

from __future__ import annotations

from pathlib import Path

from lobby.config import parse_config
from tests.test_engine import Lobby
from tests.test_report import report_csv
from tests.test_supervision import CONSOLE_YAML

CENTRE = (CONSOLE_YAML
          .replace("    numbering: {start: 1, width: 3}\n  - id: B",
                   "    numbering: {start: 1, width: 3, daily_quota: 4}\n"
                   "    target_wait_minutes: 10\n  - id: B", 1)
          .replace('names: {vi: "Đất đai", en: "Land"}\n    numbering: {start: 1, width: 3}',
                   'names: {vi: "Đất đai", en: "Land"}\n    numbering: {start: 1, width: 3}\n'
                   '    target_wait_minutes: 15'))
DAY = "2026-11-23"


def minutes(lobby: Lobby, count: float) -> None:
    lobby.clock.advance(count * 60)


def test_figures_counted_by_hand(tmp_path: Path) -> None:
    config_file = tmp_path / "centre.yaml"
    config_file.write_text(CENTRE)
    lobby = Lobby(tmp_path / "hub.sqlite", parse_config(CENTRE))  # 08:00
    for service in ("A", "A", "B"):
        lobby.issue(service)
    minutes(lobby, 5)
    assert lobby.next("1") == "A001"  # waited 5
    minutes(lobby, 4)
    lobby.ask("counter-1", "done", counter="1")  # served in 4
    assert lobby.next("1") == "A002"  # waited 9
    lobby.ask("counter-1", "recall", counter="1")  # a recall starts no new wait
    minutes(lobby, 3)
    lobby.ask("counter-1", "transfer", counter="1", service="B")  # 3 at counter 1
    minutes(lobby, 8)
    assert lobby.next("2") == "A002"  # its place in time kept; waited 8 since the transfer
    minutes(lobby, 5)
    lobby.ask("counter-2", "no_show", counter="2")
    assert lobby.next("2") == "B001"  # waited 25
    minutes(lobby, 5)
    lobby.ask("counter-2", "done", counter="2")  # served in 5
    lobby.issue("A")
    cancelled = lobby.engine.store.conn.execute("SELECT MAX(id) FROM tickets").fetchone()[0]
    assert lobby.ask("console-1", "cancel", ticket_id=cancelled, user="gd", reason="về").ok
    lobby.issue("A")
    never = lobby.engine.store.conn.execute("SELECT MAX(id) FROM tickets").fetchone()[0]
    assert lobby.ask("kiosk-1", "not_handed_out", ticket_id=never).ok
    for _ in range(2):  # the quota is used up: a citizen turned away, once per transaction
        refused = lobby.ask("kiosk-1", "issue", transaction="late-1", service="A")
        assert refused.error.code == "quota_reached"
    lobby.engine.store.close()

    def report(*options: str) -> list[list[str]]:
        return report_csv("figures", config_file, tmp_path / "hub.sqlite", "--from", DAY,
                          *options)

    header, everything = report()
    assert header[:10] == ["all", "issued", "served", "no-show", "cancelled", "transferred",
                           "not printed", "not handed out", "refused: quota", "refused: closed"]
    # waits 5, 9, 8, 25: mean 11.75, median 8.5, p90 25, max 25; service 4, 3, 5;
    # on time: 5 ≤ 10, 9 ≤ 10, 8 ≤ 15, 25 > 15.
    assert everything == ["all", "5", "2", "1", "1", "1", "0", "1", "1", "0",
                          "11.8", "8.5", "25.0", "25.0", "4.0", "4.0", "75.0"]
    _, a, b = report("--by", "service")
    assert a[:10] == ["A", "4", "1", "1", "1", "1", "0", "1", "1", "0"]
    assert a[10:14] == ["7.0", "7.0", "9.0", "9.0"]
    assert b[:3] == ["B", "1", "1"] and b[10:14] == ["16.5", "16.5", "25.0", "25.0"]
