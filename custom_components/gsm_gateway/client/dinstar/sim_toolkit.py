"""The SIM Toolkit on Dinstar: `DinstarSimToolkit`, the `SimToolkitFeature` of a Dinstar gateway.

`GetSTKView` reads a port's screen, `STKGo` sends a choice (`item`) or an action (`ok` with its input, `cancel`,
`home`), `GetSTKCurrFrameIndex` tells the screen's id, which changes when the screen does. `STKGo`'s answer is
undocumented: an empty 200 is success, an `error_code` is checked when present. A 404 drops `Capability.STK`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import Capability
from ..ports import SlotRef
from ..sim_toolkit import SimToolkitFeature, StkView
from .api import DinstarApi
from .connection import without_none
from .endpoints import GET_STK_FRAME, GET_STK_VIEW, STK_GO
from .parse import parse_frame_id, parse_stk_view
from .ports import wire_port


class DinstarSimToolkit(SimToolkitFeature):
    """The STK menus of a Dinstar gateway's ports, through the gateway's calls."""

    def __init__(self, api: DinstarApi) -> None:
        """Call the device through `api` (the gateway)."""
        self._api = api

    def _port(self, ref: SlotRef) -> int:
        return wire_port(ref, self._api.port_count)

    async def view(self, ref: SlotRef) -> StkView:
        """`GetSTKView` of the port."""
        port = self._port(ref)
        obj = await self._api.call(GET_STK_VIEW, {"port": port}, Capability.STK)
        return parse_stk_view(obj, GET_STK_VIEW.name, SlotRef(port + 1, ref.slot or 1))

    async def select(self, ref: SlotRef, item_id: int) -> None:
        """`STKGo` with `item`."""
        await self._go({"port": self._port(ref), "item": int(item_id)})

    async def ok(self, ref: SlotRef, param: str | None = None) -> None:
        """`STKGo` with `action=ok` and the input (`param`) when the screen asks for one."""
        await self._go(without_none({"port": self._port(ref), "action": "ok", "param": param}))

    async def cancel(self, ref: SlotRef) -> None:
        """`STKGo` with `action=cancel`."""
        await self._go({"port": self._port(ref), "action": "cancel"})

    async def home(self, ref: SlotRef) -> None:
        """`STKGo` with `action=home`."""
        await self._go({"port": self._port(ref), "action": "home"})

    async def _go(self, params: Mapping[str, Any]) -> None:
        await self._api.call(STK_GO, params, Capability.STK, allow_empty=True)

    async def frame_id(self, ref: SlotRef) -> int:
        """`GetSTKCurrFrameIndex` of the port."""
        obj = await self._api.call(GET_STK_FRAME, {"port": self._port(ref)}, Capability.STK)
        return parse_frame_id(obj, GET_STK_FRAME.name)
