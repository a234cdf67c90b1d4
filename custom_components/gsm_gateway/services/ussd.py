"""USSD: `send_ussd` sends a code (`*100#`) and returns the reply when it comes in time; `cancel_ussd` ends a session.

How the reply comes back depends on the gateway:
- Skyline/EJOIN answers in the request itself (`UssdResult.reply`); when it does not, no reply will come.
- Gateways that can be asked for replies later (`fetch_ussd_replies`: Dinstar, Synway) deliver them later.
  Dinstar also pushes them: while its pushes reach Home Assistant, the action waits for the push (the webhook's
  `EventDispatcher.async_ussd_reply` resolves the waiter); otherwise, and on Synway, it polls.
Every reply fires `gsm_gateway_ussd_received` exactly once. When the reply is not there within the timeout, the
response says `pending` and the reply arrives later as that event (a poll goes on in the background for up to
`USSD_FOLLOW_LIMIT` seconds).

One session per port (`Receiver.ussd_sessions`): a second code is refused (`ussd_busy`) until the reply came, the
follow limit passed, or `cancel_ussd` ended the session on the device (Dinstar) and here (the action still waiting
then says `cancelled`). A code longer than the gateway takes (`Gateway.max_ussd_bytes`, counted in bytes as sent:
codes are ASCII) is refused before anything is sent (`ussd_too_long`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio as vol

from custom_components.gsm_gateway.client import (
    Capability,
    Gateway,
    GatewayError,
    GatewayUnsupportedError,
    SlotRef,
    UssdResult,
    parse_label,
)
from custom_components.gsm_gateway.const import ATTR_PORT, DOMAIN, EVENT_USSD_RECEIVED, LOGGER
from custom_components.gsm_gateway.coordinator import GsmGatewayConfigEntry
from custom_components.gsm_gateway.dispatch import EventDispatcher
from custom_components.gsm_gateway.helpers import translate_gateway_errors
from custom_components.gsm_gateway.receiver import UssdSession

from .common import TARGET_SCHEMA, register, require, resolve_entry, resolve_port

SERVICE_SEND_USSD = "send_ussd"
SERVICE_CANCEL_USSD = "cancel_ussd"

ATTR_CODE = "code"
ATTR_TIMEOUT = "timeout"

DEFAULT_TIMEOUT = 20
USSD_POLL_INTERVAL = 2.0  # seconds between two reads of the reply, on gateways that are polled
USSD_FOLLOW_LIMIT = 300.0  # seconds a reply is polled for at most, in the background after the timeout

SEND_USSD_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Optional(ATTR_PORT): cv.string,
        vol.Required(ATTR_CODE): cv.string,
        vol.Optional(ATTR_TIMEOUT, default=DEFAULT_TIMEOUT): vol.All(vol.Coerce(int), vol.Range(min=0, max=120)),
    }
)
CANCEL_USSD_SCHEMA = vol.Schema({**TARGET_SCHEMA, vol.Optional(ATTR_PORT): cv.string})


def _reply_for(replies: dict[str, str], port: int) -> tuple[str, str] | None:
    """The (label, text) of `port`'s reply among the gateway's replies by label."""
    for label, text in replies.items():
        ref = parse_label(label)
        if ref is not None and ref.port == port:
            return label, text
    return None


@contextmanager
def _push_waiter(dispatcher: EventDispatcher | None, ref: SlotRef, slot_count: int) -> Iterator[asyncio.Future[str]]:
    """A future the next pushed reply of `ref`'s port resolves (under every label the port may be reported by)."""
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    waiters = dispatcher.ussd_waiters if dispatcher is not None else {}
    labels = [str(ref.port), *(SlotRef(ref.port, slot).label for slot in range(1, max(slot_count, 1) + 1))]
    for label in labels:
        waiters.setdefault(label, []).append(future)
    try:
        yield future
    finally:
        for label in labels:
            waiting = waiters.get(label, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                waiters.pop(label, None)


def _fire_reply(dispatcher: EventDispatcher | None, label: str, text: str) -> None:
    if dispatcher is not None:
        dispatcher.async_ussd_reply(parse_label(label), label, text)


async def _poll_reply(
    gateway: Gateway, dispatcher: EventDispatcher | None, ref: SlotRef, baseline: tuple[str, str] | None
) -> str | None:
    """Poll until the port has a new reply; fire its event and return it (None after `USSD_FOLLOW_LIMIT`).

    A reply is new when its text differs from the one read before sending, or when the port had no reply at
    some poll after sending (Synway lists the latest exchange, which is ours and empty until answered).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + USSD_FOLLOW_LIMIT
    cleared = baseline is None
    while loop.time() < deadline:
        await asyncio.sleep(USSD_POLL_INTERVAL)
        try:
            found = _reply_for(await gateway.fetch_ussd_replies([ref]), ref.port)
        except GatewayError as err:
            LOGGER.debug("Reading the USSD reply of port %s failed: %s", ref.label, type(err).__name__)
            continue
        if found is None:
            cleared = True
            continue
        if cleared or baseline is None or found[1] != baseline[1]:
            _fire_reply(dispatcher, *found)
            return found[1]
    return None


async def _baseline(
    entry: GsmGatewayConfigEntry, gateway: Gateway, ref: SlotRef
) -> tuple[bool, tuple[str, str] | None]:
    """(whether the gateway can be asked for replies later, the port's reply before sending)."""
    with translate_gateway_errors(entry):
        try:
            replies = await gateway.fetch_ussd_replies([ref])
        except GatewayUnsupportedError:
            return False, None
    return True, _reply_for(replies, ref.port)


def _check_length(entry: GsmGatewayConfigEntry, gateway: Gateway, code: str) -> None:
    """Refuse a code longer than the gateway takes, in bytes as sent (UTF-8; a valid code is ASCII, a byte each)."""
    limit = gateway.max_ussd_bytes
    size = len(code.strip().encode())
    if limit is not None and size > limit:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="ussd_too_long",
            translation_placeholders={"title": entry.title, "length": str(size), "limit": str(limit)},
        )


async def _send_ussd(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    gateway = require(entry, Capability.USSD, SERVICE_SEND_USSD)
    ref = resolve_port(call, entry)
    _check_length(entry, gateway, call.data[ATTR_CODE])
    # One USSD session per port: replies carry nothing that says which code they answer.
    sessions = entry.runtime_data.receiver.ussd_sessions
    if ref.port in sessions:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="ussd_busy",
            translation_placeholders={"port": str(ref.port), "limit": str(int(USSD_FOLLOW_LIMIT // 60))},
        )
    session = sessions[ref.port] = UssdSession()

    def release(_task: object = None) -> None:
        if sessions.get(ref.port) is session:  # not a newer session, after `cancel_ussd` freed the port
            del sessions[ref.port]

    try:
        return await _async_session(call, entry, gateway, ref, session)
    finally:
        if session.poll is None or session.poll.done():
            release()
        else:  # the reply is still read in the background: the session ends with that
            session.poll.add_done_callback(release)


async def _answered(session: UssdSession, waited: asyncio.Future[str] | asyncio.Task[str | None], timeout: int) -> bool:
    """Wait up to `timeout` seconds for `waited` (a pushed reply, a poll), or until the session is cancelled first.

    True when `waited` finished with a result; never raises or cancels it (a poll goes on after the timeout).
    """
    await asyncio.wait((waited, session.ended), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    return waited.done() and not waited.cancelled()


def _unanswered(label: str, session: UssdSession) -> ServiceResponse:
    return _response(label, "cancelled" if session.ended.done() else "pending", None)


async def _async_session(
    call: ServiceCall, entry: GsmGatewayConfigEntry, gateway: Gateway, ref: SlotRef, session: UssdSession
) -> ServiceResponse:
    """Send the code and wait for the reply; a reply still to come is polled by `session.poll`, if it runs."""
    runtime = entry.runtime_data
    dispatcher = runtime.receiver.dispatcher
    timeout: int = call.data[ATTR_TIMEOUT]
    readable_later, baseline = await _baseline(entry, gateway, ref)
    # Gateways that keep replies for reading later are the ones that answer later; Dinstar pushes them too.
    pushed = readable_later and runtime.receiver.receives_pushes and Capability.SMS_PUSH in gateway.capabilities
    with _push_waiter(dispatcher, ref, gateway.device.slot_count) as pushed_reply:
        with translate_gateway_errors(entry):
            result = await gateway.send_ussd(ref, call.data[ATTR_CODE])
        label = result.port_label or ref.label
        if not result.accepted:
            raise _refused(entry, "ussd_refused", label, result)
        if result.reply is not None:
            _fire_reply(dispatcher, label, result.reply)
            return _response(label, "replied", result.reply)
        if not readable_later:
            return _response(label, "no_reply", None)
        if pushed:
            if await _answered(session, pushed_reply, timeout):
                return _response(label, "replied", pushed_reply.result())
            return _unanswered(label, session)
    polling = session.follow(
        entry.async_create_background_task(
            call.hass, _poll_reply(gateway, dispatcher, ref, baseline), f"{DOMAIN} USSD reply {ref.label}"
        )
    )
    if await _answered(session, polling, timeout):
        reply = polling.result()
        return _response(label, "replied" if reply is not None else "pending", reply)
    return _unanswered(label, session)


def _refused(entry: GsmGatewayConfigEntry, key: str, label: str, result: UssdResult) -> HomeAssistantError:
    """The gateway said no to a USSD request (`ussd_refused`, `ussd_cancel_refused`): its code and reason."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={
            "title": entry.title,
            "port": label,
            "code": str(result.code),
            "reason": result.reason or "-",
        },
    )


def _response(port: str, status: str, reply: str | None) -> ServiceResponse:
    response: dict[str, Any] = {"port": port, "status": status, "reply": reply}
    if status == "pending":
        response["reply_event"] = EVENT_USSD_RECEIVED
    return response


async def _cancel_ussd(call: ServiceCall) -> ServiceResponse:
    """End the port's session on the device; when it confirms, Home Assistant stops waiting for that port too."""
    entry = resolve_entry(call)
    gateway = require(entry, Capability.USSD_CANCEL, SERVICE_CANCEL_USSD)
    ref = resolve_port(call, entry)
    with translate_gateway_errors(entry):
        result = await gateway.cancel_ussd(ref)
    label = result.port_label or ref.label
    if not result.accepted:
        raise _refused(entry, "ussd_cancel_refused", label, result)
    session = entry.runtime_data.receiver.ussd_sessions.pop(ref.port, None)
    if session is not None:
        session.end()
    return {"port": label, "stopped_waiting": session is not None}


def async_setup(hass: HomeAssistant) -> None:
    """Register `send_ussd` and `cancel_ussd`."""
    register(hass, SERVICE_SEND_USSD, _send_ussd, SEND_USSD_SCHEMA, capability=Capability.USSD)
    register(hass, SERVICE_CANCEL_USSD, _cancel_ussd, CANCEL_USSD_SCHEMA, capability=Capability.USSD_CANCEL)
