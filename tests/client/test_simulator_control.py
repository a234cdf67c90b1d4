"""The simulators' control API (`/_sim/`) takes JSON only, so no web page can drive a simulator through a browser."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import ClientSession
import pytest

from simulator import VENDORS, GatewaySimulator
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
