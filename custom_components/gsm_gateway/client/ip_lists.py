"""The gateway's own IP white- and blacklist (EJOIN v2.2 firmware): who may reach its web server and API.

The models and the `IpListFeature` interface are shared so callers manage the lists without knowing the vendor:
`Gateway.ip_lists` is an `IpListFeature` exactly when the gateway has `Capability.IP_LISTS`, else None. Answer
parsing and request bodies stay in the dialect (`ejoin/ip_lists.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class IpListKind(StrEnum):
    """Which of the two lists a call is about."""

    WHITE = "ip_white_list"
    BLACK = "ip_black_list"


@dataclass(frozen=True, slots=True, kw_only=True)
class IpListConfig:
    """One list: IPv4 addresses or subnets (`*` is every address), and whether it is enforced."""

    enabled: bool | None
    addresses: tuple[str, ...] = ()


class IpListFeature(ABC):
    """Reading and changing the gateway's IP lists. A wrong change locks the caller out of the gateway."""

    @abstractmethod
    async def get(self, kind: IpListKind) -> IpListConfig:
        """The white- or blacklist as the device has it."""

    @abstractmethod
    async def update(
        self, kind: IpListKind, *, enabled: bool, added: Sequence[str] = (), deleted: Sequence[str] = ()
    ) -> None:
        """Enable/disable a list and add or remove addresses (a blacklist `*` needs the whitelist first)."""
