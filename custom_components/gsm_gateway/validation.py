"""What users type, checked once: phone numbers, IMEIs and port selectors (one rule each, everywhere).

- A phone number is 3 to 20 ASCII digits with an optional leading `+` (short codes, national and international
  numbers; E.164 has at most 15 digits, the rest is room for dialling prefixes). Spaces, dashes, dots and brackets
  people type are removed first. Other digits (full-width, Arabic-Indic) are refused: gateways send ASCII.
- An IMEI is 15 ASCII digits whose last one is the Luhn check digit.
- A host is an IPv4 or IPv6 address (brackets optional) or a DNS name, nothing else: no scheme, user, path or port
  (the port has its own field).
- Ports are written like everywhere in this product (`client.parse_selector`): `1A`, `1.01`, `3`, `1A,2B,4-8`, `all`.

Errors are translated `ServiceValidationError`s that never echo more than the entry they are about.
"""

from __future__ import annotations

import ipaddress
import re

from homeassistant.exceptions import ServiceValidationError

from .client import IMEI_LENGTH, DeviceInfo, SlotRef, luhn_valid, parse_selector
from .const import DOMAIN

PHONE_NUMBER = re.compile(r"^\+?[0-9]{3,20}$")
SEPARATORS = re.compile(r"[\s\-().]")
HOST_NAME = re.compile(
    r"^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$"
)
ENTRY_SHOWN = 24  # characters of a bad entry an error message repeats


def clean_number(raw: str) -> str | None:
    """A phone number without the separators people type (`+49 170 123-45`), or None when it is not one."""
    number = SEPARATORS.sub("", raw)
    return number if PHONE_NUMBER.match(number) else None


def clean_host(raw: str) -> str | None:
    """The address of a gateway as typed (blanks removed), or None when it is not a bare address or host name."""
    host = raw.strip()
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        return host if bare == host and HOST_NAME.match(host) else None
    return host


def quoted_entry(raw: str) -> str:
    """A bad entry as an error message names it: quoted, without control characters, at most `ENTRY_SHOWN` long."""
    entry = "".join(char for char in raw.strip() if char.isprintable())
    return f"“{entry[:ENTRY_SHOWN]}…”" if len(entry) > ENTRY_SHOWN else f"“{entry}”"


def check_phone_number(raw: str, error_key: str) -> str:
    """A phone number (see `clean_number`), or the translated error `error_key`."""
    number = clean_number(raw)
    if number is None:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key=error_key)
    return number


def check_imei(raw: str) -> str:
    """A 15-digit IMEI with a valid check digit; else a translated error that says which (never the value)."""
    imei = SEPARATORS.sub("", raw)
    if len(imei) != IMEI_LENGTH or not imei.isascii() or not imei.isdigit():
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="imei_length", translation_placeholders={"count": str(len(imei))}
        )
    if not luhn_valid(imei):
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="imei_check_digit")
    return imei


def parse_ports(selector: str, device: DeviceInfo) -> list[SlotRef]:
    """The ports (and slots) a selector names on this gateway, or a translated error."""
    try:
        return parse_selector(selector, port_count=device.port_count, slot_count=device.slot_count)
    except ValueError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_port",
            translation_placeholders={"port": selector, "ports": str(device.port_count)},
        ) from err
