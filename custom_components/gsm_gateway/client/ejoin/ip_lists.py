"""EJOIN v2.2 IP lists: `EjoinIpLists`, the `IpListFeature` of an EJOIN gateway, with its answer parsing and body.

`GET /ip_white_list` and `/ip_black_list` (no mode) answer `{"enbale": 0|1, "ipset": [...]}` with code 0; a POST
sets the flag and adds or removes addresses. The answers spell the flag `enbale`, fixed firmware `enable`: both
are read. The shared models live in `client/ip_lists.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..ip_lists import IpListConfig, IpListFeature, IpListKind
from .connection import EjoinConnection
from .parse import as_flag, texts

SUCCESS = frozenset({0})


def parse_ip_list(body: Mapping[str, Any]) -> IpListConfig:
    """Answer of `GET /ip_white_list` or `/ip_black_list` (`enbale` as documented, `enable` as fixed)."""
    flag = body.get("enbale") if "enbale" in body else body.get("enable", body.get("enabled"))
    return IpListConfig(enabled=as_flag(flag), addresses=texts(body.get("ipset"), "ipset"))


def ip_list_body(*, enabled: bool, added: Sequence[str], deleted: Sequence[str]) -> dict[str, Any]:
    """Body of `POST /ip_white_list` or `/ip_black_list`.

    The whitelist documents `enable` and the blacklist `enbale`; both keys are sent so either firmware reads it.
    """
    flag = int(enabled)
    return {"enable": flag, "enbale": flag, "added_set": list(added), "deleted_set": list(deleted)}


class EjoinIpLists(IpListFeature):
    """The IP lists of an EJOIN v2.2 gateway, over the gateway's connection."""

    def __init__(self, connection: EjoinConnection) -> None:
        """Share the gateway's connection (credentials or encrypted session)."""
        self._connection = connection

    async def get(self, kind: IpListKind) -> IpListConfig:
        """`GET /ip_white_list` or `/ip_black_list`."""
        return parse_ip_list(await self._connection.call("GET", f"/{kind.value}", ok_codes=SUCCESS))

    async def update(
        self, kind: IpListKind, *, enabled: bool, added: Sequence[str] = (), deleted: Sequence[str] = ()
    ) -> None:
        """`POST /ip_white_list` or `/ip_black_list` with the flag and the addresses to add and remove."""
        body = ip_list_body(enabled=enabled, added=added, deleted=deleted)
        await self._connection.call("POST", f"/{kind.value}", json_body=body, ok_codes=SUCCESS)
