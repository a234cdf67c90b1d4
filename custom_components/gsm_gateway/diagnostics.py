"""Diagnostics: configuration, device, capabilities and status, with everything that identifies something redacted.

Policy (docs/architecture.md, "Diagnostics"): people paste diagnostics into public issues, so nothing in them may
identify a device, a SIM, a person or a place in a network, or grant access. Redacted: credentials and the webhook
id; the gateway's address (host, IP, configuration URL, and the entry title, which names the host by default), MAC,
serial and the unique id made of them; IMEI, IMSI, ICCID, SIM and recipient numbers and the recipients' names; the
push target the gateway had before (a URL that may carry a token). Kept: vendor, model, firmware, port and slot
counts, capabilities, options, SIM states and status codes, signal, operator, balance and the counters.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_RECIPIENT_NUMBER, CONF_WEBHOOK_ID
from .coordinator import GsmGatewayConfigEntry
from .push_target import CONF_PREVIOUS_PUSH_TARGET

TO_REDACT = {
    # access
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    CONF_PREVIOUS_PUSH_TARGET,
    # the device and where it is
    CONF_HOST,
    "ip",
    "mac",
    "serial",
    "unique_id",
    "title",
    # SIMs and people
    CONF_RECIPIENT_NUMBER,
    "imei",
    "imsi",
    "iccid",
    "sim_number",
    "extra",
}


def _slot(slot: Any) -> dict[str, Any]:
    data = asdict(slot)
    data["ref"] = slot.ref.label if slot.ref is not None else None
    return data


async def async_get_config_entry_diagnostics(_hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> dict[str, Any]:
    """What a maintainer needs to understand a report, and nothing that identifies a SIM or a person."""
    runtime = entry.runtime_data
    status = runtime.status.data
    statistics = runtime.statistics.data if runtime.statistics is not None else None
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "data": dict(entry.data),
                "options": dict(entry.options),
                "recipients": [
                    {"title": "**REDACTED**", **dict(subentry.data)} for subentry in entry.subentries.values()
                ],
            },
            "device": asdict(status.device),
            "capabilities": sorted(runtime.gateway.capabilities),
            "status": {
                "last_update_success": runtime.status.last_update_success,
                "unparsed_labels": list(status.unparsed_labels),
                "ports": {
                    str(number): {
                        "active_slot": port.active_slot,
                        "slots": {str(n): _slot(slot) for n, slot in port.slots.items()},
                    }
                    for number, port in status.ports.items()
                },
            },
            "statistics": None
            if statistics is None
            else {
                "sms_total": {label: asdict(stat) | {"ref": label} for label, stat in statistics.sms_total.items()},
                "calls_total": {label: asdict(stat) | {"ref": label} for label, stat in statistics.calls_total.items()},
            },
        },
        TO_REDACT,
    )
