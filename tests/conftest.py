from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from lobby.broker.embedded import AmqttBroker, MosquittoBroker
from lobby.bus import BrokerAddress
from tests.helpers import free_port

# Property tests: `ci` (the default) is repeatable and quick; `deep` is for a long local run,
# HYPOTHESIS_PROFILE=deep ./run.sh test (random, about 17 times as many examples).
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True,
                          print_blob=True, suppress_health_check=_SLOW_IS_FINE)
settings.register_profile("deep", max_examples=5000, deadline=None,
                          suppress_health_check=_SLOW_IS_FINE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
