"""Call forwarding of a port's SIM (Dinstar): where its calls go when it does not (or cannot) answer.

Forwarding is a network setting of the SIM: it is set, then checked (the gateway asks the network), then read
back. The models and the `CallForwardingFeature` interface are shared so callers manage forwarding without
knowing the vendor: `Gateway.call_forwarding` is a `CallForwardingFeature` exactly when the gateway has
`Capability.CALL_FORWARD`, else None. Request building stays in the dialect (`dinstar/call_forwarding.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .ports import SlotRef


class CallForwardCondition(StrEnum):
    """When calls are forwarded."""

    UNCONDITIONAL = "Unconditional"
    NO_REPLY = "NoReply"
    BUSY = "Busy"
    NOT_REACHABLE = "Not_Reachable"
    CANCEL_ALL = "CancelAll"


@dataclass(frozen=True, slots=True, kw_only=True)
class CallForwardInfo:
    """Call forwarding of a port as last read back from the network: condition (as the device names it) → number."""

    port_label: str
    ref: SlotRef | None
    rules: Mapping[str, str] = field(repr=False)


class CallForwardingFeature(ABC):
    """Setting, checking and reading the call forwarding of ports."""

    @abstractmethod
    async def set(self, ref: SlotRef, condition: CallForwardCondition, number: str | None = None) -> None:
        """Forward calls of a port under `condition` to `number` (`CANCEL_ALL` needs no number)."""

    @abstractmethod
    async def check(self, ref: SlotRef) -> None:
        """Ask the network for the port's call forwarding; read the answer with `get` a moment later."""

    @abstractmethod
    async def get(self, ports: Sequence[SlotRef] = ()) -> list[CallForwardInfo]:
        """Call forwarding as last read back by `check` (all ports when `ports` is empty)."""
