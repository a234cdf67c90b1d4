"""Proxy actions (EJOIN v2.2): the HTTP/HTTPS and SOCKS5 proxies that route traffic through the SIMs' data.

Every action is admin-only: it changes (or shows) who may use the gateway's mobile data. Each change answers with
the resource's new configuration as the device reports it. Proxy user passwords are never returned.
Names: the device prefixes proxy names with their mode (`office` becomes `http-office`); these actions accept
either form. After any change the proxy switches are told to read the device again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
import probatio as vol

from custom_components.gsm_gateway.client import (
    Capability,
    ProxyConfig,
    ProxyEntry,
    ProxyFeature,
    ProxyMode,
    ProxyResource,
    ProxyUser,
    ProxyUserConfig,
    UrlListConfig,
)
from custom_components.gsm_gateway.coordinator import GsmGatewayConfigEntry
from custom_components.gsm_gateway.helpers import translate_gateway_errors

from .common import TARGET_SCHEMA, ActionHandler, register, require_feature, resolve_entry

SERVICE_LIST_PROXIES = "list_proxies"
SERVICE_SET_PROXY_ENABLED = "set_proxy_enabled"
SERVICE_ADD_PROXY = "add_proxy"
SERVICE_UPDATE_PROXY = "update_proxy"
SERVICE_DELETE_PROXY = "delete_proxy"
SERVICE_ADD_PROXY_USER = "add_proxy_user"
SERVICE_UPDATE_PROXY_USER = "update_proxy_user"
SERVICE_DELETE_PROXY_USER = "delete_proxy_user"
SERVICE_ADD_PROXY_URLS = "add_proxy_urls"
SERVICE_REMOVE_PROXY_URLS = "remove_proxy_urls"

ATTR_MODE = "mode"
ATTR_FEATURE = "feature"
ATTR_ENABLED = "enabled"
ATTR_NAME = "name"
ATTR_NAMES = "names"
ATTR_LISTEN_PORT = "listen_port"
ATTR_INTERFACES = "interfaces"
ATTR_ACTIVE = "active"
ATTR_PASSWORD = "password"  # noqa: S105 - a field name
ATTR_REMARK = "remark"
ATTR_LIST = "list"
ATTR_URLS = "urls"

FEATURES: dict[str, ProxyResource] = {
    "proxy": ProxyResource.PROXY,
    "users": ProxyResource.USERS,
    "url_whitelist": ProxyResource.URL_WHITE_LIST,
    "url_blacklist": ProxyResource.URL_BLACK_LIST,
    "access_log": ProxyResource.ACCESS_LOG,
}
URL_LISTS: dict[str, ProxyResource] = {
    "whitelist": ProxyResource.URL_WHITE_LIST,
    "blacklist": ProxyResource.URL_BLACK_LIST,
}


def _interface(value: Any) -> int:
    """A SIM WAN port number; `all` (or 0) means every port."""
    if isinstance(value, str) and value.strip().lower() == "all":
        return 0
    number: int = vol.All(vol.Coerce(int), vol.Range(min=0, max=1024))(value)
    return number


def _interfaces(value: Any) -> list[int]:
    items = value.split(",") if isinstance(value, str) else cv.ensure_list(value)
    return [_interface(item) for item in items if str(item).strip()] or [0]


_MODE = vol.In([mode.value for mode in ProxyMode])
_NAMES = vol.All(cv.ensure_list, [cv.string], vol.Length(min=1))
_URLS = vol.All(cv.ensure_list, [cv.string], vol.Length(min=1))
MODE_SCHEMA: dict[vol.Marker, Any] = {**TARGET_SCHEMA, vol.Required(ATTR_MODE): _MODE}

LIST_SCHEMA = vol.Schema({**TARGET_SCHEMA, vol.Optional(ATTR_MODE): _MODE})
SET_ENABLED_SCHEMA = vol.Schema(
    {**MODE_SCHEMA, vol.Required(ATTR_FEATURE): vol.In(list(FEATURES)), vol.Required(ATTR_ENABLED): cv.boolean}
)
ADD_PROXY_SCHEMA = vol.Schema(
    {
        **MODE_SCHEMA,
        vol.Required(ATTR_NAME): cv.string,
        vol.Required(ATTR_LISTEN_PORT): vol.All(vol.Coerce(int), vol.Range(min=1, max=65535)),
        vol.Optional(ATTR_INTERFACES, default=[0]): _interfaces,
        vol.Optional(ATTR_ACTIVE, default=True): cv.boolean,
    }
)
UPDATE_PROXY_SCHEMA = vol.Schema(
    {**MODE_SCHEMA, vol.Required(ATTR_NAME): cv.string, vol.Required(ATTR_ACTIVE): cv.boolean}
)
DELETE_SCHEMA = vol.Schema({**MODE_SCHEMA, vol.Required(ATTR_NAMES): _NAMES})
ADD_USER_SCHEMA = vol.Schema(
    {
        **MODE_SCHEMA,
        vol.Required(ATTR_NAME): cv.string,
        vol.Required(ATTR_PASSWORD): cv.string,
        vol.Optional(ATTR_INTERFACES, default=[0]): _interfaces,
        vol.Optional(ATTR_REMARK): cv.string,
    }
)
UPDATE_USER_SCHEMA = vol.Schema(
    {**MODE_SCHEMA, vol.Required(ATTR_NAME): cv.string, vol.Required(ATTR_INTERFACES): _interfaces}
)
URLS_SCHEMA = vol.Schema(
    {**MODE_SCHEMA, vol.Required(ATTR_LIST): vol.In(list(URL_LISTS)), vol.Required(ATTR_URLS): _URLS}
)


def _full_name(mode: ProxyMode, name: str) -> str:
    """The name as the device lists it: `http-office` for `office`."""
    name = name.strip()
    return name if name.startswith(f"{mode.value}-") else f"{mode.value}-{name}"


def _short_name(mode: ProxyMode, name: str) -> str:
    """The name as the device wants it when adding (it adds the prefix itself)."""
    name = name.strip()
    return name.removeprefix(f"{mode.value}-")


def _proxies(config: ProxyConfig) -> dict[str, Any]:
    return {
        "enabled": config.enabled,
        "proxies": [
            {
                "name": entry.name,
                "listen_port": entry.port,
                "interfaces": list(entry.interfaces),
                "active": entry.active,
            }
            for entry in config.proxies
        ],
    }


def _users(config: ProxyUserConfig) -> dict[str, Any]:
    return {
        "enabled": config.enabled,
        "users": [
            {"name": user.name, "interfaces": list(user.interfaces), "remark": user.remark} for user in config.users
        ],
    }


def _urls(config: UrlListConfig) -> dict[str, Any]:
    return {"enabled": config.enabled, "urls": list(config.urls)}


async def _mode_config(proxy: ProxyFeature, mode: ProxyMode) -> dict[str, Any]:
    """Everything configured for one mode: five reads."""
    return {
        "proxy": _proxies(await proxy.get_proxies(mode)),
        "users": _users(await proxy.get_users(mode)),
        "url_whitelist": _urls(await proxy.get_url_list(ProxyResource.URL_WHITE_LIST, mode)),
        "url_blacklist": _urls(await proxy.get_url_list(ProxyResource.URL_BLACK_LIST, mode)),
        "access_log": {"enabled": (await proxy.state(ProxyResource.ACCESS_LOG, mode)).enabled},
    }


async def _list_proxies(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    proxy = require_feature(entry, entry.runtime_data.gateway.proxy, SERVICE_LIST_PROXIES)
    modes = [ProxyMode(call.data[ATTR_MODE])] if ATTR_MODE in call.data else list(ProxyMode)
    with translate_gateway_errors(entry):
        return {mode.value: await _mode_config(proxy, mode) for mode in modes}


type Change = Callable[[ProxyFeature, ProxyMode, ServiceCall], Awaitable[dict[str, Any]]]


def _action(name: str, change: Change) -> ActionHandler:
    """An admin action: check the gateway, apply `change`, tell the switches, answer with the new configuration."""

    async def handler(call: ServiceCall) -> ServiceResponse:
        entry: GsmGatewayConfigEntry = resolve_entry(call)
        proxy = require_feature(entry, entry.runtime_data.gateway.proxy, name)
        mode = ProxyMode(call.data[ATTR_MODE])
        try:
            with translate_gateway_errors(entry):
                return {"mode": mode.value, **await change(proxy, mode, call)}
        finally:
            if (switches := entry.runtime_data.proxy) is not None:
                await switches.async_request_refresh()

    return handler


async def _set_enabled(proxy: ProxyFeature, mode: ProxyMode, call: ServiceCall) -> dict[str, Any]:
    feature: str = call.data[ATTR_FEATURE]
    await proxy.set_enabled(FEATURES[feature], mode, enabled=call.data[ATTR_ENABLED])
    state = await proxy.state(FEATURES[feature], mode)
    return {"feature": feature, "enabled": state.enabled}


async def _add_proxy(proxy: ProxyFeature, mode: ProxyMode, call: ServiceCall) -> dict[str, Any]:
    entry = ProxyEntry(
        name=_short_name(mode, call.data[ATTR_NAME]),
        port=call.data[ATTR_LISTEN_PORT],
        interfaces=tuple(call.data[ATTR_INTERFACES]),
        active=call.data[ATTR_ACTIVE],
    )
    await proxy.add_proxies(mode, [entry])
    return _proxies(await proxy.get_proxies(mode))


async def _update_proxy(proxy: ProxyFeature, mode: ProxyMode, call: ServiceCall) -> dict[str, Any]:
    await proxy.update_proxies(mode, {_full_name(mode, call.data[ATTR_NAME]): call.data[ATTR_ACTIVE]})
    return _proxies(await proxy.get_proxies(mode))


async def _delete_proxy(proxy: ProxyFeature, mode: ProxyMode, call: ServiceCall) -> dict[str, Any]:
    await proxy.delete_proxies(mode, [_full_name(mode, name) for name in call.data[ATTR_NAMES]])
    return _proxies(await proxy.get_proxies(mode))


async def _add_user(proxy: ProxyFeature, mode: ProxyMode, call: ServiceCall) -> dict[str, Any]:
    user = ProxyUser(
        name=call.data[ATTR_NAME].strip(),
        password=call.data[ATTR_PASSWORD],
        interfaces=tuple(call.data[ATTR_INTERFACES]),
        remark=call.data.get(ATTR_REMARK),
    )
    await proxy.add_users(mode, [user])
    return _users(await proxy.get_users(mode))


async def _update_user(proxy: ProxyFeature, mode: ProxyMode, call: ServiceCall) -> dict[str, Any]:
    await proxy.update_users(mode, {call.data[ATTR_NAME].strip(): call.data[ATTR_INTERFACES]})
    return _users(await proxy.get_users(mode))


async def _delete_user(proxy: ProxyFeature, mode: ProxyMode, call: ServiceCall) -> dict[str, Any]:
    await proxy.delete_users(mode, [name.strip() for name in call.data[ATTR_NAMES]])
    return _users(await proxy.get_users(mode))


async def _add_urls(proxy: ProxyFeature, mode: ProxyMode, call: ServiceCall) -> dict[str, Any]:
    resource = URL_LISTS[call.data[ATTR_LIST]]
    await proxy.add_urls(resource, mode, call.data[ATTR_URLS])
    return {"list": call.data[ATTR_LIST], **_urls(await proxy.get_url_list(resource, mode))}


async def _remove_urls(proxy: ProxyFeature, mode: ProxyMode, call: ServiceCall) -> dict[str, Any]:
    resource = URL_LISTS[call.data[ATTR_LIST]]
    await proxy.delete_urls(resource, mode, call.data[ATTR_URLS])
    return {"list": call.data[ATTR_LIST], **_urls(await proxy.get_url_list(resource, mode))}


CHANGES: tuple[tuple[str, Change, vol.Schema], ...] = (
    (SERVICE_SET_PROXY_ENABLED, _set_enabled, SET_ENABLED_SCHEMA),
    (SERVICE_ADD_PROXY, _add_proxy, ADD_PROXY_SCHEMA),
    (SERVICE_UPDATE_PROXY, _update_proxy, UPDATE_PROXY_SCHEMA),
    (SERVICE_DELETE_PROXY, _delete_proxy, DELETE_SCHEMA),
    (SERVICE_ADD_PROXY_USER, _add_user, ADD_USER_SCHEMA),
    (SERVICE_UPDATE_PROXY_USER, _update_user, UPDATE_USER_SCHEMA),
    (SERVICE_DELETE_PROXY_USER, _delete_user, DELETE_SCHEMA),
    (SERVICE_ADD_PROXY_URLS, _add_urls, URLS_SCHEMA),
    (SERVICE_REMOVE_PROXY_URLS, _remove_urls, URLS_SCHEMA),
)


def async_setup(hass: HomeAssistant) -> None:
    """Register the proxy actions (admin-only)."""
    register(
        hass,
        SERVICE_LIST_PROXIES,
        _list_proxies,
        LIST_SCHEMA,
        response=SupportsResponse.ONLY,
        admin=True,
        capability=Capability.PROXY,
    )
    for name, change, schema in CHANGES:
        register(hass, name, _action(name, change), schema, admin=True, capability=Capability.PROXY)
