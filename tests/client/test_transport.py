"""The shared HTTP transport: what a closed session becomes."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.gsm_gateway.client.exceptions import GatewayConnectionError, GatewayResponseError
from custom_components.gsm_gateway.client.models import ConnectionSettings
from custom_components.gsm_gateway.client.transport import HttpResponse, HttpTransport


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


def test_an_answer_nested_too_deeply_is_a_response_error() -> None:
    response = HttpResponse(200, {}, b"[" * 200_000 + b"]" * 200_000, "goip_get_status.html")
    with pytest.raises(GatewayResponseError, match="not JSON"):
        response.json()
