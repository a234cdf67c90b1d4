"""The GSM Gateway integration: multi-port SIM gateways (Skyline/EJOIN, Dinstar, Synway) in Home Assistant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import ClientSession
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME, CONF_VERIFY_SSL, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .client import (
    Capability,
    ConnectionSettings,
    Gateway,
    GatewayAuthError,
    GatewayConnectionError,
    GatewayError,
    Vendor,
    create_gateway,
)
from .const import CONF_DELETE_AFTER_DELIVERY, CONF_RECEIVE_MODE, CONF_USE_HTTPS, CONF_VENDOR, DOMAIN, ReceiveMode
from .coordinator import (
    GatewayStatisticsCoordinator,
    GatewayStatusCoordinator,
    GsmGatewayConfigEntry,
    GsmGatewayRuntimeData,
)
from .dispatch import EventDispatcher
from .entity import gateway_device_info, port_identifier
from .inbox import Inbox, async_start_catch_up
from .push_target import PushTargetManager, async_restore_push_target
from .services import async_setup_services
from .webhook import PushWebhook, async_resolve_sources

PLATFORMS = [Platform.BUTTON, Platform.EVENT, Platform.NOTIFY, Platform.SELECT, Platform.SENSOR, Platform.SWITCH]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, _config: ConfigType) -> bool:
    """Register the integration's actions, once for all entries."""
    async_setup_services(hass)
    return True


def connection_settings(data: Mapping[str, Any]) -> ConnectionSettings:
    """Client connection settings from config entry data."""
    return ConnectionSettings(
        host=str(data[CONF_HOST]),
        port=int(data[CONF_PORT]),
        use_https=bool(data.get(CONF_USE_HTTPS, False)),
        verify_ssl=bool(data.get(CONF_VERIFY_SSL, True)),
        username=str(data[CONF_USERNAME]),
        password=str(data[CONF_PASSWORD]),
    )


def gateway_session(hass: HomeAssistant, settings: ConnectionSettings) -> ClientSession:
    """Home Assistant's shared HTTP session (nothing to close on unload); unverified only when asked for."""
    return async_get_clientsession(hass, verify_ssl=settings.verify_ssl)


def build_gateway(hass: HomeAssistant, vendor: Vendor, settings: ConnectionSettings) -> Gateway:
    """A client for a known vendor, with the device clock in Home Assistant's time zone."""
    return create_gateway(vendor, gateway_session(hass, settings), settings, time_zone=dt_util.get_default_time_zone())


async def async_setup_entry(hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> bool:
    """Connect to the gateway, start polling, and set up its entities."""
    gateway = build_gateway(hass, Vendor(entry.data[CONF_VENDOR]), connection_settings(entry.data))
    placeholders = {"title": entry.title}
    try:
        device = await gateway.connect()
    except GatewayAuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth", translation_placeholders=placeholders
        ) from err
    except GatewayConnectionError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="communication_error",
            translation_placeholders={**placeholders, "error": str(err)},
        ) from err
    except GatewayError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="invalid_response",
            translation_placeholders={**placeholders, "error": str(err)},
        ) from err
    if device.unique_id != entry.unique_id:
        raise ConfigEntryError(
            translation_domain=DOMAIN, translation_key="wrong_device", translation_placeholders=placeholders
        )

    gateway_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **gateway_device_info(entry, gateway.settings, device)
    )
    capabilities = gateway.capabilities
    wants_statistics = bool({Capability.SMS_STATISTICS, Capability.CALL_STATISTICS} & capabilities)
    status = GatewayStatusCoordinator(hass, entry, gateway)
    statistics = GatewayStatisticsCoordinator(hass, entry, gateway, status) if wants_statistics else None
    entry.runtime_data = GsmGatewayRuntimeData(
        gateway=gateway, status=status, statistics=statistics, gateway_device_id=gateway_device.id
    )
    await status.async_config_entry_first_refresh()
    if statistics is not None:
        # Optional data: a failing statistics endpoint must not keep the gateway from loading.
        await statistics.async_refresh()

    _async_track_port_devices(hass, entry)
    await _async_setup_receiving(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _async_setup_receiving(hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> None:
    """Events, the exactly-once inbox, the webhook and the gateway's push target."""
    runtime = entry.runtime_data
    gateway = runtime.gateway
    capabilities = gateway.capabilities
    dispatcher = runtime.dispatcher = EventDispatcher(hass, entry)

    previous_status = runtime.status.data

    @callback
    def fire_status_changes() -> None:
        nonlocal previous_status
        current = runtime.status.data
        if runtime.status.last_update_success and current is not previous_status:
            dispatcher.async_status_changed(previous_status, current)
            previous_status = current

    entry.async_on_unload(runtime.status.async_add_listener(fire_status_changes))

    if {Capability.SMS_PUSH, Capability.INBOX_POLL} & capabilities:
        inbox = runtime.inbox = Inbox(hass, entry.entry_id, gateway, dispatcher.async_sms_received)
        await inbox.async_load()
        inbox.delete_after_delivery = bool(entry.options.get(CONF_DELETE_AFTER_DELIVERY)) and (
            Capability.INBOX_DELETE in capabilities
        )
        entry.async_on_unload(inbox.async_save_now)
        entry.async_on_unload(inbox.async_shutdown)
        entry.async_on_unload(inbox.async_close_when_stopping())
        if Capability.INBOX_POLL in capabilities:
            async_start_catch_up(hass, entry, inbox)

    pushes = {Capability.SMS_PUSH, Capability.STATUS_PUSH} & capabilities
    if pushes and entry.options.get(CONF_RECEIVE_MODE) != ReceiveMode.POLL_ONLY:
        sources = await async_resolve_sources(entry.data[CONF_HOST])
        runtime.webhook = PushWebhook(hass, entry, dispatcher, sources)
        runtime.webhook.async_register()
        runtime.push_target = PushTargetManager(hass, entry, gateway)
        entry.async_create_background_task(
            hass, runtime.push_target.async_start(), f"{DOMAIN} push target {entry.title}"
        )


@callback
def _async_track_port_devices(hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> None:
    """Keep one child device per port: create new ports, drop ports the gateway no longer has."""
    registry = dr.async_get(hass)
    runtime = entry.runtime_data

    @callback
    def sync_port_devices() -> None:
        data = runtime.status.data
        for number in data.ports:
            if number not in runtime.port_device_ids:
                device = registry.async_get_or_create_child(
                    config_entry_id=entry.entry_id,
                    identifiers={port_identifier(entry, number)},
                    translation_key="port",
                    translation_placeholders={"port": str(number)},
                    parent_device_id=runtime.gateway_device_id,
                )
                runtime.port_device_ids[number] = device.id
        for child in dr.async_entries_for_parent_device(registry, runtime.gateway_device_id):
            stale = _port_of(entry, child.identifiers)
            if stale is not None and stale > data.device.port_count:
                registry.async_remove_device(child.id)
                runtime.port_device_ids.pop(stale, None)
        gateway_device = registry.async_get(runtime.gateway_device_id, include_child_devices=False)
        if gateway_device is not None and gateway_device.sw_version != data.device.firmware:
            registry.async_update_device(gateway_device.id, sw_version=data.device.firmware)

    sync_port_devices()
    entry.async_on_unload(runtime.status.async_add_listener(sync_port_devices))


def _port_of(entry: GsmGatewayConfigEntry, identifiers: set[tuple[str, str]]) -> int | None:
    prefix = f"{entry.unique_id}_port_"
    for domain, identifier in identifiers:
        if domain == DOMAIN and identifier.startswith(prefix) and identifier[len(prefix) :].isdigit():
            return int(identifier[len(prefix) :])
    return None


async def async_remove_config_entry_device(
    _hass: HomeAssistant, entry: GsmGatewayConfigEntry, device: dr.DeviceEntry | dr.ChildDeviceEntry
) -> bool:
    """Let the user remove a port device only when the gateway no longer reports that port."""
    number = _port_of(entry, set(device.identifiers))
    return number is not None and number not in entry.runtime_data.status.data.ports


async def async_unload_entry(hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> bool:
    """Unload the entities; listeners, webhook, timers and tasks go with the entry's unload callbacks."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> None:
    """The user removed the gateway: restore its push target and forget the inbox state."""
    gateway = build_gateway(hass, Vendor(entry.data[CONF_VENDOR]), connection_settings(entry.data))
    await async_restore_push_target(entry, gateway)
    await Inbox(hass, entry.entry_id, gateway, lambda _message: None).async_remove()
