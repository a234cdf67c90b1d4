"""Switches: SIM lock per port (and per slot on multi-SIM ports), port LED, and the gateway's proxies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .client import Capability, Gateway, PortStatus, ProxyMode, ProxyResource, SlotRef, SlotStatus
from .coordinator import GsmGatewayConfigEntry, ProxyStateCoordinator
from .entity import GsmGatewayEntity, PortEntity, add_port_entities, add_slot_entities, has_capability
from .helpers import gateway_command

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PortSwitchDescription(SwitchEntityDescription):
    """A switch of a port's SIM slot."""

    exists_fn: Callable[[Gateway], bool]
    is_on_fn: Callable[[SlotStatus], bool | None]
    set_fn: Callable[[Gateway, SlotRef, bool], Awaitable[None]]  # (gateway, slot, on)


async def _set_lock(gateway: Gateway, ref: SlotRef, on: bool) -> None:
    await (gateway.lock([ref]) if on else gateway.unlock([ref]))


async def _set_led(gateway: Gateway, ref: SlotRef, on: bool) -> None:
    await gateway.set_led([SlotRef(ref.port)], on=on)


LOCK = PortSwitchDescription(
    key="lock",
    translation_key="lock",
    entity_category=EntityCategory.CONFIG,
    exists_fn=has_capability(Capability.LOCK),
    is_on_fn=lambda slot: slot.locked,  # None where the gateway does not report locks (Dinstar)
    set_fn=_set_lock,
)
SLOT_LOCK = PortSwitchDescription(
    key="lock",
    translation_key="slot_lock",
    entity_category=EntityCategory.CONFIG,
    entity_registry_enabled_default=False,
    exists_fn=has_capability(Capability.LOCK_SLOT),
    is_on_fn=lambda slot: slot.locked,  # None where the gateway does not report locks (Dinstar)
    set_fn=_set_lock,
)
LED = PortSwitchDescription(
    key="led",
    translation_key="led",
    entity_category=EntityCategory.CONFIG,
    entity_registry_enabled_default=False,
    exists_fn=has_capability(Capability.LED),
    is_on_fn=lambda slot: slot.led,
    set_fn=_set_led,
)


async def async_setup_entry(
    hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add lock and LED switches for every port the gateway supports them on."""
    gateway = entry.runtime_data.gateway
    capabilities = gateway.capabilities
    slot_count = gateway.device.slot_count if Capability.SIM_SLOTS in capabilities else 1
    port_switches = [description for description in (LOCK, LED) if description.exists_fn(gateway)]

    def port_entities(port: PortStatus) -> list[PortSwitch]:
        return [PortSwitch(entry, port.port, description) for description in port_switches]

    add_port_entities(entry, async_add_entities, port_entities)
    if slot_count > 1 and SLOT_LOCK.exists_fn(gateway):
        add_slot_entities(
            hass,
            entry,
            async_add_entities,
            SWITCH_DOMAIN,
            lambda port, slot: [PortSwitch(entry, port, SLOT_LOCK, slot=slot)],
        )
    if (proxy := entry.runtime_data.proxy) is not None:
        async_add_entities(ProxySwitch(entry, proxy, description) for description in PROXY_SWITCHES)


class PortSwitch(PortEntity, SwitchEntity, RestoreEntity):
    """Lock or LED of a port's active SIM slot (or of one given slot).

    Where the gateway does not report the state (Dinstar locks, LEDs on some firmware), the switch shows what Home
    Assistant last set, marked as assumed, and remembers it across restarts.
    """

    entity_description: PortSwitchDescription

    def __init__(
        self, entry: GsmGatewayConfigEntry, port: int, description: PortSwitchDescription, *, slot: int | None = None
    ) -> None:
        """Bind the description to a port (and slot)."""
        super().__init__(entry, port, description.key, slot)
        self.entity_description = description
        self._optimistic: bool | None = None

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state in (STATE_ON, STATE_OFF):
            self._optimistic = last.state == STATE_ON

    def _reported(self) -> bool | None:
        """What the gateway says, or None when it does not say."""
        if (slot := self.slot_status) is not None:
            return self.entity_description.is_on_fn(slot)
        if self.slot is None and (port := self.port_status) is not None and port.slots:
            # No slot in use (e.g. its SIM was just locked): the switch stands for the whole port.
            states = [self.entity_description.is_on_fn(slot) for slot in port.slots.values()]
            return any(states) if None not in states else None
        return None

    @property
    @override
    def is_on(self) -> bool | None:
        reported = self._reported()
        return self._optimistic if reported is None else reported

    @property
    @override
    def assumed_state(self) -> bool:
        # Firmware that does not report the LED: show what was last asked for, marked as assumed.
        return self._reported() is None

    def _target(self) -> SlotRef:
        if self.slot is not None:
            return SlotRef(self.port, self.slot)
        port = self.port_status
        active = port.active_slot if port is not None else None
        return SlotRef(self.port, active)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_set(on=True)
        self.async_write_ha_state()

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_set(on=False)
        self.async_write_ha_state()

    @gateway_command
    async def _async_set(self, *, on: bool) -> None:
        await self.entity_description.set_fn(self.gateway, self._target(), on)
        self._optimistic = on


# --- Proxy switches (EJOIN v2.2): the proxies' main on/off flags, next to the proxy actions (services/proxy.py) ---


@dataclass(frozen=True, kw_only=True)
class ProxySwitchDescription(SwitchEntityDescription):
    """An on/off flag of one proxy resource in one mode."""

    resource: ProxyResource
    mode: ProxyMode


_PROXY_FEATURES: tuple[tuple[ProxyResource, str], ...] = (
    (ProxyResource.PROXY, "proxy"),
    (ProxyResource.USERS, "proxy_users"),
    (ProxyResource.URL_WHITE_LIST, "proxy_url_whitelist"),
    (ProxyResource.URL_BLACK_LIST, "proxy_url_blacklist"),
    (ProxyResource.ACCESS_LOG, "proxy_access_log"),
)

PROXY_SWITCHES: tuple[ProxySwitchDescription, ...] = tuple(
    ProxySwitchDescription(
        key=f"{key}_{mode.value}",
        translation_key=f"{key}_{mode.value}",
        entity_category=EntityCategory.CONFIG,
        # The proxies themselves are the main switches; the finer flags are there for those who look for them.
        entity_registry_enabled_default=resource is ProxyResource.PROXY,
        resource=resource,
        mode=mode,
    )
    for mode in ProxyMode
    for resource, key in _PROXY_FEATURES
)


class ProxySwitch(GsmGatewayEntity[ProxyStateCoordinator], SwitchEntity):
    """Turns a proxy resource (proxy, authentication, URL lists, access log) of one mode on or off."""

    entity_description: ProxySwitchDescription

    def __init__(
        self, entry: GsmGatewayConfigEntry, coordinator: ProxyStateCoordinator, description: ProxySwitchDescription
    ) -> None:
        """Bind the description to the gateway device."""
        super().__init__(entry, coordinator, description.key)
        self.entity_description = description

    @property
    @override
    def is_on(self) -> bool | None:
        description = self.entity_description
        return self.coordinator.data.get((description.resource, description.mode)) if self.coordinator.data else None

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_set(enabled=True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_set(enabled=False)

    @gateway_command
    async def _async_set(self, *, enabled: bool) -> None:
        description = self.entity_description
        await self.coordinator.proxy.set_enabled(description.resource, description.mode, enabled=enabled)
        await self.coordinator.async_refresh()
