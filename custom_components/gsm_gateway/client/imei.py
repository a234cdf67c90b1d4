"""IMEI checks shared by the client (before a request) and the integration (before an action runs)."""

from __future__ import annotations

IMEI_LENGTH = 15


def luhn_valid(digits: str) -> bool:
    """True when `digits` passes the Luhn check (the IMEI's last digit)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
