"""Port and SIM-slot notation.

Every gateway family writes ports differently, sometimes several ways in one payload: `1A`, `1.01`, `1.1`,
`1(A)`, `1.A`, a bare port number, or pool forms of SIM-bank models. The client turns all of them into a
`SlotRef` (1-based port, 1-based slot), whose canonical label is the port number plus a slot letter: `1A`.

Decisions (see docs/protocol-ejoin.md):
- Slot letters run `A`..`Z`, then `AA`..`AZ`, `BA`.. like spreadsheet columns, so 32-slot ports stay unambiguous.
- A bare port number (`"5"`) is a port without a slot: `SlotRef(5, None)`, label `5`.
- A pool form (SIM-bank models: numbers joined by more than one dot, `3.02.17`) is read as port, pool position,
  slot: the first number is the port, the last the port's slot, the ones between (the card's bank or board in the
  pool) stay in the raw label only. `3.02.17` is `3Q`. No document describes these labels: this is a guess.
- A notation we cannot read is never an error: `parse_label` returns `None` and callers keep the raw text.
- Digits are ASCII `0-9` only: an Arabic-Indic (U+0661) or full-width (U+FF11) one is not a port number, although
  `int()` reads them (the gateways would not).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import re

from .exceptions import GatewayRequestError

_LETTER_FORM = re.compile(r"^0*([0-9]{1,4})\s*\(?\s*\.?([A-Za-z]{1,2})\)?$")
_DOTTED_FORM = re.compile(r"^0*([0-9]{1,4})\.([0-9]{1,3})$")
_PORT_ONLY = re.compile(r"^0*([0-9]{1,4})$")
_SINGLE_SLOT_FORM = re.compile(r"^0*([0-9]{1,4})\s*\(\s*-1\s*\)$")
_POOL_FORM = re.compile(r"^0*([0-9]{1,4})(?:\.[0-9]{1,4}){1,3}\.([0-9]{1,3})$")
_RANGE = re.compile(r"^0*([0-9]{1,4})\s*-\s*0*([0-9]{1,4})$")
# An item a refusal may repeat: written with the characters of port notation only, and short.
_NAMEABLE = re.compile(r"[0-9A-Za-z.()\- ]{1,16}")

MAX_PORT = 1024
MAX_SLOT = 64


def slot_letter(slot: int) -> str:
    """Return the letter(s) of a 1-based slot: 1 → A, 26 → Z, 27 → AA."""
    if slot < 1:
        msg = f"slot must be >= 1, got {slot}"
        raise ValueError(msg)
    letters = ""
    while slot:
        slot, remainder = divmod(slot - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def slot_number(letters: str) -> int:
    """Return the 1-based slot of letter(s): A → 1, Z → 26, AA → 27."""
    if not letters or not letters.isascii() or not letters.isalpha():
        msg = "slot letters must be A-Z"
        raise ValueError(msg)
    number = 0
    for char in letters.upper():
        number = number * 26 + (ord(char) - ord("A") + 1)
    return number


@dataclass(frozen=True, order=True, slots=True)
class SlotRef:
    """A port (1-based) and optionally one of its SIM slots (1-based)."""

    port: int
    slot: int | None = None

    def __post_init__(self) -> None:
        """Reject numbers no gateway has; they come from untrusted input."""
        if not 1 <= self.port <= MAX_PORT:
            msg = f"port must be 1..{MAX_PORT}"
            raise ValueError(msg)
        if self.slot is not None and not 1 <= self.slot <= MAX_SLOT:
            msg = f"slot must be 1..{MAX_SLOT}"
            raise ValueError(msg)

    @property
    def label(self) -> str:
        """Canonical label: `1A`, or `1` for a whole port."""
        return str(self.port) if self.slot is None else f"{self.port}{slot_letter(self.slot)}"

    @property
    def dotted(self) -> str:
        """Dotted notation used in some payloads: `1.01`."""
        return f"{self.port}.{self.slot or 1:02d}"

    def with_slot(self, slot: int) -> SlotRef:
        """Return the same port with `slot`."""
        return SlotRef(self.port, slot)

    def __str__(self) -> str:
        """Return the canonical label."""
        return self.label


def parse_label(raw: object) -> SlotRef | None:  # noqa: PLR0911 - one return per notation
    """Read one port label in any known notation; `None` when it is not one we know."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return SlotRef(raw) if 1 <= raw <= MAX_PORT else None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    try:
        if match := _LETTER_FORM.match(text):
            return SlotRef(int(match[1]), slot_number(match[2]))
        if match := _DOTTED_FORM.match(text):
            return SlotRef(int(match[1]), int(match[2]))
        if match := _PORT_ONLY.match(text):
            return SlotRef(int(match[1]))
        if match := _SINGLE_SLOT_FORM.match(text):
            return SlotRef(int(match[1]), 1)
        if match := _POOL_FORM.match(text):
            return SlotRef(int(match[1]), int(match[2]))
    except ValueError:
        return None
    return None


def canonical_label(raw: object) -> str:
    """Return the canonical label of `raw`, or its stripped text when the notation is unknown."""
    ref = parse_label(raw)
    if ref is not None:
        return ref.label
    return str(raw).strip()


def parse_selector(text: str, *, port_count: int, slot_count: int = 1) -> list[SlotRef]:
    """Expand a user's port list such as `1A,2B,4-32,all` (also `*`) into references.

    Plain ports and ranges select whole ports (`slot=None`). Raises `GatewayRequestError` (a `ValueError`) naming
    the bad item when it is written in port notation characters (ASCII letters and digits, `.`, `-`, brackets; at
    most 16); any other item (other digits, other text) is refused without being repeated.
    """
    refs: list[SlotRef] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item.lower() in {"all", "*"}:
            refs.extend(SlotRef(port) for port in range(1, port_count + 1))
            continue
        if match := _RANGE.match(item):
            first, last = int(match[1]), int(match[2])
            if not 1 <= first <= last <= port_count:
                msg = f"port range {item!r} is outside 1-{port_count}"
                raise GatewayRequestError(msg)
            refs.extend(SlotRef(port) for port in range(first, last + 1))
            continue
        ref = parse_label(item)
        if ref is None:
            named = repr(item) if _NAMEABLE.fullmatch(item) else "an item"
            msg = f"{named} is not a port (examples: 1, 1A, 2.02, 4-8, all; digits 0-9)"
            raise GatewayRequestError(msg)
        if ref.port > port_count or (ref.slot or 1) > max(slot_count, 1):
            msg = f"port {item!r} does not exist on this gateway ({port_count} ports x {slot_count} slots)"
            raise GatewayRequestError(msg)
        refs.append(ref)
    return list(dict.fromkeys(refs))


def format_selector(refs: Iterable[SlotRef]) -> str:
    """Write references for a command's `ports` field, folding runs of whole ports into ranges: `1A,2B,4-32`."""
    refs = list(refs)  # read twice below; a generator would be empty the second time
    labels: list[str] = []
    whole_ports = sorted({ref.port for ref in refs if ref.slot is None})
    labels.extend(ref.label for ref in refs if ref.slot is not None)
    run_start: int | None = None
    previous = 0
    for port in [*whole_ports, None]:
        if port is not None and run_start is not None and port == previous + 1:
            previous = port
            continue
        if run_start is not None:
            labels.append(str(run_start) if run_start == previous else f"{run_start}-{previous}")
        if port is not None:
            run_start = previous = port
    return ",".join(labels)


def sim_index(ref: SlotRef, slots_per_port: int) -> int:
    """Index `n` of `sim_imei(n)` / `sim_number(n)`: `(port-1)*slots + (slot-1)`."""
    slot = ref.slot or 1
    if slots_per_port < 1 or slot > slots_per_port:
        msg = f"slot {slot} does not exist with {slots_per_port} slots per port"
        raise ValueError(msg)
    return (ref.port - 1) * slots_per_port + (slot - 1)


def ref_from_sim_index(index: int, slots_per_port: int) -> SlotRef:
    """Inverse of `sim_index`."""
    if index < 0 or slots_per_port < 1:
        msg = "index and slots per port must be positive"
        raise ValueError(msg)
    port, slot = divmod(index, slots_per_port)
    return SlotRef(port + 1, slot + 1)
