"""The device registry: one device for the gateway, and one child device per port."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import ChildDeviceInfo, DeviceInfo

from .client import VENDOR_NAMES, ConnectionSettings, DeviceInfo as GatewayDeviceInfo, GatewayStatus
from .const import DOMAIN


def gateway_device_info(
    unique_id: str, title: str, settings: ConnectionSettings, device: GatewayDeviceInfo
) -> DeviceInfo:
    """Device registry data of the gateway itself."""
    info = DeviceInfo(
        identifiers={(DOMAIN, unique_id)},
        manufacturer=VENDOR_NAMES[device.vendor],
        model=device.model or f"{device.port_count}-port gateway",
        sw_version=device.firmware,
        serial_number=device.serial,
        name=title,
        configuration_url=settings.base_url,
    )
    if device.mac:
        info["connections"] = {(dr.CONNECTION_NETWORK_MAC, device.mac)}
    return info


def port_identifier(unique_id: str, port: int) -> tuple[str, str]:
    """Device registry identifier of a port."""
    return (DOMAIN, f"{unique_id}_port_{port}")


def port_of(unique_id: str, identifiers: set[tuple[str, str]]) -> int | None:
    """The port number a device stands for, or None for the gateway (or another integration's device)."""
    prefix = f"{unique_id}_port_"
    for domain, identifier in identifiers:
        if domain == DOMAIN and identifier.startswith(prefix) and identifier[len(prefix) :].isdigit():
            return int(identifier[len(prefix) :])
    return None


class GatewayDevices:
    """The device ids of one gateway and its ports, kept in step with what the gateway reports."""

    def __init__(self, hass: HomeAssistant, *, entry_id: str, unique_id: str, gateway_device_id: str) -> None:
        """Bind to the gateway's device (created by setup)."""
        self.hass = hass
        self.entry_id = entry_id
        self.unique_id = unique_id
        self.gateway_device_id = gateway_device_id
        self._port_device_ids: dict[int, str] = {}
        self._synced: tuple[object, ...] = ()  # what the last sync saw: most updates change none of it

    def device_id(self, port: int | None) -> str:
        """The device of `port`, or the gateway's when the port is unknown (or has no device yet)."""
        if port is None:
            return self.gateway_device_id
        return self._port_device_ids.get(port, self.gateway_device_id)

    def port_of_device(self, device_id: str) -> int | None:
        """The port whose device is `device_id`, if it is one of this gateway's ports."""
        for port, port_device_id in self._port_device_ids.items():
            if port_device_id == device_id:
                return port
        return None

    def child_device_info(self, port: int) -> ChildDeviceInfo:
        """Device registry data of a port: a child device of the gateway."""
        return ChildDeviceInfo(
            identifiers={port_identifier(self.unique_id, port)},
            translation_key="port",
            translation_placeholders={"port": str(port)},
            parent_device_id=self.gateway_device_id,
        )

    @callback
    def async_sync(self, status: GatewayStatus) -> None:
        """Create the devices of new ports, remove ports the gateway no longer has, and follow its firmware."""
        seen = (tuple(status.ports), status.device.port_count, status.device.firmware)
        if seen == self._synced:
            return
        self._synced = seen
        registry = dr.async_get(self.hass)
        for number in status.ports:
            if number not in self._port_device_ids:
                device = registry.async_get_or_create_child(
                    config_entry_id=self.entry_id, **self.child_device_info(number)
                )
                self._port_device_ids[number] = device.id
        for child in dr.async_entries_for_parent_device(registry, self.gateway_device_id):
            stale = port_of(self.unique_id, child.identifiers)
            if stale is not None and stale > status.device.port_count:
                registry.async_remove_device(child.id)
                self._port_device_ids.pop(stale, None)
        gateway_device = registry.async_get(self.gateway_device_id, include_child_devices=False)
        if gateway_device is not None and gateway_device.sw_version != status.device.firmware:
            registry.async_update_device(gateway_device.id, sw_version=status.device.firmware)
