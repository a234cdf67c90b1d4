"""Switches: SIM lock per port (and per slot on multi-SIM ports), port LED."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client.gateway import Gateway
from .client.models import Capability, PortStatus, SimState, SlotStatus
from .client.ports import SlotRef
from .coordinator import GsmGatewayConfigEntry
from .entity import PortEntity, add_port_entities
from .helpers import gateway_command

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PortSwitchDescription(SwitchEntityDescription):
    """A switch of a port's SIM slot."""

    capability: Capability
    is_on_fn: Callable[[SlotStatus], bool | None]
    set_fn: Callable[[Gateway, SlotRef, bool], Awaitable[None]]  # (gateway, slot, on)


def _is_locked(slot: SlotStatus) -> bool | None:
    if slot.locked is not None:
        return slot.locked
    return slot.state is SimState.USER_LOCKED


async def _set_lock(gateway: Gateway, ref: SlotRef, on: bool) -> None:
    await (gateway.lock([ref]) if on else gateway.unlock([ref]))


async def _set_led(gateway: Gateway, ref: SlotRef, on: bool) -> None:
    await gateway.set_led([SlotRef(ref.port)], on=on)


LOCK = PortSwitchDescription(
    key="lock",
    translation_key="lock",
    entity_category=EntityCategory.CONFIG,
    capability=Capability.LOCK,
    is_on_fn=_is_locked,
    set_fn=_set_lock,
)
SLOT_LOCK = PortSwitchDescription(
    key="lock",
    translation_key="slot_lock",
    entity_category=EntityCategory.CONFIG,
    entity_registry_enabled_default=False,
    capability=Capability.LOCK,
    is_on_fn=_is_locked,
    set_fn=_set_lock,
)
LED = PortSwitchDescription(
    key="led",
    translation_key="led",
    entity_category=EntityCategory.CONFIG,
    entity_registry_enabled_default=False,
    capability=Capability.LED,
    is_on_fn=lambda slot: slot.led,
    set_fn=_set_led,
)


async def async_setup_entry(
    _hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add lock and LED switches for every port the gateway supports them on."""
    gateway = entry.runtime_data.gateway
    capabilities = gateway.capabilities
    slot_count = gateway.device.slot_count if Capability.SIM_SLOTS in capabilities else 1

    def port_entities(port: PortStatus) -> list[PortSwitch]:
        entities = [PortSwitch(entry, port.port, description) for description in (LOCK, LED)]
        if slot_count > 1:
            entities.extend(PortSwitch(entry, port.port, SLOT_LOCK, slot=slot) for slot in range(1, slot_count + 1))
        return [entity for entity in entities if entity.entity_description.capability in capabilities]

    add_port_entities(entry, async_add_entities, port_entities)


class PortSwitch(PortEntity, SwitchEntity):
    """Lock or LED of a port's active SIM slot (or of one given slot)."""

    entity_description: PortSwitchDescription

    def __init__(
        self, entry: GsmGatewayConfigEntry, port: int, description: PortSwitchDescription, *, slot: int | None = None
    ) -> None:
        """Bind the description to a port (and slot)."""
        super().__init__(entry, port, description.key, slot)
        self.entity_description = description

    @property
    @override
    def is_on(self) -> bool | None:
        if (slot := self.slot_status) is not None:
            return self.entity_description.is_on_fn(slot)
        if self.slot is None and (port := self.port_status) is not None and port.slots:
            # No slot in use (e.g. its SIM was just locked): the switch stands for the whole port.
            states = [self.entity_description.is_on_fn(slot) for slot in port.slots.values()]
            return any(states) if None not in states else None
        return None

    def _target(self) -> SlotRef:
        if self.slot is not None:
            return SlotRef(self.port, self.slot)
        port = self.port_status
        active = port.active_slot if port is not None else None
        return SlotRef(self.port, active)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_set(on=True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_set(on=False)

    @gateway_command
    async def _async_set(self, *, on: bool) -> None:
        await self.entity_description.set_fn(self.entry.runtime_data.gateway, self._target(), on)
