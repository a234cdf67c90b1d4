"""What may leave the client in an error text: no credentials, and no phone numbers or SIM/module identifiers.

Device answers end up in exception messages (`GatewayCommandError(code, reason)`), and exception messages end up
in Home Assistant's log and UI. Firmware echoes what it was sent or what it knows: the password, the recipient's
number, the IMEI, IMSI or ICCID. Every dialect passes device texts through here (the same rule everywhere):

- credential-like query parameters (`password=...`, `auth=...`, ...) lose their values, and the password itself is
  removed wherever it appears;
- every run of `MIN_IDENTIFIER_DIGITS` or more digits, with an optional `+` in front (phone numbers, IMEIs, IMSIs,
  ICCIDs, and anything shaped like them), becomes `IDENTIFIER_PLACEHOLDER`; result codes have at most 3 digits;
- a device's reason text is cut at `MAX_REASON_LENGTH` characters.

`GatewayCommandError` applies `scrub_identifiers` to its code and reason itself, so a dialect cannot forget it.
"""

from __future__ import annotations

import re

SECRET_QUERY_KEYS = frozenset({"username", "password", "auth", "session", "user", "pwd", "pass"})
IDENTIFIER_PLACEHOLDER = "***"
MIN_IDENTIFIER_DIGITS = 5
MAX_REASON_LENGTH = 120
NO_REASON = "no reason given"

_SECRET_IN_TEXT = re.compile(r"(?i)\b(username|password|auth|session|pwd|pass)=([^&\s\"']*)")
# Any Unicode digit counts: a number written in other digits is still the number.
_DIGIT_RUN = re.compile(r"\+?\d{%d,}" % MIN_IDENTIFIER_DIGITS)  # noqa: UP031 - a regex, not a message


def scrub_url(url: object) -> str:
    """Return `url` with the values of credential-like query parameters replaced by `***`."""
    return _SECRET_IN_TEXT.sub(lambda match: f"{match[1]}=***", str(url))


def scrub_text(text: str, *secrets: str) -> str:
    """Remove `secrets` and credential-like query parameters from free text."""
    text = scrub_url(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def scrub_identifiers(text: str) -> str:
    """`text` with every run of 5 or more digits (and a `+` before it) replaced by `***`."""
    return _DIGIT_RUN.sub(IDENTIFIER_PLACEHOLDER, text)


def safe_reason(content: object, password: str = "") -> str:
    """A device's reason text fit for an error message: one line, short, without secrets or identifiers."""
    text = content if isinstance(content, str) else type(content).__name__
    text = scrub_identifiers(scrub_text(" ".join(text.split()), password))
    return text[:MAX_REASON_LENGTH] or NO_REASON


def safe_code(code: int | str | None) -> int | str | None:
    """A device's result code, unless it looks like an identifier (then the placeholder)."""
    if code is None:
        return None
    text = scrub_identifiers(str(code))
    if text == str(code):
        return code if isinstance(code, int) else text[:MAX_REASON_LENGTH]
    return text[:MAX_REASON_LENGTH]
