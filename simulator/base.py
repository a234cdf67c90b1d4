"""What every simulated gateway shares: a server, a request log, fault injection, pushes and a control API.

A dialect subclasses `GatewaySimulator`, adds its routes in `add_routes`, checks credentials in
`authenticate`, and keeps its own state. Faults are applied by a middleware in front of every dialect route,
so each dialect gets the same switches:

- one-shot faults queued with `inject(...)`: `timeout`, `500`, `502`, `503`, `truncate`, `html`, `bad_json`,
  `reset` (close the connection), `auth` (reject this request's credentials);
- rates (0..1) in `faults` for random faults, drawn from the seeded RNG so runs repeat;
- `faults.offline`: every request hangs until the client gives up (the device is unreachable);
- `faults.wrong_credentials`: every request is rejected as a bad login;
- push faults: `faults.drop_push_rate`, `faults.push_delay`, `faults.pushes_paused`;
- refusals queued with `refuse_next(reason, code=..., after=n)`: the authenticated request after the next `n` is
  refused the way the dialect refuses (`refusal`), with that reason text (e.g. one that echoes a phone number, as
  firmware does).

Every request is counted while it is being answered: `in_flight` now, `max_in_flight` the most at once.

The control API (`/_sim/`) reads JSON only: every POST must say `Content-Type: application/json` (415 otherwise),
so that no web page open in a browser on the same machine can drive a simulator.

The simulator never imports the client library: it is an independent implementation of the wire format,
so a bug shared by both would not hide itself.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
import contextlib
from dataclasses import asdict, dataclass, field
import json
import logging
import random
import time
from typing import Any, ClassVar

from aiohttp import ClientError, ClientSession, ClientTimeout, web

_LOGGER = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SIMULATORS: dict[str, type[GatewaySimulator]] = {}


def register[SimulatorT: type[GatewaySimulator]](cls: SimulatorT) -> SimulatorT:
    """Class decorator: make a simulator available by its vendor name."""
    SIMULATORS[cls.vendor] = cls
    return cls


ONE_SHOT_FAULTS = frozenset({"timeout", "500", "502", "503", "truncate", "html", "bad_json", "reset", "auth"})


@dataclass
class FaultSettings:
    """Switches for misbehaviour. Rates are probabilities per request (or per push)."""

    timeout_rate: float = 0.0
    error_rate: float = 0.0  # HTTP 5xx
    truncate_rate: float = 0.0
    html_rate: float = 0.0
    bad_json_rate: float = 0.0
    offline: bool = False
    wrong_credentials: bool = False
    hang_seconds: float = 30.0  # how long a "timeout" request hangs before the server gives up
    response_delay: float = 0.0
    drop_push_rate: float = 0.0
    push_delay: float = 0.0
    pushes_paused: bool = False  # pushes are dropped while True (network partition towards HA)
    reset_paths: tuple[str, ...] = ()  # requests to paths starting with one of these have their connection reset


@dataclass(frozen=True)
class RecordedRequest:
    """One request that reached the simulator (faulted or not)."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    content_type: str
    fault: str | None = None
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class PushRecord:
    """One push the simulator tried to deliver."""

    url: str
    body: bytes
    content_type: str
    delivered: bool
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # extra HTTP headers (EJOIN MMS `Emms-*`)


class GatewaySimulator:
    """Base class of a stateful, fault-injectable gateway simulator."""

    vendor: ClassVar[str]

    def __init__(
        self,
        *,
        ports: int = 32,
        slots: int = 4,
        username: str = "root",
        password: str = "root",  # noqa: S107 - the documented simulator default
        seed: int = 1,
    ) -> None:
        """Create the simulator; `start()` serves it."""
        self.port_count = ports
        self.slot_count = slots
        self.username = username
        self.password = password
        self.rng = random.Random(seed)
        self.faults = FaultSettings()
        self.variants: set[str] = set()
        self.requests: list[RecordedRequest] = []
        self.pushes: list[PushRecord] = []
        self._one_shot: deque[str] = deque()
        self._refusals: deque[list[Any]] = deque()  # [requests still to let through, reason, code]
        self.in_flight = 0
        self.max_in_flight = 0
        self._runner: web.AppRunner | None = None
        self._site_url: str | None = None
        self._push_session: ClientSession | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._stopping = asyncio.Event()
        self.app = web.Application(middlewares=[self._fault_middleware], client_max_size=16 * 1024 * 1024)
        self.add_routes(self.app.router)
        self._add_control_routes(self.app.router)

    # --- to be provided by dialects -----------------------------------------------------------------------

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the dialect's API routes."""
        raise NotImplementedError

    def authenticate(self, request: web.Request, body: bytes) -> web.StreamResponse | None:
        """Return a rejection response when the request's credentials are wrong, else None."""
        raise NotImplementedError

    def reject_credentials(self, request: web.Request) -> web.StreamResponse:
        """The response this device gives to a bad login."""
        raise NotImplementedError

    def refusal(self, request: web.Request, reason: str, code: int | None) -> web.StreamResponse:
        """The answer with which this device refuses a request: its own error form, carrying `reason`."""
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        """JSON-friendly view of the state, for the control API."""
        return {}

    async def control(self, action: str, params: dict[str, Any]) -> dict[str, Any]:  # noqa: ARG002
        """Dialect-specific control actions (deliver SMS, change status, reboot, ...)."""
        raise web.HTTPNotFound(text=f"unknown control action {action}")

    async def on_start(self) -> None:
        """Start periodic work (status pushes, send queue). Use `spawn()` for tasks."""

    def start_demo_activity(self) -> None:
        """Keep a demo alive: occasional status changes, an incoming SMS every minute, USSD answers."""

    # --- lifecycle ----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL once started, e.g. `http://127.0.0.1:8080`."""
        if self._site_url is None:
            msg = "simulator not started"
            raise RuntimeError(msg)
        return self._site_url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on `host:port` (0 picks a free port) and return the base URL."""
        self._stopping.clear()
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server  # noqa: SLF001 - aiohttp exposes the bound port only here
        assert server is not None
        bound_port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._site_url = f"http://{host}:{bound_port}"
        self._push_session = ClientSession(timeout=ClientTimeout(total=10))
        await self.on_start()
        return self._site_url

    async def stop(self) -> None:
        """Stop serving first (so no request can start new work), then cancel background work."""
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        while self._background:
            tasks = list(self._background)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._push_session is not None:
            await self._push_session.close()
            self._push_session = None

    def spawn(self, coro: Awaitable[Any], name: str = "simulator") -> asyncio.Task[Any]:
        """Run background work that `stop()` cancels."""
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    # --- faults -------------------------------------------------------------------------------------------

    def inject(self, *faults: str) -> None:
        """Queue one-shot faults, applied to the next requests in order."""
        for fault in faults:
            if fault not in ONE_SHOT_FAULTS:
                msg = f"unknown fault {fault!r}; known: {sorted(ONE_SHOT_FAULTS)}"
                raise ValueError(msg)
            self._one_shot.append(fault)

    def refuse_next(self, reason: str, *, code: int | None = None, after: int = 0) -> None:
        """Refuse an authenticated request with `reason` (and `code`, else the dialect's usual one).

        `after`: how many authenticated requests still go through first (0: the next one is refused).
        """
        self._refusals.append([after, reason, code])

    def clear_faults(self) -> None:
        """Back to a well-behaved device."""
        self.faults = FaultSettings()
        self._one_shot.clear()
        self._refusals.clear()

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Recorded requests whose path is `path` (leading slash optional)."""
        path = path if path.startswith("/") else f"/{path}"
        return [req for req in self.requests if req.path == path]

    def _draw_fault(self) -> str | None:
        if self._one_shot:
            return self._one_shot.popleft()
        f = self.faults
        for name, rate in (
            ("timeout", f.timeout_rate),
            ("500", f.error_rate),
            ("truncate", f.truncate_rate),
            ("html", f.html_rate),
            ("bad_json", f.bad_json_rate),
        ):
            if rate and self.rng.random() < rate:
                return name
        return None

    async def _hang(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=self.faults.hang_seconds)

    @web.middleware
    async def _fault_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_sim/"):
            return await handler(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request, handler)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()
        fault = "offline" if self.faults.offline else self._draw_fault()
        if fault is None and request.path.startswith(self.faults.reset_paths):
            fault = "reset"
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                body=body,
                content_type=request.headers.get("Content-Type", ""),
                fault=fault,
            )
        )
        if self.faults.response_delay:
            await asyncio.sleep(self.faults.response_delay)
        if fault in {"offline", "timeout"}:
            await self._hang()
            raise web.HTTPServiceUnavailable
        if fault in {"500", "502", "503"}:
            return web.Response(status=int(fault), text="Internal Server Error")
        if fault == "html":
            return web.Response(
                status=200, content_type="text/html", text="<html><body><h1>Error</h1>System busy</body></html>"
            )
        if fault == "reset":
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable
        if fault == "auth" or self.faults.wrong_credentials:
            return self.reject_credentials(request)
        if (rejection := self.authenticate(request, body)) is not None:
            return rejection
        if self._refusals:
            if self._refusals[0][0] == 0:
                _, reason, code = self._refusals.popleft()
                return self.refusal(request, reason, code)
            self._refusals[0][0] -= 1
        response = await handler(request)
        if fault == "bad_json":
            return web.Response(status=200, content_type="application/json", text='{"code":200,"reason":')
        if fault == "truncate" and isinstance(response, web.Response) and response.body is not None:
            raw = bytes(response.body)  # type: ignore[arg-type]
            cut = raw[: max(1, len(raw) // 2)]
            return web.Response(status=response.status, body=cut, content_type="application/json")
        return response

    # --- pushes -------------------------------------------------------------------------------------------

    async def push(
        self,
        url: str,
        body: bytes,
        content_type: str = "application/json;charset=utf-8",
        *,
        headers: Mapping[str, str] | None = None,
    ) -> bool:
        """POST `body` to `url` like the device would, honouring push faults. True when HA answered 2xx.

        `headers` are sent besides the content type (some pushes carry data in headers, e.g. EJOIN MMS).
        """
        f = self.faults
        extra = dict(headers or {})
        if f.pushes_paused or (f.drop_push_rate and self.rng.random() < f.drop_push_rate):
            self.pushes.append(PushRecord(url, body, content_type, delivered=False, headers=extra))
            return False
        if f.push_delay:
            await asyncio.sleep(f.push_delay)
        assert self._push_session is not None, "simulator not started"
        try:
            async with self._push_session.post(url, data=body, headers={**extra, "Content-Type": content_type}) as resp:
                await resp.read()
                delivered = 200 <= resp.status < 300
                self.pushes.append(
                    PushRecord(url, body, content_type, delivered=delivered, status=resp.status, headers=extra)
                )
                return delivered
        except (OSError, TimeoutError, ClientError) as err:  # the receiver is down or went away; a device drops it
            _LOGGER.debug("push to receiver failed: %s", type(err).__name__)
            self.pushes.append(PushRecord(url, body, content_type, delivered=False, headers=extra))
            return False

    # --- control API ----------------------------------------------------------------------------------------

    def _add_control_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/_sim/state", self._control_state)
        router.add_get("/_sim/requests", self._control_requests)
        router.add_post("/_sim/faults", self._control_faults)
        router.add_post("/_sim/variants", self._control_variants)
        router.add_post("/_sim/{action}", self._control_action)

    async def _control_state(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "vendor": self.vendor,
                "ports": self.port_count,
                "slots": self.slot_count,
                "faults": asdict(self.faults),
                "variants": sorted(self.variants),
                "state": self.snapshot(),
            }
        )

    async def _control_requests(self, _request: web.Request) -> web.Response:
        return web.json_response(
            [{"method": r.method, "path": r.path, "query": r.query, "fault": r.fault} for r in self.requests]
        )

    @staticmethod
    async def _control_params(request: web.Request) -> dict[str, Any]:
        """The JSON object of a control request; 415 unless it says `Content-Type: application/json`.

        A web page can make a browser POST a form or plain text to any address without asking first, but not JSON
        (that needs a CORS preflight, which the simulator never answers): requiring JSON keeps pages from driving
        the simulator, even POSTs without a body. An empty body is `{}`.
        """
        if request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text="control requests must be sent as Content-Type: application/json")
        if not request.can_read_body:
            return {}
        try:
            params = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="the body is not JSON") from None
        if not isinstance(params, dict):
            raise web.HTTPBadRequest(text="the body must be a JSON object")
        return params

    async def _control_faults(self, request: web.Request) -> web.Response:
        params = await self._control_params(request)
        for fault in params.pop("inject", []):
            self.inject(fault)
        if params.pop("clear", False):
            self.clear_faults()
        for key, value in params.items():
            if not hasattr(self.faults, key):
                raise web.HTTPBadRequest(text=f"unknown fault setting {key}")
            setattr(self.faults, key, value)
        return web.json_response(asdict(self.faults))

    async def _control_variants(self, request: web.Request) -> web.Response:
        params = await self._control_params(request)
        self.variants |= set(params.get("enable", []))
        self.variants -= set(params.get("disable", []))
        return web.json_response(sorted(self.variants))

    async def _control_action(self, request: web.Request) -> web.Response:
        params = await self._control_params(request)
        return web.json_response(await self.control(request.match_info["action"], params))
