"""What every action shares: choosing the gateway and the ports, capability checks, and registration.

Target selection: `config_entry_id`, or `device_id` (the gateway's device or a port's device), or nothing when
exactly one gateway is loaded. A port device also supplies the port when the action's port field is left empty.
Ports are written as `validation.py` describes (`1A`, `1.01`, `3`, `1A,2B,4-8`, `all`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service
import probatio as vol

from custom_components.gsm_gateway.client import Capability, Gateway, SlotRef
from custom_components.gsm_gateway.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_PORT, DOMAIN
from custom_components.gsm_gateway.coordinator import GsmGatewayConfigEntry
from custom_components.gsm_gateway.validation import parse_ports

ATTR_PORTS = "ports"


TARGET_SCHEMA: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_DEVICE_ID): cv.string,
}

type ActionHandler = Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]


def resolve_entry(call: ServiceCall) -> GsmGatewayConfigEntry:
    """The gateway an action is for: by config entry, by device (gateway or port), or the only one loaded."""
    hass = call.hass
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None and (device_id := call.data.get(ATTR_DEVICE_ID)) is not None:
        device = dr.async_get(hass).async_get(device_id)
        if device is None or device.config_entry_id is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="device_not_found",
                translation_placeholders={"id": device_id},
            )
        entry_id = device.config_entry_id
    loaded: list[GsmGatewayConfigEntry] = [
        entry for entry in hass.config_entries.async_entries(DOMAIN) if entry.state is ConfigEntryState.LOADED
    ]
    if entry_id is None:
        if len(loaded) == 1:
            return loaded[0]
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="gateway_required")
    for entry in loaded:
        if entry.entry_id == entry_id:
            return entry
    raise ServiceValidationError(
        translation_domain=DOMAIN, translation_key="gateway_not_loaded", translation_placeholders={"id": entry_id}
    )


def require(entry: GsmGatewayConfigEntry, capability: Capability, action: str) -> Gateway:
    """The entry's gateway, when it can do what the action needs; else a translated `unsupported` error."""
    gateway = entry.runtime_data.gateway
    if capability not in gateway.capabilities:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="action_unsupported",
            translation_placeholders={"title": entry.title, "action": action},
        )
    return gateway


def require_feature[FeatureT](entry: GsmGatewayConfigEntry, feature: FeatureT | None, action: str) -> FeatureT:
    """A feature object of the gateway (`gateway.proxy`, ...) when it has one; None: a translated `unsupported`."""
    if feature is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="action_unsupported",
            translation_placeholders={"title": entry.title, "action": action},
        )
    return feature


def device_port(call: ServiceCall, entry: GsmGatewayConfigEntry) -> int | None:
    """The port whose device the call targets (`device_id` of a port device), if any."""
    device_id = call.data.get(ATTR_DEVICE_ID)
    return None if device_id is None else entry.runtime_data.devices.port_of_device(device_id)


def resolve_ports(
    call: ServiceCall, entry: GsmGatewayConfigEntry, field: str = ATTR_PORTS, *, default_all: bool = False
) -> list[SlotRef]:
    """The ports (and slots) an action names in `field`, else the port of the targeted port device.

    `default_all`: with neither, every port; otherwise the port is required.
    """
    device = entry.runtime_data.gateway.device
    text = call.data.get(field)
    if text in (None, "", []):
        if (port := device_port(call, entry)) is not None:
            return [SlotRef(port)]
        if default_all:
            return [SlotRef(port) for port in range(1, device.port_count + 1)]
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="port_required", translation_placeholders={"field": field}
        )
    selector = ",".join(text) if isinstance(text, list) else str(text)
    refs = parse_ports(selector, device)
    if not refs:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="port_required", translation_placeholders={"field": field}
        )
    return refs


def resolve_port(call: ServiceCall, entry: GsmGatewayConfigEntry, field: str = ATTR_PORT) -> SlotRef:
    """Exactly one port (optionally with its slot) for actions that act on a single SIM."""
    refs = resolve_ports(call, entry, field)
    if len(refs) != 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="single_port",
            translation_placeholders={"port": ", ".join(ref.label for ref in refs)},
        )
    return refs[0]


def active_slot(entry: GsmGatewayConfigEntry, ref: SlotRef) -> SlotRef:
    """`ref` with a slot: its own, else the port's active slot as last reported, else slot A."""
    if ref.slot is not None:
        return ref
    port = entry.runtime_data.status.data.ports.get(ref.port)
    return ref.with_slot(port.active_slot if port is not None and port.active_slot else 1)


def port_numbers(refs: Sequence[SlotRef]) -> list[int]:
    """Distinct port numbers of `refs`, in order."""
    return list(dict.fromkeys(ref.port for ref in refs))


# Action -> the capability a gateway needs for it (None: every gateway), and the admin-only actions. Filled by
# `register`; the README's action table and the capability tests read them.
ACTION_CAPABILITIES: dict[str, Capability | None] = {}
ADMIN_ACTIONS: set[str] = set()


def register(
    hass: HomeAssistant,
    name: str,
    handler: ActionHandler,
    schema: vol.Schema,
    *,
    capability: Capability | None,
    response: SupportsResponse = SupportsResponse.OPTIONAL,
    admin: bool = False,
) -> None:
    """Register one action (admin-only ones refuse non-admin users) and what it needs of a gateway."""
    ACTION_CAPABILITIES[name] = capability
    if admin:
        ADMIN_ACTIONS.add(name)
        async_register_admin_service(hass, DOMAIN, name, handler, schema=schema, supports_response=response)
    else:
        hass.services.async_register(DOMAIN, name, handler, schema=schema, supports_response=response)
