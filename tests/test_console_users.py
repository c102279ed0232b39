"""Console users in the configuration (issue #12): `lobby console-user` writes an entry with an
Argon2 hash that verifies, the configuration checks it, and the hub never publishes it."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml
from argon2 import PasswordHasher

from hub.config_revisions import for_devices
from lobby.config import parse_config
from tests.helpers import SMALL_YAML
from tests.test_config import problems


def console_user(*args: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lobby.cli", "console-user", *args, "--stdin"],
                          input=password + "\n", capture_output=True, text=True, timeout=60)


def test_an_entry_that_verifies_and_is_never_published() -> None:
    done = console_user("giamdoc", "--role", "admin", password="mật khẩu dài đủ")
    assert done.returncode == 0, done.stderr
    [entry] = yaml.safe_load(done.stdout)
    assert entry["name"] == "giamdoc" and entry["role"] == "admin"
    assert PasswordHasher().verify(entry["password_hash"], "mật khẩu dài đủ")
    text = SMALL_YAML.replace("hub:\n", "console:\n  users:\n    " + done.stdout + "hub:\n")
    config = parse_config(text)
    assert config.console is not None and config.console.users[0].role == "admin"
    published = json.dumps(for_devices(config), ensure_ascii=False)
    assert "giamdoc" not in published and "$argon2" not in published


def test_bad_names_short_passwords_and_namesakes_are_refused() -> None:
    assert console_user("Giám Đốc", password="x" * 12).returncode == 2
    short = console_user("gd", password="short")
    assert short.returncode == 2 and "at least 10" in short.stderr
    twice = SMALL_YAML.replace("hub:\n", """console:
  users:
    - {name: gd, role: viewer, password_hash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"}
    - {name: gd, role: admin, password_hash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"}
hub:
""")
    assert any("two console users have one name" in p for p in problems(twice))
