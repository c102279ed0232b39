"""Making a new configuration the running hub's, from another process on the hub's machine
(`lobby config apply`, the console's settings page): the text is checked as check-config
checks it, the hub's file is replaced atomically (the previous one kept beside it), and the
running hub is asked to take it now (hub/reload.py: a request file and SIGHUP), naming who
asked; a file the hub refuses is put back."""

from __future__ import annotations

import fcntl
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from hub.reload import ReloadResult, needs_restart, request_path, result_path
from lobby.config import ConfigError, LobbyConfig, load_config, parse_config

WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Applied:
    store: str  # the hub's store the request went to
    replaced: bool  # the hub's file now holds the new text (False: it held it already)
    hub_pid: int | None  # the running hub asked, None when no hub runs on the store
    result: ReloadResult | None  # its answer; None when none runs or it did not answer
    later: list[str]  # with no hub running: what it takes only at its start anyway


def apply_text(text: str, target: Path, db: str | None, applied_by: str,
               source: str) -> Applied:
    """Raises ConfigError (nothing changed) when `text` is not a valid configuration; its
    problems name `source` (the file given, or the page the text came from) and the line."""
    new = parse_config(text, source)
    try:
        running: LobbyConfig | None = load_config(target)
    except ConfigError:
        running = None  # the hub's file itself is broken: the new one replaces it
    store = db or (running or new).hub.db
    replaced = replace_file(target, text)
    pid = running_hub(store)
    if pid is None:
        return Applied(store, replaced, None, None,
                       needs_restart(running, new) if running else [])
    result = ask_hub(store, pid, applied_by)
    if result is not None and result.error is not None and replaced:
        (target.parent / f"{target.name}.previous").replace(target)  # refused: as it was
    return Applied(store, replaced, pid, result, [])


def replace_file(target: Path, text: str) -> bool:
    """Atomically, keeping the previous file beside it; False when it is the same already."""
    if target.exists():
        if target.read_text(encoding="utf-8") == text:
            return False
        (target.parent / f"{target.name}.previous").write_bytes(target.read_bytes())
    temporary = target.parent / f".{target.name}.new"
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    return True


def running_hub(db: str) -> int | None:
    """The pid of the hub holding the store's lock (hub/store/owner.py), None if none does."""
    lock = Path(f"{db}.lock")
    if not lock.exists():
        return None
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read().strip()
            return int(text) if text.isdigit() else None
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def ask_hub(db: str, pid: int, applied_by: str) -> ReloadResult | None:
    answer = result_path(db)
    answer.unlink(missing_ok=True)
    request_path(db).write_text(f"{applied_by}\n", encoding="utf-8")
    os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if answer.exists():
            return ReloadResult.from_json(answer.read_text(encoding="utf-8"))
        time.sleep(0.05)
    return None
