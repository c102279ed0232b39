"""Mosquitto as docs/install.md sets it up on Debian 12: the stock /etc/mosquitto/mosquitto.conf
with the generated lobby.conf in its conf.d/ (paths moved into the test's folder, every
directive kept). Each device may write only its own requests and status and read only its
replies and what its role reads; a device cannot take another's connection by claiming its
client id. Over MQTT 3.1.1 a denied publish is still acknowledged, so these tests check what
arrives."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from devicekit.configuration import ConfigFollower, Configuration, read_cache
from devicekit.provisioning import resolve
from lobby.broker.embedded import MosquittoBroker
from lobby.broker.mosquitto_conf import CONF_NAME, hash_password, production_files
from lobby.bus import BrokerAddress, Bus
from lobby.config import LobbyConfig, load_config
from lobby.contract.registry import Topics, spec
from tests.helpers import DeviceClient, Recorder, RunningHub, free_port, small_config, wait_for

PASSWORDS = {"hub": "hub-secret", "kiosk-1": "k1-secret", "kiosk-2": "k2-secret",
             "board-1": "b1-secret", "counter-1": "c1-secret", "counter-2": "c2-secret",
             "observer": "o-secret"}


STOCK_CONF = Path("/etc/mosquitto/mosquitto.conf")  # Debian's, installed with mosquitto
OBSERVER = "observer"  # a test-only user that may read the whole site, to see what arrives


def stock_debian_config(folder: Path) -> str:
    """Debian's own mosquitto.conf, with its paths moved into `folder`."""
    if not STOCK_CONF.exists():
        pytest.fail(f"{STOCK_CONF} is missing: run ./run.sh test, which installs mosquitto")
    for writable in ("run", "log"):  # Mosquitto writes these after dropping root
        (folder / writable).mkdir()
        (folder / writable).chmod(0o777)
    moved = {"/run/mosquitto/": f"{folder}/run/", "/var/lib/mosquitto/": f"{folder}/lib/",
             "/var/log/mosquitto/": f"{folder}/log/", "/etc/mosquitto/conf.d": f"{folder}/conf.d"}
    text = STOCK_CONF.read_text()
    for old, new in moved.items():
        assert old in text, f"Debian's mosquitto.conf no longer says {old}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def secured(tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[LobbyConfig, BrokerAddress]]:
    config = small_config()
    root = tmp_path_factory.mktemp("broker")
    # Mosquitto started as root drops to its own user: its files must be reachable by it.
    for folder in (root, *root.parents):
        if folder == Path(tempfile.gettempdir()):
            break
        folder.chmod(folder.stat().st_mode | 0o755)
    out, conf_d = root / "generated", root / "conf.d"
    conf_d.mkdir()
    port = free_port()
    production_files(config, out, port=port, passwords=PASSWORDS, bind="127.0.0.1")
    with (out / "passwd").open("a") as passwd:
        passwd.write(f"{OBSERVER}:{hash_password(PASSWORDS[OBSERVER])}\n")
    with (out / "acl").open("a") as acl:
        acl.write(f"\nuser {OBSERVER}\ntopic read lobby/{config.site.id}/#\n")
    shutil.copy(out / CONF_NAME, conf_d / CONF_NAME)  # docs/install.md, step 2
    broker = MosquittoBroker(root, port, config_text=stock_debian_config(root))
    yield config, BrokerAddress(host="127.0.0.1", port=port)
    broker.stop()


def as_user(address: BrokerAddress, user: str) -> BrokerAddress:
    return replace(address, username=user, password=PASSWORDS[user])


def test_password_hash_matches_mosquitto_passwd_format() -> None:
    digest = hash_password("s3cret", salt=b"0123456789ab")
    assert digest.startswith("$7$101$MDEyMzQ1Njc4OWFi$") and len(digest.split("$")[-1]) == 88


def test_devices_are_bound_to_their_own_topics(
    secured: tuple[LobbyConfig, BrokerAddress], tmp_path: Path
) -> None:
    config, address = secured
    hub = RunningHub(config, tmp_path / "hub.sqlite", as_user(address, "hub"))
    hub_view = Recorder(config, as_user(address, OBSERVER), "#", client_id="hub-eyes")
    kiosk1 = DeviceClient(config, as_user(address, "kiosk-1"), "kiosk-1")
    kiosk2 = DeviceClient(config, as_user(address, "kiosk-2"), "kiosk-2")
    # The board tries to read kiosk-2's replies and every request.
    snoop = Recorder(config, as_user(address, "board-1"), "reply/kiosk-2", "request/#",
                     "state/#", client_id="snoop")
    topics = Topics(config.site.id)
    try:
        assert kiosk1.ask("issue", service="A").ok  # its own request: allowed and answered
        assert kiosk2.ask("issue", service="A").ok
        forged = [
            ("request/kiosk-2/issue", b'{"transaction": "forged-1", "service": "A"}'),
            ("request/counter-1/call_next", b'{"transaction": "forged-2", "counter": "1"}'),
            ("state/board", b'{"seq": 999, "calls": [], "at": "x"}'),
            ("event/called", b'{"seq": 999}'),
            ("device/kiosk-2/status", b'{"state": "offline", "role": "kiosk", "at": "x"}'),
            ("reply/kiosk-2", b'{"transaction": "t", "action": "issue", "ok": true}'),
            # Its own topic, but an action its role may not take (the rules come from the
            # registry's parties).
            ("request/kiosk-1/call_next", b'{"transaction": "forged-3", "counter": "1"}'),
        ]
        for topic, body in forged:
            info = kiosk1.bus.publish_raw(topics.prefix + topic, body, qos=1)
            info.wait_for_publish(2)  # acknowledged all the same (MQTT 3.1.1)
        # A sentinel kiosk-1 may send, after the forgeries: the broker delivers one client's
        # messages in order, so once it has arrived every forgery would have too.
        kiosk1.bus.publish_raw(topics.prefix + "request/kiosk-1/issue",
                               b'{"transaction": "sentinel", "service": "B"}', qos=1)
        assert wait_for(lambda: any(d.get("transaction") == "sentinel"
                                    for _, d in hub_view.messages))
        forged_arrivals = [
            (t, d) for t, d in hub_view.messages
            if str(d.get("transaction", "")).startswith("forged") or d.get("seq") == 999
            or (t == "device/kiosk-2/status" and d.get("state") == "offline")
            or (t == "reply/kiosk-2" and d.get("transaction") == "t")
        ]
        assert forged_arrivals == []
        # The control: what kiosk-1 may send does arrive.
        assert "request/kiosk-1/issue" in {t for t, _ in hub_view.messages}
        assert wait_for(lambda: hub.engine.store.count_tickets() == 3)  # 2 and the sentinel
        assert snoop.on("reply/kiosk-2") == []
        assert not any(t.startswith("request/") for t, _ in snoop.messages)
        assert wait_for(lambda: snoop.last("state/queues") is not None)  # its role reads it
    finally:
        for party in (snoop, kiosk1, kiosk2, hub_view, hub):
            party.stop()


def test_no_device_can_take_another_connection_by_its_client_id(
    secured: tuple[LobbyConfig, BrokerAddress], tmp_path: Path
) -> None:
    """A kiosk's credentials with the hub's client id once disconnected the hub every time
    (its will then said `offline`), and with counter-1's id the counter."""
    config, address = secured
    hub = RunningHub(config, tmp_path / "hub.sqlite", as_user(address, "hub"))
    counter = DeviceClient(config, as_user(address, "counter-1"), "counter-1")
    states = Recorder(config, as_user(address, OBSERVER), "state/hub", client_id="eyes")
    dropped: list[str] = []
    hub.hub.bus.on_disconnected(lambda: dropped.append("hub"))
    counter.bus.on_disconnected(lambda: dropped.append("counter-1"))
    try:
        for claimed in (f"hub-{config.site.id}", "hub", "counter-1", "observer"):
            impostor = Bus(Topics(config.site.id), claimed, as_user(address, "kiosk-1"))
            impostor.start()
            assert impostor.wait_connected(5)  # let in, as kiosk-1 under its own name
            impostor.stop()
        # A sentinel through both parties after the impostors came: they are still served.
        assert counter.ask("resume", counter="1").ok
        assert wait_for(lambda: (states.last("state/hub") or {}).get("state") == "online")
        assert dropped == []
        assert all(s["state"] == "online" for s in states.on("state/hub"))
    finally:
        for party in (states, counter, hub):
            party.stop()


def test_wrong_password_is_refused(secured: tuple[LobbyConfig, BrokerAddress]) -> None:
    config, address = secured
    bus = Bus(Topics(config.site.id), "intruder", replace(address, username="kiosk-1",
                                                          password="guess"))
    bus.start()
    try:
        assert not bus.wait_connected(1.5)
    finally:
        bus.stop()


def test_broker_config_command_writes_owner_only_credentials(tmp_path: Path) -> None:
    out = tmp_path / "broker"
    result = subprocess.run([sys.executable, "-m", "lobby.cli", "broker-config", "--config",
                             "config/demo.yaml", "--out", str(out)], capture_output=True,
                            text=True, cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    creds = sorted(p.name for p in (out / "credentials").iterdir())
    devices = [d.id for d in load_config("config/demo.yaml").devices]
    assert creds == sorted(["hub.env", *(f"{d}.env" for d in devices)])
    for path in (out / "credentials").iterdir():
        assert path.stat().st_mode & 0o777 == 0o600
    # All a device needs to start: `lobby kiosk --credentials kiosk-1.env`.
    kiosk = (out / "credentials" / "kiosk-1.env").read_text()
    assert kiosk.startswith("LOBBY_SITE=demo-centre\nLOBBY_DEVICE=kiosk-1\n"
                            "LOBBY_BROKER=127.0.0.1:18830\nLOBBY_MQTT_USER=kiosk-1\n")
    assert "LOBBY_DEVICE" not in (out / "credentials" / "hub.env").read_text()
    acl = (out / "acl").read_text()
    assert "user kiosk-1\ntopic write lobby/demo-centre/request/kiosk-1/issue\n" in acl
    assert "request/kiosk-1/call_next" not in acl  # a kiosk calls nobody
    assert "topic write lobby/demo-centre/request/counter-1/call_next" in acl
    assert "request/board-1/" not in acl and "reply/board-1" not in acl  # a board asks nothing
    # A rating pad may only rate, and reads its counter's state, the config and its replies.
    pad = acl.split("user rating-1\n")[1].split("\n\n")[0].splitlines()
    assert "topic write lobby/demo-centre/request/rating-1/rate" in pad
    assert "topic read lobby/demo-centre/state/counters/+" in pad
    assert not [rule for rule in pad if "call_next" in rule or "issue" in rule]
    assert "%c" not in acl
    conf = (out / CONF_NAME).read_text()
    assert "allow_anonymous false" in conf and "use_username_as_clientid true" in conf
    # The config's broker.host and port, not every interface.
    assert "listener 18830 127.0.0.1\n" in conf
    assert "devices on other machines cannot reach it" in result.stderr
    again = subprocess.run([sys.executable, "-m", "lobby.cli", "broker-config", "--config",
                            "config/demo.yaml", "--out", str(out)], capture_output=True,
                           text=True, cwd=Path(__file__).parent.parent)
    assert f"kept the passwords of {len(devices) + 1} user(s)" in again.stdout  # theirs kept
    assert (out / "credentials" / "kiosk-1.env").read_text() == kiosk
    subprocess.run([sys.executable, "-m", "lobby.cli", "broker-config", "--config",
                    "config/demo.yaml", "--out", str(out), "--new-passwords"], check=True,
                   capture_output=True, cwd=Path(__file__).parent.parent)
    assert (out / "credentials" / "kiosk-1.env").read_text() != kiosk
    assert "persistence false" in conf and "persistence_location" not in conf


def test_a_device_started_from_its_one_file_gets_the_configuration_and_no_secret(
    secured: tuple[LobbyConfig, BrokerAddress], tmp_path: Path
) -> None:
    """Provisioning a device is copying the one file `lobby broker-config` wrote for it;
    what the hub publishes carries no password, hash or secret path (issue #10)."""
    config, address = secured
    production_files(config, tmp_path / "prov", port=address.port, passwords=PASSWORDS)
    everything = Recorder(config, as_user(address, OBSERVER), "#", client_id="all-eyes")
    hub = RunningHub(config, tmp_path / "hub.sqlite", as_user(address, "hub"))
    args = argparse.Namespace(credentials=str(tmp_path / "prov/credentials/kiosk-1.env"),
                              device=None, site=None, broker=None, var=str(tmp_path / "var"))
    identity, start = resolve(args, "kiosk", None)
    assert start is None  # never configured: it will wait for the hub's configuration
    assert (identity.site, identity.device) == (config.site.id, "kiosk-1")
    assert (identity.broker.port, identity.broker.username) == (address.port, "kiosk-1")
    got: list[Configuration] = []
    follower = ConfigFollower("kiosk-1", "kiosk", tmp_path / "var", None, got.append)
    bus = Bus(Topics(identity.site), "kiosk-1", identity.broker)
    bus.subscribe(spec("state.config"), lambda state, _p: follower.on_state(state))
    bus.start()
    try:
        assert wait_for(lambda: bool(got), 10)
        assert got[0].device.id == "kiosk-1" and got[0].revision == 1
        assert read_cache(tmp_path / "var", "kiosk-1", "kiosk") is not None
        raw = json.dumps(everything.messages, ensure_ascii=False)
        hashes = [line.split(":", 1)[1] for line in
                  (tmp_path / "prov/passwd").read_text().splitlines()]
        for secret in [*PASSWORDS.values(), *hashes, "$7$", "passwd", str(tmp_path / "prov")]:
            assert secret not in raw, secret
        published = everything.last("state/config")
        assert published is not None
        keys = re.findall(r'"([^"]+)":', json.dumps(published["config"]))
        assert not [k for k in keys if re.search("password|hash|pin|secret|db", k)], keys
    finally:
        bus.stop()
        hub.stop()
        everything.stop()


def test_a_wrong_password_and_an_unreachable_broker_are_told_apart(
    secured: tuple[LobbyConfig, BrokerAddress],
) -> None:
    config, address = secured
    wrong = Bus(Topics(config.site.id), "kiosk-1",
                replace(address, username="kiosk-1", password="not-its-password"))
    nowhere = Bus(Topics(config.site.id), "kiosk-2", replace(address, port=free_port()))
    for bus in (wrong, nowhere):
        bus.start()
    try:
        assert wait_for(lambda: wrong.problem is not None and nowhere.problem is not None, 10)
        assert "refused" in (wrong.problem or "") and "password" in (wrong.problem or "")
        assert (nowhere.problem or "").startswith("cannot reach the broker at 127.0.0.1:")
    finally:
        for bus in (wrong, nowhere):
            bus.stop()
