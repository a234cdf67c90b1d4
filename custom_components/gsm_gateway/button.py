"""Buttons: reset and redial per port; reboot and save for the gateway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client import Capability, Gateway, PortStatus, RedialMode, SlotRef
from .coordinator import GatewayStatusCoordinator, GsmGatewayConfigEntry
from .entity import GsmGatewayEntity, PortEntity, add_port_entities, has_capability
from .helpers import gateway_command

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PortButtonDescription(ButtonEntityDescription):
    """A button acting on one port."""

    exists_fn: Callable[[Gateway], bool]
    press_fn: Callable[[Gateway, int], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class GatewayButtonDescription(ButtonEntityDescription):
    """A button acting on the whole gateway."""

    exists_fn: Callable[[Gateway], bool]
    press_fn: Callable[[Gateway], Awaitable[None]]


PORT_BUTTONS: tuple[PortButtonDescription, ...] = (
    PortButtonDescription(
        key="reset_module",
        translation_key="reset_module",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        exists_fn=has_capability(Capability.RESET_MODULE),
        press_fn=lambda gateway, port: gateway.reset_module([port]),
    ),
    PortButtonDescription(
        key="redial",
        translation_key="redial",
        entity_category=EntityCategory.CONFIG,
        exists_fn=has_capability(Capability.REDIAL),
        press_fn=lambda gateway, port: gateway.redial([SlotRef(port)], RedialMode.FLIGHT),
    ),
    PortButtonDescription(
        key="redial_fast",
        translation_key="redial_fast",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        exists_fn=has_capability(Capability.REDIAL),
        press_fn=lambda gateway, port: gateway.redial([SlotRef(port)], RedialMode.FAST),
    ),
)

GATEWAY_BUTTONS: tuple[GatewayButtonDescription, ...] = (
    GatewayButtonDescription(
        key="reboot",
        translation_key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        exists_fn=has_capability(Capability.REBOOT),
        press_fn=lambda gateway: gateway.reboot(),
    ),
    GatewayButtonDescription(
        key="save",
        translation_key="save",
        entity_category=EntityCategory.CONFIG,
        exists_fn=has_capability(Capability.SAVE),
        press_fn=lambda gateway: gateway.save(),
    ),
)


async def async_setup_entry(
    _hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the buttons the gateway supports."""
    gateway = entry.runtime_data.gateway
    async_add_entities(
        GatewayButton(entry, description) for description in GATEWAY_BUTTONS if description.exists_fn(gateway)
    )
    port_buttons = [description for description in PORT_BUTTONS if description.exists_fn(gateway)]

    def port_entities(port: PortStatus) -> list[PortButton]:
        return [PortButton(entry, port.port, description) for description in port_buttons]

    add_port_entities(entry, async_add_entities, port_entities)


class PortButton(PortEntity, ButtonEntity):
    """Resets or redials a port."""

    entity_description: PortButtonDescription

    def __init__(self, entry: GsmGatewayConfigEntry, port: int, description: PortButtonDescription) -> None:
        """Bind the description to a port."""
        super().__init__(entry, port, description.key)
        self.entity_description = description

    @override
    def inputs(self) -> tuple[object, ...]:
        # A button shows when it was last pressed: a port's status only decides whether it is available.
        return (self.port_status is not None, self.coordinator.last_update_success)

    @override
    @gateway_command
    async def async_press(self) -> None:
        await self.entity_description.press_fn(self.gateway, self.port)


class GatewayButton(GsmGatewayEntity[GatewayStatusCoordinator], ButtonEntity):
    """Reboots the gateway or saves its configuration."""

    entity_description: GatewayButtonDescription

    def __init__(self, entry: GsmGatewayConfigEntry, description: GatewayButtonDescription) -> None:
        """Bind the description to the gateway."""
        super().__init__(entry, entry.runtime_data.status, description.key)
        self.entity_description = description

    @override
    @gateway_command
    async def async_press(self) -> None:
        await self.entity_description.press_fn(self.gateway)
