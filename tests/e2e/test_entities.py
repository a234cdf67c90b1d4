"""What the entities show is true: state classes, availability, locks, sensors that appear later, port models."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.gsm_gateway.const import CONF_RECIPIENT_NUMBER, SUBENTRY_RECIPIENT
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
