"""Fixtures for the Synway tests: the simulator, a connected client, and a device that replays spec payloads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.gsm_gateway.client.models import ConnectionSettings
from custom_components.gsm_gateway.client.synway import SynwayGateway
from simulator.synway import SynwaySimulator
from tests.conftest import SimulatorFactory

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "synway"


def fixture_bytes(name: str) -> bytes:
    """A payload from tests/fixtures/synway."""
    return (FIXTURES / name).read_bytes()


SIMULATOR_PASSWORD = "root"  # the simulator's documented default


def settings_for(
    url: str, *, username: str = "root", password: str = SIMULATOR_PASSWORD, timeout: float = 5.0
) -> ConnectionSettings:
    """Connection settings for a loopback URL."""
    host, _, port = url.removeprefix("http://").rpartition(":")
    return ConnectionSettings(host=host, port=int(port), username=username, password=password, timeout=timeout)


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """The simulator and the replay device listen on 127.0.0.1; the HA test plugin blocks sockets by default."""


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


type SynwayFactory = Callable[..., Awaitable[SynwaySimulator]]


@pytest.fixture
def synway_factory(simulator_factory: SimulatorFactory) -> SynwayFactory:
    """Start a Synway simulator: `await synway_factory(ports=4, slots=2, variants={"zero-based"})`."""

    async def start(*, variants: set[str] | None = None, **kwargs: Any) -> SynwaySimulator:
        kwargs.setdefault("ports", 4)
        kwargs.setdefault("slots", 2)
        sim = await simulator_factory("synway", **kwargs)
        assert isinstance(sim, SynwaySimulator)
        sim.variants |= variants or set()
        return sim

    return start


@pytest.fixture
async def sim(synway_factory: SynwayFactory) -> SynwaySimulator:
    """A 4-port, 2-slot simulator with the documented behaviour."""
    return await synway_factory()


type GatewayFactory = Callable[..., Awaitable[SynwayGateway]]


@pytest.fixture
def gateway_for(session: aiohttp.ClientSession) -> GatewayFactory:
    """A client for a simulator (connected unless `connect=False`)."""

    async def make(
        target: SynwaySimulator | str,
        *,
        connect: bool = True,
        time_zone: tzinfo = UTC,
        password: str | None = None,
        **kwargs: Any,
    ) -> SynwayGateway:
        url = target if isinstance(target, str) else target.url
        default_password = "root" if isinstance(target, str) else target.password
        settings = settings_for(url, password=default_password if password is None else password)
        gateway = SynwayGateway(session, settings, time_zone=time_zone, **kwargs)
        if connect:
            await gateway.connect()
        return gateway

    return make


@pytest.fixture
async def gateway(sim: SynwaySimulator, gateway_for: GatewayFactory) -> SynwayGateway:
    """A connected client for `sim`."""
    return await gateway_for(sim)


@dataclass
class ReplayDevice:
    """A fake Synway device: answers each `event` with a canned payload and records every request body."""

    answers: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    queued: dict[str, list[bytes]] = field(default_factory=dict)
    url: str = ""

    def answer(self, event: str, payload: str | bytes, status: int = 200) -> None:
        """Answer `event` (or `event:type` for getwirelessinfo) with a fixture file name (`*.json`) or bytes."""
        body = fixture_bytes(payload) if isinstance(payload, str) and payload.endswith(".json") else payload
        self.answers[event] = (status, body if isinstance(body, bytes) else body.encode())

    def queue(self, event: str, *payloads: bytes) -> None:
        """Answer the next requests of `event` with `payloads`, in order (then fall back to `answers`)."""
        self.queued.setdefault(event, []).extend(payloads)

    def events(self) -> list[str]:
        """The events received, in order."""
        return [str(body.get("event")) for body in self.bodies]

    async def handle(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.bodies.append(body)
        self.paths.append(request.path)
        event = str(body.get("event"))
        if self.queued.get(event):
            return web.Response(body=self.queued[event].pop(0), content_type="application/json")
        key = f"{event}:{body['type']}" if "type" in body and f"{event}:{body['type']}" in self.answers else event
        status, payload = self.answers.get(key, (200, b'{"result":"error","content":"unsupported event"}'))
        return web.Response(status=status, body=payload, content_type="application/json")


@pytest.fixture
async def replay() -> AsyncIterator[ReplayDevice]:
    """A device on loopback that replays fixture payloads (the spec's examples)."""
    device = ReplayDevice()
    app = web.Application()
    app.router.add_post("/API/QueryInfo", device.handle)
    app.router.add_post("/API/TaskHandle", device.handle)
    app.router.add_post("/API/SendSMS", device.handle)
    app.router.add_post("/API/QueryRxSMS", device.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    device.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"  # type: ignore[attr-defined]
    yield device
    await runner.cleanup()


PORTINFO_4 = b'{"result":"ok","content":"total:4;portstate:0,0,0,0"}'
IMEI_4_ONE_BASED = (
    b'{"result":"ok","content":"1:861234567890121.2:861234567890139.3:861234567890147.4:861234567890154."}'
)
IMEI_4_ZERO_BASED = (
    b'{"result":"ok","content":"0:861234567890121.1:861234567890139.2:861234567890147.3:861234567890154."}'
)


type ReplayGatewayFactory = Callable[..., Awaitable[SynwayGateway]]


@pytest.fixture
def replay_gateway(replay: ReplayDevice, gateway_for: GatewayFactory) -> ReplayGatewayFactory:
    """A client connected to `replay`, which answers connect() as a 4-port 1-based (or 0-based) device."""

    async def make(*, zero_based: bool = False, **kwargs: Any) -> SynwayGateway:
        replay.answers.setdefault("getportinfo", (200, PORTINFO_4))
        replay.answers.setdefault("getwirelessinfo:IMEI", (200, IMEI_4_ZERO_BASED if zero_based else IMEI_4_ONE_BASED))
        replay.answers.setdefault("getwirelessinfo:porttype", (200, b'{"result":"ok","content":"PortType:LTE"}'))
        gateway = await gateway_for(replay.url, **kwargs)
        replay.bodies.clear()
        replay.paths.clear()
        return gateway

    return make
