"""Fixtures for Home Assistant tests: a simulated gateway and a config entry pointing at it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any
from unittest.mock import patch

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import REQUEST_REFRESH_DEFAULT_COOLDOWN
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from yarl import URL

from custom_components.gsm_gateway.client.detect import detect_gateway
from custom_components.gsm_gateway.client.ejoin.gateway import PushBuffering
from custom_components.gsm_gateway.client.models import ConnectionSettings
from custom_components.gsm_gateway.const import CONF_USE_HTTPS, CONF_VENDOR, CONF_WEBHOOK_ID, DOMAIN
from simulator import GatewaySimulator
from tests.conftest import SimulatorFactory

WEBHOOK_ID = "a" * 64


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/gsm_gateway in every test."""


def entry_data(sim: GatewaySimulator, vendor: str) -> dict[str, Any]:
    """Config entry data for a simulator."""
    url = URL(sim.url)
    return {
        CONF_HOST: url.host,
        CONF_PORT: url.port,
        CONF_USE_HTTPS: False,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: sim.username,
        CONF_PASSWORD: sim.password,
        CONF_VENDOR: vendor,
        CONF_WEBHOOK_ID: WEBHOOK_ID,
    }


async def unique_id_of(hass: HomeAssistant, sim: GatewaySimulator) -> str:
    """The unique id the config flow would give this simulator (learned through the real client)."""
    url = URL(sim.url)
    settings = ConnectionSettings(
        host=str(url.host), port=int(url.port or 80), username=sim.username, password=sim.password
    )
    gateway = await detect_gateway(async_get_clientsession(hass), settings)
    sim.requests.clear()
    return gateway.device.unique_id


async def update_entity(hass: HomeAssistant, entity_id: str) -> None:
    """What the UI's "update" does: the entity's coordinator reads the gateway again."""
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call("homeassistant", "update_entity", {"entity_id": entity_id}, blocking=True)
    await hass.async_block_till_done()


async def update_entity_again(hass: HomeAssistant, entity_id: str) -> None:
    """`update_entity` once the coordinator's cool-down after the previous one has passed.

    A coordinator serves requested refreshes at once, then at most one per cool-down (`REQUEST_REFRESH_DEFAULT_COOLDOWN`
    seconds); a second update right after the first would only read the gateway when the cool-down ends.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=REQUEST_REFRESH_DEFAULT_COOLDOWN))
    await hass.async_block_till_done()
    await update_entity(hass, entity_id)


def port_device_id(hass: HomeAssistant, entry: MockConfigEntry, port: int) -> str:
    """The device id of a port of `entry`'s gateway, from the device registry."""
    device = dr.async_get(hass).async_get_child_device_by_identifier(
        (DOMAIN, f"{entry.unique_id}_port_{port}"), entry.entry_id
    )
    assert device is not None, f"port {port} has no device"
    return device.id


@contextmanager
def short_push_buffers(**buffering: int) -> Iterator[None]:
    """EJOIN clients built in the block (setup, reload) ask the device for these push buffers (`PushBuffering`).

    Short buffers keep tests from waiting for the production periods; the client reads its default where it is
    imported, so that is where it is patched.
    """
    with patch("custom_components.gsm_gateway.client.ejoin.gateway.PushBuffering", partial(PushBuffering, **buffering)):
        yield


type EntryFactory = Callable[..., Awaitable[MockConfigEntry]]


@pytest.fixture
def vendor() -> str:
    """The dialect under test; parametrize with `@pytest.mark.parametrize("vendor", [...])`."""
    return "ejoin"


@pytest.fixture
async def sim(simulator_factory: SimulatorFactory, vendor: str) -> GatewaySimulator:
    """A 4-port x 2-slot simulated gateway."""
    return await simulator_factory(vendor, ports=4, slots=2)


@pytest.fixture
async def config_entry(hass: HomeAssistant, sim: GatewaySimulator, vendor: str) -> MockConfigEntry:
    """A config entry for `sim`, added to hass but not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"{vendor} gateway",
        data=entry_data(sim, vendor),
        unique_id=await unique_id_of(hass, sim),
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def init_integration(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The integration set up against the simulator."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry
