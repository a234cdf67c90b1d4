"""Dinstar port numbering: 0-based on the wire, 1-based `SlotRef`s for users.

Decision (taken for the whole product, see docs/protocol-dinstar.md): wire port 0 is port 1, wire slot 0-3
is slot 1-4 (`A`-`D`), and slot 255 ("no slot", a single-SIM port) is slot 1. So wire port 0 on a
single-SIM box is `SlotRef(1, 1)`, label `1A`. Users of models whose web UI counts ports from 0 see port N+1.
"""

from __future__ import annotations

from collections.abc import Iterable
import re

from ..exceptions import GatewayRequestError
from ..ports import MAX_SLOT, SlotRef

WIRE_PORTS = 32  # the spec: "an integer ranging from 0 to 31"
NO_SLOT = 255  # the spec: returned when the gateway is not a multi-SIM gateway
MULTI_SIM_SLOTS = 4  # the spec: "slot number ranges from 0 to 3"


_INTEGER = re.compile(r"-?[0-9]+")


def wire_int(value: object) -> int | None:
    """An integer sent as a number or a numeric string (firmware sends both); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):  # ASCII only: "²".isdigit() is True, int("²") fails
            return int(text)
    return None


def slot_from_wire(slot: object) -> int:
    """1-based slot of a wire slot: 0-3 → 1-4, 255 / missing / unreadable → 1."""
    number = wire_int(slot)
    if number is None or number == NO_SLOT or not 0 <= number < MAX_SLOT:
        return 1
    return number + 1


def ref_from_wire(port: object, slot: object = None) -> SlotRef | None:
    """`SlotRef` of a wire port (and slot); None when the port is not a number the client can place."""
    number = wire_int(port)
    if number is None or number < 0:
        return None
    try:
        return SlotRef(number + 1, slot_from_wire(slot))
    except ValueError:
        return None


def label_from_wire(port: object, slot: object = None) -> str:
    """Canonical label of a wire port, or `port <raw>` when it cannot be placed."""
    ref = ref_from_wire(port, slot)
    return ref.label if ref is not None else f"port {str(port).strip()}"


def wire_port(ref: SlotRef | int, port_count: int | None = None) -> int:
    """0-based wire port of a 1-based `SlotRef` or port number; `GatewayRequestError` when out of range."""
    port = ref.port if isinstance(ref, SlotRef) else ref
    limit = min(port_count, WIRE_PORTS) if port_count else WIRE_PORTS
    if isinstance(port, bool) or not 1 <= port <= limit:
        msg = f"port {port} does not exist on this gateway (ports 1-{limit})"
        raise GatewayRequestError(msg)
    return port - 1


def wire_slot(ref: SlotRef) -> int:
    """0-based wire slot (0-3) of a `SlotRef`; `GatewayRequestError` when it has no slot or one past D."""
    if ref.slot is None or not 1 <= ref.slot <= MULTI_SIM_SLOTS:
        msg = f"{ref.label}: choose a SIM slot A-D"
        raise GatewayRequestError(msg)
    return ref.slot - 1


def wire_ports(refs: Iterable[SlotRef | int], port_count: int | None = None) -> list[int]:
    """Sorted, distinct wire ports of `SlotRef`s or 1-based port numbers."""
    return sorted({wire_port(ref, port_count) for ref in refs})
