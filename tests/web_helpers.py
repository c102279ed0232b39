"""A web application served by uvicorn in a thread of the test's process, on a loopback port:
the console's and the public page's tests look inside while a browser uses it."""

from __future__ import annotations

import threading
import time

import uvicorn
from starlette.applications import Starlette

from hub.store.reading import ReadOnlyStore
from lobby.hub_link import HubLink


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


class RunningWing:
    """A web wing (the console, the public page) as its command runs it: its bus link started
    (when the test gives it a broker), its app served; `stop` closes the three in turn."""

    def __init__(self, app: Starlette, port: int, name: str, link: HubLink | None,
                 store: ReadOnlyStore) -> None:
        self.link, self._store = link, store
        if link is not None:
            link.start()
            assert link.bus.wait_connected(5)
        self.served = ServedApp(app, port, name)
        self.port, self.url = self.served.port, self.served.url

    def stop(self) -> None:
        self.served.stop()
        if self.link is not None:
            self.link.stop()
        self._store.close()
