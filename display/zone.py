"""Which calls and services a board shows: all, or its configured zone."""

from __future__ import annotations

from lobby.config.models import Board


def in_zone(settings: Board, counter: str, service: str) -> bool:
    return ((not settings.zone_counters or counter in settings.zone_counters)
            and (not settings.zone_services or service in settings.zone_services))


def service_in_zone(settings: Board, service: str) -> bool:
    return not settings.zone_services or service in settings.zone_services
