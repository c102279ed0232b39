"""The package as it is installed on a centre's machines: a wheel built from the tree, put
into fresh virtual environments with pip. A kiosk machine's wheel carries the fonts, icons,
sounds and both catalogues; a hub machine (`[hub]` only) has no Kivy, pyttsx3 or
python-escpos and runs a hub all the same. pip fetches the dependencies (PyPI, or its cache)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from lobby.bus import BrokerAddress
from tests.helpers import ROOT, DeviceClient, small_config_file, wait_for

PIP_TIMEOUT = 600
SOURCES = ("lobby", "hub", "devicekit", "kiosk", "display", "demo", "console", "citizen",
           "assets")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the tree (a build writes build/ beside its sources)."""
    tree = tmp_path_factory.mktemp("tree")
    for name in (*SOURCES, "pyproject.toml", "README.md"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, tree / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(out), str(tree)], check=True, timeout=PIP_TIMEOUT)
    (built,) = out.glob("lobby_queue-*.whl")
    return built


def fresh_venv(folder: Path, requirement: str) -> Path:
    """A new virtual environment with `requirement` installed by pip; its python."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run([str(python), "-m", "pip", "install", "-q", requirement], check=True,
                   timeout=PIP_TIMEOUT, env=env)
    return python


def run_in(python: Path, code: str, *args: str) -> str:
    result = subprocess.run([str(python), "-c", code, *args], capture_output=True, text=True,
                            timeout=120, cwd=python.parent)  # not the tree: nothing found there
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_the_wheel_holds_every_package_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in SOURCES[:-1]:
        for module in (ROOT / package).rglob("*.py"):
            assert str(module.relative_to(ROOT)) in names, module
        for kv in (ROOT / package).rglob("*.kv"):
            assert str(kv.relative_to(ROOT)) in names, kv
    for web in ("console", "citizen"):  # templates, styles, vendored scripts, words
        for data in (ROOT / web).rglob("*"):
            if data.is_file() and "__pycache__" not in data.parts:
                assert str(data.relative_to(ROOT)) in names, data
    for data in (ROOT / "assets").rglob("*"):
        if data.is_file() and data.suffix != ".pyc":
            assert "lobby_assets/" + str(data.relative_to(ROOT / "assets")) in names, data


RENDER = """
import json, sys
from pathlib import Path
from devicekit import assets
from devicekit.i18n import available_languages, tr
from kiosk.printing.devices import FilePrinter
from kiosk.printing.layout import TicketContent, ticket_blocks
from lobby.config.models import Printer

out = Path(sys.argv[1])
content = TicketContent(
    centre="Trung tâm Phục vụ hành chính công xã Đông Hưng", number="A023",
    service="Hộ tịch – Chứng thực bản sao", issued_at="21/11/2026 08:15", ahead=4,
    estimate_minutes=12, qr_data="https://lobby.example/t/ABCdef123", footer="Cảm ơn quý khách",
    priority="Người cao tuổi", language="vi")
FilePrinter(Printer(path=str(out)), out).print_ticket(ticket_blocks(content), "A023")
print(json.dumps({
    "assets": str(assets.ASSETS), "languages": available_languages(),
    "keep": {lang: tr(lang, "Please keep your ticket") for lang in ("vi", "en")},
    "files": [p.exists() for p in (assets.FONT, assets.FONT_BOLD, assets.CHIME,
                                   assets.icon("civil-status"))],
}))
"""


def test_a_kiosk_installed_from_the_wheel_renders_a_vietnamese_ticket(
    wheel: Path, tmp_path: Path
) -> None:
    python = fresh_venv(tmp_path / "venv", f"{wheel}[kiosk]")
    printed = tmp_path / "printed"
    seen = json.loads(run_in(python, RENDER, str(printed)))
    assert seen["assets"].startswith(str(tmp_path / "venv")), "assets not from the wheel"
    assert all(seen["files"])
    assert seen["languages"] == ["en", "vi"]
    assert seen["keep"] == {"vi": "Vui lòng giữ phiếu", "en": "Please keep your ticket"}
    (png,) = printed.glob("*.png")
    (escpos,) = printed.glob("*.bin")
    assert escpos.read_bytes().endswith(b"\x1dV\x00")  # cut: a whole ticket
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True,
                             text=True, timeout=30)
    assert decoded.stdout.strip() == "https://lobby.example/t/ABCdef123"
    # The same ticket rendered from the tree: pixel for pixel, so the wheel's fonts are ours.
    here = tmp_path / "here"
    subprocess.run([sys.executable, "-c", RENDER, str(here)], check=True, timeout=120,
                   capture_output=True)
    (reference,) = here.glob("*.png")
    from PIL import Image

    assert Image.open(png).tobytes() == Image.open(reference).tobytes()


@pytest.fixture
def hub_machine(wheel: Path, tmp_path: Path) -> Iterator[Path]:
    yield fresh_venv(tmp_path / "hub-venv", f"{wheel}[hub]")


def test_a_hub_machine_installs_no_screen_packages_and_runs_a_hub(
    hub_machine: Path, mosquitto: BrokerAddress, tmp_path: Path
) -> None:
    absent = json.loads(run_in(hub_machine, "import importlib.util, json; print(json.dumps("
                               "[importlib.util.find_spec(m) is None for m in "
                               "('kivy', 'pyttsx3', 'escpos', 'PIL', 'qrcode')]))"))
    assert absent == [True] * 5
    config, config_file = small_config_file(tmp_path)
    lobby = hub_machine.parent / "lobby"
    refused = subprocess.run([str(lobby), "kiosk", "--config", str(config_file), "--device",
                              "kiosk-1"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "pip install 'lobby-queue[kiosk]'" in refused.stderr
    hub = subprocess.Popen([str(lobby), "--log-level", "WARNING", "hub", "--config",
                            str(config_file), "--broker", f"{mosquitto.host}:{mosquitto.port}",
                            "--db", str(tmp_path / "hub.sqlite")], stderr=subprocess.PIPE,
                           text=True)
    kiosk = DeviceClient(config, mosquitto, "kiosk-1")
    try:
        replies: list[object] = []

        def issued() -> bool:
            reply = kiosk.requester.ask("issue", service="A", timeout=0.5, attempts=1)
            replies.append(reply)
            return bool(reply.ok)

        assert wait_for(lambda: _quietly(issued), 30), (replies[-1:], _stderr(hub))
        assert kiosk.ask("issue", service="B").data.number == "B001"
    finally:
        kiosk.stop()
        hub.terminate()
        hub.wait(10)


def _quietly(check: object) -> bool:
    try:
        return bool(check())  # type: ignore[operator]
    except TimeoutError:
        return False  # the hub is still starting


def _stderr(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        return "(still running)"
    return (process.stderr.read() if process.stderr else "")[-2000:]
