"""Vendor detection from host, port, scheme and credentials alone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
import pytest
from yarl import URL

from custom_components.gsm_gateway.client.detect import create_gateway, detect_gateway
from custom_components.gsm_gateway.client.exceptions import (
    GatewayAuthError,
    GatewayConnectionError,
    GatewayNotRecognizedError,
)
from custom_components.gsm_gateway.client.models import ConnectionSettings, Vendor
from simulator import GatewaySimulator
from tests.conftest import SimulatorFactory


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def settings_for(url: str, username: str = "root", password: str = "root") -> ConnectionSettings:
    parsed = URL(url)
    return ConnectionSettings(
        host=str(parsed.host), port=int(parsed.port or 80), username=username, password=password, timeout=3
    )


@pytest.mark.parametrize("vendor", list(Vendor))
async def test_each_simulator_is_detected(
    simulator_factory: SimulatorFactory, session: aiohttp.ClientSession, vendor: Vendor
) -> None:
    sim = await simulator_factory(vendor.value, ports=4, slots=2)
    gateway = await detect_gateway(session, settings_for(sim.url))
    assert gateway.vendor is vendor
    assert gateway.device.port_count == 4
    assert gateway.device.unique_id
    # Detection never moved the device's push target.
    assert not any("url" in request.query or "period" in request.query for request in sim.requests)


def rejected_logins(sim: GatewaySimulator, vendor: Vendor) -> int:
    """Requests that carried the (wrong) credentials and were refused."""
    if vendor is Vendor.EJOIN:
        return sum(1 for request in sim.requests if request.query.get("password") == "wrong")
    return sum(1 for request in sim.requests if request.fault == "auth" or request.path == "")


@pytest.mark.parametrize("vendor", list(Vendor))
async def test_wrong_credentials_fail_after_one_refused_login(
    simulator_factory: SimulatorFactory, session: aiohttp.ClientSession, vendor: Vendor
) -> None:
    sim = await simulator_factory(vendor.value, ports=4, slots=2)
    with pytest.raises(GatewayAuthError) as raised:
        await detect_gateway(session, settings_for(sim.url, password="wrong"))
    assert "wrong" not in str(raised.value)
    if vendor is Vendor.EJOIN:
        assert rejected_logins(sim, vendor) == 1


@pytest.fixture
async def web_server(socket_enabled: None) -> AsyncIterator[str]:
    """An ordinary web server (a NAS, a router page): 404 for the gateway paths, a login page at /."""

    async def page(request: web.Request) -> web.Response:
        if request.path == "/":
            return web.Response(text="<html><title>Router</title></html>", content_type="text/html")
        return web.Response(status=404, text="Not Found")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_web_server_that_is_no_gateway_is_rejected(web_server: str, session: aiohttp.ClientSession) -> None:
    with pytest.raises(GatewayNotRecognizedError) as raised:
        await detect_gateway(session, settings_for(web_server))
    assert "not as a Skyline/EJOIN, Dinstar or Synway gateway" in str(raised.value)


async def test_nothing_listening(session: aiohttp.ClientSession, socket_enabled: None) -> None:
    with pytest.raises(GatewayConnectionError):
        await detect_gateway(session, settings_for("http://127.0.0.1:1"))


async def test_create_gateway_for_a_known_vendor(session: aiohttp.ClientSession) -> None:
    gateway = create_gateway(Vendor.DINSTAR, session, settings_for("http://127.0.0.1:1"))
    assert gateway.vendor is Vendor.DINSTAR
    assert "127.0.0.1" in repr(gateway)
    with pytest.raises(RuntimeError):
        _ = gateway.device
