"""Port numbering of a Synway gateway: detected, never guessed from the documentation.

The spec numbers ports from 1 in most examples (`txsms` "port 1,2,3", inbox `1(A)`) and from 0 in one
(`getwirelessinfo` "Port 0, Port 1 and Port 2"), and firmware differs the same way. The rule
(docs/protocol-synway.md): `getportinfo` gives the port count N; `getwirelessinfo` IMEI (every port has a
module, so every port answers) gives the port numbers the device uses. Numbers 0..N-1 mean 0-based, 1..N mean
1-based. When that answer is not decisive (modules missing at both ends), ICCID is asked the same question;
when neither is, the client assumes 1-based, says so in a warning and in `PortNumbering.detected`.

Users always see 1-based `SlotRef`s with a slot letter: `1A`. Slot letters (A)-(D) are slots 1-4; a `(-1)`
slot is a single-SIM port, shown as slot 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..ports import MAX_PORT, MAX_SLOT, SlotRef, slot_number


@dataclass(frozen=True, slots=True)
class PortNumbering:
    """How the device numbers its ports on the wire."""

    base: int  # wire number of the first port: 0 or 1
    detected: bool = True  # False: the answers were not decisive and 1-based was assumed

    def to_wire(self, port: int) -> int:
        """Wire number of the 1-based `port`."""
        return port - 1 + self.base

    def from_wire(self, wire: int) -> int | None:
        """1-based port of a wire number, or None when it cannot be a port."""
        port = wire - self.base + 1
        return port if 1 <= port <= MAX_PORT else None

    def wire_list(self, ports: Iterable[int]) -> str:
        """Comma-separated wire numbers, for a request's `port` field."""
        return ",".join(str(self.to_wire(port)) for port in ports)

    def ref(self, wire: int, slot: str | None) -> SlotRef | None:
        """The user's `SlotRef` of a wire port and raw slot (letters, digits, or None for single-SIM)."""
        port = self.from_wire(wire)
        if port is None:
            return None
        number = slot_to_number(slot)
        return None if number is None else SlotRef(port, number)


def slot_to_number(slot: str | None) -> int | None:
    """1-based slot of a raw Synway slot: None (`(-1)`, single SIM) is 1, `A`-`D` are 1-4, digits count from 1."""
    if slot is None:
        return 1
    if slot.isascii() and slot.isdigit():
        number = int(slot)
    elif slot.isascii() and slot.isalpha():
        number = slot_number(slot)
    else:
        return None
    return number if 1 <= number <= MAX_SLOT else None


def raw_label(wire: int, slot: str | None) -> str:
    """How the device wrote a port and slot, for records whose port cannot be mapped: `9(A)`, `9(-1)`."""
    return f"{wire}({slot or '-1'})"


def detect_base(port_count: int, wire_ports: Iterable[int]) -> int | None:
    """0 or 1 when the port numbers decide it, else None.

    0-based: the numbers include 0 and stay below N. 1-based: they include N and stay above 0.
    """
    numbers = set(wire_ports)
    if not numbers or port_count < 1:
        return None
    if min(numbers) == 0 and max(numbers) <= port_count - 1:
        return 0
    if max(numbers) == port_count and min(numbers) >= 1:
        return 1
    return None
