"""One authenticated Dinstar API call: parameters, method choice and fallback, Digest/Basic, status and `error_code`.

Rules (docs/protocol-dinstar.md):
- Each endpoint has the method the spec names first. On 403 or 405 the call is repeated once with the other
  method (GET: query string with lists joined by commas; POST: JSON body); the method that worked is
  remembered per endpoint. Endpoints whose parameters have no GET form (`send_sms`) do not fall back.
- Authentication: the first request goes out complete (with its body, because some firmware hangs on an
  empty-body probe) and without credentials. A 401 teaches the challenge; the request is repeated once with
  credentials. Later requests reuse the nonce with an increasing nonce count. A 401 to an authenticated
  request is retried once only when the nonce was stale (`stale=true`, or a nonce from an earlier call was
  refused); otherwise it is `GatewayAuthError` at once. There is never a loop on 401.
- Requests to one gateway go out one at a time: the embedded web server serves one anyway, and nonce counts
  then reach it in order.
- HTTP 404 means the firmware lacks the endpoint (`GatewayUnsupportedError`); other statuses but 200 are
  `GatewayResponseError`. The JSON may be followed by stray bytes; `error_code` 200 and 202 (accepted) are
  success, and so is a missing `error_code`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any

from ..exceptions import GatewayAuthError, GatewayCommandError, GatewayResponseError, GatewayUnsupportedError
from ..transport import HttpResponse, HttpTransport
from .auth import Credentials, parse_challenge
from .parse import ERROR_REASONS, check_result, decode_object

type Params = Mapping[str, Any] | list[Any] | None

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class Method(StrEnum):
    """HTTP methods the API uses."""

    GET = "GET"
    POST = "POST"

    @property
    def other(self) -> Method:
        """The method to fall back to."""
        return Method.POST if self is Method.GET else Method.GET


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An API path, the method tried first, and whether the other method may be tried on 403/405."""

    path: str
    method: Method
    fallback: bool = True

    @property
    def name(self) -> str:
        """Short name for messages: the last path segment."""
        return self.path.rsplit("/", 1)[-1]


def without_none(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters without the absent ones (None or an empty list), which the spec says to leave out."""
    return {key: value for key, value in params.items() if value is not None and value != []}


def device_time(value: datetime | None, time_zone: tzinfo) -> str | None:
    """A time as the device writes it (`YYYY-MM-DD HH:MM:SS`, its local time); naive times are sent as they are."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(time_zone)
    return value.strftime(TIME_FORMAT)


def query_of(params: Params) -> dict[str, str]:
    """GET form of parameters: lists joined by commas (as the spec's GET examples do), booleans in lower case."""
    if params is None:
        return {}
    if isinstance(params, list):
        return {str(item): "" for item in params}
    query: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            query[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            query[key] = ",".join(str(item) for item in value)
        else:
            query[key] = str(value)
    return query


class DinstarHttp:
    """Sends Dinstar API calls over the shared transport."""

    def __init__(self, transport: HttpTransport) -> None:
        """Use `transport`; credentials come from its settings."""
        self.transport = transport
        self.credentials = Credentials(transport.settings.username, transport.settings.password)
        self._methods: dict[str, Method] = {}
        self._lock = asyncio.Lock()

    def method_for(self, endpoint: Endpoint) -> Method:
        """The method the next call to `endpoint` uses."""
        return self._methods.get(endpoint.path, endpoint.method)

    async def call(
        self, endpoint: Endpoint, params: Params = None, *, check: bool = True, allow_empty: bool = False
    ) -> dict[str, Any]:
        """Send one call and return the JSON object; raises on failure (see the module doc).

        `check`: raise `GatewayCommandError` for an `error_code` other than 200/202. `allow_empty`: an empty
        200 answer is success (`STKGo` documents no answer at all).
        """
        method = self.method_for(endpoint)
        response = await self.exchange(endpoint, method, params)
        if response.status in {403, 405} and endpoint.fallback:
            response = await self.exchange(endpoint, method.other, params)
            if response.status not in {403, 405}:
                self._methods[endpoint.path] = method.other
        if response.status in {403, 405}:
            raise GatewayCommandError(response.status, ERROR_REASONS[403], endpoint=endpoint.name)
        if response.status == 404:
            msg = f"{endpoint.name}: this gateway's firmware does not offer it (HTTP 404)"
            raise GatewayUnsupportedError(msg)
        if response.status != 200:
            msg = f"{endpoint.name}: unexpected answer (HTTP {response.status})"
            raise GatewayResponseError(msg)
        if allow_empty and not response.body.strip():
            return {}
        obj = decode_object(response.body, endpoint.name)
        if check:
            check_result(obj, endpoint.name)
        return obj

    def _request_parts(self, method: Method, params: Params) -> tuple[dict[str, str], Any]:
        if method is Method.GET:
            return query_of(params), None
        return {}, params if params is not None else {}

    async def send(self, endpoint: Endpoint, method: Method, params: Params, *, authorize: bool = True) -> HttpResponse:
        """One HTTP request, with credentials when a challenge is known and `authorize` is set."""
        query, body = self._request_parts(method, params)
        url = self.transport.url(endpoint.path).with_query(query)
        headers: dict[str, str] = {}
        if authorize and (value := self.credentials.authorization(method, url.raw_path_qs)) is not None:
            headers["Authorization"] = value
        return await self.transport.request(
            method, endpoint.path, params=query or None, json_body=body, headers=headers
        )

    async def exchange(self, endpoint: Endpoint, method: Method, params: Params) -> HttpResponse:
        """Send with authentication handled; returns any response but an unanswerable 401."""
        async with self._lock:
            stale_retry_left = True
            challenge_is_fresh = False
            while True:
                authenticated = self.credentials.challenge is not None
                response = await self.send(endpoint, method, params)
                if response.status != 401:
                    return response
                challenge = parse_challenge(response.headers)
                if challenge is None:
                    self.credentials.forget()
                    msg = f"{endpoint.name}: the gateway asks for a login this client cannot answer"
                    raise GatewayAuthError(msg)
                if not authenticated:
                    self.credentials.learn(challenge)
                    challenge_is_fresh = True
                    continue
                stale = challenge.scheme == "digest" and (challenge.stale or not challenge_is_fresh)
                if stale and stale_retry_left:
                    stale_retry_left = False
                    self.credentials.learn(challenge)
                    challenge_is_fresh = True
                    continue
                self.credentials.forget()
                msg = f"{endpoint.name}: the gateway refused the username or password"
                raise GatewayAuthError(msg)
