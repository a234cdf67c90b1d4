"""What the client sends a device, checked the same way by every dialect before any request goes out.

Digits are ASCII digits `0-9` only. Python's `str.isdigit()`, `int()` and the regex escape for digits also accept
full-width (U+FF11), Arabic-Indic (U+0661) and other digits, which gateways do not understand; nothing here does.

| what | rule |
|---|---|
| phone number (recipients, SIM numbers, forwarding, query filters) | optional `+`, then 1-20 digits (Dinstar 24) |
| IMEI | exactly 15 digits with a valid Luhn check digit |
| USSD code | 1 or more of `0-9 * # +` (each dialect adds its own length limit) |
| proxy name, proxy user name and password, URL pattern (EJOIN v2.2) | printable ASCII without spaces (`!` to `~`) |

Every refusal is a `GatewayRequestError` whose message says what a valid value looks like and never repeats the
value itself (it may be a phone number, or a password).
"""

from __future__ import annotations

import re

from .exceptions import GatewayRequestError
from .imei import IMEI_LENGTH, luhn_valid

MAX_PHONE_DIGITS = 20  # E.164 has at most 15 digits; the rest is room for dialling prefixes
USSD_CHARACTERS = "0-9, *, # and +"

_PHONE_NUMBER = re.compile(r"\+?[0-9]+")
_USSD_CODE = re.compile(r"[0-9*#+]+")
_PRINTABLE_ASCII = re.compile(r"[!-~]+")  # 0x21-0x7E: printable ASCII, no space


def is_phone_number(number: str, max_digits: int = MAX_PHONE_DIGITS) -> bool:
    """True for `+` (optional) and 1 to `max_digits` ASCII digits, nothing else (no spaces, no other digits)."""
    return _PHONE_NUMBER.fullmatch(number) is not None and len(number.removeprefix("+")) <= max_digits


def check_phone_number(number: str, what: str = "a phone number", *, max_digits: int = MAX_PHONE_DIGITS) -> str:
    """`number` without surrounding whitespace when it is a phone number; else `GatewayRequestError`.

    `max_digits` is for a dialect whose document allows longer numbers (Dinstar: 24 bytes).
    """
    number = number.strip()
    if not is_phone_number(number, max_digits):
        msg = f"{what} is 1-{max_digits} digits 0-9 with an optional leading '+'"
        raise GatewayRequestError(msg)
    return number


def check_imei(imei: str) -> str:
    """A 15-digit IMEI with a valid Luhn check digit (surrounding whitespace removed); else `GatewayRequestError`."""
    imei = imei.strip()
    if len(imei) != IMEI_LENGTH or not imei.isascii() or not imei.isdigit():
        msg = f"an IMEI has exactly {IMEI_LENGTH} digits 0-9"
        raise GatewayRequestError(msg)
    if not luhn_valid(imei):
        msg = "the IMEI's check digit is wrong (Luhn)"
        raise GatewayRequestError(msg)
    return imei


def check_ussd_code(code: str, max_length: int) -> str:
    """A USSD code of `0-9 * # +` only, 1 to `max_length` characters (surrounding whitespace removed)."""
    code = code.strip()
    if not code or len(code) > max_length or _USSD_CODE.fullmatch(code) is None:
        msg = f"a USSD code is 1-{max_length} characters of {USSD_CHARACTERS}"
        raise GatewayRequestError(msg)
    return code


def check_printable_ascii(value: str, max_length: int, what: str) -> str:
    """`value` when it is 1 to `max_length` printable ASCII characters without spaces; else `GatewayRequestError`."""
    if not 1 <= len(value) <= max_length or _PRINTABLE_ASCII.fullmatch(value) is None:
        msg = f"{what} must be 1-{max_length} printable ASCII characters without spaces"
        raise GatewayRequestError(msg)
    return value
