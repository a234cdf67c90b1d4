"""Text: the USSD code that asks the network for a port's balance, for voice assistants (`llm.py`).

Operators use different codes (`*100#`, `*101#`, `*124#`, ...) and nothing on the gateway says which one a SIM
needs, so there is no default: the user types it once per port, next to the port's other settings. It is a setting
of Home Assistant, not of the gateway, so the entity restores its value after a restart instead of reading the
device. Exposing this entity to an assistant is what lets the assistant check that port's balance.
"""

from __future__ import annotations

from typing import override

from homeassistant.components.text import RestoreText, TextMode
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client import Capability, PortStatus
from .coordinator import GsmGatewayConfigEntry
from .entity import PortEntity, add_port_entities

PARALLEL_UPDATES = 0

BALANCE_CODE_KEY = "balance_code"
# What the gateways accept as a USSD code (digits, *, # and +); empty means "not set".
BALANCE_CODE_PATTERN = r"^[0-9*#+]*$"
BALANCE_CODE_MAX = 32


async def async_setup_entry(
    _hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """A balance code for every port, on gateways that send USSD codes."""
    if Capability.USSD not in entry.runtime_data.gateway.capabilities:
        return

    def port_entities(port: PortStatus) -> list[BalanceCodeText]:
        return [BalanceCodeText(entry, port.port)]

    add_port_entities(entry, async_add_entities, port_entities)


class BalanceCodeText(PortEntity, RestoreText):
    """The port's balance USSD code, as the user typed it (empty until then)."""

    _attr_translation_key = BALANCE_CODE_KEY
    _attr_entity_category = EntityCategory.CONFIG
    _attr_mode = TextMode.TEXT
    _attr_native_min = 0
    _attr_native_max = BALANCE_CODE_MAX
    _attr_pattern = BALANCE_CODE_PATTERN
    _attr_native_value: str | None = None

    def __init__(self, entry: GsmGatewayConfigEntry, port: int) -> None:
        """Bind to a port."""
        super().__init__(entry, port, BALANCE_CODE_KEY)

    @override
    async def async_added_to_hass(self) -> None:
        # Restored before the base class notes what the entity shows, so the first write already has the code.
        last = await self.async_get_last_text_data()
        if last is not None and last.native_value is not None and self._valid(last.native_value):
            self._attr_native_value = last.native_value
        await super().async_added_to_hass()

    @override
    async def async_set_value(self, value: str) -> None:
        self._attr_native_value = value
        self._shown = (self.available, self.shown_state())
        self.async_write_ha_state()

    def _valid(self, value: str) -> bool:
        """A restored value fits the pattern and length (one that did not would make writing the state fail)."""
        pattern = self.pattern_cmp
        return len(value) <= self.max and (pattern is None or pattern.match(value) is not None)
