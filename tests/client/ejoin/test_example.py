"""`examples/send_and_receive.py` runs its whole walk-through against the simulator."""

from __future__ import annotations

import importlib.util
from pathlib import Path
import random
from types import ModuleType

from custom_components.gsm_gateway.client.checks import check_imei
from simulator.ejoin import EjoinSimulator

EXAMPLE = Path(__file__).parents[3] / "examples" / "send_and_receive.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("send_and_receive", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_example_sends_receives_reads_back_and_changes_an_imei(sim: EjoinSimulator) -> None:
    example = load_example()
    lines: list[str] = []
    args = example.parse_args(
        ["--vendor", "ejoin", "--url", sim.url, "--username", "root", "--password", sim.password, "--timeout", "10"]
    )
    imeis_before = {slot.imei for port in sim.ports for slot in port.slots}
    assert await example.run(args, lines.append) == 0
    output = "\n".join(lines)
    assert "Connected to a ejoin gateway: 4 ports x 2 slots." in output
    assert "Taking the gateway's push target over" in output
    assert output.count(": accepted (task ") == 3
    assert "Pushed: 'Hello from the example" in output
    assert "Read back by cursor after 1 page(s)" in output
    assert "The pushed and the polled copy have the same message id." in output
    assert "IMEI of 1A changed: 1/1 parameter(s) confirmed." in output
    assert "Push target given back (cleared)." in output
    assert "+4915111111111" not in output  # numbers are masked in the output
    assert len(sim.requests_to("/goip_post_sms.html")[0].json()["tasks"]) == 3
    assert sim.ports[0].slots[0].imei not in imeis_before
    assert (sim.sms_url, sim.status_period) == (None, 0)


def test_example_helpers() -> None:
    example = load_example()
    assert example.masked("+4915111111111") == "+491***11"
    assert example.masked("12345") == "12345"
    imei = example.luhn_imei(random.Random(1))  # noqa: S311 - a test IMEI
    assert check_imei(imei) == imei
