"""The `send_sms` action (the sending itself lives in `sending.py`, shared with the notify entities).

With `failover: true` the action follows each recipient until a gateway reports it sent, trying other SIMs and
gateways after a definite failure (`failover.py`). The other failover fields need it, so a typo cannot silently
turn an alarm into a plain send.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import probatio as vol

from custom_components.gsm_gateway.client import Encoding
from custom_components.gsm_gateway.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_PORT, DOMAIN
from custom_components.gsm_gateway.coordinator import GsmGatewayConfigEntry
from custom_components.gsm_gateway.failover import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_ATTEMPTS,
    MAX_ATTEMPTS,
    MAX_DEADLINE,
    MAX_RECIPIENTS,
    MIN_DEADLINE,
    FailoverOptions,
    async_send_with_failover,
)
from custom_components.gsm_gateway.sending import async_send_sms, normalize_recipients

from .common import TARGET_SCHEMA, device_port, register, resolve_entry

SERVICE_SEND_SMS = "send_sms"

ATTR_RECIPIENTS = "recipients"
ATTR_MESSAGE = "message"
ATTR_ENCODING = "encoding"
ATTR_DELIVERY_REPORT = "delivery_report"
ATTR_FAILOVER = "failover"
ATTR_DEADLINE = "deadline"
ATTR_AT_LEAST_ONCE = "at_least_once"
ATTR_MAX_ATTEMPTS = "max_attempts"
ATTR_FAILOVER_GATEWAYS = "failover_gateways"
FAILOVER_FIELDS = (ATTR_DEADLINE, ATTR_AT_LEAST_ONCE, ATTR_MAX_ATTEMPTS, ATTR_FAILOVER_GATEWAYS)

SEND_SMS_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Required(ATTR_RECIPIENTS): vol.All(cv.ensure_list, [cv.string]),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_PORT): cv.string,
        vol.Optional(ATTR_ENCODING): vol.In([encoding.value for encoding in Encoding]),
        vol.Optional(ATTR_DELIVERY_REPORT): cv.boolean,
        vol.Optional(ATTR_FAILOVER, default=False): cv.boolean,
        vol.Optional(ATTR_DEADLINE): vol.All(vol.Coerce(int), vol.Range(min=MIN_DEADLINE, max=MAX_DEADLINE)),
        vol.Optional(ATTR_AT_LEAST_ONCE): cv.boolean,
        vol.Optional(ATTR_MAX_ATTEMPTS): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_ATTEMPTS)),
        vol.Optional(ATTR_FAILOVER_GATEWAYS): vol.All(cv.ensure_list, [cv.string]),
    }
)


async def _send_sms(call: ServiceCall) -> ServiceResponse:
    if call.data[ATTR_FAILOVER]:
        return await _send_sms_with_failover(call)
    if given := [name for name in FAILOVER_FIELDS if name in call.data]:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="failover_fields_without_failover",
            translation_placeholders={"fields": ", ".join(given)},
        )
    entry = resolve_entry(call)
    return await async_send_sms(
        entry,
        recipients=call.data[ATTR_RECIPIENTS],
        message=call.data[ATTR_MESSAGE],
        port=call.data.get(ATTR_PORT),
        encoding=call.data.get(ATTR_ENCODING),
        delivery_report=call.data.get(ATTR_DELIVERY_REPORT),
    )


async def _send_sms_with_failover(call: ServiceCall) -> ServiceResponse:
    message: str = call.data[ATTR_MESSAGE]
    if not message:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="empty_message")
    recipients = normalize_recipients(call.data[ATTR_RECIPIENTS])
    if len(recipients) > MAX_RECIPIENTS:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="failover_too_many_recipients",
            translation_placeholders={"count": str(len(recipients)), "max": str(MAX_RECIPIENTS)},
        )
    entries = failover_gateways(call)
    port = call.data.get(ATTR_PORT)
    chosen = entries[0]
    if port in (None, "") and chosen.state is ConfigEntryState.LOADED and (number := device_port(call, chosen)):
        port = str(number)  # a port device chose the port
    return await async_send_with_failover(
        call.hass,
        entries,
        recipients=recipients,
        message=message,
        port=port,
        encoding=call.data.get(ATTR_ENCODING),
        delivery_report=call.data.get(ATTR_DELIVERY_REPORT),
        options=FailoverOptions(
            deadline=call.data.get(ATTR_DEADLINE, DEFAULT_DEADLINE),
            at_least_once=call.data.get(ATTR_AT_LEAST_ONCE, False),
            max_attempts=call.data.get(ATTR_MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS),
        ),
    )


def failover_gateways(call: ServiceCall) -> list[GsmGatewayConfigEntry]:
    """The gateways to try, in order: the chosen one, then `failover_gateways`, else every other one.

    Unlike a plain send, a chosen gateway that is not loaded (down since Home Assistant started) is no error: the
    others are tried. Without a chosen gateway, every gateway is tried in the order they were added.
    """
    hass = call.hass
    configured: list[GsmGatewayConfigEntry] = hass.config_entries.async_entries(
        DOMAIN, include_ignore=False, include_disabled=False
    )
    chosen: list[GsmGatewayConfigEntry] = []
    if (entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID)) is not None:
        chosen.append(_gateway(hass, entry_id))
    elif (device_id := call.data.get(ATTR_DEVICE_ID)) is not None:
        chosen.append(_gateway_of_device(hass, device_id))
    listed = call.data.get(ATTR_FAILOVER_GATEWAYS)
    others = configured if listed is None else [_gateway_or_device(hass, item) for item in listed]
    ordered = list({entry.entry_id: entry for entry in [*chosen, *others]}.values())
    if not ordered:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="gateway_required")
    return ordered


def _gateway(hass: HomeAssistant, entry_id: str) -> GsmGatewayConfigEntry:
    entry: ConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="gateway_not_loaded", translation_placeholders={"id": entry_id}
        )
    return entry


def _gateway_of_device(hass: HomeAssistant, device_id: str) -> GsmGatewayConfigEntry:
    device = dr.async_get(hass).async_get(device_id)
    if device is None or device.config_entry_id is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="device_not_found", translation_placeholders={"id": device_id}
        )
    return _gateway(hass, device.config_entry_id)


def _gateway_or_device(hass: HomeAssistant, item: str) -> GsmGatewayConfigEntry:
    """A gateway named by its config entry id, or by its device (or one of its ports' devices)."""
    entry = hass.config_entries.async_get_entry(item)
    if entry is not None and entry.domain == DOMAIN:
        return entry
    return _gateway_of_device(hass, item)


def async_setup(hass: HomeAssistant) -> None:
    """Register `send_sms`."""
    register(hass, SERVICE_SEND_SMS, _send_sms, SEND_SMS_SCHEMA, response=SupportsResponse.OPTIONAL, capability=None)
