"""How long an SMS text is on the air: GSM 7-bit septets, UCS-2 units, and the segments (billed SMS) it takes.

3GPP TS 23.038 / 23.040: a single SMS carries 160 GSM 7-bit septets or 70 UCS-2 units; a concatenated one loses
room to its header and carries 153 septets or 67 units per segment. Characters of the GSM extension table (`€`,
`[`, `{`, ...) take two septets; characters outside the Basic Multilingual Plane (emoji) take two UTF-16 units.
Shared by the dialects that check lengths before sending (Synway's character limits, Dinstar's encoding word,
Skyline/EJOIN's segment limit).
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from .models import Encoding

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE = 160
GSM7_PER_SEGMENT = 153
UCS2_SINGLE = 70
UCS2_PER_SEGMENT = 67


def gsm7_length(text: str) -> int | None:
    """Septets `text` takes in the GSM 7-bit default alphabet, or None when it cannot be written in it."""
    length = 0
    for char in text:
        if char in GSM7_BASIC:
            length += 1
        elif char in GSM7_EXTENSION:
            length += 2
        else:
            return None
    return length


def is_gsm7(text: str) -> bool:
    """True when every character of `text` is in the GSM 7-bit alphabet (with its extension table)."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def ucs2_length(text: str) -> int:
    """UTF-16 code units of `text`."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


@dataclass(frozen=True, slots=True, kw_only=True)
class SegmentCount:
    """How a text goes on the air: the alphabet counted (GSM7 or UCS2), its length in it, and the segments."""

    encoding: Encoding
    length: int
    segments: int


def count_segments(text: str, encoding: Encoding = Encoding.AUTO) -> SegmentCount:
    """Segments of `text` sent with `encoding`; AUTO is GSM 7-bit when the text fits the alphabet, else UCS-2.

    GSM7 asked for a text outside the alphabet is counted as UCS-2: the larger count, which never underestimates.
    """
    septets = None if encoding is Encoding.UCS2 else gsm7_length(text)
    if septets is not None:
        segments = 1 if septets <= GSM7_SINGLE else math.ceil(septets / GSM7_PER_SEGMENT)
        return SegmentCount(encoding=Encoding.GSM7, length=septets, segments=segments)
    units = ucs2_length(text)
    segments = 1 if units <= UCS2_SINGLE else math.ceil(units / UCS2_PER_SEGMENT)
    return SegmentCount(encoding=Encoding.UCS2, length=units, segments=segments)
