"""Event entities: the message activity of each port (the bus events carry the same data).

Every message triggers the entity and writes its state, so an automation on the entity runs once per message,
also for a burst of 50 in one push. Message texts and numbers stay out of long-term history: every attribute is
unrecorded.
"""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.event import EventEntity
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client import PortStatus
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DEVICE_ID,
    EVENT_DELIVERY_REPORT,
    EVENT_SMS_FAILED,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_SENT,
    EVENT_USSD_RECEIVED,
)
from .coordinator import GsmGatewayConfigEntry
from .dispatch import port_event_signal
from .entity import PortEntity, add_port_entities

PARALLEL_UPDATES = 0

# Bus event type -> event entity type (the part after "gsm_gateway_")
MESSAGE_EVENTS = {
    EVENT_SMS_RECEIVED: "sms_received",
    EVENT_DELIVERY_REPORT: "delivery_report",
    EVENT_SMS_SENT: "sms_sent",
    EVENT_SMS_FAILED: "sms_failed",
    EVENT_USSD_RECEIVED: "ussd_received",
}


async def async_setup_entry(
    _hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """One message-activity event entity per port."""

    def port_entities(port: PortStatus) -> list[PortMessageEvent]:
        return [PortMessageEvent(entry, port.port)]

    add_port_entities(entry, async_add_entities, port_entities)


class PortMessageEvent(PortEntity, EventEntity):
    """Fires on every SMS received, delivery report, send result and USSD reply of a port."""

    _attr_translation_key = "messages"
    _unrecorded_attributes = frozenset({MATCH_ALL})

    def __init__(self, entry: GsmGatewayConfigEntry, port: int) -> None:
        """Bind to a port."""
        super().__init__(entry, port, "messages")
        self._attr_event_types = list(MESSAGE_EVENTS.values())

    async def async_added_to_hass(self) -> None:
        """Listen to this port's events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, port_event_signal(self.entry.entry_id, self.port), self._handle_port_event
            )
        )

    @override
    def shown_state(self) -> object:
        # Messages write the state themselves; polls only change whether the entity is available.
        return None

    @override
    def inputs(self) -> tuple[object, ...]:
        return (self.port_status is not None, self.coordinator.last_update_success)

    @callback
    def _handle_port_event(self, bus_event: str, data: dict[str, Any]) -> None:
        if (event_type := MESSAGE_EVENTS.get(bus_event)) is None:
            return
        attributes = {key: value for key, value in data.items() if key not in (ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID)}
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()
