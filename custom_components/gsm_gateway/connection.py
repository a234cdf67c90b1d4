"""Reaching a gateway: client settings from config entry data, and a client with Home Assistant's HTTP session.

Used by setup, the config flow (which checks what the user typed) and entry removal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import ClientSession
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .client import ConnectionSettings, Gateway, Vendor, create_gateway, detect_gateway
from .const import CONF_ENCRYPTED_SESSION, CONF_USE_HTTPS, CONF_VENDOR


def connection_settings(data: Mapping[str, Any]) -> ConnectionSettings:
    """Client connection settings from config entry data (or a config flow form)."""
    return ConnectionSettings(
        host=str(data[CONF_HOST]).strip(),
        port=int(data[CONF_PORT]),
        use_https=bool(data.get(CONF_USE_HTTPS, False)),
        verify_ssl=bool(data.get(CONF_VERIFY_SSL, True)),
        username=str(data[CONF_USERNAME]),
        password=str(data[CONF_PASSWORD]),
        encrypted_session=bool(data.get(CONF_ENCRYPTED_SESSION, False)),
    )


def gateway_session(hass: HomeAssistant, settings: ConnectionSettings) -> ClientSession:
    """Home Assistant's shared HTTP session (nothing to close on unload); unverified only when asked for."""
    return async_get_clientsession(hass, verify_ssl=settings.verify_ssl)


def build_gateway(hass: HomeAssistant, data: Mapping[str, Any]) -> Gateway:
    """A client for the gateway of a config entry, with the device clock in Home Assistant's time zone."""
    settings = connection_settings(data)
    return create_gateway(
        Vendor(data[CONF_VENDOR]),
        gateway_session(hass, settings),
        settings,
        time_zone=dt_util.get_default_time_zone(),
    )


async def async_detect_gateway(hass: HomeAssistant, data: Mapping[str, Any]) -> Gateway:
    """Find which dialect the host speaks; a connected client for it (client errors propagate)."""
    settings = connection_settings(data)
    return await detect_gateway(gateway_session(hass, settings), settings, time_zone=dt_util.get_default_time_zone())
