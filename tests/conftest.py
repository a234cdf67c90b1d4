"""Fixtures shared by every test directory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from simulator import GatewaySimulator, simulator_class

type SimulatorFactory = Callable[..., Awaitable[GatewaySimulator]]


@pytest.fixture
async def simulator_factory(socket_enabled: None) -> AsyncIterator[SimulatorFactory]:
    """Start simulators on loopback: `await simulator_factory("ejoin", ports=4, slots=2)`. Stopped after the test.

    pytest-homeassistant-custom-component blocks sockets; loopback servers need them (`socket_enabled`).
    """
    started: list[GatewaySimulator] = []

    async def start(vendor: str, **kwargs: Any) -> GatewaySimulator:
        simulator = simulator_class(vendor)(**kwargs)
        await simulator.start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        await simulator.stop()
