"""Configuration: one YAML file validated by pydantic models that reject unknown keys."""

from lobby.config.loader import ConfigError, load_config, parse_config
from lobby.config.models import LobbyConfig

__all__ = ["ConfigError", "LobbyConfig", "load_config", "parse_config"]
