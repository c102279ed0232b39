"""`lobby hub` that dies by SIGKILL right after its N-th answered request is committed, before
the reply is published: the one moment a power cut can leave a ticket stored whose kiosk never
heard of it. The kill is real; only its moment is chosen, so the crash test hits this case on
purpose instead of by luck. Usage: python -m tests.crashing_hub N <lobby arguments...>"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from hub.engine import Engine, Outcome
from lobby.cli import main

_answered = 0


def _serve_then_die(limit: int) -> None:
    real = Engine.handle_request

    def handle_request(self: Engine, device: str, action: str, payload: bytes) -> Outcome:
        global _answered
        outcome = real(self, device, action, payload)  # committed when it returns
        if outcome.reply.ok:
            _answered += 1
            if _answered == limit:
                os.kill(os.getpid(), signal.SIGKILL)  # before the runtime publishes the reply
        return outcome

    setattr(Engine, "handle_request", handle_request)  # noqa: B010


def run(argv: list[str]) -> Any:
    _serve_then_die(int(argv[0]))
    return main(argv[1:])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
