"""Fixtures: the Home Assistant fixtures of tests/e2e, and a simulator whose secrets are planted, recognisable values.

Every identifier the simulator hands out (password, IMEIs, IMSIs, ICCIDs, SIM numbers) is replaced by a value that
occurs nowhere else, so a search for it in logs, errors or diagnostics finds leaks and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, is_dataclass
from typing import Any

import pytest

from simulator import GatewaySimulator
from simulator.data import SimCard, luhn_check_digit
from tests.conftest import SimulatorFactory
from tests.e2e.conftest import auto_enable_custom_integrations, config_entry, init_integration  # noqa: F401 - fixtures

PLANTED_PASSWORD = "Pl4nted-Passw0rd-7f3a"  # a value to search for, not a credential


@dataclass
class Planted:
    """The recognisable values in one simulator."""

    password: str = PLANTED_PASSWORD
    imeis: list[str] = field(default_factory=list)
    imsis: list[str] = field(default_factory=list)
    iccids: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)

    def needles(self) -> dict[str, str]:
        """What must never appear, by kind: full identifiers, numbers with and without `+`."""
        found = {self.password: "password"}
        found |= dict.fromkeys(self.imeis, "IMEI") | dict.fromkeys(self.imsis, "IMSI")
        found |= dict.fromkeys(self.iccids, "ICCID")
        for number in self.numbers:
            found[number] = found[number.lstrip("+")] = "phone number"
        return found


def _with_check_digit(body: str) -> str:
    return body + luhn_check_digit(body)


def plant(sim: GatewaySimulator) -> Planted:
    """Replace every SIM card's identifiers and every module's IMEI in the simulator's state."""
    planted = Planted(password=sim.password)
    seen: set[int] = set()

    def visit(value: Any, depth: int) -> None:
        if depth > 6 or id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, SimCard):
            index = len(planted.iccids) + 1
            value.iccid = _with_check_digit(f"89497733{index:010d}")
            value.imsi = f"262017733{index:06d}"
            value.number = f"+491557733{index:04d}"
            planted.iccids.append(value.iccid)
            planted.imsis.append(value.imsi)
            planted.numbers.append(value.number)
            return
        if isinstance(value, dict):
            for item in value.values():
                visit(item, depth + 1)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item, depth + 1)
        elif is_dataclass(value) and type(value).__module__.startswith("simulator"):
            if isinstance(getattr(value, "imei", None), str):
                value.imei = _with_check_digit(f"356177330{len(planted.imeis) + 1:05d}")  # type: ignore[attr-defined]
                planted.imeis.append(value.imei)  # type: ignore[attr-defined]
            for item in vars(value).values():
                visit(item, depth + 1)

    for attribute in ("ports", "state"):
        if hasattr(sim, attribute):
            visit(getattr(sim, attribute), 0)
    if hasattr(sim, "state"):
        visit(vars(sim.state), 0)
    assert planted.iccids, "no SIM card found to plant values in"
    return planted


@pytest.fixture
def vendor() -> str:
    """The dialect under test; parametrize with `@pytest.mark.parametrize("vendor", [...])`."""
    return "ejoin"


@pytest.fixture
async def sim(simulator_factory: SimulatorFactory, vendor: str) -> GatewaySimulator:
    """A 4-port x 2-slot simulator with the planted password and identifiers."""
    simulator = await simulator_factory(vendor, ports=4, slots=2, password=PLANTED_PASSWORD)
    simulator.planted = plant(simulator)  # type: ignore[attr-defined]
    return simulator
