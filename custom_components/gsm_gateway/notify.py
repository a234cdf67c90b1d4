"""Notify entities: one per recipient (config subentry), so `notify.send_message` texts that person."""

from __future__ import annotations

from typing import override

from homeassistant.components.notify import NotifyEntity
from homeassistant.components.notify.const import NotifyEntityFeature
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_RECIPIENT_NUMBER, CONF_RECIPIENT_PORT, SUBENTRY_RECIPIENT
from .coordinator import GatewayStatusCoordinator, GsmGatewayConfigEntry
from .sending import async_send_sms

PARALLEL_UPDATES = 1


async def async_setup_entry(
    _hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a notify entity for each recipient."""
    for subentry in entry.subentries.values():
        if subentry.subentry_type == SUBENTRY_RECIPIENT:
            async_add_entities([RecipientNotifyEntity(entry, subentry)], config_subentry_id=subentry.subentry_id)


class RecipientNotifyEntity(CoordinatorEntity[GatewayStatusCoordinator], NotifyEntity):
    """Sends the message (with the title as its first line) to one phone number.

    Available while the gateway can be reached (it follows the status coordinator), like the gateway's entities.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "recipient"
    _attr_supported_features = NotifyEntityFeature.TITLE

    def __init__(self, entry: GsmGatewayConfigEntry, subentry: ConfigSubentry) -> None:
        """Bind to a recipient subentry; the entity is named after the person (like smtp's recipients)."""
        super().__init__(entry.runtime_data.status)
        self.entry = entry
        self._number: str = subentry.data[CONF_RECIPIENT_NUMBER]
        self._port: str | None = subentry.data.get(CONF_RECIPIENT_PORT) or None
        self._attr_name = subentry.title
        self._attr_unique_id = f"{entry.unique_id}_recipient_{subentry.subentry_id}"

    @override
    async def async_send_message(self, message: str, title: str | None = None) -> None:
        text = f"{title}\n{message}" if title else message
        await async_send_sms(self.entry, recipients=[self._number], message=text, port=self._port)
