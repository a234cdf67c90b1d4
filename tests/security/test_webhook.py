"""The webhook's defences, beyond tests/e2e/test_webhook.py: methods, local-only, source address, size, the id.

A push that gets through a defence reaches the integration's handler, which either fires an event for it or refuses it
with a log line; each test checks that neither happened, not only the HTTP status.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import logging
import string
from typing import Any
from unittest.mock import Mock

from aiohttp import StreamReader, web
from aiohttp.test_utils import TestClient, make_mocked_request
from homeassistant.components import webhook
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME, MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.gsm_gateway.const import CONF_WEBHOOK_ID, DOMAIN, LOGGER
from custom_components.gsm_gateway.webhook import MAX_PUSH_BYTES, async_resolve_sources
from simulator import GatewaySimulator
from tests.conftest import SimulatorFactory

from .conftest import PLANTED_PASSWORD

PUSH = b'{"type": "recv-sms", "sms_num": 1, "sms": [[0, "1A", 1767225600, "+4917000000001", "", "aGVsbG8="]]}'


class Watch:
    """Events of the integration, and the pushes its webhook handler refused (each one is a log line)."""

    def __init__(self, hass: HomeAssistant, caplog: pytest.LogCaptureFixture) -> None:
        """Start watching."""
        caplog.set_level(logging.DEBUG, logger=LOGGER.name)  # a repeated reason is logged at debug level
        self.caplog = caplog
        self.logged_before = len(caplog.records)
        self.events: list[Event[Any]] = []

        @callback
        def record(event: Event[Any]) -> None:
            if event.event_type.startswith(f"{DOMAIN}_"):
                self.events.append(event)

        hass.bus.async_listen(MATCH_ALL, record)

    @property
    def refusals(self) -> list[str]:
        """What the integration's handler logged about the pushes it refused since the watch started."""
        return [
            record.getMessage()
            for record in self.caplog.records[self.logged_before :]
            if record.name == LOGGER.name and record.getMessage().startswith("Ignored a push")
        ]

    @property
    def untouched(self) -> bool:
        """Nothing reached the integration's handler: it neither refused the push nor fired an event for it."""
        return not self.refusals and not self.events


@pytest.fixture
async def client(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    return await hass_client_no_auth()


def path_of(entry: MockConfigEntry) -> str:
    return f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"


def request_from(remote: str, entry: MockConfigEntry, body: bytes = PUSH, **headers: str) -> web.Request:
    """A request as Home Assistant's HTTP server would hand it over, from `remote`."""
    transport = Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (remote, 40000) if name == "peername" else default
    protocol = Mock()
    payload = StreamReader(protocol, 2**16, loop=Mock())
    payload.feed_data(body)
    payload.feed_eof()
    return make_mocked_request(
        "POST",
        path_of(entry),
        headers={"Content-Type": "application/json", "Content-Length": str(len(body)), **headers},
        transport=transport,
        payload=payload,
    )


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD"])
async def test_only_post_reaches_the_integration(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient,
    method: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    watch = Watch(hass, caplog)
    response = await client.request(method, path_of(init_integration), data=PUSH)
    # Home Assistant answers 405 to a wrong method (HEAD: 200, so that a URL can be checked without using it).
    assert response.status == (200 if method == "HEAD" else 405)
    await hass.async_block_till_done()
    assert watch.untouched


@pytest.mark.parametrize("remote", ["203.0.113.9", "8.8.8.8", "2001:db8::1"])
async def test_remote_requests_never_reach_the_integration(
    hass: HomeAssistant, init_integration: MockConfigEntry, remote: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Registered local-only: a request from the internet is answered like an unknown id and goes no further.

    A forged `X-Forwarded-For` does not help: Home Assistant only honours it from configured proxies.
    """
    watch = Watch(hass, caplog)
    request = request_from(remote, init_integration, **{"X-Forwarded-For": "127.0.0.1"})
    response = await webhook.async_handle_webhook(hass, init_integration.data[CONF_WEBHOOK_ID], request)
    assert response.status == 200
    await hass.async_block_till_done()
    assert watch.untouched


@pytest.mark.parametrize("remote", ["192.168.1.50", "10.0.0.7", "127.0.0.2", "::1"])
async def test_local_addresses_other_than_the_gateway_are_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, remote: str, caplog: pytest.LogCaptureFixture
) -> None:
    """On the LAN, only the gateway's own address may push (its host resolved at set-up: 127.0.0.1 here)."""
    watch = Watch(hass, caplog)
    request = request_from(remote, init_integration)
    response = await webhook.async_handle_webhook(hass, init_integration.data[CONF_WEBHOOK_ID], request)
    assert response.status == 403
    await hass.async_block_till_done()
    assert watch.events == []
    assert watch.refusals == [
        "Ignored a push to ejoin gateway: sender is not the gateway (see the 'Accept pushes from any address' option)"
    ]


async def test_the_gateway_itself_is_accepted(
    hass: HomeAssistant, init_integration: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """The same mocked path with the gateway's address: the checks above refuse the sender, not the request."""
    watch = Watch(hass, caplog)
    response = await webhook.async_handle_webhook(
        hass, init_integration.data[CONF_WEBHOOK_ID], request_from("127.0.0.1", init_integration)
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert [event.data["text"] for event in watch.events] == ["hello"]


async def test_sources_come_from_the_configured_host() -> None:
    assert await async_resolve_sources("192.0.2.7") == frozenset({"192.0.2.7"})
    assert "127.0.0.1" in await async_resolve_sources("localhost")


# A push may arrive in several pieces (TCP segments, chunked encoding): it is read to its end, within the cap.


async def test_a_streamed_body_over_the_cap_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """No Content-Length to check up front (chunked): the cap must still hold, with 413, not a parse error."""
    watch = Watch(hass, caplog)
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        block = b"x" * 65536
        while sent <= MAX_PUSH_BYTES:
            sent += len(block)
            yield block

    response = await client.post(path_of(init_integration), data=chunks())
    await hass.async_block_till_done()
    assert watch.events == []
    assert response.status == 413


async def test_a_push_arriving_in_pieces_is_read_whole(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A 2 kB push over a real network arrives in several TCP segments; here, two chunks 50 ms apart."""
    watch = Watch(hass, caplog)

    async def pieces() -> AsyncIterator[bytes]:
        yield PUSH[:40]
        await asyncio.sleep(0.05)
        yield PUSH[40:]

    response = await client.post(path_of(init_integration), data=pieces())
    assert response.status == 200
    await hass.async_block_till_done()
    assert [event.data["text"] for event in watch.events] == ["hello"]


async def test_a_large_push_below_the_cap_is_read_whole(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """An MMS with a photo is hundreds of kB: under the cap, it must be read to its end (Content-Length known)."""
    watch = Watch(hass, caplog)
    body = PUSH[:-1] + b" " * 1_000_000 + b"}"
    response = await client.post(path_of(init_integration), data=body)
    assert response.status == 200
    await hass.async_block_till_done()
    assert [event.data["text"] for event in watch.events] == ["hello"]


async def test_a_small_push_in_one_piece_is_read(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The counterpart of the three above: one piece."""
    watch = Watch(hass, caplog)
    response = await client.post(path_of(init_integration), data=PUSH)
    assert response.status == 200
    await hass.async_block_till_done()
    assert [event.data["text"] for event in watch.events] == ["hello"]


async def test_the_webhook_id_is_unguessable(hass: HomeAssistant, simulator_factory: SimulatorFactory) -> None:
    """Each entry made by the config flow gets 256 random bits, as 64 hex digits, unrelated to the device."""
    ids: list[str] = []
    for seed in range(3):
        sim: GatewaySimulator = await simulator_factory("ejoin", ports=2, slots=1, seed=seed, password=PLANTED_PASSWORD)
        url = URL(sim.url)
        flow = hass.config_entries.flow
        result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await flow.async_configure(
            result["flow_id"],
            {CONF_HOST: url.host, CONF_PORT: url.port, CONF_USERNAME: sim.username, CONF_PASSWORD: sim.password},
        )
        result = await flow.async_configure(result["flow_id"], {})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        ids.append(result["result"].data[CONF_WEBHOOK_ID])
        await hass.async_block_till_done()
    assert len(set(ids)) == 3
    for webhook_id in ids:
        assert len(webhook_id) == 64
        assert set(webhook_id) <= set(string.hexdigits.lower())
        assert len(set(webhook_id)) > 8  # not a constant or a counter
    # Different ids share no long common prefix (they are not derived from something the devices share).
    assert len({webhook_id[:8] for webhook_id in ids}) == 3
