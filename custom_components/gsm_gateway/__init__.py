"""The GSM Gateway integration: multi-port SIM gateways (Skyline/EJOIN, Dinstar, Synway) in Home Assistant."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant


async def async_setup_entry(_hass: HomeAssistant, _entry: ConfigEntry) -> bool:
    """Set up a gateway from a config entry."""
    return True


async def async_unload_entry(_hass: HomeAssistant, _entry: ConfigEntry) -> bool:
    """Unload a config entry."""
    return True
