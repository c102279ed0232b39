"""`lobby report ratings` against a small store whose figures are counted by hand."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from lobby.config import parse_config
from tests.test_duty import STAFF_YAML
from tests.test_engine import Lobby

DAY = "2026-11-23"  # the Lobby's clock starts at 08:00 that day


def report_csv(kind: str, config_file: Path, db: Path, *options: str) -> list[list[str]]:
    """`lobby report KIND --csv`, read back as a spreadsheet would."""
    done = subprocess.run([sys.executable, "-m", "lobby.cli", "report", kind, "--config",
                           str(config_file), "--db", str(db), "--csv", *options],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("\ufeff")  # a spreadsheet reads it as UTF-8
    return list(csv.reader(io.StringIO(done.stdout.removeprefix("\ufeff"))))


def serve(lobby: Lobby, rating: tuple[str, str | None] | None) -> None:
    lobby.issue("A")
    lobby.next("1")
    lobby.ask("counter-1", "done", counter="1")
    if rating is not None:
        level, reason = rating
        fields = {"reason": reason} if reason else {}
        assert lobby.ask("pad-1", "rate", counter="1", level=level, **fields).ok


def test_the_report_counts_what_happened(tmp_path: Path) -> None:
    config_file = tmp_path / "centre.yaml"
    config_file.write_text(STAFF_YAML)
    lobby = Lobby(tmp_path / "hub.sqlite", parse_config(STAFF_YAML))
    lobby.ask("counter-1", "login", counter="1", staff="nv-lan", pin="2468")
    serve(lobby, ("very_satisfied", None))
    serve(lobby, ("very_satisfied", None))
    serve(lobby, ("dissatisfied", "waited_long"))
    lobby.ask("counter-1", "login", counter="1", staff="nv-hung", pin="2468")
    serve(lobby, ("satisfied", None))
    serve(lobby, None)  # not rated
    lobby.issue("A")
    lobby.next("1")
    lobby.ask("counter-1", "no_show", counter="1")  # not served: not counted
    lobby.engine.store.close()

    def report(*options: str) -> list[list[str]]:
        return report_csv("ratings", config_file, tmp_path / "hub.sqlite", "--from", DAY,
                          *options)

    header, everyone = report()
    assert header == ["all", "served", "ratings", "response %", "Rất hài lòng", "Hài lòng",
                      "Bình thường", "Không hài lòng", "satisfaction %", "reasons"]
    assert everyone == ["all", "5", "4", "80.0", "2", "1", "0", "1", "75.0", "Chờ quá lâu (1)"]
    _, hung, lan = report("--by", "staff")  # by given name (Hùng, then Lan)
    assert lan == ["Nguyễn Thị Lan", "3", "3", "100.0", "2", "0", "0", "1", "66.7",
                   "Chờ quá lâu (1)"]
    assert hung == ["Trần Văn Hùng", "2", "1", "50.0", "0", "1", "0", "0", "100.0", ""]
    assert report("--from", "2026-11-20", "--to", "2026-11-22") == [header]  # no row
