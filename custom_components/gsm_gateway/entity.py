"""Base entities: attached to the gateway's device, or to the child device of one port."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .client import Capability, Gateway, PortStatus, SlotStatus, slot_letter
from .const import DOMAIN
from .coordinator import GatewayStatusCoordinator, GsmGatewayConfigEntry

_NOTHING_SHOWN = object()


def has_capability(capability: Capability) -> Callable[[Gateway], bool]:
    """An `exists_fn` for entity descriptions: the gateway declares `capability`."""
    return lambda gateway: capability in gateway.capabilities


class GsmGatewayEntity[CoordinatorT: DataUpdateCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """Attached to the gateway device.

    An entity writes its state only when what it shows changed (`shown_state`) or its availability did: a poll in
    which one port's signal moved writes that port's signal sensor, not every entity of the gateway.
    """

    _attr_has_entity_name = True

    def __init__(self, entry: GsmGatewayConfigEntry, coordinator: CoordinatorT, key: str) -> None:
        """Set the unique id and device."""
        super().__init__(coordinator)
        self.entry = entry
        self._attr_unique_id = f"{entry.unique_id}_{key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, str(entry.unique_id))})
        self._shown: tuple[bool, object] = (False, _NOTHING_SHOWN)

    @property
    def gateway(self) -> Gateway:
        """The gateway client."""
        return self.entry.runtime_data.gateway

    @property
    def gateway_status(self) -> GatewayStatusCoordinator:
        """The status coordinator (also for entities driven by another coordinator)."""
        return self.entry.runtime_data.status

    @property
    @override
    def available(self) -> bool:
        # Every entity is unavailable while the gateway cannot be reached, whichever coordinator feeds it.
        return super().available and self.gateway_status.last_update_success

    def shown_state(self) -> object:
        """What this entity shows; override with something cheaper where the state is costly to work out."""
        return (self.state, self.extra_state_attributes, self.assumed_state)

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self._shown = (self.available, self.shown_state())  # what Home Assistant wrote when adding the entity
        if self.coordinator is not self.gateway_status:
            # Entities of other coordinators follow the status poll too: availability and the active slot.
            self.async_on_remove(self.gateway_status.async_add_listener(self._handle_coordinator_update))

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        shown = (self.available, self.shown_state())
        if shown != self._shown:
            self._shown = shown
            super()._handle_coordinator_update()


class PortEntity(GsmGatewayEntity[GatewayStatusCoordinator]):
    """Attached to a port's child device; reads that port (and optionally one of its slots)."""

    def __init__(self, entry: GsmGatewayConfigEntry, port: int, key: str, slot: int | None = None) -> None:
        """Bind to a port (and slot)."""
        suffix = f"port_{port}" if slot is None else f"port_{port}_slot_{slot}"
        super().__init__(entry, entry.runtime_data.status, f"{suffix}_{key}")
        self.port = port
        self.slot = slot
        self._attr_device_info = entry.runtime_data.devices.child_device_info(port)
        if slot is not None:
            self._attr_translation_placeholders = {"slot": slot_letter(slot)}

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
