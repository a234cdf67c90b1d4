"""Fixtures shared by every test directory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

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


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format, in a `snapshots/` directory next to the test module."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create every entity enabled, also those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield
