"""SIM and port actions: IMEI, SIM number, redial, active slot, module power.

`set_imei` and `set_sim_number` are admin-only: they change how the SIM appears to the network. A bare port
(`3`) means the port's active slot; the response names the slot that was written.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio as vol

from custom_components.gsm_gateway.client import Capability, RedialMode, SlotRef, slot_number
from custom_components.gsm_gateway.const import ATTR_PORT, DOMAIN
from custom_components.gsm_gateway.coordinator import GsmGatewayConfigEntry
from custom_components.gsm_gateway.helpers import translate_gateway_errors
from custom_components.gsm_gateway.validation import check_imei, check_phone_number

from .common import (
    ATTR_PORTS,
    TARGET_SCHEMA,
    active_slot,
    port_numbers,
    register,
    require,
    resolve_entry,
    resolve_port,
    resolve_ports,
)

SERVICE_SET_IMEI = "set_imei"
SERVICE_SET_SIM_NUMBER = "set_sim_number"
SERVICE_REDIAL = "redial"
SERVICE_SWITCH_SLOT = "switch_slot"
SERVICE_SET_MODULE_POWER = "set_module_power"

ATTR_IMEI = "imei"
ATTR_NUMBER = "number"
ATTR_MODE = "mode"
ATTR_DELAY = "delay"
ATTR_SLOT = "slot"
ATTR_ON = "power_on"

REDIAL_MODES = {"flight": RedialMode.FLIGHT, "fast": RedialMode.FAST}

SET_IMEI_SCHEMA = vol.Schema({**TARGET_SCHEMA, vol.Optional(ATTR_PORT): cv.string, vol.Required(ATTR_IMEI): cv.string})
SET_SIM_NUMBER_SCHEMA = vol.Schema(
    {**TARGET_SCHEMA, vol.Optional(ATTR_PORT): cv.string, vol.Required(ATTR_NUMBER): cv.string}
)
REDIAL_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Optional(ATTR_PORTS): cv.string,
        vol.Optional(ATTR_MODE, default="flight"): vol.In(list(REDIAL_MODES)),
        vol.Optional(ATTR_DELAY): vol.All(vol.Coerce(int), vol.Range(min=0, max=3600)),
    }
)
SWITCH_SLOT_SCHEMA = vol.Schema(
    {**TARGET_SCHEMA, vol.Optional(ATTR_PORTS): cv.string, vol.Optional(ATTR_SLOT): cv.string}
)
MODULE_POWER_SCHEMA = vol.Schema(
    {**TARGET_SCHEMA, vol.Optional(ATTR_PORTS): cv.string, vol.Required(ATTR_ON): cv.boolean}
)


def _set_response(ref: SlotRef, confirmed: int, requested: int) -> ServiceResponse:
    return {
        "port": ref.label,
        "confirmed": confirmed >= requested,
        "parameters_confirmed": confirmed,
        "parameters_requested": requested,
    }


async def _refresh(entry: GsmGatewayConfigEntry) -> None:
    """Read the confirmed state at once, so entities show what the device did."""
    await entry.runtime_data.status.async_refresh()


async def _set_imei(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    gateway = require(entry, Capability.SET_IMEI, SERVICE_SET_IMEI)
    imei = check_imei(call.data[ATTR_IMEI])
    ref = active_slot(entry, resolve_port(call, entry))
    with translate_gateway_errors(entry):
        result = await gateway.set_imei(ref, imei)
    await _refresh(entry)
    return _set_response(ref, result.confirmed, result.requested)


async def _set_sim_number(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    gateway = require(entry, Capability.SET_SIM_NUMBER, SERVICE_SET_SIM_NUMBER)
    number = check_phone_number(call.data[ATTR_NUMBER], "invalid_sim_number")
    ref = active_slot(entry, resolve_port(call, entry))
    with translate_gateway_errors(entry):
        result = await gateway.set_sim_number(ref, number)
    await _refresh(entry)
    return _set_response(ref, result.confirmed, result.requested)


async def _redial(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    gateway = require(entry, Capability.REDIAL, SERVICE_REDIAL)
    refs = resolve_ports(call, entry)
    mode = REDIAL_MODES[call.data[ATTR_MODE]]
    delay: int | None = call.data.get(ATTR_DELAY)
    if delay is not None and mode is not RedialMode.FLIGHT:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="redial_delay_fast")
    with translate_gateway_errors(entry):
        await gateway.redial(refs, mode, delay)
    await _refresh(entry)
    return {"ports": [ref.label for ref in refs], "mode": call.data[ATTR_MODE]}


async def _switch_slot(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    gateway = require(entry, Capability.SWITCH_SLOT, SERVICE_SWITCH_SLOT)
    refs = resolve_ports(call, entry)
    if (letter := call.data.get(ATTR_SLOT)) is not None:
        try:
            slot = slot_number(letter.strip())
        except ValueError:
            slot = 0
        if not 1 <= slot <= gateway.device.slot_count:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_slot",
                translation_placeholders={"slot": letter, "slots": str(gateway.device.slot_count)},
            )
        refs = [SlotRef(port, slot) for port in port_numbers(refs)]
    if missing := [ref.label for ref in refs if ref.slot is None]:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="slot_required", translation_placeholders={"port": missing[0]}
        )
    with translate_gateway_errors(entry):
        for ref in refs:
            await gateway.switch_slot(ref)
    await _refresh(entry)
    return {"ports": [ref.label for ref in refs]}


async def _set_module_power(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    gateway = require(entry, Capability.MODULE_POWER, SERVICE_SET_MODULE_POWER)
    ports = port_numbers(resolve_ports(call, entry))
    on: bool = call.data[ATTR_ON]
    with translate_gateway_errors(entry):
        for port in ports:
            await gateway.set_module_power(port, on=on)
    await _refresh(entry)
    return {"ports": [str(port) for port in ports], "power_on": on}


def async_setup(hass: HomeAssistant) -> None:
    """Register the SIM and port actions."""
    register(hass, SERVICE_SET_IMEI, _set_imei, SET_IMEI_SCHEMA, admin=True, capability=Capability.SET_IMEI)
    register(
        hass,
        SERVICE_SET_SIM_NUMBER,
        _set_sim_number,
        SET_SIM_NUMBER_SCHEMA,
        admin=True,
        capability=Capability.SET_SIM_NUMBER,
    )
    register(hass, SERVICE_REDIAL, _redial, REDIAL_SCHEMA, capability=Capability.REDIAL)
    register(hass, SERVICE_SWITCH_SLOT, _switch_slot, SWITCH_SLOT_SCHEMA, capability=Capability.SWITCH_SLOT)
    register(hass, SERVICE_SET_MODULE_POWER, _set_module_power, MODULE_POWER_SCHEMA, capability=Capability.MODULE_POWER)
