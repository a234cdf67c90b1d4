"""The shared HTTP transport: a closed session, a refused connection, a broken request, deep JSON, and the
throttle per gateway."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import aiohttp
import pytest
from yarl import URL

from custom_components.gsm_gateway.client import SlotRef, SmsRequest, Vendor, create_gateway
from custom_components.gsm_gateway.client.exceptions import (
    GatewayConnectionError,
    GatewayResponseError,
    GatewayUnreachableError,
)
from custom_components.gsm_gateway.client.models import ConnectionSettings
from custom_components.gsm_gateway.client.transport import MAX_IN_FLIGHT, HttpResponse, HttpTransport
from simulator.ejoin import EjoinSimulator
from tests.conftest import SimulatorFactory


async def test_a_closed_session_is_a_connection_error() -> None:
    session = aiohttp.ClientSession()
    await session.close()
    transport = HttpTransport(
        session, ConnectionSettings(host="192.0.2.1", port=80, username="root", password="s3cret-pw")
    )
    with pytest.raises(GatewayConnectionError) as raised:
        await transport.request("GET", "/goip_get_status.html", params={"password": "s3cret-pw"})
    assert "session is closed" in str(raised.value)
    assert "s3cret-pw" not in str(raised.value)


SETTINGS = ConnectionSettings(host="127.0.0.1", port=9, username="root", password="root", timeout=1)


async def test_without_a_session_the_transport_owns_one(socket_enabled: None) -> None:
    transport = HttpTransport(None, SETTINGS)
    assert transport.session is None  # nothing is created before the first request
    with pytest.raises(GatewayConnectionError):
        await transport.request("GET", "/")
    own = transport.session
    assert own is not None
    assert not own.closed
    await transport.close()
    assert own.closed
    assert transport.session is None
    await transport.close()  # closing twice is harmless
    with pytest.raises(GatewayConnectionError):
        await transport.request("GET", "/")  # a later request opens a new session
    assert transport.session is not None
    assert transport.session is not own
    await transport.close()


async def test_an_injected_session_is_never_closed() -> None:
    async with aiohttp.ClientSession() as session:
        transport = HttpTransport(session, SETTINGS)
        await transport.close()
        assert transport.session is session
        assert not session.closed


async def test_a_refused_connection_is_unreachable(socket_enabled: None) -> None:
    """Nothing listens: no connection was opened, so the request provably never reached a gateway."""
    transport = HttpTransport(None, SETTINGS)  # port 9 (discard) on loopback: refused
    with pytest.raises(GatewayUnreachableError, match=r"cannot talk to 127\.0\.0\.1"):
        await transport.request("POST", "/goip_post_sms.html", json_body={"type": "send-sms"})
    await transport.close()


@pytest.mark.parametrize("fault", ["reset", "timeout"])
async def test_a_request_that_may_have_arrived_is_not_unreachable(socket_enabled: None, fault: str) -> None:
    """A connection that broke, or an answer that never came, may follow a request the gateway acted on."""
    sim = EjoinSimulator(ports=2, slots=1)
    sim.faults.hang_seconds = 2
    url = URL(await sim.start())
    settings = ConnectionSettings(host=str(url.host), port=int(url.port or 80), username="root", password="root")
    transport = HttpTransport(None, replace(settings, timeout=0.5))
    try:
        sim.inject(fault)
        with pytest.raises(GatewayConnectionError) as raised:
            await transport.request("POST", "/goip_post_sms.html", json_body={"type": "send-sms"})
        assert not isinstance(raised.value, GatewayUnreachableError)
        assert len(sim.requests) == 1  # it did reach the device
    finally:
        await transport.close()
        await sim.stop()


def test_an_answer_nested_too_deeply_is_a_response_error() -> None:
    response = HttpResponse(200, {}, b"[" * 200_000 + b"]" * 200_000, "goip_get_status.html")
    with pytest.raises(GatewayResponseError, match="not JSON"):
        response.json()


@pytest.mark.parametrize(("vendor", "expected"), [("ejoin", 4), ("synway", 4), ("dinstar", 1)])
async def test_requests_in_flight_per_gateway_are_limited(
    simulator_factory: SimulatorFactory, vendor: str, expected: int
) -> None:
    """1,000 concurrent sends once put 100 requests in flight; now at most 4 (Dinstar keeps its 1)."""
    sim = await simulator_factory(vendor, ports=2, slots=1)
    host, _, port = sim.url.removeprefix("http://").rpartition(":")
    settings = ConnectionSettings(host=host, port=int(port), username=sim.username, password=sim.password, timeout=10)
    async with aiohttp.ClientSession() as session:
        gateway = create_gateway(Vendor(vendor), session, settings)
        await gateway.connect()
        sim.faults.response_delay = 0.02
        sim.max_in_flight = 0
        request = SmsRequest(recipients=("+491701234567",), text="hi", ports=(SlotRef(1),))
        results = await asyncio.gather(*(gateway.send_sms(request) for _ in range(40)))
    assert all(result.all_accepted for result in results)
    assert sim.max_in_flight == expected
    assert MAX_IN_FLIGHT == 4


async def test_the_limit_queues_and_releases(socket_enabled: None) -> None:
    transport = HttpTransport(None, SETTINGS, max_in_flight=2)
    running = 0
    most = 0
    release = asyncio.Event()

    async def fake(*_args: object, **_kwargs: object) -> HttpResponse:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1
        return HttpResponse(200, {}, b"{}", "x")

    transport._request = fake  # type: ignore[method-assign]
    calls = [asyncio.create_task(transport.request("GET", "/x")) for _ in range(5)]
    await asyncio.sleep(0.01)
    assert (running, most) == (2, 2)
    release.set()
    await asyncio.gather(*calls)
    assert most == 2
    with pytest.raises(ValueError, match="at least one"):
        HttpTransport(None, SETTINGS, max_in_flight=0)
