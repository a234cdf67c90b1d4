"""Base entities: one device for the gateway, one child device per port."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, override

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import ChildDeviceInfo, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .client import (
    VENDOR_NAMES,
    ConnectionSettings,
    DeviceInfo as GatewayDeviceInfo,
    PortStatus,
    SlotStatus,
    slot_letter,
)
from .const import DOMAIN
from .coordinator import GatewayStatusCoordinator, GsmGatewayConfigEntry, PortListener


def gateway_device_info(
    entry: GsmGatewayConfigEntry, settings: ConnectionSettings, device: GatewayDeviceInfo
) -> DeviceInfo:
    """Device registry data of the gateway itself."""
    info = DeviceInfo(
        identifiers={(DOMAIN, str(entry.unique_id))},
        manufacturer=VENDOR_NAMES[device.vendor],
        model=device.model or f"{device.port_count}-port gateway",
        sw_version=device.firmware,
        serial_number=device.serial,
        name=entry.title,
        configuration_url=settings.base_url,
    )
    if device.mac:
        info["connections"] = {(dr.CONNECTION_NETWORK_MAC, device.mac)}
    return info


def port_identifier(entry: GsmGatewayConfigEntry, port: int) -> tuple[str, str]:
    """Device registry identifier of a port."""
    return (DOMAIN, f"{entry.unique_id}_port_{port}")


class GsmGatewayEntity[CoordinatorT: DataUpdateCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """Attached to the gateway device."""

    _attr_has_entity_name = True
    _attr_device_info: DeviceInfo | ChildDeviceInfo | None

    def __init__(
        self, entry: GsmGatewayConfigEntry, coordinator: CoordinatorT, key: str, context: object | None = None
    ) -> None:
        """Set the unique id and device."""
        super().__init__(coordinator, context)
        self.entry = entry
        self._attr_unique_id = f"{entry.unique_id}_{key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, str(entry.unique_id))})
        self._last_written: tuple[bool, object] = (False, _NOTHING)
        self._last_source: tuple[object, ...] | None = None
        # Context of this entity's listener on the status coordinator, when that is not its own coordinator.
        self.status_listener_context: PortListener | None = None

    @property
    def gateway_status(self) -> GatewayStatusCoordinator:
        """The status coordinator (also for entities driven by another coordinator)."""
        return self.entry.runtime_data.status

    @property
    @override
    def available(self) -> bool:
        # Every entity is unavailable while the gateway cannot be reached, whichever coordinator feeds it.
        return super().available and self.gateway_status.last_update_success

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        # What Home Assistant writes when adding the entity; the first poll must not write it again.
        self._last_source = self.source_identity()
        self._last_written = (self.available, self.written_state_key())
        if self.coordinator is not self.gateway_status:
            # Statistics entities also follow the status poll: availability and the port's active slot.
            self.async_on_remove(
                self.gateway_status.async_add_listener(self._handle_coordinator_update, self.status_listener_context)
            )

    def written_state_key(self) -> object:
        """What this entity shows; unchanged means no state write.

        A poll in which only one port's signal moved writes that port's signal sensor and nothing else.
        """
        return (self.state, self.extra_state_attributes, self.assumed_state)

    def source_identity(self) -> tuple[object, ...] | None:
        """The objects this entity reads from the latest data, when it knows them (None: compare what it shows).

        Unchanged data keeps its objects (see the EJOIN row cache), so identity answers "nothing changed" cheaply.
        """
        return None

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        # Cheapest first: the same source object (an unchanged port) under the same availability shows the same.
        source = self.source_identity()
        if _same(source, self._last_source) and self._last_written[0] == self.available:
            return
        self._last_source = source
        key = (self.available, self.written_state_key())
        if key == self._last_written:
            return
        self._last_written = key
        super()._handle_coordinator_update()


_NOTHING = object()


def _same(source: tuple[object, ...] | None, last: tuple[object, ...] | None) -> bool:
    return (
        source is not None
        and last is not None
        and len(source) == len(last)
        and all(new is old for new, old in zip(source, last, strict=True))
    )


class PortEntity(GsmGatewayEntity[GatewayStatusCoordinator]):
    """Attached to a port's child device; reads that port (and optionally one of its slots)."""

    def __init__(self, entry: GsmGatewayConfigEntry, port: int, key: str, slot: int | None = None) -> None:
        """Bind to a port (and slot)."""
        suffix = f"port_{port}" if slot is None else f"port_{port}_slot_{slot}"
        super().__init__(entry, entry.runtime_data.status, f"{suffix}_{key}", PortListener(port))
        self.port = port
        self.slot = slot
        self._attr_device_info = self.child_device_info(entry, port)
        if slot is not None:
            self._attr_translation_placeholders = {"slot": slot_letter(slot)}

    @staticmethod
    def child_device_info(entry: GsmGatewayConfigEntry, port: int) -> ChildDeviceInfo:
        """Device registry data of a port: a child device of the gateway."""
        return ChildDeviceInfo(
            identifiers={port_identifier(entry, port)},
            translation_key="port",
            translation_placeholders={"port": str(port)},
            parent_device_id=entry.runtime_data.gateway_device_id,
        )

    @property
    def port_status(self) -> PortStatus | None:
        """This port in the latest data."""
        return self.coordinator.data.ports.get(self.port)

    @property
    def slot_status(self) -> SlotStatus | None:
        """The slot this entity is about: its own slot, or the port's active slot."""
        port = self.port_status
        if port is None:
            return None
        if self.slot is None:
            return port.active
        return port.slots.get(self.slot)

    @property
    @override
    def available(self) -> bool:
        return super().available and self.port_status is not None

    @override
    def source_identity(self) -> tuple[object, ...] | None:
        return (self.port_status,)


def add_port_entities(
    entry: GsmGatewayConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    make_entities: Callable[[PortStatus], Iterable[Entity]],
) -> None:
    """Add entities for every port now, and for every port that appears later (SIM-bank pools, eSIMs)."""
    coordinator = entry.runtime_data.status
    known: set[int] = set()

    @callback
    def add_new_ports() -> None:
        new_ports = [port for number, port in sorted(coordinator.data.ports.items()) if number not in known]
        if not new_ports:
            return
        known.update(port.port for port in new_ports)
        async_add_entities([entity for port in new_ports for entity in make_entities(port)])

    add_new_ports()
    entry.async_on_unload(coordinator.async_add_listener(add_new_ports))
