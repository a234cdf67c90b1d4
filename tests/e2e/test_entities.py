"""What the entities show is true: state classes, availability, locks, sensors that appear later, what a port is."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.gsm_gateway.const import CONF_RECIPIENT_NUMBER, SUBENTRY_RECIPIENT
from simulator.dinstar import DinstarSimulator
from simulator.ejoin import EjoinSimulator

from .conftest import update_entity


async def test_daily_counters_reset_at_midnight_without_a_negative_change(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """ "SMS sent today" falls to 0 at midnight: a meter reset for long-term statistics, not a negative change."""
    for counter in ("sensor.ejoin_gateway_sms_sent_today", "sensor.ejoin_gateway_sms_received_today"):
        state = hass.states.get(counter)
        assert state is not None, counter
        assert state.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING


async def test_recipient_notify_entities_follow_the_gateway(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """A saved recipient cannot be texted while the gateway is unreachable, and the entity says so."""
    hass.config_entries.async_add_subentry(
        config_entry,
        ConfigSubentry(
            data={CONF_RECIPIENT_NUMBER: "+491701234567"},
            subentry_type=SUBENTRY_RECIPIENT,
            title="Mum",
            unique_id="+491701234567",
        ),
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("notify.mum").state != STATE_UNAVAILABLE
    sim.faults.error_rate = 1.0
    await update_entity(hass, "sensor.ejoin_gateway_port_1_status")
    assert hass.states.get("notify.mum").state == STATE_UNAVAILABLE
    sim.faults.error_rate = 0.0
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))  # the next status poll
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("notify.mum").state != STATE_UNAVAILABLE


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_lock_switch_remembers_what_was_set(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    """Dinstar does not report locks: the switch shows what Home Assistant set, marked as assumed, across polls."""
    lock = "switch.dinstar_gateway_port_2_sim_lock"
    await hass.services.async_call("switch", "turn_on", {"entity_id": lock}, blocking=True)
    assert [request.query.get("action") for request in sim.requests_to("/api/set_port_info")][-1] == "block"
    state = hass.states.get(lock)
    assert (state.state, state.attributes.get("assumed_state")) == (STATE_ON, True)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))  # a poll reports no lock state
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(lock).state == STATE_ON
    assert await hass.config_entries.async_reload(init_integration.entry_id)  # remembered across a restart too
    await hass.async_block_till_done()
    assert hass.states.get(lock).state == STATE_ON
    await hass.services.async_call("switch", "turn_off", {"entity_id": lock}, blocking=True)
    assert hass.states.get(lock).state == STATE_OFF


async def test_value_sensors_appear_when_the_gateway_first_reports_the_value(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """No SIM anywhere at start-up: no signal or operator yet. A SIM registers later: its sensors appear then."""
    for port in range(1, 5):
        for slot in (1, 2):
            sim.set_sim_present(port, slot, present=False)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.ejoin_gateway_port_1_signal") is None
    assert hass.states.get("sensor.ejoin_gateway_port_1_operator") is None

    sim.set_sim_present(1, 1, present=True)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)
    signal = hass.states.get("sensor.ejoin_gateway_port_1_signal")
    assert signal is not None
    assert signal.state not in ("unknown", STATE_UNAVAILABLE)
    assert hass.states.get("sensor.ejoin_gateway_port_4_signal") is not None  # every port has the sensor now

    # After a restart they are there at once (registered), even while no SIM reports a value.
    sim.set_sim_present(1, 1, present=False)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.ejoin_gateway_port_1_signal") is not None


@pytest.mark.parametrize("vendor", ["dinstar", "ejoin"])
async def test_a_port_says_what_it_is_where_the_gateway_reports_it(
    hass: HomeAssistant, init_integration: MockConfigEntry, vendor: str
) -> None:
    """Ports are child devices: no model of the gateway's. The module type is a sensor where the gateway reports it."""
    registry = dr.async_get(hass)
    (gateway,) = dr.async_entries_for_config_entry(registry, init_integration.entry_id)
    assert gateway.model  # the gateway's model is the gateway's only
    ports = dr.async_entries_for_parent_device(registry, gateway.id)
    assert ports
    assert all(isinstance(port, dr.ChildDeviceEntry) for port in ports)  # a child device has no model field
    module = hass.states.get(f"sensor.{vendor}_gateway_port_2_module_type")
    if vendor == "dinstar":  # the simulated modules are GSM
        assert module is not None
        assert module.state == "GSM"
    else:  # Skyline/EJOIN does not report it: no sensor that is always unknown
        assert module is None
