"""The shared HTTP transport: what a closed session, a refused connection and a broken request become."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest
from yarl import URL

from custom_components.gsm_gateway.client.exceptions import GatewayConnectionError, GatewayUnreachableError
from custom_components.gsm_gateway.client.models import ConnectionSettings
from custom_components.gsm_gateway.client.transport import HttpTransport
from simulator.ejoin import EjoinSimulator


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
