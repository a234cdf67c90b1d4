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


class DemoMessages:
    """Incoming SMS for the demo (`--demo`): plausible texts, and never the same text twice.

    Every text carries numbers drawn from the system's randomness, not from the simulator's seeded RNG: a seeded
    demo would otherwise start every run with the same message, which looks like a duplicate to anyone checking
    that each SMS fires exactly once. Within a run a text is never repeated. Clock times are real times of day.
    """

    SENDERS = ("+4915112345678", "+33612345678", "+447700900123", "10086")

    def __init__(self, rng: random.Random | None = None) -> None:
        """`rng` only for tests; the demo uses the system's randomness."""
        self._rng = rng or random.SystemRandom()
        self._used: set[str] = set()

    def _clock(self) -> str:
        return f"{self._rng.randrange(7, 21):02d}:{self._rng.choice((0, 15, 30, 45)):02d}"

    def _code(self, digits: int) -> str:
        return "".join(str(self._rng.randrange(10)) for _ in range(digits))

    def _draw(self) -> tuple[str, str]:
        person = self._rng.choice(self.SENDERS)
        choices = (
            ("Google", f"G-{self._code(6)} is your Google verification code."),
            (person, f"Your code is {self._code(6)}. It expires in 10 minutes."),
            ("ALDI TALK", f"Balance low: {self._rng.randrange(50, 500) / 100:.2f} EUR left (ref. {self._code(6)})."),
            (person, f"Meeting moved to {self._clock()}, room {self._code(3)}. See you there!"),
            (person, f"Parcel {self._code(10)} arrives today between {self._clock()} and 21:00."),
            (person, f"Grüße aus der Demo 👋 Rückruf um {self._clock()}? (Nr. {self._code(4)})"),
        )
        return self._rng.choice(choices)

    def next(self) -> tuple[str, str]:
        """The next SMS: (sender, text)."""
        while True:
            sender, text = self._draw()
            if text not in self._used:
                self._used.add(text)
                return sender, text
