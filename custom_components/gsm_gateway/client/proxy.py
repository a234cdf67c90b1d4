"""Proxies (EJOIN v2.2 firmware): the HTTP/HTTPS and SOCKS5 proxies that route traffic through the SIMs' data.

The models and the `ProxyFeature` interface are shared so callers manage proxies without knowing the vendor:
`Gateway.proxy` is a `ProxyFeature` exactly when the gateway has `Capability.PROXY`, else None. Answer parsing
and request bodies stay in the dialect (`ejoin/proxy.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class ProxyMode(StrEnum):
    """Which proxy a call is about."""

    HTTP = "http"
    SOCKS5 = "socks5"


class ProxyResource(StrEnum):
    """Parts of a proxy that can each be switched on and off (`ProxyFeature.state`, `set_enabled`)."""

    PROXY = "proxy"
    USERS = "proxy_user"
    URL_WHITE_LIST = "proxy_white_list"
    URL_BLACK_LIST = "proxy_black_list"
    ACCESS_LOG = "proxy_access_log"


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
    """The listeners of one proxy mode."""

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
    """The accounts of one proxy mode."""

    mode: ProxyMode | None
    enabled: bool | None
    users: tuple[ProxyUser, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UrlListConfig:
    """The URL white- or blacklist of one proxy mode."""

    mode: ProxyMode | None
    enabled: bool | None
    urls: tuple[str, ...] = ()


class ProxyFeature(ABC):
    """The proxies of a gateway: on/off flags per resource and mode, listeners, accounts and URL lists.

    Every call raises the usual `GatewayError`s; arguments the device would refuse raise `GatewayRequestError`
    before anything is sent.
    """

    @abstractmethod
    async def state(self, resource: ProxyResource, mode: ProxyMode) -> ProxyState:
        """Whether a proxy resource (proxy, users, URL lists, access log) is enabled."""

    @abstractmethod
    async def set_enabled(self, resource: ProxyResource, mode: ProxyMode, *, enabled: bool) -> None:
        """Enable or disable a proxy resource."""

    @abstractmethod
    async def get_proxies(self, mode: ProxyMode) -> ProxyConfig:
        """Proxy listeners of `mode`."""

    @abstractmethod
    async def add_proxies(self, mode: ProxyMode, entries: Sequence[ProxyEntry]) -> None:
        """Add listeners (the device prefixes the names with `http-`/`socks5-`)."""

    @abstractmethod
    async def update_proxies(self, mode: ProxyMode, active: Mapping[str, bool]) -> None:
        """Switch listeners on or off by name."""

    @abstractmethod
    async def delete_proxies(self, mode: ProxyMode, names: Sequence[str]) -> None:
        """Delete listeners by name."""

    @abstractmethod
    async def get_users(self, mode: ProxyMode) -> ProxyUserConfig:
        """Proxy accounts of `mode`."""

    @abstractmethod
    async def add_users(self, mode: ProxyMode, users: Sequence[ProxyUser]) -> None:
        """Add accounts (name and password up to 20 characters)."""

    @abstractmethod
    async def update_users(self, mode: ProxyMode, interfaces: Mapping[str, Sequence[int]]) -> None:
        """Change which SIM WAN ports accounts may use."""

    @abstractmethod
    async def delete_users(self, mode: ProxyMode, names: Sequence[str]) -> None:
        """Delete accounts by name."""

    @abstractmethod
    async def get_url_list(self, resource: ProxyResource, mode: ProxyMode) -> UrlListConfig:
        """The URL white- or blacklist (`resource` is `URL_WHITE_LIST` or `URL_BLACK_LIST`)."""

    @abstractmethod
    async def add_urls(self, resource: ProxyResource, mode: ProxyMode, urls: Sequence[str]) -> None:
        """Add URL patterns (`*`, `www.example.com`, `*.example.com`, `www.example.*`)."""

    @abstractmethod
    async def delete_urls(self, resource: ProxyResource, mode: ProxyMode, urls: Sequence[str]) -> None:
        """Remove URL patterns."""
