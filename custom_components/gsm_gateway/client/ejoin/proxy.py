"""EJOIN v2.2 proxy configuration and IP lists: typed models, answer parsing and request bodies.

Resources (`/proxy`, `/proxy_user`, `/proxy_white_list`, `/proxy_black_list`, `/proxy_access_log`) take
`mode=http|socks5`; a GET with `state` returns the status, a GET without it the configuration, a POST with
`op=enabled|disabled|add|update|delete` changes it. `/ip_white_list` and `/ip_black_list` have no mode.
Answers use code 0 for success. The IP-list answers spell the flag `enbale`; both spellings are read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..exceptions import GatewayRequestError, GatewayResponseError
from .parse import as_flag, as_int, as_text, sequence

PROXY_NAME_MAX = 32
PROXY_USER_FIELD_MAX = 20


class ProxyMode(StrEnum):
    """Which proxy a call is about (the `mode` URL parameter)."""

    HTTP = "http"
    SOCKS5 = "socks5"


# The numeric `mode` in answers: 2 SOCKS5, 3 HTTP/HTTPS.
_MODE_NUMBERS: Mapping[int, ProxyMode] = {2: ProxyMode.SOCKS5, 3: ProxyMode.HTTP}


class ProxyResource(StrEnum):
    """Proxy resources that share the state/enable calls."""

    PROXY = "proxy"
    USERS = "proxy_user"
    URL_WHITE_LIST = "proxy_white_list"
    URL_BLACK_LIST = "proxy_black_list"
    ACCESS_LOG = "proxy_access_log"


class IpListKind(StrEnum):
    """The device's own IP white- and blacklist (who may reach its web server)."""

    WHITE = "ip_white_list"
    BLACK = "ip_black_list"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyState:
    """Whether a proxy resource is enabled."""

    mode: ProxyMode | None
    enabled: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyEntry:
    """One proxy listener. `interfaces` are SIM WAN ports; `(0,)` means all of them."""

    name: str
    port: int | None = None
    interfaces: tuple[int, ...] = ()
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyConfig:
    """`/proxy` configuration."""

    mode: ProxyMode | None
    enabled: bool | None
    proxies: tuple[ProxyEntry, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyUser:
    """A proxy account. The password is kept out of `repr`."""

    name: str
    password: str | None = field(default=None, repr=False)
    interfaces: tuple[int, ...] = ()
    remark: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyUserConfig:
    """`/proxy_user` configuration."""

    mode: ProxyMode | None
    enabled: bool | None
    users: tuple[ProxyUser, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UrlListConfig:
    """`/proxy_white_list` or `/proxy_black_list` configuration."""

    mode: ProxyMode | None
    enabled: bool | None
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class IpListConfig:
    """`/ip_white_list` or `/ip_black_list`: IPv4 addresses or subnets (`*` is every address)."""

    enabled: bool | None
    addresses: tuple[str, ...] = ()


def _mode(body: Mapping[str, Any]) -> ProxyMode | None:
    number = as_int(body.get("mode"))
    if number is not None:
        return _MODE_NUMBERS.get(number)
    text = as_text(body.get("mode"))
    return ProxyMode(text.lower()) if text and text.lower() in {"http", "socks5"} else None


def _interfaces(value: object) -> tuple[int, ...]:
    numbers = (as_int(item) for item in sequence(value, "interfaces"))
    return tuple(number for number in numbers if number is not None)


def _strings(value: object, what: str) -> tuple[str, ...]:
    texts = (as_text(item) for item in sequence(value, what))
    return tuple(text for text in texts if text is not None)


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
    return UrlListConfig(
        mode=_mode(body), enabled=as_flag(body.get("enabled")), urls=_strings(body.get("urls"), "urls")
    )


def parse_ip_list(body: Mapping[str, Any]) -> IpListConfig:
    """Answer of `GET /ip_white_list` or `/ip_black_list` (`enbale` as documented, `enable` as fixed)."""
    flag = body.get("enbale") if "enbale" in body else body.get("enable", body.get("enabled"))
    return IpListConfig(enabled=as_flag(flag), addresses=_strings(body.get("ipset"), "ipset"))


def _check_name(name: str, limit: int, what: str) -> str:
    if not name or len(name) > limit:
        raise GatewayRequestError(f"{what} must be 1-{limit} characters")
    return name


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
    return {"proxies": [{"name": name, "active": int(flag)} for name, flag in active.items()]}


def names_body(key: str, names: Sequence[str]) -> dict[str, Any]:
    """Body of an `op=delete` on proxies or users: `{"proxies": [{"name": ...}]}`."""
    if not names:
        raise GatewayRequestError("nothing to delete")
    return {key: [{"name": name} for name in names]}


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
    return {"users": [{"name": name, "interfaces": _check_interfaces(ports)} for name, ports in interfaces.items()]}


def urls_body(urls: Sequence[str]) -> dict[str, Any]:
    """Body of `op=add`/`op=delete` on a URL list."""
    if not urls or any(not url.strip() for url in urls):
        raise GatewayRequestError("URL list entries cannot be empty")
    return {"urls": [url.strip() for url in urls]}


def ip_list_body(*, enabled: bool, added: Sequence[str], deleted: Sequence[str]) -> dict[str, Any]:
    """Body of `POST /ip_white_list` or `/ip_black_list`.

    The whitelist documents `enable` and the blacklist `enbale`; both keys are sent so either firmware reads it.
    """
    flag = int(enabled)
    return {"enable": flag, "enbale": flag, "added_set": list(added), "deleted_set": list(deleted)}
