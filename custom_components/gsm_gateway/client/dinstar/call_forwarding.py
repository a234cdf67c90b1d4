"""Call forwarding on Dinstar: `DinstarCallForwarding`, the `CallForwardingFeature` of a Dinstar gateway.

The spec's three steps: `set_port_info` action `CallForward` (the condition as `param`, the number as `number`),
`set_port_info` action `CheckCallForward` (the gateway asks the network), and `get_port_info` with
`info_type=CallForward`, whose rows carry condition → number (under `CallForwarding` or `CallForward`). A 404
on either endpoint drops `Capability.CALL_FORWARD`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..call_forwarding import CallForwardCondition, CallForwardInfo, CallForwardingFeature
from ..exceptions import GatewayRequestError
from ..models import Capability
from ..ports import SlotRef
from .api import DinstarApi
from .connection import without_none
from .endpoints import GET_PORT_INFO, SET_PORT_INFO
from .models import InfoType, PortAction
from .parse import parse_call_forward
from .ports import wire_port, wire_ports
from .sms import check_number


class DinstarCallForwarding(CallForwardingFeature):
    """Call forwarding of a Dinstar gateway's ports, through the gateway's calls."""

    def __init__(self, api: DinstarApi) -> None:
        """Call the device through `api` (the gateway)."""
        self._api = api

    async def set(self, ref: SlotRef, condition: CallForwardCondition, number: str | None = None) -> None:
        """`CallForward` with the condition; every condition but `CANCEL_ALL` needs a number (at most 24 bytes)."""
        condition = CallForwardCondition(condition)
        if condition is not CallForwardCondition.CANCEL_ALL:
            if number is None:
                msg = "call forwarding needs a number"
                raise GatewayRequestError(msg)
            number = check_number(number)
        params = without_none(
            {
                "port": wire_port(ref, self._api.port_count),
                "action": PortAction.CALL_FORWARD.value,
                "param": condition.value,
                "number": number,
            }
        )
        await self._api.call(SET_PORT_INFO, params, Capability.CALL_FORWARD)

    async def check(self, ref: SlotRef) -> None:
        """`CheckCallForward`: the gateway asks the network; `get` reads the answer."""
        params = {"port": wire_port(ref, self._api.port_count), "action": PortAction.CHECK_CALL_FORWARD.value}
        await self._api.call(SET_PORT_INFO, params, Capability.CALL_FORWARD)

    async def get(self, ports: Sequence[SlotRef] = ()) -> list[CallForwardInfo]:
        """`get_port_info?info_type=CallForward` for some ports (all when empty)."""
        params = without_none(
            {
                "port": wire_ports(ports, self._api.port_count),
                "info_type": [InfoType.CALL_FORWARD.value],
            }
        )
        obj = await self._api.call(GET_PORT_INFO, params, Capability.CALL_FORWARD)
        return parse_call_forward(obj, GET_PORT_INFO.name)
