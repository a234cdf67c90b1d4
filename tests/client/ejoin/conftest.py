"""Fixtures for the Skyline/EJOIN tests: a fast simulator, a connected client, a push receiver, spec payloads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.gsm_gateway.client.ejoin import EjoinGateway
from custom_components.gsm_gateway.client.events import PushRequest
from custom_components.gsm_gateway.client.models import ConnectionSettings
from simulator.ejoin import EjoinSimulator
from tests.conftest import SimulatorFactory

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ejoin"


def load(name: str) -> Any:
    """A spec payload from tests/fixtures/ejoin."""
    return json.loads((FIXTURES / name).read_text())


def load_bytes(name: str) -> bytes:
    """A spec payload as raw bytes."""
    return (FIXTURES / name).read_bytes()


def settings_for(sim: EjoinSimulator, *, password: str | None = None, timeout: float = 5.0) -> ConnectionSettings:
    """Connection settings pointing at a running simulator."""
    host, _, port = sim.url.removeprefix("http://").rpartition(":")
    return ConnectionSettings(
        host=host, port=int(port), username=sim.username, password=password or sim.password, timeout=timeout
    )


def make_fast(sim: EjoinSimulator) -> EjoinSimulator:
    """Shorten every delay so tests run in milliseconds."""
    sim.send_interval = 0.01
    sim.register_delay = 0.02
    sim.delivery_delay = 0.02
    sim.esim_delay = 0.02
    sim.min_status_period = 0.05
    return sim


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """The simulator and the push receiver listen on 127.0.0.1; the HA test plugin blocks sockets by default."""


@pytest.fixture
async def sim(simulator_factory: SimulatorFactory) -> EjoinSimulator:
    """A 4-port, 2-slot simulator with short delays."""
    simulator = await simulator_factory("ejoin", ports=4, slots=2, password="s3cr3t-pw")
    assert isinstance(simulator, EjoinSimulator)
    return make_fast(simulator)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """The injected HTTP session."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def gateway(sim: EjoinSimulator, session: aiohttp.ClientSession) -> EjoinGateway:
    """A connected client for `sim`."""
    client = EjoinGateway(session, settings_for(sim))
    await client.connect()
    return client


class PushReceiver:
    """A local HTTP server that records pushes as `PushRequest`s (what the webhook would hand the client)."""

    def __init__(self) -> None:
        self.requests: list[PushRequest] = []
        self.url = ""
        self._arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/push"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            PushRequest(
                body=await request.read(),
                content_type=request.headers.get("Content-Type", ""),
                query=dict(request.query),
                headers=dict(request.headers),
            )
        )
        self._arrived.set()
        return web.Response(text="OK")

    async def wait_for(self, predicate: Callable[[PushRequest], bool], timeout: float = 3.0) -> PushRequest:
        """The first recorded request matching `predicate`, waiting for it to arrive."""
        async with asyncio.timeout(timeout):
            while True:
                for request in self.requests:
                    if predicate(request):
                        return request
                self._arrived.clear()
                await self._arrived.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[PushReceiver]:
    """A running push receiver."""
    push_receiver = PushReceiver()
    await push_receiver.start()
    yield push_receiver
    await push_receiver.stop()


async def wait_until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    """Wait for the simulator's state to reach `condition` (it changes in its own background tasks)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polls state the simulator changes without signalling
            await asyncio.sleep(0.01)


def push_type(kind: str) -> Callable[[PushRequest], bool]:
    """Predicate: a JSON push of `kind` (`dev-status`, `recv-sms`, ...)."""

    def matches(request: PushRequest) -> bool:
        try:
            return bool(json.loads(request.body).get("type") == kind)
        except ValueError:
            return False

    return matches
