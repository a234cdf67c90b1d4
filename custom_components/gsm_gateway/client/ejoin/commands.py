"""Formatting of `goip_send_cmd.html` requests: port lists, JSON commands and `op=set`/`op=get` parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
import re
from typing import Any
from urllib.parse import quote

from ..checks import MAX_PHONE_DIGITS, is_phone_number
from ..exceptions import GatewayRequestError
from ..models import RedialMode
from ..ports import SlotRef, format_selector

LETTER_SLOTS = 26  # beyond Z the client writes the dotted form, which the device documents up to 2 digits

_PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\([0-9]{1,5}\))?$")
# Characters left as they are in an `op=set` value: enough for a readable URL; `&`, `=`, `%`, `+` and
# whitespace are percent-encoded because they would break the `name=value&name=value` body.
_VALUE_SAFE = "/:?@!$'()*,;~.-_"


class CommandOp(StrEnum):
    """Operations of the JSON command body."""

    LOCK = "lock"
    UNLOCK = "unlock"
    SWITCH = "switch"
    RESET = "reset"
    SAVE = "save"
    REBOOT = "reboot"
    REDIAL = "redial"
    LED_ON = "ledon"
    LED_OFF = "ledoff"


@dataclass(frozen=True, slots=True, kw_only=True)
class EjoinCommand:
    """One command; several go into one `op=multiple` request."""

    op: CommandOp
    ports: str | None = None  # wire notation, see `wire_ports`
    mode: RedialMode | None = None  # redial only
    delay: int | None = None  # redial in flight mode only: seconds to wait after registering

    def to_wire(self) -> dict[str, Any]:
        """The command's JSON attributes."""
        wire: dict[str, Any] = {"op": self.op.value}
        if self.ports is not None:
            wire["ports"] = self.ports
        if self.mode is not None:
            wire["mode"] = int(self.mode)
        if self.delay is not None:
            wire["delay"] = self.delay
        return wire


def wire_label(ref: SlotRef) -> str:
    """A port in command notation: `5`, `1A`, or `1.27` for slots past Z."""
    if ref.slot is None or ref.slot <= LETTER_SLOTS:
        return ref.label
    return ref.dotted


def wire_ports(refs: Iterable[SlotRef]) -> str:
    """A `ports` value such as `1A,2B,4-32`; whole ports are folded into ranges."""
    refs = list(refs)
    lettered = [ref for ref in refs if ref.slot is None or ref.slot <= LETTER_SLOTS]
    dotted = [ref.dotted for ref in refs if ref.slot is not None and ref.slot > LETTER_SLOTS]
    return ",".join(part for part in (format_selector(lettered), *dotted) if part)


def port_numbers(ports: Iterable[int]) -> str:
    """Port numbers (reset takes no slots) folded into ranges: `1-4,6`."""
    try:
        return format_selector(SlotRef(port) for port in ports)
    except ValueError as err:
        raise GatewayRequestError(f"not a port number: {err}") from None


def command_body(command: EjoinCommand) -> dict[str, Any]:
    """JSON body of one command."""
    return {"type": "command", **command.to_wire()}


def check_parameter_name(name: str) -> str:
    """A parameter name such as `sms_url` or `sim_imei(21)`; anything else is refused before sending."""
    if not _PARAMETER_NAME.match(name):
        raise GatewayRequestError("parameter names are letters, digits and '_', with an optional '(n)' index")
    return name


def encode_parameters(values: Mapping[str, str]) -> str:
    """Plain-text `op=set` body: `sim_imei(21)=865847053403202&sms_url=http://...`."""
    if not values:
        raise GatewayRequestError("no parameters to set")
    return "&".join(f"{check_parameter_name(name)}={quote(value, safe=_VALUE_SAFE)}" for name, value in values.items())


def check_sim_number(number: str) -> str:
    """A phone number of up to 20 digits with an optional `+`; empty clears the stored number."""
    number = number.strip()
    if number and not is_phone_number(number):
        raise GatewayRequestError(f"a SIM number is up to {MAX_PHONE_DIGITS} digits 0-9 with an optional leading '+'")
    return number
