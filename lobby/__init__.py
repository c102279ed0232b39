"""Shared core of the lobby queue system: wire contract, bus, config, brokers, command line."""

__version__ = "0.1.0"
