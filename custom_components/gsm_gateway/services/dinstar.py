"""Call forwarding, call detail records (CDR) and the SIM Toolkit (STK) menu (Dinstar gateways have them).

All admin-only: forwarding decides where a SIM's calls (and the one-time codes some services read out by phone)
go; CDRs hold call history with phone numbers; STK menus can book paid services.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio as vol

from custom_components.gsm_gateway.client import (
    CallDetailRecord,
    CallForwardCondition,
    Capability,
    GatewayCommandError,
    SimToolkitFeature,
    SlotRef,
    StkView,
)
from custom_components.gsm_gateway.const import ATTR_PORT, DOMAIN
from custom_components.gsm_gateway.helpers import translate_gateway_errors
from custom_components.gsm_gateway.validation import check_phone_number

from .common import ATTR_PORTS, TARGET_SCHEMA, register, require_feature, resolve_entry, resolve_port, resolve_ports

SERVICE_SET_CALL_FORWARD = "set_call_forward"
SERVICE_CHECK_CALL_FORWARD = "check_call_forward"
SERVICE_GET_CALL_RECORDS = "get_call_records"
SERVICE_SIM_TOOLKIT = "sim_toolkit"

ATTR_CONDITION = "condition"
ATTR_NUMBER = "number"
ATTR_START = "start"
ATTR_END = "end"
ATTR_COMMAND = "command"
ATTR_ITEM = "item"
ATTR_INPUT = "input"

CONDITIONS: dict[str, CallForwardCondition] = {
    "unconditional": CallForwardCondition.UNCONDITIONAL,
    "no_reply": CallForwardCondition.NO_REPLY,
    "busy": CallForwardCondition.BUSY,
    "not_reachable": CallForwardCondition.NOT_REACHABLE,
    "cancel_all": CallForwardCondition.CANCEL_ALL,
}
_CONDITION_NAMES = {condition.value: name for name, condition in CONDITIONS.items()}
STK_COMMANDS = ("view", "select", "ok", "cancel", "home")
STK_INPUTS = {
    0: "display",
    1: "menu",
    2: "select_item",
    3: "yes_no",
    4: "digit",
    5: "character",
    8: "digits",
    9: "digits_hidden",
    10: "characters",
    11: "characters_hidden",
    12: "unavailable",
}

CALL_FORWARD_SETTLE = 1.0  # seconds the network gets to answer a forwarding check before it is read
STK_SETTLE = 5.0  # seconds an STK command gets to change the screen
STK_POLL_INTERVAL = 0.5

SET_CALL_FORWARD_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Optional(ATTR_PORT): cv.string,
        vol.Required(ATTR_CONDITION): vol.In(list(CONDITIONS)),
        vol.Optional(ATTR_NUMBER): cv.string,
    }
)
CHECK_CALL_FORWARD_SCHEMA = vol.Schema({**TARGET_SCHEMA, vol.Optional(ATTR_PORTS): cv.string})
CALL_RECORDS_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Optional(ATTR_PORTS): cv.string,
        vol.Optional(ATTR_START): cv.datetime,
        vol.Optional(ATTR_END): cv.datetime,
    }
)
SIM_TOOLKIT_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Optional(ATTR_PORT): cv.string,
        vol.Optional(ATTR_COMMAND, default="view"): vol.In(STK_COMMANDS),
        vol.Optional(ATTR_ITEM): vol.All(vol.Coerce(int), vol.Range(min=0, max=255)),
        vol.Optional(ATTR_INPUT): cv.string,
    }
)


async def _set_call_forward(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    forwarding = require_feature(entry, entry.runtime_data.gateway.call_forwarding, SERVICE_SET_CALL_FORWARD)
    ref = resolve_port(call, entry)
    condition: str = call.data[ATTR_CONDITION]
    number: str | None = None
    if condition != "cancel_all":
        if not call.data.get(ATTR_NUMBER):
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="call_forward_number_required")
        number = check_phone_number(call.data[ATTR_NUMBER], "invalid_forward_number")
    with translate_gateway_errors(entry):
        await forwarding.set(ref, CONDITIONS[condition], number)
    return {"port": SlotRef(ref.port).label, "condition": condition}


async def _check_call_forward(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    forwarding = require_feature(entry, entry.runtime_data.gateway.call_forwarding, SERVICE_CHECK_CALL_FORWARD)
    ports = list(dict.fromkeys(SlotRef(ref.port) for ref in resolve_ports(call, entry, default_all=True)))
    checked: list[SlotRef] = []
    errors: dict[int, str] = {}
    with translate_gateway_errors(entry):
        for ref in ports:
            try:
                await forwarding.check(ref)
            except GatewayCommandError as err:  # e.g. a port without a registered SIM; the others still count
                errors[ref.port] = err.reason
            else:
                checked.append(ref)
        await asyncio.sleep(CALL_FORWARD_SETTLE)
        infos = {info.ref.port: info for info in await forwarding.get(checked) if info.ref} if checked else {}
    results: list[dict[str, Any]] = []
    for ref in ports:
        if ref.port in errors:
            results.append({"port": ref.label, "error": errors[ref.port]})
            continue
        info = infos.get(ref.port)
        rules = info.rules if info is not None else {}
        results.append(
            {"port": ref.label, "rules": {_CONDITION_NAMES.get(key, key): value for key, value in rules.items()}}
        )
    response: dict[str, Any] = {"ports": results}
    return response


def _local(moment: datetime | None) -> datetime | None:
    """A time from the call; one without a time zone is Home Assistant's local time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt_util.get_default_time_zone())


def _record(record: CallDetailRecord) -> dict[str, Any]:
    return {
        "port": record.port_label,
        "start": record.start_date.isoformat() if record.start_date else None,
        "answered": record.answer_date.isoformat() if record.answer_date else None,
        "duration": record.duration,
        "source": record.source_number,
        "destination": record.destination_number,
        "direction": record.direction,
        "hangup": record.hangup,
        "gsm_code": record.gsm_code,
    }


async def _get_call_records(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    call_records = require_feature(entry, entry.runtime_data.gateway.call_records, SERVICE_GET_CALL_RECORDS)
    refs = resolve_ports(call, entry) if call.data.get(ATTR_PORTS) else []
    with translate_gateway_errors(entry):
        records = await call_records.get(
            ports=refs, time_after=_local(call.data.get(ATTR_START)), time_before=_local(call.data.get(ATTR_END))
        )
    return {"records": [_record(record) for record in records]}


def _screen(view: StkView) -> dict[str, Any]:
    return {
        "port": view.port_label,
        "title": view.title,
        "text": view.text,
        "input": STK_INPUTS.get(view.input_type, str(view.input_type)),
        "items": [{"item": item.item_id, "text": item.text} for item in view.items],
        "frame_id": view.frame_id,
    }


async def _stk_command(stk: SimToolkitFeature, ref: SlotRef, call: ServiceCall) -> None:
    """Send the command and wait (up to `STK_SETTLE`) until the device shows another screen."""
    command: str = call.data[ATTR_COMMAND]
    before = await stk.frame_id(ref)
    if command == "select":
        await stk.select(ref, call.data[ATTR_ITEM])
    elif command == "ok":
        await stk.ok(ref, call.data.get(ATTR_INPUT))
    elif command == "cancel":
        await stk.cancel(ref)
    else:
        await stk.home(ref)
    for _ in range(int(STK_SETTLE / STK_POLL_INTERVAL)):
        if await stk.frame_id(ref) != before:
            return
        await asyncio.sleep(STK_POLL_INTERVAL)


async def _sim_toolkit(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    stk = require_feature(entry, entry.runtime_data.gateway.sim_toolkit, SERVICE_SIM_TOOLKIT)
    ref = resolve_port(call, entry)
    if call.data[ATTR_COMMAND] == "select" and call.data.get(ATTR_ITEM) is None:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="stk_item_required")
    with translate_gateway_errors(entry):
        if call.data[ATTR_COMMAND] != "view":
            await _stk_command(stk, ref, call)
        return _screen(await stk.view(ref))


def async_setup(hass: HomeAssistant) -> None:
    """Register the Dinstar actions (admin-only)."""
    register(
        hass,
        SERVICE_SET_CALL_FORWARD,
        _set_call_forward,
        SET_CALL_FORWARD_SCHEMA,
        admin=True,
        capability=Capability.CALL_FORWARD,
    )
    register(
        hass,
        SERVICE_CHECK_CALL_FORWARD,
        _check_call_forward,
        CHECK_CALL_FORWARD_SCHEMA,
        response=SupportsResponse.ONLY,
        admin=True,
        capability=Capability.CALL_FORWARD,
    )
    register(
        hass,
        SERVICE_GET_CALL_RECORDS,
        _get_call_records,
        CALL_RECORDS_SCHEMA,
        response=SupportsResponse.ONLY,
        admin=True,
        capability=Capability.CDR,
    )
    register(hass, SERVICE_SIM_TOOLKIT, _sim_toolkit, SIM_TOOLKIT_SCHEMA, admin=True, capability=Capability.STK)
