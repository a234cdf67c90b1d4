"""HTTP plumbing shared by the dialects: the session, timeouts, error mapping and credential scrubbing.

Skyline/EJOIN put credentials in the query string, and aiohttp prints URLs in its errors, so every error
leaving this module is rebuilt from scratch and never chains the original exception text (the scrubbing itself
lives in `redaction`).

Session ownership (as in python-elgato): an injected aiohttp session belongs to the caller and is never closed
here; without one, the transport creates its own on the first request and closes it in `close()`.

Throttle: at most `MAX_IN_FLIGHT` (4) requests per gateway are under way at once; the others wait their turn, in
order (an embedded web server answers a few at a time at best: 1,000 concurrent sends used to put 100 requests in
flight at once, the connector's limit). The timeout of a request starts when it is sent, not while it waits.
Dialects may serialise further (Dinstar sends one at a time for its Digest nonce count).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from yarl import URL

from .exceptions import (
    GatewayCertificateError,
    GatewayConnectionError,
    GatewayResponseError,
    GatewayTimeoutError,
    GatewayUnreachableError,
)
from .models import ConnectionSettings

MAX_IN_FLIGHT = 4


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A finished HTTP exchange."""

    status: int
    headers: Mapping[str, str]
    body: bytes = field(repr=False)
    endpoint: str

    @property
    def text(self) -> str:
        """Body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Body parsed as JSON; raw control characters inside strings are tolerated (Synway firmware)."""
        try:
            return json.loads(self.text, strict=False)
        except ValueError, RecursionError:  # RecursionError: nested deeper than the decoder goes
            msg = f"{self.endpoint}: answer is not JSON (HTTP {self.status}, {len(self.body)} bytes)"
            raise GatewayResponseError(msg) from None

    def json_object(self) -> dict[str, Any]:
        """Body parsed as a JSON object."""
        value = self.json()
        if not isinstance(value, dict):
            msg = f"{self.endpoint}: answer is JSON but not an object"
            raise GatewayResponseError(msg)
        return value


class HttpTransport:
    """Sends requests to one gateway over an injected aiohttp session, or over one of its own."""

    def __init__(
        self, session: aiohttp.ClientSession | None, settings: ConnectionSettings, *, max_in_flight: int = MAX_IN_FLIGHT
    ) -> None:
        """Keep the session (owned by the caller) and the connection settings; None: create one when needed."""
        if max_in_flight < 1:
            msg = "at least one request must be allowed in flight"
            raise ValueError(msg)
        self._session = session
        self.max_in_flight = max_in_flight
        self._slots = asyncio.Semaphore(max_in_flight)
        self._owns_session = session is None
        self.settings = settings
        # True means "verify with the default context"; False turns verification off (explicit user choice).
        self._ssl = settings.verify_ssl or not settings.use_https

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The session in use: the injected one, the one this transport created, or None before the first request."""
        return self._session

    def _client_session(self) -> aiohttp.ClientSession:
        if self._session is None:  # only when none was injected: created inside the running event loop
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the session this transport created (a later request opens a new one); an injected one stays open."""
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def url(self, path: str) -> URL:
        """Absolute URL of `path` on this gateway."""
        return URL(self.settings.base_url).with_path(path if path.startswith("/") else f"/{path}")

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """Send one request and read the whole answer. Never raises aiohttp's own exceptions.

        Waits for a free slot first (at most `max_in_flight` requests to this gateway at once).
        """
        async with self._slots:
            return await self._request(
                method, path, params=params, json_body=json_body, data=data, headers=headers, timeout=timeout
            )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        json_body: Any,
        data: bytes | str | None,
        headers: Mapping[str, str] | None,
        timeout: float | None,
    ) -> HttpResponse:
        endpoint = path.lstrip("/")
        url = self.url(path)
        request_headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            request_headers.setdefault("Content-Type", "application/json;charset=utf-8")
        try:
            async with asyncio.timeout(timeout or self.settings.timeout):
                async with self._client_session().request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=request_headers,
                    ssl=self._ssl,
                    allow_redirects=False,
                ) as response:
                    body = await response.read()
                    return HttpResponse(response.status, dict(response.headers), body, endpoint)
        except TimeoutError:
            msg = f"{endpoint}: no answer from {self.settings.host} within {timeout or self.settings.timeout:g} s"
            raise GatewayTimeoutError(msg) from None
        except aiohttp.ClientConnectorCertificateError:
            msg = f"{endpoint}: the TLS certificate of {self.settings.host} is not trusted"
            raise GatewayCertificateError(msg) from None
        except aiohttp.ClientSSLError:
            msg = f"{endpoint}: TLS handshake with {self.settings.host} failed"
            raise GatewayConnectionError(msg) from None
        except aiohttp.ClientConnectorError as err:  # no connection opened: the request never left
            msg = f"{endpoint}: cannot talk to {self.settings.host} ({type(err).__name__})"
            raise GatewayUnreachableError(msg) from None
        except (aiohttp.ClientError, OSError) as err:
            msg = f"{endpoint}: cannot talk to {self.settings.host} ({type(err).__name__})"
            raise GatewayConnectionError(msg) from None
        except RuntimeError as err:  # "Session is closed": Home Assistant is shutting down its HTTP session
            msg = f"{endpoint}: the HTTP session is closed ({type(err).__name__})"
            raise GatewayConnectionError(msg) from None
