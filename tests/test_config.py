from __future__ import annotations

import subprocess
import sys

import pytest

from lobby.config import ConfigError, load_config, parse_config
from tests.helpers import DEMO, SMALL_YAML


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "c.yaml")
    return [p.render("c.yaml") for p in caught.value.problems]


def test_demo_config_is_valid() -> None:
    config = load_config(DEMO)
    assert len(config.services) == 4
    assert len(config.counters) == 5
    assert [d.role for d in config.devices].count("kiosk") == 1
    assert [d.role for d in config.devices].count("board") == 1
    assert config.site.timezone == "Asia/Ho_Chi_Minh"


def test_unknown_key_is_reported_with_its_line() -> None:
    text = SMALL_YAML.replace("recall_limit: 2", "recall_limt: 2")
    line = text.splitlines().index("recall_limt: 2") + 1
    assert problems(text) == [f"c.yaml:{line}: recall_limt: unknown key"]


def test_bad_value_deep_in_a_list_names_path_and_line() -> None:
    text = SMALL_YAML.replace("numbering: {start: 1, width: 3}\n  - id: B",
                              "numbering: {start: 1, width: 9}\n  - id: B")
    [message] = problems(text)
    assert message.startswith("c.yaml:7: services[0].numbering.width:")
    assert "less than or equal to 6" in message


def test_audio_device_takes_alsa_names_only() -> None:
    def board_with(device: str) -> str:
        return SMALL_YAML.replace("- {id: board-1, role: board}", "- {id: board-1, role: board,"
                                  f" board: {{audio_device: '{device}'}}}}")

    config = parse_config(board_with("hdmi:CARD=PCH,DEV=0"), "c.yaml")
    assert config.devices[2].board_settings.audio_device == "hdmi:CARD=PCH,DEV=0"
    [message] = problems(board_with("default; rm -rf /"))
    assert "devices[2].board.audio_device" in message


def test_every_error_is_reported_not_only_the_first() -> None:
    text = SMALL_YAML.replace("recall_limit: 2", "recall_limit: -1\nbogus: 1").replace(
        "timezone", "tz")
    found = problems(text)
    assert any("recall_limit" in p for p in found)
    assert any("bogus: unknown key" in p for p in found)


def test_references_are_checked_at_their_line() -> None:
    text = SMALL_YAML.replace('{id: "2", number: 2, services: [B]}',
                              '{id: "2", number: 2, services: [Z]}')
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "services: [Z]" in t)
    assert problems(text) == [f"c.yaml:{line}: counters[1].services[0]: unknown service 'Z'"]


def test_a_boards_zone_names_known_counters_and_services() -> None:
    text = SMALL_YAML.replace("- {id: board-1, role: board}",
                              '- {id: board-1, role: board, board: {zone_counters: ["1", "99"], '
                              "zone_services: [B, W]}}")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "zone_counters" in t)
    assert problems(text) == [
        f"c.yaml:{line}: devices[2].board.zone_counters[1]: unknown counter '99'",
        f"c.yaml:{line}: devices[2].board.zone_services[1]: unknown service 'W'"]


def test_duplicate_keys_and_ids_are_errors() -> None:
    dup_key = SMALL_YAML.replace("recall_limit: 2", "recall_limit: 2\nrecall_limit: 3")
    assert any("duplicate key" in p for p in problems(dup_key))
    dup_id = SMALL_YAML.replace('{id: "2", number: 2', '{id: "1", number: 2')
    assert any("duplicate counter id '1'" in p for p in problems(dup_id))


def test_yaml_syntax_error_has_a_line() -> None:
    [message] = problems("site:\n  id: [unclosed\n")
    assert message.startswith("c.yaml:") and "YAML syntax" in message


@pytest.mark.parametrize("bad, expected", [
    ("timezone: Asia/Ho_Chi_Minh", "unknown time zone"),
    ("- {id: kiosk-1, role: kiosk}", "does not act for counters"),
])
def test_semantic_checks(bad: str, expected: str) -> None:
    replacements = {
        "timezone: Asia/Ho_Chi_Minh": "timezone: Mars/Olympus",
        "- {id: kiosk-1, role: kiosk}": '- {id: kiosk-1, role: kiosk, counters: ["1"]}',
    }
    text = SMALL_YAML.replace("  name: {vi:", "  timezone: Asia/Ho_Chi_Minh\n  name: {vi:", 1)
    text = text.replace(bad, replacements[bad])
    assert any(expected in p for p in problems(text))


def test_check_config_command_exit_codes(tmp_path: object) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    good = subprocess.run([sys.executable, "-m", "lobby.cli", "check-config", str(DEMO)],
                          capture_output=True, text=True)
    assert good.returncode == 0 and "OK" in good.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL_YAML.replace("recall_limit: 2", "recall_limit: lots"))
    bad = subprocess.run([sys.executable, "-m", "lobby.cli", "check-config", str(broken)],
                         capture_output=True, text=True)
    assert bad.returncode == 2
    assert "recall_limit" in bad.stderr and "broken.yaml:" in bad.stderr


def test_a_rating_colour_must_carry_white_text_readably() -> None:
    text = SMALL_YAML.replace("hub:\n", """ratings:
  levels:
    - {id: good, names: {vi: Tốt, en: Good}, colour: "#1E6B3A", score: 2}
    - {id: bad, names: {vi: Kém, en: Bad}, colour: "#FFD166", score: 1}
hub:
""")
    found = problems(text)
    assert len(found) == 1 and "ratings.levels[1].colour" in found[0] and "4.5:1" in found[0]


def test_staff_need_a_pin_hash_in_the_file() -> None:
    text = SMALL_YAML.replace("hub:\n", 'staff:\n  - {id: nv-a, name: "An"}\nhub:\n')
    found = problems(text)
    assert len(found) == 1 and "staff[0]: no pin_hash" in found[0]


def test_a_counter_has_one_rating_pad_at_most() -> None:
    text = SMALL_YAML.replace("devices:\n", """devices:
  - {id: pad-1, role: rating, counters: ["1"]}
  - {id: pad-1b, role: rating, counters: ["1"]}
""")
    found = problems(text)
    assert len(found) == 1 and "counter '1' has a rating pad already" in found[0]
