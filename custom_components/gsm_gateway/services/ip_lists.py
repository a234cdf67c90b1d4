"""The gateway's own IP white- and blacklist (EJOIN v2.2): who may reach its web server and API.

A wrong change here locks Home Assistant out of the gateway, and only a visit to the device fixes it. So every
change is checked against the lists as they would be afterwards, and refused when Home Assistant's address would
be blocked:
- an enabled whitelist must contain Home Assistant's address (an entry equal to it, or a subnet holding it);
- an enabled blacklist must not cover it (`*`, the address, or a subnet holding it), unless the enabled
  whitelist contains it: the device's documents say a blacklist `*` needs the whitelist enabled first, i.e. the
  whitelist wins over the blacklist.

Home Assistant's address "as the gateway sees it" is the source address the operating system picks to reach the
gateway's host (a UDP socket connected to it; nothing is sent). Home Assistant's `network` integration is not
used for this: it replaces any address that is not on one of its enabled adapters (loopback, a VPN, a Docker
bridge) with the first adapter's, which is exactly the case where it would guess wrong. Behind NAT the gateway
sees another address; the check cannot know that (documented in README.md). When the address cannot be
found, a change that leaves a list enabled is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
import socket
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio as vol

from custom_components.gsm_gateway.client import Capability, IpListConfig, IpListFeature, IpListKind
from custom_components.gsm_gateway.const import DOMAIN, LOGGER
from custom_components.gsm_gateway.coordinator import GsmGatewayConfigEntry
from custom_components.gsm_gateway.helpers import translate_gateway_errors

from .common import TARGET_SCHEMA, register, require_feature, resolve_entry

SERVICE_LIST_IP_LISTS = "list_ip_lists"
SERVICE_UPDATE_IP_LIST = "update_ip_list"

ATTR_LIST = "list"
ATTR_ENABLED = "enabled"
ATTR_ADD = "add"
ATTR_REMOVE = "remove"

EVERY_ADDRESS = "*"
LISTS: dict[str, IpListKind] = {"whitelist": IpListKind.WHITE, "blacklist": IpListKind.BLACK}

type Address = IPv4Address | IPv6Address

_ENTRIES = vol.All(cv.ensure_list, [cv.string])
LIST_SCHEMA = vol.Schema(TARGET_SCHEMA)
UPDATE_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Required(ATTR_LIST): vol.In(list(LISTS)),
        vol.Optional(ATTR_ENABLED): cv.boolean,
        vol.Optional(ATTR_ADD, default=[]): _ENTRIES,
        vol.Optional(ATTR_REMOVE, default=[]): _ENTRIES,
    }
)


@dataclass(frozen=True, slots=True)
class IpList:
    """One list as it is, or as it would be after a change."""

    enabled: bool
    entries: tuple[str, ...]

    @classmethod
    def of(cls, config: IpListConfig) -> IpList:
        """The device's list."""
        return cls(enabled=bool(config.enabled), entries=config.addresses)

    def changed(self, *, enabled: bool | None, add: Sequence[str], remove: Sequence[str]) -> IpList:
        """The list after adding and removing entries (and switching it on or off)."""
        kept = [entry for entry in self.entries if entry not in remove]
        return IpList(
            enabled=self.enabled if enabled is None else enabled,
            entries=(*kept, *(entry for entry in dict.fromkeys(add) if entry not in kept)),
        )


def covering(entries: Iterable[str], address: Address) -> str | None:
    """The first entry that covers `address`: `*`, the address itself, or a subnet holding it."""
    for entry in entries:
        if entry.strip() == EVERY_ADDRESS:
            return entry
        try:
            network = ip_network(entry.strip(), strict=False)
        except ValueError:
            continue  # an entry the device holds but this check cannot read never covers anyone
        if network.version == address.version and address in network:
            return entry
    return None


def check_entries(entries: Sequence[str], *, list_name: str) -> list[str]:
    """IPv4 addresses and subnets (`192.168.1.0/24`), and `*` on the blacklist; a translated error otherwise."""
    cleaned: list[str] = []
    for raw in entries:
        entry = raw.strip()
        if entry == EVERY_ADDRESS and list_name == "blacklist":
            cleaned.append(entry)
            continue
        try:
            network = ip_network(entry, strict=False)
        except ValueError:
            network = None
        if network is None or network.version != 4:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_ip_entry",
                translation_placeholders={"entry": entry, "list": list_name},
            )
        cleaned.append(entry)
    return cleaned


def lockout_reason(white: IpList, black: IpList, address: Address | None) -> tuple[str, dict[str, str]] | None:
    """Why these lists would lock Home Assistant out (translation key and placeholders), or None when they would not."""
    if not white.enabled and not black.enabled:
        return None
    if address is None:
        return "ip_list_address_unknown", {}
    allowed = covering(white.entries, address) if white.enabled else None
    if white.enabled and allowed is None:
        return "ip_list_lockout_whitelist", {"address": str(address)}
    blocking = covering(black.entries, address) if black.enabled else None
    if blocking is not None and allowed is None:
        return "ip_list_lockout_blacklist", {"address": str(address), "entry": blocking}
    return None


async def async_source_address(host: str, port: int) -> Address | None:
    """The address this machine uses to reach `host` (what the gateway sees, without NAT in between)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except OSError:
        return None
    for family, kind, proto, _name, target in infos:
        try:
            with socket.socket(family, kind, proto) as probe:
                probe.setblocking(False)  # noqa: FBT003 - the socket API's own signature
                probe.connect(target)  # UDP: no packet is sent, the kernel only picks the route
                return ip_address(probe.getsockname()[0])
        except OSError as err:
            LOGGER.debug("No route to the gateway over %s: %s", family.name, err)
    return None


async def _home_assistant_address(entry: GsmGatewayConfigEntry) -> Address | None:
    settings = entry.runtime_data.gateway.settings
    return await async_source_address(settings.host, settings.port)


async def _read(entry: GsmGatewayConfigEntry, ip_lists: IpListFeature) -> tuple[IpList, IpList]:
    with translate_gateway_errors(entry):
        white = IpList.of(await ip_lists.get(IpListKind.WHITE))
        black = IpList.of(await ip_lists.get(IpListKind.BLACK))
    return white, black


def _response(white: IpList, black: IpList, address: Address | None) -> dict[str, Any]:
    return {
        "whitelist": {"enabled": white.enabled, "entries": list(white.entries)},
        "blacklist": {"enabled": black.enabled, "entries": list(black.entries)},
        "home_assistant_address": str(address) if address is not None else None,
    }


async def _list_ip_lists(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    ip_lists = require_feature(entry, entry.runtime_data.gateway.ip_lists, SERVICE_LIST_IP_LISTS)
    white, black = await _read(entry, ip_lists)
    return _response(white, black, await _home_assistant_address(entry))


async def _update_ip_list(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    ip_lists = require_feature(entry, entry.runtime_data.gateway.ip_lists, SERVICE_UPDATE_IP_LIST)
    list_name: str = call.data[ATTR_LIST]
    add = check_entries(call.data[ATTR_ADD], list_name=list_name)
    remove = [entry.strip() for entry in call.data[ATTR_REMOVE]]
    enabled: bool | None = call.data.get(ATTR_ENABLED)
    white, black = await _read(entry, ip_lists)
    current = white if list_name == "whitelist" else black
    changed = current.changed(enabled=enabled, add=add, remove=remove)
    after = (changed, black) if list_name == "whitelist" else (white, changed)
    address = await _home_assistant_address(entry)
    if address is not None and lockout_reason(white, black, address) is not None:
        # The lists already block this address, yet the gateway answers: it sees Home Assistant under another
        # address (NAT, a proxy), so no change can be checked.
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="ip_list_address_mismatch",
            translation_placeholders={"title": entry.title, "address": str(address)},
        )
    if (reason := lockout_reason(*after, address)) is not None:
        key, placeholders = reason
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"title": entry.title, "list": list_name, **placeholders},
        )
    with translate_gateway_errors(entry):
        await ip_lists.update(
            LISTS[list_name],
            enabled=changed.enabled,
            added=[item for item in add if item not in current.entries],
            deleted=[item for item in remove if item in current.entries],
        )
    white, black = await _read(entry, ip_lists)
    return _response(white, black, address)


def async_setup(hass: HomeAssistant) -> None:
    """Register the IP-list actions (admin-only)."""
    register(
        hass,
        SERVICE_LIST_IP_LISTS,
        _list_ip_lists,
        LIST_SCHEMA,
        response=SupportsResponse.ONLY,
        admin=True,
        capability=Capability.IP_LISTS,
    )
    register(hass, SERVICE_UPDATE_IP_LIST, _update_ip_list, UPDATE_SCHEMA, admin=True, capability=Capability.IP_LISTS)
