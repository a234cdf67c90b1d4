"""The GSM Gateway integration: multi-port SIM gateways (Skyline/EJOIN, Dinstar, Synway) in Home Assistant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .client import Capability, GatewayError
from .connection import build_gateway
from .const import DOMAIN
from .coordinator import (
    GatewayStatisticsCoordinator,
    GatewayStatusCoordinator,
    GsmGatewayConfigEntry,
    GsmGatewayRuntimeData,
    ProxyStateCoordinator,
    SendQueueCoordinator,
)
from .devices import GatewayDevices, gateway_device_info, port_of
from .errors import setup_error
from .push_target import CONF_PREVIOUS_PUSH_TARGET
from .receiver import Receiver, ReceiveSettings, async_forget
from .services import async_setup_services

PLATFORMS = [
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NOTIFY,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TEXT,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, _config: ConfigType) -> bool:
    """Register the integration's actions, once for all entries."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> bool:
    """Connect to the gateway, start polling and receiving, and set up its entities."""
    gateway = build_gateway(hass, entry.data)
    try:
        device = await gateway.connect()
    except GatewayError as err:
        raise setup_error(err, entry.title) from err
    if device.unique_id != entry.unique_id:
        raise ConfigEntryError(
            translation_domain=DOMAIN, translation_key="wrong_device", translation_placeholders={"title": entry.title}
        )

    unique_id = device.unique_id
    gateway_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **gateway_device_info(unique_id, entry.title, gateway.settings, device)
    )
    devices = GatewayDevices(hass, entry_id=entry.entry_id, unique_id=unique_id, gateway_device_id=gateway_device.id)
    status = GatewayStatusCoordinator(hass, entry, gateway)
    statistics = None
    if {Capability.SMS_STATISTICS, Capability.CALL_STATISTICS} & gateway.capabilities:
        statistics = GatewayStatisticsCoordinator(hass, entry, gateway, status)
    proxy = ProxyStateCoordinator(hass, entry, gateway.proxy, status) if gateway.proxy is not None else None
    queue = None
    if Capability.SEND_QUEUE in gateway.capabilities:
        queue = SendQueueCoordinator(hass, entry, gateway, status)

    @callback
    def remember_previous_target(target: Mapping[str, Any]) -> None:
        hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PREVIOUS_PUSH_TARGET: dict(target)})

    receiver = Receiver(
        hass,
        gateway,
        status=status,
        devices=devices,
        settings=ReceiveSettings.from_entry(entry),
        remember_previous_target=remember_previous_target,
        on_activity=statistics.async_note_activity if statistics is not None else lambda: None,
    )
    entry.runtime_data = GsmGatewayRuntimeData(
        gateway=gateway,
        status=status,
        statistics=statistics,
        proxy=proxy,
        devices=devices,
        receiver=receiver,
        queue=queue,
    )

    await status.async_config_entry_first_refresh()
    # Optional data: a failing statistics, proxy or queue endpoint must not keep the gateway from loading.
    for optional in (statistics, proxy, queue):
        if optional is not None:
            await optional.async_refresh()

    devices.async_sync(status.data)
    entry.async_on_unload(status.async_add_listener(lambda: devices.async_sync(status.data)))
    entry.async_on_unload(receiver.async_stop)
    await receiver.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_remove_config_entry_device(
    _hass: HomeAssistant, entry: GsmGatewayConfigEntry, device: dr.DeviceEntry | dr.ChildDeviceEntry
) -> bool:
    """Let the user remove a port device only when the gateway no longer reports that port."""
    number = port_of(str(entry.unique_id), set(device.identifiers))
    return number is not None and number not in entry.runtime_data.status.data.ports


async def async_unload_entry(hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> bool:
    """Unload the entities; listeners, webhook, timers and tasks go with the entry's unload callbacks."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> None:
    """The user removed the gateway: restore its push target and forget the inbox state."""
    await async_forget(
        hass, build_gateway(hass, entry.data), entry_id=entry.entry_id, title=entry.title, entry_data=entry.data
    )
