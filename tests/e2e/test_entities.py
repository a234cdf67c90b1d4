"""What the entities show is true: state classes, availability, locks, sensors that appear later, port models."""

from __future__ import annotations

from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry


async def test_daily_counters_reset_at_midnight_without_a_negative_change(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """"SMS sent today" falls to 0 at midnight: a meter reset for long-term statistics, not a negative change."""
    for counter in ("sensor.ejoin_gateway_sms_sent_today", "sensor.ejoin_gateway_sms_received_today"):
        state = hass.states.get(counter)
        assert state is not None, counter
        assert state.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING
