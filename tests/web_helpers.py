"""A web application served by uvicorn in a thread of the test's process, on a loopback port:
the console's and the public page's tests look inside while a browser uses it."""

from __future__ import annotations

import threading
import time

import uvicorn
from starlette.applications import Starlette


class ServedApp:
    def __init__(self, app: Starlette, port: int, name: str) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True, name=name)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, f"the {name} did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)
