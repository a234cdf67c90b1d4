"""What every simulator shares: a JSON-only control API, and demo messages that never repeat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import random
import re

from aiohttp import ClientSession
import pytest

from simulator import VENDORS, GatewaySimulator
from simulator.data import DemoMessages
from tests.conftest import SimulatorFactory


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as client_session:
        yield client_session


@pytest.fixture(params=VENDORS)
async def sim(request: pytest.FixtureRequest, simulator_factory: SimulatorFactory) -> GatewaySimulator:
    return await simulator_factory(request.param, ports=2, slots=1)


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/_sim/variants", b'{"enable": ["no-auth"]}', "text/plain"),  # what a page's fetch() may send unasked
        ("/_sim/faults", b'{"offline": true}', "text/plain;charset=UTF-8"),
        ("/_sim/reboot", b"{}", "application/x-www-form-urlencoded"),  # an HTML form
        ("/_sim/deliver_sms", b"port=1&text=hi", "multipart/form-data; boundary=x"),
        ("/_sim/reboot", b"", None),  # a POST without a body
        ("/_sim/reboot", b"{}", "application/json-patch+json"),
    ],
)
async def test_control_requests_that_are_not_json_are_refused(
    sim: GatewaySimulator, session: ClientSession, path: str, body: bytes, content_type: str | None
) -> None:
    before = (sorted(sim.variants), sim.faults.offline, sim.snapshot())
    headers = {"Content-Type": content_type} if content_type else {}
    async with session.post(f"{sim.url}{path}", data=body, headers=headers, skip_auto_headers={"Content-Type"}) as resp:
        assert resp.status == 415
        assert "application/json" in await resp.text()
    assert (sorted(sim.variants), sim.faults.offline, sim.snapshot()) == before


async def test_json_control_requests_work(sim: GatewaySimulator, session: ClientSession) -> None:
    async with session.post(f"{sim.url}/_sim/variants", json={"enable": ["x-test"]}) as resp:
        assert (resp.status, await resp.json()) == (200, ["x-test"])
    headers = {"Content-Type": "application/json; charset=utf-8"}
    async with session.post(f"{sim.url}/_sim/faults", data=b'{"response_delay": 0}', headers=headers) as resp:
        assert resp.status == 200
    async with session.post(f"{sim.url}/_sim/variants", headers={"Content-Type": "application/json"}) as resp:
        assert (resp.status, await resp.json()) == (200, ["x-test"])  # no body: nothing to change
    for bad in (b"[1, 2]", b"{oops"):
        async with session.post(f"{sim.url}/_sim/variants", data=bad, headers=headers) as resp:
            assert resp.status == 400
    async with session.get(f"{sim.url}/_sim/state") as resp:
        assert resp.status == 200


def test_demo_messages_never_repeat_and_tell_real_times() -> None:
    messages = DemoMessages(random.Random(7))  # noqa: S311 - repeatable, not secret
    drawn = [messages.next() for _ in range(3000)]
    texts = [text for _, text in drawn]
    assert len(set(texts)) == len(texts)
    times = [(int(hour), int(minute)) for text in texts for hour, minute in re.findall(r"\b(\d{1,2}):(\d{2})\b", text)]
    assert times
    assert all(hour < 24 and minute < 60 for hour, minute in times)
    assert {sender for sender, _ in drawn} >= {"Google", "ALDI TALK", *DemoMessages.SENDERS}


def _first_demo_texts(sim: GatewaySimulator) -> list[str]:
    inbox = sim.inbox if sim.vendor == "ejoin" else sim.state.inbox  # type: ignore[attr-defined]
    return [message.text for message in inbox]


async def test_each_demo_run_starts_with_other_messages(simulator_factory: SimulatorFactory) -> None:
    """Two runs of the same seeded simulator (as `scripts/develop` starts them) do not receive the same SMS."""
    for vendor in VENDORS:
        runs = []
        for _ in range(2):
            sim = await simulator_factory(vendor, ports=2, slots=1, seed=1)
            loop = sim._demo if vendor == "ejoin" else sim._demo_loop  # type: ignore[attr-defined]
            sim.spawn(loop(period=0.001))
            for _ in range(200):
                if len(_first_demo_texts(sim)) >= 3:
                    break
                await asyncio.sleep(0.01)
            runs.append(_first_demo_texts(sim)[:3])
        assert len(runs[0]) == 3
        assert runs[0] != runs[1], vendor
