"""The `send_sms` action (the sending itself lives in `sending.py`, shared with the notify entities)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
import probatio as vol

from custom_components.gsm_gateway.client import Encoding
from custom_components.gsm_gateway.const import ATTR_PORT
from custom_components.gsm_gateway.sending import async_send_sms

from .common import TARGET_SCHEMA, register, resolve_entry

SERVICE_SEND_SMS = "send_sms"

ATTR_RECIPIENTS = "recipients"
ATTR_MESSAGE = "message"
ATTR_ENCODING = "encoding"
ATTR_DELIVERY_REPORT = "delivery_report"

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


def async_setup(hass: HomeAssistant) -> None:
    """Register `send_sms`."""
    register(hass, SERVICE_SEND_SMS, _send_sms, SEND_SMS_SCHEMA, response=SupportsResponse.OPTIONAL, capability=None)
