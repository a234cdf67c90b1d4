"""Realistic, deterministic SIM data for simulated gateways (Luhn-valid IMEIs and ICCIDs, plausible IMSIs)."""

from __future__ import annotations

from dataclasses import dataclass
import random

# (MCC+MNC, operator name, country calling code, ICCID issuer prefix)
OPERATORS: tuple[tuple[str, str, str, str], ...] = (
    ("26201", "Telekom.de", "49", "894901"),
    ("26202", "Vodafone.de", "49", "894902"),
    ("20801", "Orange F", "33", "893301"),
    ("23415", "Vodafone UK", "44", "894415"),
    ("31026", "T-Mobile US", "1", "890126"),
    ("46000", "China Mobile", "86", "898600"),
)


def luhn_check_digit(digits: str) -> str:
    """Check digit that makes `digits + check` pass the Luhn test."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """True when `number` passes the Luhn test."""
    return number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


@dataclass
class SimCard:
    """A SIM card in a slot."""

    iccid: str
    imsi: str
    number: str
    operator_code: str
    operator_name: str
    balance: float


def make_imei(rng: random.Random) -> str:
    """A Luhn-valid 15-digit IMEI with a real-looking TAC."""
    body = "86" + "".join(str(rng.randrange(10)) for _ in range(12))
    return body + luhn_check_digit(body)


def make_sim(rng: random.Random) -> SimCard:
    """A SIM card from one of the known operators."""
    code, name, country, issuer = rng.choice(OPERATORS)
    iccid_body = issuer + "".join(str(rng.randrange(10)) for _ in range(19 - len(issuer)))
    return SimCard(
        iccid=iccid_body + luhn_check_digit(iccid_body),
        imsi=code + "".join(str(rng.randrange(10)) for _ in range(15 - len(code))),
        number="+" + country + "".join(str(rng.randrange(10)) for _ in range(10)),
        operator_code=code,
        operator_name=name,
        balance=round(rng.uniform(0.5, 60.0), 2),
    )
