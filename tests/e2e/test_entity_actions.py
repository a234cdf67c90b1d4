"""Entity actions reach the gateway, and entities then show what the gateway confirmed."""

from __future__ import annotations

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.ejoin import EjoinSimulator

from .conftest import update_entity


@pytest.fixture
async def all_entities(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The integration set up with every entity enabled (many are disabled by default)."""
    registry = er.async_get(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    for entity in er.async_entries_for_config_entry(registry, config_entry.entry_id):
        if entity.disabled_by is not None:
            registry.async_update_entity(entity.entity_id, disabled_by=None)
    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


def commands(sim: EjoinSimulator) -> list[dict[str, object]]:
    return [request.json() for request in sim.requests_to("/goip_send_cmd.html") if request.body]


async def call(hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: object) -> None:
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True)
    await hass.async_block_till_done()


async def test_lock_active_sim(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    entity = "switch.ejoin_gateway_port_2_sim_lock"
    assert hass.states.get(entity).state == "off"
    await call(hass, "switch", "turn_on", entity)
    assert commands(sim) == [{"type": "command", "op": "lock", "ports": "2A"}]
    assert sim.ports[1].slots[0].locked
    assert hass.states.get(entity).state == "on"
    assert hass.states.get("sensor.ejoin_gateway_port_2_status").state == "user_locked"

    # With its SIM locked, the port has no slot in use: the switch now stands for the whole port.
    await call(hass, "switch", "turn_off", entity)
    assert commands(sim)[-1] == {"type": "command", "op": "unlock", "ports": "2"}
    assert hass.states.get(entity).state == "off"
    assert hass.states.get("sensor.ejoin_gateway_port_2_status").state == "registered"


async def test_lock_inactive_slot(hass: HomeAssistant, all_entities: MockConfigEntry, sim: EjoinSimulator) -> None:
    await call(hass, "switch", "turn_on", "switch.ejoin_gateway_port_1_sim_b_lock")
    assert commands(sim) == [{"type": "command", "op": "lock", "ports": "1B"}]
    assert sim.ports[0].slots[1].locked
    if sim.ports[0].slots[1].sim is not None:
        assert hass.states.get("sensor.ejoin_gateway_port_1_sim_b_status").state == "user_locked"


async def test_led_without_feedback_is_optimistic(
    hass: HomeAssistant, all_entities: MockConfigEntry, sim: EjoinSimulator
) -> None:
    entity = "switch.ejoin_gateway_port_3_led"
    assert hass.states.get(entity).state == "unknown"  # this firmware does not report LEDs
    await call(hass, "switch", "turn_off", entity)
    assert commands(sim) == [{"type": "command", "op": "ledoff", "ports": "3"}]
    assert sim.ports[2].led is False
    state = hass.states.get(entity)
    assert state.state == "off"
    assert state.attributes["assumed_state"] is True


async def test_led_with_feedback_follows_the_device(
    hass: HomeAssistant, all_entities: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.variants.add("v24_fields")  # firmware that reports the LED in its status rows
    entity = "switch.ejoin_gateway_port_3_led"
    await update_entity(hass, entity)
    assert hass.states.get(entity).state == "on"
    await call(hass, "switch", "turn_off", entity)
    state = hass.states.get(entity)
    assert state.state == "off"
    assert "assumed_state" not in state.attributes


async def test_switch_active_slot(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    entity = "select.ejoin_gateway_port_4_active_sim_slot"
    assert hass.states.get(entity).state == "A"
    assert hass.states.get(entity).attributes["options"] == ["A", "B"]
    await call(hass, "select", "select_option", entity, option="B")
    assert commands(sim) == [{"type": "command", "op": "switch", "ports": "4B"}]
    assert sim.ports[3].active == 2
    assert hass.states.get(entity).state == "B"


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        ("button.ejoin_gateway_port_1_reset_module", {"type": "command", "op": "reset", "ports": "1"}),
        ("button.ejoin_gateway_port_1_redial", {"type": "command", "op": "redial", "ports": "1", "mode": 0}),
        ("button.ejoin_gateway_port_1_redial_fast", {"type": "command", "op": "redial", "ports": "1", "mode": 1}),
        ("button.ejoin_gateway_save_configuration", {"type": "command", "op": "save"}),
        ("button.ejoin_gateway_reboot", {"type": "command", "op": "reboot"}),
    ],
)
async def test_buttons(
    hass: HomeAssistant, all_entities: MockConfigEntry, sim: EjoinSimulator, entity: str, expected: dict[str, object]
) -> None:
    await call(hass, "button", "press", entity)
    assert commands(sim)[0] == expected


async def test_refused_command_raises_translated_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.inject("500")
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "switch", "turn_on", "switch.ejoin_gateway_port_1_sim_lock")
    assert raised.value.translation_domain == "gsm_gateway"
