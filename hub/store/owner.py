"""One hub per store. Two hubs on one SQLite file would each keep their own queue in memory
and hand out the same numbers; the second one is refused at start with the first one's pid."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class StoreInUseError(RuntimeError):
    pass


class StoreOwner:
    """An exclusive advisory lock on `<db>.lock`, held while the hub runs. The kernel drops it
    when the process dies, however it dies, so a crash never leaves a stale lock behind."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = open(self.path, "a+")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "?"
            self._file.close()
            self._file = None
            raise StoreInUseError(f"store {db_path} is in use by another hub (pid {holder}); "
                                  "stop it first: two hubs would hand out the same numbers"
                                  ) from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(str(os.getpid()))
        self._file.flush()

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the lock
            self._file = None
