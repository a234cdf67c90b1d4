"""Standalone use without Home Assistant: the facade's example, and clients that own their aiohttp session."""

from __future__ import annotations

import aiohttp
import pytest
from yarl import URL

from custom_components.gsm_gateway import client
from custom_components.gsm_gateway.client import (
    ConnectionSettings,
    GatewayAuthError,
    GatewayConnectionError,
    Vendor,
    create_gateway,
    detect_gateway,
)
from custom_components.gsm_gateway.client.transport import HttpTransport
from tests.conftest import SimulatorFactory


def settings_for(url: str, password: str = "root") -> ConnectionSettings:
    parsed = URL(url)
    return ConnectionSettings(
        host=str(parsed.host), port=int(parsed.port or 80), username="root", password=password, timeout=3
    )


@pytest.fixture
def created_sessions(monkeypatch: pytest.MonkeyPatch) -> list[aiohttp.ClientSession]:
    """Every session a client created for itself."""
    created: list[aiohttp.ClientSession] = []
    original = HttpTransport._client_session

    def recording(transport: HttpTransport) -> aiohttp.ClientSession:
        session = original(transport)
        if session not in created:
            created.append(session)
        return session

    monkeypatch.setattr(HttpTransport, "_client_session", recording)
    return created


async def test_the_facade_example_runs_and_closes_its_session(simulator_factory: SimulatorFactory) -> None:
    assert "async with create_gateway(Vendor.EJOIN, None, settings) as gateway:" in (client.__doc__ or "")
    sim = await simulator_factory("ejoin", ports=4, slots=2)
    settings = settings_for(sim.url)
    async with create_gateway(Vendor.EJOIN, None, settings) as gateway:  # the docstring's example
        await gateway.connect()
        status = await gateway.get_status()
        session = gateway.transport.session
    assert len(status.ports) == 4
    assert session is not None
    assert session.closed
    assert gateway.transport.session is None


async def test_an_injected_session_outlives_the_client(simulator_factory: SimulatorFactory) -> None:
    sim = await simulator_factory("dinstar", ports=2, slots=1)
    async with aiohttp.ClientSession() as session:
        async with create_gateway(Vendor.DINSTAR, session, settings_for(sim.url)) as gateway:
            await gateway.connect()
        assert not session.closed
        assert gateway.transport.session is session


async def test_detection_closes_the_sessions_of_the_clients_it_discards(
    simulator_factory: SimulatorFactory, created_sessions: list[aiohttp.ClientSession]
) -> None:
    sim = await simulator_factory("synway", ports=2, slots=1)  # probed last: EJOIN and Dinstar are discarded
    gateway = await detect_gateway(None, settings_for(sim.url))
    assert gateway.vendor is Vendor.SYNWAY
    assert len(created_sessions) == 3
    assert [session.closed for session in created_sessions] == [True, True, False]
    assert gateway.transport.session is created_sessions[-1]
    await gateway.close()
    assert created_sessions[-1].closed


async def test_detection_closes_its_sessions_when_it_fails(
    simulator_factory: SimulatorFactory, created_sessions: list[aiohttp.ClientSession]
) -> None:
    sim = await simulator_factory("ejoin", ports=2, slots=1)
    with pytest.raises(GatewayAuthError):
        await detect_gateway(None, settings_for(sim.url, password="wrong"))
    await sim.stop()
    with pytest.raises(GatewayConnectionError):
        await detect_gateway(None, settings_for(sim.url))
    assert len(created_sessions) == 2
    assert all(session.closed for session in created_sessions)
