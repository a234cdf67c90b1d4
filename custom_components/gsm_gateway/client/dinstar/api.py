"""What the Dinstar feature objects (call forwarding, CDRs, SIM toolkit) need from the gateway, and nothing more.

The features call the device through the gateway's public `call`, which turns a 404 into a missing capability
(so `gateway.call_forwarding` and the others become None once their endpoint turned out to be absent), and
they number ports with the device's port count. A protocol lets the feature modules use the gateway without
importing the module that imports them.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, Protocol

from ..models import Capability
from .connection import Endpoint, Params


class DinstarApi(Protocol):
    """The gateway as its feature objects see it."""

    @property
    def time_zone(self) -> tzinfo:
        """The zone the device's clock runs in."""
        ...

    @property
    def port_count(self) -> int | None:
        """Ports of the device (None before `connect()`)."""
        ...

    async def call(
        self,
        endpoint: Endpoint,
        params: Params = None,
        capability: Capability | None = None,
        *,
        allow_empty: bool = False,
    ) -> dict[str, Any]:
        """One API call; a 404 marks `capability` as missing before `GatewayUnsupportedError` is raised."""
        ...
