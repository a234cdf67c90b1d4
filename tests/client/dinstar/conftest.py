"""Fixtures for the Dinstar dialect: a fast simulator, a connected client, a push receiver, canned servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web
import pytest
from yarl import URL

from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.models import ConnectionSettings
from simulator.dinstar import DinstarSimulator

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "dinstar"
PASSWORD = "root"

type SimFactory = Callable[..., Awaitable[DinstarSimulator]]
type GatewayFactory = Callable[..., DinstarGateway]


def fixture_bytes(name: str) -> bytes:
    """A payload copied from the spec (see tests/fixtures/dinstar/README.md)."""
    return (FIXTURES / name).read_bytes()


def make_fast(sim: DinstarSimulator) -> DinstarSimulator:
    """Queue, delivery and USSD timings short enough for tests."""
    sim.send_interval = 0.01
    sim.send_duration = 0.01
    sim.delivery_delay = 0.02
    sim.ussd_delay = 0.01
    sim.push_batch_window = 0.05
    sim.faults.hang_seconds = 2.0
    return sim


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Simulators and canned servers listen on 127.0.0.1; the HA test plugin blocks sockets by default."""


@pytest.fixture
async def dinstar_sim(simulator_factory: Any) -> SimFactory:
    """Start a fast Dinstar simulator: `await dinstar_sim(ports=4, slots=1, variants={...})`."""

    async def start(*, variants: set[str] | None = None, **kwargs: Any) -> DinstarSimulator:
        kwargs.setdefault("ports", 4)
        kwargs.setdefault("slots", 1)
        sim = await simulator_factory("dinstar", **kwargs)
        assert isinstance(sim, DinstarSimulator)
        sim.variants |= variants or set()
        return make_fast(sim)

    return start


@pytest.fixture
async def sim(dinstar_sim: SimFactory) -> DinstarSimulator:
    """Four single-SIM ports."""
    return await dinstar_sim()


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    """The aiohttp session the client gets injected."""
    async with ClientSession() as client_session:
        yield client_session


def settings_for(
    url: str, *, username: str = "root", password: str = PASSWORD, timeout: float = 5.0
) -> ConnectionSettings:
    """Connection settings pointing at a local server."""
    parsed = URL(url)
    assert parsed.host is not None
    assert parsed.port is not None
    return ConnectionSettings(host=parsed.host, port=parsed.port, username=username, password=password, timeout=timeout)


@pytest.fixture
def make_gateway(session: ClientSession) -> GatewayFactory:
    """A client for a server URL: `make_gateway(sim.url, password="...")`."""

    def make(url: str, **kwargs: Any) -> DinstarGateway:
        time_zone = kwargs.pop("time_zone", None)
        settings = settings_for(url, **kwargs)
        if time_zone is None:
            return DinstarGateway(session, settings)
        return DinstarGateway(session, settings, time_zone=time_zone)

    return make


@pytest.fixture
async def gateway(sim: DinstarSimulator, make_gateway: GatewayFactory) -> DinstarGateway:
    """A connected client for `sim`."""
    client = make_gateway(sim.url)
    await client.connect()
    return client


@dataclass
class PushReceiver:
    """A local web server that records what a simulator pushes."""

    url: str = ""
    bodies: list[bytes] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, count: int, timeout: float = 3.0) -> list[bytes]:
        """Wait until `count` pushes arrived."""
        async with asyncio.timeout(timeout):
            while len(self.bodies) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.bodies


@pytest.fixture
async def push_receiver() -> AsyncIterator[PushReceiver]:
    """Records pushed bodies at `receiver.url`."""
    receiver = PushReceiver()

    async def handle(request: web.Request) -> web.Response:
        receiver.bodies.append(await request.read())
        receiver.arrived.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/push", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    receiver.url = f"http://127.0.0.1:{port}/push"
    yield receiver
    await runner.cleanup()


@dataclass
class CannedServer:
    """A local server answering fixed responses per path; records requests (method, path, query, headers, body)."""

    url: str = ""
    routes: dict[str, list[tuple[int, dict[str, str], bytes]]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], dict[str, str], bytes]] = field(default_factory=list)

    def answer(self, path: str, *responses: tuple[int, dict[str, str], bytes]) -> None:
        """Queue responses for `path`; the last one repeats."""
        self.routes[path] = list(responses)


@pytest.fixture
async def canned() -> AsyncIterator[CannedServer]:
    """A server whose answers the test sets with `canned.answer(path, (status, headers, body), ...)`."""
    server_state = CannedServer()

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        server_state.requests.append((request.method, request.path, dict(request.query), dict(request.headers), body))
        responses = server_state.routes.get(request.path)
        if not responses:
            return web.Response(status=404, text="not found")
        status, headers, payload = responses.pop(0) if len(responses) > 1 else responses[0]
        return web.Response(status=status, headers=headers, body=payload)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    server_state.url = f"http://127.0.0.1:{port}"
    yield server_state
    await runner.cleanup()


def json_response(body: bytes | str, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    """A canned JSON answer."""
    payload = body.encode() if isinstance(body, str) else body
    return status, {"Content-Type": "application/json"}, payload
