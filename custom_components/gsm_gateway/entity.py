"""Base entities: attached to the gateway's device, or to the child device of one port."""

from __future__ import annotations

from collections.abc import Callable, Iterable
import re
from typing import Any, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .client import Capability, Gateway, PortStatus, SimState, SlotStatus, slot_letter
from .const import CONF_SLOT_ENTITIES, DOMAIN, SlotEntities, default_slot_entities
from .coordinator import GatewayStatusCoordinator, GsmGatewayConfigEntry

_NOTHING_SHOWN = object()


def has_capability(capability: Capability) -> Callable[[Gateway], bool]:
    """An `exists_fn` for entity descriptions: the gateway declares `capability`."""
    return lambda gateway: capability in gateway.capabilities


class GsmGatewayEntity[CoordinatorT: DataUpdateCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """Attached to the gateway device.

    An entity writes its state only when what it shows changed (`shown_state`) or its availability did: a poll in
    which one port's signal moved writes that port's signal sensor, not every entity of the gateway. Before that, it
    looks at what its state is made of (`inputs`): the client reuses the objects of unchanged ports and slots, so
    an entity whose inputs are the very objects of last time has nothing to work out (a SIM bank has 64 ports, and a
    poll usually changes a few).
    """

    _attr_has_entity_name = True

    def __init__(self, entry: GsmGatewayConfigEntry, coordinator: CoordinatorT, key: str) -> None:
        """Set the unique id and device."""
        super().__init__(coordinator)
        self.entry = entry
        self._attr_unique_id = f"{entry.unique_id}_{key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, str(entry.unique_id))})
        self._shown: tuple[bool, object] = (False, _NOTHING_SHOWN)
        self._inputs: tuple[object, ...] = ()

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

    def inputs(self) -> tuple[object, ...]:
        """The objects this entity's state and availability are made of: when they are those of last time, it is too.

        Unchanged data keeps its objects (client row cache, merged pushes), so this is mostly an identity check.
        """
        status = self.gateway_status
        own = self.coordinator
        return (own.data, own.last_update_success, status.data, status.last_update_success)

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
        inputs = self.inputs()
        if inputs == self._inputs:  # the same objects (or equal ones): the same state
            return
        self._inputs = inputs
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

    @override
    def inputs(self) -> tuple[object, ...]:
        # Its port's status object only: other ports changing leave this entity alone.
        return (self.port_status, self.coordinator.last_update_success)


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


def slot_entities_option(entry: GsmGatewayConfigEntry) -> SlotEntities:
    """The `slot_entities` option, or its default for this gateway's size."""
    default = default_slot_entities(entry.runtime_data.gateway.device.slot_count)
    return SlotEntities(entry.options.get(CONF_SLOT_ENTITIES, default))


_SLOT_KEY = re.compile(r"(\d+)_slot_(\d+)_")
_NO_SIM = frozenset({SimState.NO_SIM, SimState.UNKNOWN})


def _holds_sim(port: PortStatus, slot: int) -> bool:
    status = port.slots.get(slot)
    return status is not None and status.state not in _NO_SIM


def _keep_registered_slots(
    hass: HomeAssistant, entry: GsmGatewayConfigEntry, domain: str, wanted: Callable[[int, int], bool]
) -> set[tuple[int, int]]:
    """The (port, slot) of registered slot entities the option does not ask for but the user enabled.

    The disabled ones are removed from the entity registry: they never had a state.
    """
    registry = er.async_get(hass)
    prefix = f"{entry.unique_id}_port_"
    enabled: set[tuple[int, int]] = set()
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if registered.domain != domain or not registered.unique_id.startswith(prefix):
            continue
        if (match := _SLOT_KEY.match(registered.unique_id, len(prefix))) is None:
            continue
        port, slot = int(match[1]), int(match[2])
        if wanted(port, slot):
            continue
        if registered.disabled_by is None:
            enabled.add((port, slot))
        else:
            registry.async_remove(registered.entity_id)
    return enabled


def add_slot_entities(
    hass: HomeAssistant,
    entry: GsmGatewayConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    domain: str,
    make_entities: Callable[[int, int], Iterable[Entity]],
) -> None:
    """Add the entities of the SIM slots the `slot_entities` option asks for, now and when slots qualify later.

    Every slot, the slots a SIM was seen in, or none: a 64 x 32 SIM bank would otherwise register 4,096 entities
    nobody enabled (docs/scale.md). A slot entity already registered that the option does not ask for is still
    added when the user enabled it, so it never turns into an orphan; one still disabled has never had a state,
    and is removed from the entity registry (choosing its slots again brings it back under the same entity ID).
    """
    mode = slot_entities_option(entry)
    coordinator = entry.runtime_data.status
    slot_count = entry.runtime_data.gateway.device.slot_count

    def wanted(port: PortStatus | None, slot: int) -> bool:
        if mode is SlotEntities.ALL:
            return True
        return mode is SlotEntities.WITH_SIM and port is not None and _holds_sim(port, slot)

    enabled = _keep_registered_slots(
        hass, entry, domain, lambda port, slot: wanted(coordinator.data.ports.get(port), slot)
    )
    if mode is SlotEntities.NONE and not enabled:
        return
    known: set[tuple[int, int]] = set()
    complete: set[int] = set()  # ports for which nothing more can come
    checked: dict[int, PortStatus] = {}  # ports as last looked at: an unchanged port has no new slot to add

    @callback
    def add_new_slots() -> None:
        new: list[tuple[int, int]] = []
        for number, port in sorted(coordinator.data.ports.items()):
            if number in complete or checked.get(number) is port:
                continue
            checked[number] = port
            waiting = [slot for slot in range(1, slot_count + 1) if (number, slot) not in known]
            added = [slot for slot in waiting if (number, slot) in enabled or wanted(port, slot)]
            new.extend((number, slot) for slot in added)
            if len(added) == len(waiting) or mode is SlotEntities.NONE:  # nothing more can come for this port
                complete.add(number)
        if new:
            known.update(new)
            async_add_entities([entity for port, slot in new for entity in make_entities(port, slot)])

    add_new_slots()
    entry.async_on_unload(coordinator.async_add_listener(add_new_slots))
