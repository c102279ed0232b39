"""The hub's SQLite store (one file, WAL, owned by the hub alone)."""

from hub.store.db import Store

__all__ = ["Store"]
