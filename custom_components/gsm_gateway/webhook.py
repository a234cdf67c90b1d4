"""The webhook the gateway pushes to: POST only, local only, size-capped, and by default only from the gateway.

The handler never raises. A push it cannot use gets a 4xx and one log line that names the reason but never the
content; a valid push is answered at once and applied right after the response.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from ipaddress import ip_address
import logging
import time

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .client import GatewayPushError, PushEvent, PushRequest
from .const import DOMAIN, LOGGER

MAX_PUSH_BYTES = 4 * 1024 * 1024  # an MMS with attachments, base64-encoded, fits comfortably
READ_TIMEOUT = 10.0  # seconds for a whole body: a sender that trickles it holds nothing longer
MAX_CONCURRENT_PUSHES = 4  # per gateway; more at once are refused with 503 (the catch-up picks their messages up)
INLINE_PARSE_BYTES = 64 * 1024  # bodies up to this are parsed in the event loop; larger ones in a worker thread
_PRIVATE_HEADERS = frozenset({"authorization", "cookie"})
WARN_EVERY = 600.0  # seconds: the same rejection reason is logged at warning level once per period


async def async_resolve_sources(host: str) -> frozenset[str]:
    """The addresses the gateway may push from: its host, resolved once."""
    try:
        return frozenset({str(ip_address(host))})
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None)
    except OSError:
        LOGGER.warning("Cannot resolve %s; pushes are accepted only after it resolves", host)
        return frozenset()
    return frozenset(str(info[4][0]) for info in infos)


async def _read_capped(request: web.Request) -> bytes | None:
    """The whole body (it may arrive in several pieces), or None once it exceeds the cap."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > MAX_PUSH_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class PushWebhook:
    """Receives the pushes of one gateway and hands their events to `handle`, right after answering."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        webhook_id: str,
        title: str,
        sources: frozenset[str],
        allow_any_source: bool,
        parse: Callable[[PushRequest], list[PushEvent]],
        handle: Callable[[list[PushEvent]], None],
    ) -> None:
        """`parse` is the gateway's push parser; `handle` applies the events (called in the event loop)."""
        self.hass = hass
        self.webhook_id = webhook_id
        self.title = title
        self.sources = sources
        self.allow_any_source = allow_any_source
        self._parse = parse
        self._handle = handle
        self.accepted = 0
        self.rejected = 0
        self._in_flight = 0
        self._last_warned: dict[str, float] = {}

    @callback
    def async_register(self) -> CALLBACK_TYPE:
        """Register the webhook; returns the function that unregisters it."""
        webhook.async_register(
            self.hass,
            DOMAIN,
            self.title,
            self.webhook_id,
            self.async_handle,
            local_only=True,
            allowed_methods=["POST"],
        )
        return partial(webhook.async_unregister, self.hass, self.webhook_id)

    def _reject(self, status: int, reason: str) -> web.Response:
        """One log line per rejected push: a warning the first time a reason shows up, then debug for a while."""
        self.rejected += 1
        now = time.monotonic()
        level = logging.DEBUG if now - self._last_warned.get(reason, -WARN_EVERY) < WARN_EVERY else logging.WARNING
        if level == logging.WARNING:
            self._last_warned[reason] = now
        LOGGER.log(level, "Ignored a push to %s: %s", self.title, reason)
        return web.Response(status=status, text=reason)

    async def async_handle(self, _hass: HomeAssistant, _webhook_id: str, request: web.Request) -> web.Response:
        """Validate, parse, answer, then apply."""
        if not self.allow_any_source and request.remote not in self.sources:
            return self._reject(403, "sender is not the gateway (see the 'Accept pushes from any address' option)")
        if self._in_flight >= MAX_CONCURRENT_PUSHES:
            return self._reject(503, "too many pushes at once")
        self._in_flight += 1
        try:
            return await self._async_take(request)
        finally:
            self._in_flight -= 1

    async def _async_take(self, request: web.Request) -> web.Response:
        try:
            if request.content_length is not None and request.content_length > MAX_PUSH_BYTES:
                return self._reject(413, "body too large")
            async with asyncio.timeout(READ_TIMEOUT):
                body = await _read_capped(request)
            if body is None:
                return self._reject(413, "body too large")
            push = PushRequest(
                body=body,
                content_type=request.headers.get("Content-Type", ""),
                query=dict(request.query),
                headers={key: value for key, value in request.headers.items() if key.lower() not in _PRIVATE_HEADERS},
            )
            if len(body) <= INLINE_PARSE_BYTES:
                events = self._parse(push)
            else:  # keep the event loop free while a big body (an MMS) is read
                events = await self.hass.async_add_executor_job(self._parse, push)
        except TimeoutError:
            return self._reject(408, "body not received in time")
        except GatewayPushError as err:
            return self._reject(400, f"malformed push ({err})")
        except Exception as err:  # noqa: BLE001 - the handler must never raise; one line, no content
            return self._reject(400, f"unreadable push ({type(err).__name__})")
        self.accepted += 1
        self.hass.loop.call_soon(self._handle, events)
        return web.Response(status=200, text="OK")
