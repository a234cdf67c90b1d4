"""Which `txsms` encoding a text needs, and the documented length limits, checked before anything is sent.

Synway takes `encoding` 0 (7-bit, at most 600 characters) or 8 (UCS-2, at most 300). Lengths are counted
conservatively (`client/sms_text.py`): on 7-bit, characters of the GSM extension table (`€`, `[`, `{`, ...) count
twice, as they take two septets; on UCS-2, characters outside the Basic Multilingual Plane (emoji) count twice, as
they take two UTF-16 code units.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..exceptions import GatewayRequestError
from ..models import Encoding
from ..sms_text import gsm7_length, ucs2_length

__all__ = ["EncodedText", "choose_encoding", "gsm7_length", "ucs2_length"]

WIRE_GSM7 = "0"
WIRE_UCS2 = "8"
MAX_GSM7_LENGTH = 600
MAX_UCS2_LENGTH = 300


@dataclass(frozen=True, slots=True, kw_only=True)
class EncodedText:
    """The `encoding` field to send and the counted length."""

    wire_code: str
    length: int


def choose_encoding(text: str, requested: Encoding) -> EncodedText:
    """Pick the wire encoding (AUTO: 7-bit when possible) and enforce the limits with `GatewayRequestError`."""
    if not text:
        msg = "the text is empty"
        raise GatewayRequestError(msg)
    septets = gsm7_length(text)
    if requested is Encoding.GSM7 and septets is None:
        msg = "the text has characters outside the GSM 7-bit alphabet; use UCS-2 or AUTO"
        raise GatewayRequestError(msg)
    if requested is not Encoding.UCS2 and septets is not None:
        if septets > MAX_GSM7_LENGTH:
            msg = f"the text takes {septets} 7-bit characters; Synway accepts at most {MAX_GSM7_LENGTH}"
            raise GatewayRequestError(msg)
        return EncodedText(wire_code=WIRE_GSM7, length=septets)
    units = ucs2_length(text)
    if units > MAX_UCS2_LENGTH:
        msg = f"the text takes {units} UCS-2 characters; Synway accepts at most {MAX_UCS2_LENGTH}"
        raise GatewayRequestError(msg)
    return EncodedText(wire_code=WIRE_UCS2, length=units)
