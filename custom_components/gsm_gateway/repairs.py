"""Fix flows for the repairs the integration raises."""

from __future__ import annotations

from typing import Any

from homeassistant import data_entry_flow
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import probatio as vol

from .const import DOMAIN
from .coordinator import GsmGatewayConfigEntry


class PushTargetRepairFlow(RepairsFlow):
    """Someone changed the gateway's push target: take it over again."""

    def __init__(self, entry: GsmGatewayConfigEntry) -> None:
        """Bind to the entry the issue is about."""
        self.entry = entry

    async def async_step_init(self, _user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Start: the repairs manager may pass the issue id as input here, so ask in a step of its own."""
        return await self.async_step_confirm()

    async def async_step_confirm(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Ask, then point the gateway at Home Assistant again."""
        if user_input is not None:
            manager = self.entry.runtime_data.receiver.push_target
            if manager is not None and manager.url is not None and await manager.async_take_over(manager.url):
                return self.async_create_entry(data={})
            return self.async_abort(reason="take_over_failed")
        return self.async_show_form(
            step_id="confirm", data_schema=vol.Schema({}), description_placeholders={"title": self.entry.title}
        )


async def async_create_fix_flow(hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None) -> RepairsFlow:
    """Create the fix flow of a fixable issue."""
    entry_id = str((data or {}).get("entry_id", ""))
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        raise data_entry_flow.UnknownHandler(f"{issue_id}: gateway not loaded")
    return PushTargetRepairFlow(entry)
