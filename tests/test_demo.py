"""The demo's scripts (`scripts/develop` and its Python helpers): which gateways it runs, and how."""

from __future__ import annotations

from collections.abc import Iterator
import importlib
from pathlib import Path
import subprocess
import sys
from types import ModuleType

import pytest

from simulator.__main__ import parse_args
from simulator.ejoin import EjoinSimulator

SCRIPTS = Path(__file__).parents[1] / "scripts"


@pytest.fixture
def demo_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """`scripts/demo_settings.py`, imported the way the scripts import each other."""
    monkeypatch.syspath_prepend(str(SCRIPTS))
    yield importlib.import_module("demo_settings")
    sys.modules.pop("demo_settings", None)


def test_sim_bank_gateway(demo_settings: ModuleType) -> None:
    ejoin, sim_bank = demo_settings.selected_gateways(["sim-bank"])
    assert (ejoin.name, sim_bank.name, sim_bank.vendor) == ("ejoin", "sim-bank", "ejoin")
    args = parse_args(sim_bank.command_line())
    assert (args.vendor, args.ports, args.slots, args.variant, args.demo) == ("ejoin", 64, 32, ["label_pool"], True)
    assert args.listen == f"127.0.0.1:{sim_bank.port}"
    # A second EJOIN gateway must be another device: its seed gives it another MAC.
    macs = {EjoinSimulator(ports=1, slots=1, seed=parse_args(g.command_line()).seed).mac for g in (ejoin, sim_bank)}
    assert len(macs) == 2


def test_every_demo_gateway_starts_from_its_command_line(demo_settings: ModuleType) -> None:
    for gateway in demo_settings.GATEWAYS.values():
        args = parse_args(gateway.command_line())
        assert (args.vendor, args.ports, args.slots) == (gateway.vendor, gateway.ports, gateway.slots)
    with pytest.raises(SystemExit, match="unknown demo gateway"):
        demo_settings.selected_gateways(["fax"])


def test_develop_reads_one_line_per_gateway() -> None:
    """What `scripts/develop` splits: name, port, then the simulator's arguments, none with a space."""
    lines = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPTS / "demo_settings.py"), "synway", "sim-bank"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["ejoin", "synway", "sim-bank"]
    _name, port, *arguments = lines[2].split()
    assert parse_args(arguments).listen == f"127.0.0.1:{port}"
