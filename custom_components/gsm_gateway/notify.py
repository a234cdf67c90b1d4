"""Notify entities: one per recipient (config subentry), so `notify.send_message` texts that person.

Recipients come and go without reloading the gateway: a new recipient's entity is added when its subentry is
stored, a changed one reads its number and port at the next send and shows its new name, and Home Assistant removes
the entity of a deleted one.
"""

from __future__ import annotations

from typing import override

from homeassistant.components.notify import NotifyEntity
from homeassistant.components.notify.const import NotifyEntityFeature
from homeassistant.config_entries import SIGNAL_CONFIG_ENTRY_CHANGED, ConfigEntry, ConfigEntryChange
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_RECIPIENT_NUMBER, CONF_RECIPIENT_PORT, SUBENTRY_RECIPIENT
from .coordinator import GatewayStatusCoordinator, GsmGatewayConfigEntry
from .sending import async_send_sms

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a notify entity for each recipient, now and whenever one is added."""
    added: set[str] = set()

    @callback
    def add_new_recipients() -> None:
        for subentry_id, subentry in entry.subentries.items():
            if subentry.subentry_type == SUBENTRY_RECIPIENT and subentry_id not in added:
                added.add(subentry_id)
                async_add_entities([RecipientNotifyEntity(entry, subentry_id)], config_subentry_id=subentry_id)

    @callback
    def entry_changed(change: ConfigEntryChange, changed: ConfigEntry) -> None:
        if change is ConfigEntryChange.UPDATED and changed.entry_id == entry.entry_id:
            added.intersection_update(entry.subentries)
            add_new_recipients()

    add_new_recipients()
    entry.async_on_unload(async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed))


class RecipientNotifyEntity(CoordinatorEntity[GatewayStatusCoordinator], NotifyEntity):
    """Sends the message (with the title as its first line) to one phone number.

    Available while the gateway can be reached (it follows the status coordinator), like the gateway's entities.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "recipient"
    _attr_supported_features = NotifyEntityFeature.TITLE

    def __init__(self, entry: GsmGatewayConfigEntry, subentry_id: str) -> None:
        """Bind to a recipient subentry; the entity is named after the person (like smtp's recipients)."""
        super().__init__(entry.runtime_data.status)
        self.entry = entry
        self.subentry_id = subentry_id
        self._attr_name = entry.subentries[subentry_id].title
        self._attr_unique_id = f"{entry.unique_id}_recipient_{subentry_id}"

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(async_dispatcher_connect(self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._entry_changed))

    @callback
    def _entry_changed(self, _change: ConfigEntryChange, changed: ConfigEntry) -> None:
        """Show a renamed recipient's new name."""
        subentry = self.entry.subentries.get(self.subentry_id)
        if changed.entry_id == self.entry.entry_id and subentry is not None and subentry.title != self._attr_name:
            self._attr_name = subentry.title
            self.async_write_ha_state()

    @override
    async def async_send_message(self, message: str, title: str | None = None) -> None:
        recipient = self.entry.subentries[self.subentry_id].data
        text = f"{title}\n{message}" if title else message
        await async_send_sms(
            self.entry,
            recipients=[recipient[CONF_RECIPIENT_NUMBER]],
            message=text,
            port=recipient.get(CONF_RECIPIENT_PORT) or None,
        )
