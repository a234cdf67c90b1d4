"""Config flow for GSM Gateway."""

from __future__ import annotations

from homeassistant.config_entries import ConfigFlow

from .const import DOMAIN


class GsmGatewayConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a gateway from the UI."""

    VERSION = 1
