"""EJOIN v2.2 proxies: `EjoinProxy`, the `ProxyFeature` of an EJOIN gateway, with its answer parsing and bodies.

Resources (`/proxy`, `/proxy_user`, `/proxy_white_list`, `/proxy_black_list`, `/proxy_access_log`) take
`mode=http|socks5`; a GET with `state` returns the status, a GET without it the configuration, a POST with
`op=enabled|disabled|add|update|delete` changes it. Answers use code 0 for success; the `mode` they carry is
a number (2 SOCKS5, 3 HTTP/HTTPS) or the mode's name. The shared models live in `client/proxy.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..checks import check_printable_ascii
from ..exceptions import GatewayRequestError, GatewayResponseError
from ..proxy import (
    ProxyConfig,
    ProxyEntry,
    ProxyFeature,
    ProxyMode,
    ProxyResource,
    ProxyState,
    ProxyUser,
    ProxyUserConfig,
    UrlListConfig,
)
from .connection import EjoinConnection
from .parse import as_flag, as_int, as_text, sequence, texts

PROXY_NAME_MAX = 32
PROXY_USER_FIELD_MAX = 20
# A name as the device lists it (and update/delete take it): the name given, with `http-` or `socks5-` in front.
LISTED_PROXY_NAME_MAX = PROXY_NAME_MAX + len("socks5-")
URL_PATTERN_MAX = 253  # the longest DNS name; the document's patterns are host names with `*`
SUCCESS = frozenset({0})

# The numeric `mode` in answers: 2 SOCKS5, 3 HTTP/HTTPS.
_MODE_NUMBERS: Mapping[int, ProxyMode] = {2: ProxyMode.SOCKS5, 3: ProxyMode.HTTP}


def _mode(body: Mapping[str, Any]) -> ProxyMode | None:
    number = as_int(body.get("mode"))
    if number is not None:
        return _MODE_NUMBERS.get(number)
    text = as_text(body.get("mode"))
    return ProxyMode(text.lower()) if text and text.lower() in {"http", "socks5"} else None


def _interfaces(value: object) -> tuple[int, ...]:
    numbers = (as_int(item) for item in sequence(value, "interfaces"))
    return tuple(number for number in numbers if number is not None)


def _entries(body: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    entries: list[Mapping[str, Any]] = []
    for item in sequence(body.get(key), key):
        if not isinstance(item, Mapping):
            raise GatewayResponseError(f"{key} entry is not a JSON object")
        entries.append(item)
    return entries


def parse_state(body: Mapping[str, Any]) -> ProxyState:
    """Answer of a GET with `state`."""
    return ProxyState(mode=_mode(body), enabled=as_flag(body.get("enabled")))


def parse_proxy_config(body: Mapping[str, Any]) -> ProxyConfig:
    """Answer of `GET /proxy`."""
    return ProxyConfig(
        mode=_mode(body),
        enabled=as_flag(body.get("enabled")),
        proxies=tuple(
            ProxyEntry(
                name=as_text(entry.get("name")) or "",
                port=as_int(entry.get("port")),
                interfaces=_interfaces(entry.get("interfaces")),
                active=as_flag(entry.get("active")) is not False,
            )
            for entry in _entries(body, "proxies")
        ),
    )


def parse_user_config(body: Mapping[str, Any]) -> ProxyUserConfig:
    """Answer of `GET /proxy_user`."""
    return ProxyUserConfig(
        mode=_mode(body),
        enabled=as_flag(body.get("enabled")),
        users=tuple(
            ProxyUser(
                name=as_text(entry.get("name")) or "",
                password=as_text(entry.get("pwd")),
                interfaces=_interfaces(entry.get("interfaces")),
                remark=as_text(entry.get("mark")) or as_text(entry.get("Mark")),
            )
            for entry in _entries(body, "users")
        ),
    )


def parse_url_list(body: Mapping[str, Any]) -> UrlListConfig:
    """Answer of `GET /proxy_white_list` or `/proxy_black_list`."""
    return UrlListConfig(mode=_mode(body), enabled=as_flag(body.get("enabled")), urls=texts(body.get("urls"), "urls"))


def _check_name(name: str, limit: int, what: str) -> str:
    """The document gives lengths only; the characters are printable ASCII without spaces (docs/protocol-ejoin.md)."""
    return check_printable_ascii(name, limit, what)


def _check_interfaces(interfaces: Sequence[int]) -> list[int]:
    if not interfaces or any(number < 0 for number in interfaces):
        raise GatewayRequestError("interfaces are SIM WAN port numbers (0 = all) and cannot be empty")
    return list(interfaces)


def proxies_add_body(entries: Sequence[ProxyEntry]) -> dict[str, Any]:
    """Body of `POST /proxy?op=add` (the device prefixes names with `http-`/`socks5-`)."""
    items: list[dict[str, Any]] = []
    for entry in entries:
        if entry.port is None or not 1 <= entry.port <= 65535:
            raise GatewayRequestError("a proxy needs a listening port 1-65535")
        items.append(
            {
                "name": _check_name(entry.name, PROXY_NAME_MAX, "proxy names"),
                "port": entry.port,
                "interfaces": _check_interfaces(entry.interfaces),
                "active": int(entry.active),
            }
        )
    return {"proxies": items}


def proxies_update_body(active: Mapping[str, bool]) -> dict[str, Any]:
    """Body of `POST /proxy?op=update`: only the active flag can be changed."""
    return {
        "proxies": [
            {"name": _check_name(name, LISTED_PROXY_NAME_MAX, "proxy names"), "active": int(flag)}
            for name, flag in active.items()
        ]
    }


def names_body(key: str, names: Sequence[str]) -> dict[str, Any]:
    """Body of an `op=delete` on proxies or users: `{"proxies": [{"name": ...}]}`."""
    if not names:
        raise GatewayRequestError("nothing to delete")
    limit, what = (LISTED_PROXY_NAME_MAX, "proxy names") if key == "proxies" else (PROXY_USER_FIELD_MAX, "user names")
    return {key: [{"name": _check_name(name, limit, what)} for name in names]}


def users_add_body(users: Sequence[ProxyUser]) -> dict[str, Any]:
    """Body of `POST /proxy_user?op=add`."""
    items: list[dict[str, Any]] = []
    for user in users:
        item: dict[str, Any] = {
            "name": _check_name(user.name, PROXY_USER_FIELD_MAX, "proxy user names"),
            "pwd": _check_name(user.password or "", PROXY_USER_FIELD_MAX, "proxy user passwords"),
            "interfaces": _check_interfaces(user.interfaces),
        }
        if user.remark is not None:
            item["mark"] = user.remark
        items.append(item)
    return {"users": items}


def users_update_body(interfaces: Mapping[str, Sequence[int]]) -> dict[str, Any]:
    """Body of `POST /proxy_user?op=update`: a user's interfaces."""
    return {
        "users": [
            {"name": _check_name(name, PROXY_USER_FIELD_MAX, "user names"), "interfaces": _check_interfaces(ports)}
            for name, ports in interfaces.items()
        ]
    }


def urls_body(urls: Sequence[str]) -> dict[str, Any]:
    """Body of `op=add`/`op=delete` on a URL list."""
    if not urls:
        raise GatewayRequestError("URL list entries cannot be empty")
    return {"urls": [check_printable_ascii(url.strip(), URL_PATTERN_MAX, "URL list entries") for url in urls]}


def _url_list(resource: ProxyResource) -> ProxyResource:
    if resource not in {ProxyResource.URL_WHITE_LIST, ProxyResource.URL_BLACK_LIST}:
        raise GatewayRequestError("choose the URL white- or blacklist")
    return resource


class EjoinProxy(ProxyFeature):
    """The proxies of an EJOIN v2.2 gateway, over the gateway's connection."""

    def __init__(self, connection: EjoinConnection) -> None:
        """Share the gateway's connection (credentials or encrypted session)."""
        self._connection = connection

    async def _get(self, resource: ProxyResource, mode: ProxyMode, *, state: bool) -> dict[str, Any]:
        params = {"mode": mode.value, **({"state": "1"} if state else {})}
        return await self._connection.call("GET", f"/{resource.value}", params=params, ok_codes=SUCCESS)

    async def _post(
        self, resource: ProxyResource, mode: ProxyMode, op: str, body: Mapping[str, Any] | None = None
    ) -> None:
        await self._connection.call(
            "POST",
            f"/{resource.value}",
            params={"mode": mode.value, "op": op},
            json_body=dict(body or {}),
            ok_codes=SUCCESS,
        )

    async def state(self, resource: ProxyResource, mode: ProxyMode) -> ProxyState:
        """`GET /<resource>?mode&state=1`."""
        return parse_state(await self._get(resource, mode, state=True))

    async def set_enabled(self, resource: ProxyResource, mode: ProxyMode, *, enabled: bool) -> None:
        """`POST /<resource>?mode&op=enabled|disabled`."""
        await self._post(resource, mode, "enabled" if enabled else "disabled")

    async def get_proxies(self, mode: ProxyMode) -> ProxyConfig:
        """`GET /proxy?mode`."""
        return parse_proxy_config(await self._get(ProxyResource.PROXY, mode, state=False))

    async def add_proxies(self, mode: ProxyMode, entries: Sequence[ProxyEntry]) -> None:
        """`POST /proxy?op=add`; names 1-32 characters, a listening port 1-65535, at least one interface."""
        await self._post(ProxyResource.PROXY, mode, "add", proxies_add_body(entries))

    async def update_proxies(self, mode: ProxyMode, active: Mapping[str, bool]) -> None:
        """`POST /proxy?op=update` (only the active flag can be changed)."""
        await self._post(ProxyResource.PROXY, mode, "update", proxies_update_body(active))

    async def delete_proxies(self, mode: ProxyMode, names: Sequence[str]) -> None:
        """`POST /proxy?op=delete`."""
        await self._post(ProxyResource.PROXY, mode, "delete", names_body("proxies", names))

    async def get_users(self, mode: ProxyMode) -> ProxyUserConfig:
        """`GET /proxy_user?mode`."""
        return parse_user_config(await self._get(ProxyResource.USERS, mode, state=False))

    async def add_users(self, mode: ProxyMode, users: Sequence[ProxyUser]) -> None:
        """`POST /proxy_user?op=add`; name and password 1-20 characters, at least one interface."""
        await self._post(ProxyResource.USERS, mode, "add", users_add_body(users))

    async def update_users(self, mode: ProxyMode, interfaces: Mapping[str, Sequence[int]]) -> None:
        """`POST /proxy_user?op=update`."""
        await self._post(ProxyResource.USERS, mode, "update", users_update_body(interfaces))

    async def delete_users(self, mode: ProxyMode, names: Sequence[str]) -> None:
        """`POST /proxy_user?op=delete`."""
        await self._post(ProxyResource.USERS, mode, "delete", names_body("users", names))

    async def get_url_list(self, resource: ProxyResource, mode: ProxyMode) -> UrlListConfig:
        """`GET /proxy_white_list?mode` or `/proxy_black_list?mode`."""
        return parse_url_list(await self._get(_url_list(resource), mode, state=False))

    async def add_urls(self, resource: ProxyResource, mode: ProxyMode, urls: Sequence[str]) -> None:
        """`POST /proxy_white_list?op=add` (or the blacklist)."""
        await self._post(_url_list(resource), mode, "add", urls_body(urls))

    async def delete_urls(self, resource: ProxyResource, mode: ProxyMode, urls: Sequence[str]) -> None:
        """`POST /proxy_white_list?op=delete` (or the blacklist)."""
        await self._post(_url_list(resource), mode, "delete", urls_body(urls))
