"""The screen of a device that has never been configured: it says, in Vietnamese and English,
that it waits for the centre's configuration, who it is and whether it reaches the broker and
the hub. When the hub's configuration for it arrives, the device keeps it and starts again on
it (a second or two)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from devicekit.configuration import ConfigFollower
from devicekit.provisioning import DeviceIdentity
from lobby.presence import HubPresence

log = logging.getLogger(__name__)

TITLE = ("Đang chờ cấu hình của trung tâm", "Waiting for the centre's configuration")


class WaitingModel(HubPresence):
    def __init__(self, identity: DeviceIdentity, role: str, follower: ConfigFollower,
                 broker_problem: Callable[[], str | None] = lambda: None) -> None:
        self.identity = identity
        self.broker_problem = broker_problem
        self.role = role
        self.follower = follower
        self.on_change = lambda: None

    def lines(self) -> list[str]:
        """What the screen says under its title, in both languages."""
        broker = f"{self.identity.broker.host}:{self.identity.broker.port}"
        said = [f"Thiết bị / Device: {self.identity.device} ({self.role}) · "
                f"trung tâm / centre: {self.identity.site}"]
        problem = self.broker_problem() or ""
        if not self.connected and "refused" in problem:
            said.append(f"Máy chủ tin nhắn {broker} từ chối tên hoặc mật khẩu của thiết bị / "
                        f"The broker at {broker} refused this device's name or password")
        elif not self.connected:
            said.append(f"Chưa kết nối được máy chủ tin nhắn {broker} / "
                        f"Cannot reach the broker at {broker}")
        elif not self.hub_online:
            said.append(f"Đã kết nối; chưa có máy chủ trung tâm «{self.identity.site}» trả lời "
                        f"(mã trung tâm có đúng không?) / Connected; no hub of centre "
                        f"«{self.identity.site}» has answered yet (is the centre's id right?)")
        else:
            said.append("Đã kết nối với máy chủ trung tâm / Connected to the hub")
        if self.follower.problem:
            said.append("Cấu hình của trung tâm không dùng được cho thiết bị này / "
                        f"{self.follower.problem}")
        said.append("Vui lòng liên hệ quản trị viên / Please tell the administrator")
        return said
