"""eSIM actions (Skyline v2.4): list profiles, download (write) and delete a profile, following the device's job.

A write or delete is only submitted by the request; the device works on it for a while. The action follows the
job (`gateway.esim.job_progress`) until it ends or the action's timeout passes, and fires
`gsm_gateway_esim_progress` at every step. After a timeout the job is still followed in the background (up to
`ESIM_JOB_LIMIT`), so its end still arrives as an event. All three actions are admin-only: they show or change
the SIM identities of the gateway.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio as vol

from custom_components.gsm_gateway.client import (
    Capability,
    EsimFeature,
    EsimInfo,
    EsimJobProgress,
    EsimJobState,
    EsimOperation,
    GatewayError,
    SlotRef,
)
from custom_components.gsm_gateway.const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DEVICE_ID,
    ATTR_PORT,
    DOMAIN,
    EVENT_ESIM_PROGRESS,
)
from custom_components.gsm_gateway.coordinator import GsmGatewayConfigEntry
from custom_components.gsm_gateway.helpers import translate_gateway_errors

from .common import TARGET_SCHEMA, port_numbers, register, require_feature, resolve_entry, resolve_port, resolve_ports

SERVICE_LIST_ESIMS = "list_esims"
SERVICE_WRITE_ESIM = "write_esim"
SERVICE_DELETE_ESIM = "delete_esim"

ATTR_ACTIVATION_CODE = "activation_code"
ATTR_CONFIRMATION_CODE = "confirmation_code"
ATTR_TIMEOUT = "timeout"

ESIM_POLL_INTERVAL = 2.0  # seconds between two reads of the job's progress
ESIM_JOB_LIMIT = 900.0  # seconds a job is followed at most (the action's timeout is shorter)
MAX_POLL_ERRORS = 5  # consecutive connection errors while following before giving up
DEFAULT_TIMEOUT = 120

_TIMEOUT = vol.All(vol.Coerce(int), vol.Range(min=1, max=600))
LIST_SCHEMA = vol.Schema({**TARGET_SCHEMA, vol.Optional("ports"): cv.string})
WRITE_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Optional(ATTR_PORT): cv.string,
        vol.Required(ATTR_ACTIVATION_CODE): cv.string,
        vol.Optional(ATTR_CONFIRMATION_CODE, default=""): cv.string,
        vol.Optional(ATTR_TIMEOUT, default=DEFAULT_TIMEOUT): _TIMEOUT,
    }
)
DELETE_SCHEMA = vol.Schema(
    {**TARGET_SCHEMA, vol.Optional(ATTR_PORT): cv.string, vol.Optional(ATTR_TIMEOUT, default=DEFAULT_TIMEOUT): _TIMEOUT}
)


def esim_response(info: EsimInfo) -> dict[str, Any]:
    """One port's eSIM as the actions return it."""
    return {
        "port": SlotRef(info.port).label,
        "eid": info.eid,
        "state": info.state,
        "profiles": [
            {
                "port": SlotRef(info.port, profile.slot).label,
                "enabled": profile.enabled,
                "iccid": profile.iccid,
                "provider": profile.provider,
                "status": profile.status,
            }
            for profile in info.profiles
        ],
    }


async def _list_esims(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    esim = require_feature(entry, entry.runtime_data.gateway.esim, SERVICE_LIST_ESIMS)
    ports = port_numbers(resolve_ports(call, entry, default_all=True))
    with translate_gateway_errors(entry):
        infos = await esim.list_profiles(ports)
    return {"esims": [esim_response(info) for info in infos]}


class EsimJob:
    """Follows one submitted job and reports each step as a bus event."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GsmGatewayConfigEntry,
        esim: EsimFeature,
        ref: SlotRef,
        operation: EsimOperation,
    ) -> None:
        """Bind to a submitted job on `ref` (port and profile slot)."""
        self.hass = hass
        self.entry = entry
        self.esim = esim
        self.ref = ref
        self.operation = operation

    def fire(self, state: str, reason: str = "") -> None:
        """Fire `gsm_gateway_esim_progress` with the job's state."""
        runtime = self.entry.runtime_data
        self.hass.bus.async_fire(
            EVENT_ESIM_PROGRESS,
            {
                ATTR_CONFIG_ENTRY_ID: self.entry.entry_id,
                ATTR_DEVICE_ID: runtime.devices.device_id(self.ref.port),
                ATTR_PORT: self.ref.label,
                "operation": self.operation.value,
                "state": state,
                "reason": reason,
            },
        )

    async def follow(self) -> EsimJobProgress:
        """Poll the job until it ends, firing an event whenever its state changes. Never raises a client error.

        When the gateway stops answering (`MAX_POLL_ERRORS` times in a row), or `ESIM_JOB_LIMIT` passes, the
        job's last known progress is returned (still pending) and the event says `unknown` or `timed_out`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ESIM_JOB_LIMIT
        progress = EsimJobProgress(
            port=self.ref.port, slot=self.ref.slot or 1, operation=self.operation, state=EsimJobState.PENDING
        )
        reported: EsimJobState | None = None
        errors = 0
        while loop.time() < deadline:
            await asyncio.sleep(ESIM_POLL_INTERVAL)
            try:
                progress = await self.esim.job_progress(self.ref.port, self.ref.slot or 1, self.operation)
            except GatewayError as err:
                errors += 1
                if errors >= MAX_POLL_ERRORS:
                    reason = f"the gateway stopped answering ({type(err).__name__})"
                    self.fire("unknown", reason)
                    return replace(progress, reason=reason)
                continue
            errors = 0
            if progress.state is not reported:
                reported = progress.state
                self.fire(progress.state.value, progress.reason)
            if progress.done:
                return progress
        self.fire("timed_out")
        return progress


async def _run_job(call: ServiceCall, operation: EsimOperation, action: str) -> ServiceResponse:
    entry = resolve_entry(call)
    esim = require_feature(entry, entry.runtime_data.gateway.esim, action)
    ref = resolve_port(call, entry)
    if ref.slot is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="slot_required", translation_placeholders={"port": ref.label}
        )
    with translate_gateway_errors(entry):
        if operation is EsimOperation.WRITE:
            await esim.write(ref.port, ref.slot, call.data[ATTR_ACTIVATION_CODE], call.data[ATTR_CONFIRMATION_CODE])
        else:
            await esim.delete(ref.port, ref.slot)
    job = EsimJob(call.hass, entry, esim, ref, operation)
    job.fire("submitted")
    task = entry.async_create_background_task(call.hass, job.follow(), f"{DOMAIN} eSIM {operation.value} {ref.label}")
    timeout: int = call.data[ATTR_TIMEOUT]
    placeholders = {"title": entry.title, "port": ref.label, "operation": operation.value}
    try:
        async with asyncio.timeout(timeout):
            progress = await asyncio.shield(task)
    except TimeoutError:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="esim_timeout",
            translation_placeholders={**placeholders, "timeout": str(timeout)},
        ) from None
    if progress.state is not EsimJobState.SUCCEEDED:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="esim_failed",
            translation_placeholders={**placeholders, "reason": progress.reason or progress.state.value},
        )
    with translate_gateway_errors(entry):
        infos = await esim.list_profiles([ref.port])
    return {
        "port": ref.label,
        "operation": operation.value,
        "state": progress.state.value,
        "esim": next((esim_response(info) for info in infos if info.port == ref.port), None),
    }


async def _write_esim(call: ServiceCall) -> ServiceResponse:
    if not call.data[ATTR_ACTIVATION_CODE].strip():
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="activation_code_required")
    return await _run_job(call, EsimOperation.WRITE, SERVICE_WRITE_ESIM)


async def _delete_esim(call: ServiceCall) -> ServiceResponse:
    return await _run_job(call, EsimOperation.DELETE, SERVICE_DELETE_ESIM)


def async_setup(hass: HomeAssistant) -> None:
    """Register the eSIM actions (admin-only)."""
    register(
        hass,
        SERVICE_LIST_ESIMS,
        _list_esims,
        LIST_SCHEMA,
        response=SupportsResponse.ONLY,
        admin=True,
        capability=Capability.ESIM,
    )
    register(hass, SERVICE_WRITE_ESIM, _write_esim, WRITE_SCHEMA, admin=True, capability=Capability.ESIM)
    register(hass, SERVICE_DELETE_ESIM, _delete_esim, DELETE_SCHEMA, admin=True, capability=Capability.ESIM)
