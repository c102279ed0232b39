from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lobby.broker.embedded import AmqttBroker, MosquittoBroker
from lobby.bus import BrokerAddress
from tests.helpers import free_port


@pytest.fixture(scope="session")
def mosquitto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerAddress]:
    """A real Mosquitto on a free loopback port, with the embedded broker's generated config."""
    if not shutil.which("mosquitto") and not Path("/usr/sbin/mosquitto").exists():
        pytest.fail("mosquitto is not installed: run `./run.sh test`, which installs it")
    broker = MosquittoBroker(tmp_path_factory.mktemp("mosquitto"), free_port())
    yield BrokerAddress(host=broker.host, port=broker.port)
    broker.stop()


@pytest.fixture(scope="session")
def amqtt_broker() -> Iterator[BrokerAddress]:
    broker = AmqttBroker(free_port())
    yield BrokerAddress(host=broker.host, port=broker.port)
    broker.stop()
