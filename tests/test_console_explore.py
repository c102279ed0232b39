"""`lobby explore`: Datasette on a copy of the store that holds no secret, whose canned
queries give the figures the console gives (the hand-computed day of the browser tests)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import httpx

from console import explore
from tests.console_helpers import console_config_file
from tests.helpers import free_port, wait_for
from tests.test_console_browser import _small_day


def test_the_copy_holds_no_secret_and_the_canned_waits_match(tmp_path: Path) -> None:
    config, config_file = console_config_file(tmp_path)
    db = tmp_path / "hub.sqlite"
    _small_day(db, config_file)
    with closing(sqlite3.connect(db)) as conn:  # as a running hub keeps them
        conn.execute("INSERT INTO config_revisions VALUES (1, 0, 'hub start', ?, '[]')",
                     (config_file.read_text(encoding="utf-8"),))
        conn.commit()
    copy = explore.snapshot(db, tmp_path / "explore", config.site.id)
    raw = copy.read_bytes()
    assert b"$argon2" not in raw and b"password_hash" not in raw
    with closing(sqlite3.connect(copy)) as kept:
        assert kept.execute("SELECT count(public_token) FROM tickets").fetchone()[0] == 0
    with closing(sqlite3.connect(db)) as store:  # the store itself keeps them
        assert store.execute("SELECT count(public_token) FROM tickets").fetchone()[0] == 4
    meta = tmp_path / "metadata.json"
    meta.write_text(json.dumps(explore.metadata(config, copy.stem)), encoding="utf-8")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "datasette", "serve", "--immutable",
                               str(copy), "--metadata", str(meta), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/{copy.stem}"
    try:
        assert wait_for(lambda: _up(url), 30)
        waits = httpx.get(f"{url}/waits_by_service.json", params={
            "first": "2026-11-23", "last": "2026-11-23", "_shape": "objects"}).json()["rows"]
        assert waits == [{"service": "A", "waits": 3, "mean": 11.7, "longest": 20.0}]
        on_time = httpx.get(f"{url}/on_time_by_service.json", params={
            "first": "2026-11-23", "last": "2026-11-23", "_shape": "objects"}).json()["rows"]
        assert on_time == [{"service": "A", "timed": 3, "on_time_percent": 66.7}]
        days = httpx.get(f"{url}/tickets_by_day.json", params={
            "first": "2026-11-23", "last": "2026-11-23", "_shape": "objects"}).json()["rows"]
        assert (days[0]["issued"], days[0]["served"], days[0]["cancelled"]) == (4, 2, 1)
        write = httpx.get(f"{url}.json", params={"sql": "DELETE FROM tickets"})
        assert write.status_code >= 400  # read-only
    finally:
        server.terminate()
        server.wait(10)


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}.json", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
