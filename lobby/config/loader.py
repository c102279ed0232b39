"""Load the YAML configuration and report every error with its key path and line.

PyYAML's node tree keeps the line of every key and value; the loader walks it once to build a
map from key path to line, so a pydantic error at `services.1.numbering.width` can be reported
as `demo.yaml:23: services[1].numbering.width: ...`. Duplicate keys, which PyYAML would
silently collapse, are reported too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lobby.config.models import LobbyConfig, PublicPage, reference_problems

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    line: int | None
    path: str
    message: str

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path or '(top level)'}: {self.message}"


class ConfigError(Exception):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.render(source) for p in problems))


def _format_path(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _index_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int],
                 problems: list[Problem]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(Problem(key_node.start_mark.line + 1,
                                        _format_path((*path, key)), "duplicate key"))
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*path, key), lines, problems)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), lines, problems)


def _line_for(path: KeyPath, lines: dict[KeyPath, int]) -> int | None:
    # A missing key has no line of its own: report the nearest enclosing one.
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


def _file_problems(config: LobbyConfig) -> list[tuple[KeyPath, str]]:
    """What only the hub's file must have (devices get the configuration without it)."""
    return [(("staff", index), "no pin_hash: make one with `lobby staff-pin`")
            for index, member in enumerate(config.staff) if member.pin_hash is None]


def parse_config(text: str, source: str = "<config>") -> LobbyConfig:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(source, [Problem(line, "", f"YAML syntax: {exc.problem}")]) from None
    if root is None or not isinstance(data, dict):
        raise ConfigError(source, [Problem(1, "", "the file must be a YAML mapping")])
    lines: dict[KeyPath, int] = {}
    problems: list[Problem] = []
    _index_lines(root, (), lines, problems)
    try:
        config = LobbyConfig.model_validate(data, context={"defer_references": True})
    except ValidationError as exc:
        for error in exc.errors():
            path: KeyPath = tuple(error["loc"])
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(Problem(_line_for(path, lines), _format_path(path), message))
        raise ConfigError(source, problems) from None
    for path, message in reference_problems(config) + _file_problems(config):
        problems.append(Problem(_line_for(path, lines), _format_path(path), message))
    if problems:
        raise ConfigError(source, problems)
    return config


# The public page's address when it is known only at start (`lobby demo` on a laptop whose
# address the Wi-Fi's DHCP gives): it replaces `public.url` for every program of the lobby.
PUBLIC_URL_ENV = "LOBBY_PUBLIC_URL"


def _public_url_from_environment(config: LobbyConfig, source: str) -> LobbyConfig:
    url = os.environ.get(PUBLIC_URL_ENV)
    if not url:
        return config
    settings = config.public.model_dump() if config.public else {}
    try:
        public = PublicPage.model_validate({**settings, "url": url})
    except ValidationError as exc:
        message = exc.errors()[0]["msg"]
        raise ConfigError(source, [Problem(None, "public.url",
                                           f"{message} (from {PUBLIC_URL_ENV}={url!r})")]) from None
    return config.model_copy(update={"public": public})


def load_config(path: str | Path) -> LobbyConfig:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [Problem(None, "", f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), [Problem(None, "", "not UTF-8 text")]) from None
    return _public_url_from_environment(parse_config(text, str(path)), str(path))
