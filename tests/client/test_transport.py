"""The shared HTTP transport: what a closed session becomes."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.gsm_gateway.client.exceptions import GatewayConnectionError
from custom_components.gsm_gateway.client.models import ConnectionSettings
from custom_components.gsm_gateway.client.transport import HttpTransport


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
