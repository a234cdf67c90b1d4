"""Diagnostics: configuration, device, capabilities and status, with secrets and SIM identifiers redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_RECIPIENT_NUMBER, CONF_WEBHOOK_ID
from .coordinator import GsmGatewayConfigEntry

TO_REDACT = {
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    CONF_RECIPIENT_NUMBER,
    "imei",
    "imsi",
    "iccid",
    "sim_number",
    "unique_id",
    "serial",
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
