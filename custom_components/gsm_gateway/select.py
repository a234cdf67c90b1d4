"""Select: the active SIM slot of each multi-SIM port."""

from __future__ import annotations

from typing import override

from homeassistant.components.select import SelectEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client import Capability, PortStatus, SlotRef, slot_letter, slot_number
from .coordinator import GsmGatewayConfigEntry
from .entity import PortEntity, add_port_entities
from .helpers import gateway_command

PARALLEL_UPDATES = 1


async def async_setup_entry(
    _hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add an active-slot select to every port, when the gateway has several slots per port."""
    gateway = entry.runtime_data.gateway
    slot_count = gateway.device.slot_count
    if slot_count < 2 or Capability.SWITCH_SLOT not in gateway.capabilities:
        return
    options = [slot_letter(slot) for slot in range(1, slot_count + 1)]

    def port_entities(port: PortStatus) -> list[ActiveSlotSelect]:
        return [ActiveSlotSelect(entry, port.port, options)]

    add_port_entities(entry, async_add_entities, port_entities)


class ActiveSlotSelect(PortEntity, SelectEntity):
    """Which SIM slot the port's module uses."""

    _attr_translation_key = "active_slot"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, entry: GsmGatewayConfigEntry, port: int, options: list[str]) -> None:
        """Offer the slot letters A, B, ..."""
        super().__init__(entry, port, "active_slot")
        self._attr_options = options

    @override
    def inputs(self) -> tuple[object, ...]:
        # Which slot is active, not what the slots report.
        port = self.port_status
        return (port is not None, port.active_slot if port is not None else None, self.coordinator.last_update_success)

    @property
    @override
    def current_option(self) -> str | None:
        port = self.port_status
        if port is None or port.active_slot is None:
            return None
        return slot_letter(port.active_slot)

    @override
    @gateway_command
    async def async_select_option(self, option: str) -> None:
        await self.gateway.switch_slot(SlotRef(self.port, slot_number(option)))
