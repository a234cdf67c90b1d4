"""A SIM-bank gateway, whose labels are pool forms (`3.02.12`), through Home Assistant: ports, slots and SMS."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.components.select import ATTR_OPTION, ATTR_OPTIONS, DOMAIN as SELECT_DOMAIN, SERVICE_SELECT_OPTION
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events, async_fire_time_changed

from custom_components.gsm_gateway.const import DOMAIN, EVENT_SMS_RECEIVED
from simulator.ejoin import EjoinSimulator
from tests.conftest import SimulatorFactory

SLOTS = 16
LETTERS = [chr(ord("A") + index) for index in range(SLOTS)]


async def inbox_label(hass: HomeAssistant, sim: EjoinSimulator, sms_id: int) -> str:
    """The port label of one received SMS as the gateway's inbox API lists it (`goip_get_sms.html`)."""
    session = async_get_clientsession(hass)
    query = {"username": sim.username, "password": sim.password, "sms_id": str(sms_id), "sms_num": "1"}
    async with session.get(f"{sim.url}/goip_get_sms.html", params=query) as response:
        (row,) = (await response.json(content_type=None))["data"]
    return str(row[1])


@pytest.fixture
async def sim(simulator_factory: SimulatorFactory) -> EjoinSimulator:
    """A 4-port gateway with 16 SIMs per port on boards of 8, labelled `port.board.slot` everywhere."""
    simulator = await simulator_factory("ejoin", ports=4, slots=SLOTS)
    assert isinstance(simulator, EjoinSimulator)
    simulator.variants.add("label_pool")
    return simulator


async def test_every_port_of_a_sim_bank_gateway_has_its_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: EjoinSimulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    entry_id = init_integration.entry_id
    gateway = device_registry.async_get_device_by_identifier((DOMAIN, str(init_integration.unique_id)), entry_id)
    assert gateway is not None
    ports = dr.async_entries_for_parent_device(device_registry, gateway.id)
    assert sorted(port.name for port in ports) == ["Port 1", "Port 2", "Port 3", "Port 4"]
    for port in range(1, 5):
        assert hass.states.get(f"sensor.ejoin_gateway_port_{port}_status").state == "registered"
        active = hass.states.get(f"select.ejoin_gateway_port_{port}_active_sim_slot")
        assert (active.state, active.attributes[ATTR_OPTIONS]) == ("A", LETTERS)
        # A SIM bank (more than 8 slots per port) has no entities per slot by default (docs/scale.md).
        locks = [f"switch.ejoin_gateway_port_{port}_sim_{letter.lower()}_lock" for letter in LETTERS]
        assert all(entity_registry.async_get(lock) is None for lock in locks)
    assert hass.states.get("sensor.ejoin_gateway_ports_registered").state == "4"

    # The user switches port 3 to slot L, which the gateway calls 3.02.12.
    sim.set_sim_present(3, 12, present=True)
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: "select.ejoin_gateway_port_3_active_sim_slot", ATTR_OPTION: "L"},
        blocking=True,
    )
    assert sim.ports[2].active == 12
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await hass.async_block_till_done()
    assert hass.states.get("select.ejoin_gateway_port_3_active_sim_slot").state == "L"

    # An SMS on that SIM reaches the port's device, named by its canonical label.
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entry = sim.deliver_sms(3, None, "+4917011", "from the pool")
    assert await inbox_label(hass, sim, entry.sms_id) == "3.02.12"  # what the gateway writes
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=10))
    await hass.async_block_till_done(wait_background_tasks=True)
    [event] = events
    port_3 = device_registry.async_get_child_device_by_identifier(
        (DOMAIN, f"{init_integration.unique_id}_port_3"), entry_id
    )
    assert port_3 is not None
    assert (event.data["port"], event.data["device_id"], event.data["text"]) == ("3L", port_3.id, "from the pool")
