"""The configuration kept by the hub (issue #10, the first part): published as a retained
`state/config` with its revision, each different configuration a new revision in the store
with what changed, and never a secret on the broker."""

from __future__ import annotations

import json
from pathlib import Path

from hub.config_revisions import current_revision, for_devices
from hub.store import Store
from lobby.bus import BrokerAddress
from tests.helpers import Recorder, RunningHub, small_config, wait_for


def test_each_different_configuration_is_a_new_revision(tmp_path: Path) -> None:
    store = Store(tmp_path / "hub.sqlite")
    config = small_config()
    first = current_revision(store, config, 100.0, "hub start")
    assert first.number == 1 and first.config == for_devices(config)
    again = current_revision(store, config, 200.0, "hub start")  # unchanged: the same
    assert (again.number, again.at, again.changes) == (1, 100.0, ())
    renamed = config.model_copy(update={"services": [
        config.services[0].model_copy(update={"names": {"vi": "Hộ tịch mới", "en": "New"}}),
        *config.services[1:]]})
    second = current_revision(store, renamed, 300.0, "config apply")
    assert (second.number, second.at, second.changes) == (2, 300.0, ("services.A.names.en",
                                                                "services.A.names.vi"))
    row = store.conn.execute(
        "SELECT applied_by, changes FROM config_revisions WHERE revision = 2").fetchone()
    assert row[0] == "config apply" and json.loads(row[1]) == ["services.A.names.en",
                                                               "services.A.names.vi"]


def test_the_hub_publishes_its_configuration_and_no_secret(
    mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    secret = tmp_path / "hub.password"
    secret.write_text("s3cret-Passw0rd\n")
    config = small_config(**{"hub:": f"broker:\n  username: hub\n  password_file: {secret}\n"
                                     f"hub:"})
    everything = Recorder(config, mosquitto, "#", client_id="all-payloads")
    hub = RunningHub(config, tmp_path / "hub.sqlite", mosquitto)
    try:
        assert wait_for(lambda: everything.last("state/config") is not None)
        published = everything.last("state/config")
        assert published is not None and published["revision"] == 1
        assert [s["id"] for s in published["config"]["services"]] == ["A", "B"]
        assert "broker" not in published["config"] and "db" not in published["config"]["hub"]
        raw = json.dumps(everything.messages, ensure_ascii=False)
        for secret_text in ("s3cret-Passw0rd", str(secret), "hub.password", str(tmp_path)):
            assert secret_text not in raw
    finally:
        hub.stop()
        everything.stop()


def test_staff_names_are_published_never_their_pin_hashes_or_codes(tmp_path: Path) -> None:
    from hub.duty import hash_pin

    pin_hash = hash_pin("2468")
    config = small_config(**{"hub:": f'staff:\n  - {{id: nv-a, name: "Nguyễn An", '
                                     f'pin_hash: "{pin_hash}", keypad_code: "4321"}}\nhub:'})
    published = json.dumps(for_devices(config), ensure_ascii=False)
    assert "Nguyễn An" in published
    assert pin_hash not in published and "$argon2" not in published and "4321" not in published
