"""Actions of the integration, registered once in `async_setup`."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import probatio as vol

from .client.models import Encoding
from .const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_PORT, DOMAIN
from .coordinator import GsmGatewayConfigEntry
from .sending import async_send_sms

SERVICE_SEND_SMS = "send_sms"

ATTR_RECIPIENTS = "recipients"
ATTR_MESSAGE = "message"
ATTR_ENCODING = "encoding"
ATTR_DELIVERY_REPORT = "delivery_report"

TARGET_SCHEMA: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_DEVICE_ID): cv.string,
}

SEND_SMS_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Required(ATTR_RECIPIENTS): vol.All(cv.ensure_list, [cv.string]),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_PORT): cv.string,
        vol.Optional(ATTR_ENCODING): vol.In([encoding.value for encoding in Encoding]),
        vol.Optional(ATTR_DELIVERY_REPORT): cv.boolean,
    }
)


def resolve_entry(call: ServiceCall) -> GsmGatewayConfigEntry:
    """The gateway an action is for: by config entry, by device (gateway or port), or the only one loaded."""
    hass = call.hass
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None and (device_id := call.data.get(ATTR_DEVICE_ID)) is not None:
        device = dr.async_get(hass).async_get(device_id)
        if device is None or device.config_entry_id is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="device_not_found",
                translation_placeholders={"id": device_id},
            )
        entry_id = device.config_entry_id
    loaded: list[GsmGatewayConfigEntry] = [
        entry for entry in hass.config_entries.async_entries(DOMAIN) if entry.state is ConfigEntryState.LOADED
    ]
    if entry_id is None:
        if len(loaded) == 1:
            return loaded[0]
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="gateway_required")
    for entry in loaded:
        if entry.entry_id == entry_id:
            return entry
    raise ServiceValidationError(
        translation_domain=DOMAIN, translation_key="gateway_not_loaded", translation_placeholders={"id": entry_id}
    )


async def _send_sms(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    return await async_send_sms(
        entry,
        recipients=call.data[ATTR_RECIPIENTS],
        message=call.data[ATTR_MESSAGE],
        port=call.data.get(ATTR_PORT),
        encoding=call.data.get(ATTR_ENCODING),
        delivery_report=call.data.get(ATTR_DELIVERY_REPORT),
    )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration."""
    hass.services.async_register(
        DOMAIN, SERVICE_SEND_SMS, _send_sms, schema=SEND_SMS_SCHEMA, supports_response=SupportsResponse.OPTIONAL
    )
