"""The `send_sms` and `send_mms` actions (the sending itself lives in `sending.py`, shared with the notify entities).

With `failover: true` the action follows each recipient until a gateway reports it sent, trying other SIMs and
gateways after a definite failure (`failover.py`). The other failover fields need it, so a typo cannot silently
turn an alarm into a plain send.

Send options (`smsc`, `interval`, `send_timeout`) go to gateways with `Capability.SEND_OPTIONS`; elsewhere, and with
failover (whose attempts may go through any gateway), they are refused with a translated error, never dropped.
`send_mms` is an action of its own: it needs `Capability.MMS_SEND`, a title and attachments, and none of the SMS
fields (encoding, delivery report, failover) apply to it. Attachments come from Home Assistant's media (`media.py`).
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import probatio as vol

from custom_components.gsm_gateway.client import Capability, Encoding, SendOptions
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
from custom_components.gsm_gateway.sending import async_send_mms, async_send_sms, normalize_recipients
from custom_components.gsm_gateway.validation import check_phone_number

from .common import TARGET_SCHEMA, device_port, register, require, resolve_entry

SERVICE_SEND_SMS = "send_sms"
SERVICE_SEND_MMS = "send_mms"

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
ATTR_SMSC = "smsc"
ATTR_INTERVAL = "interval"
ATTR_SEND_TIMEOUT = "send_timeout"
SEND_OPTION_FIELDS = (ATTR_SMSC, ATTR_INTERVAL, ATTR_SEND_TIMEOUT)
ATTR_TITLE = "title"
ATTR_ATTACHMENTS = "attachments"

MAX_INTERVAL = 60_000  # ms: a minute between two messages
MAX_SEND_TIMEOUT = 600  # s


def _media_id(value: object) -> str:
    """An attachment as automations write it (a media id or a path) or as the media selector gives it (a mapping)."""
    if isinstance(value, dict):
        value = value.get("media_content_id")
    return cv.string(value)


SEND_OPTIONS_SCHEMA: dict[vol.Marker, object] = {
    vol.Optional(ATTR_SMSC): cv.string,
    vol.Optional(ATTR_INTERVAL): vol.All(vol.Coerce(int), vol.Range(min=0, max=MAX_INTERVAL)),
    vol.Optional(ATTR_SEND_TIMEOUT): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_SEND_TIMEOUT)),
}

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
        **SEND_OPTIONS_SCHEMA,
    }
)

SEND_MMS_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Required(ATTR_RECIPIENTS): vol.All(cv.ensure_list, [cv.string]),
        vol.Required(ATTR_TITLE): cv.string,
        vol.Optional(ATTR_MESSAGE, default=""): cv.string,
        vol.Required(ATTR_ATTACHMENTS): vol.All(cv.ensure_list, [_media_id]),
        vol.Optional(ATTR_PORT): cv.string,
        **SEND_OPTIONS_SCHEMA,
    }
)


def send_options(call: ServiceCall, entry: GsmGatewayConfigEntry) -> SendOptions:
    """The call's send options, when the gateway takes them; else a translated error naming the fields."""
    given = [name for name in SEND_OPTION_FIELDS if call.data.get(name) not in (None, "")]
    if not given:
        return SendOptions()
    if Capability.SEND_OPTIONS not in entry.runtime_data.gateway.capabilities:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="send_options_unsupported",
            translation_placeholders={"title": entry.title, "fields": ", ".join(given)},
        )
    smsc = call.data.get(ATTR_SMSC) or None
    return SendOptions(
        smsc=None if smsc is None else check_phone_number(smsc, "invalid_smsc"),
        interval_ms=call.data.get(ATTR_INTERVAL),
        result_timeout=call.data.get(ATTR_SEND_TIMEOUT),
    )


async def _send_sms(call: ServiceCall) -> ServiceResponse:
    if call.data[ATTR_FAILOVER]:
        if given := [name for name in SEND_OPTION_FIELDS if call.data.get(name) not in (None, "")]:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="send_options_with_failover",
                translation_placeholders={"fields": ", ".join(given)},
            )
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
        options=send_options(call, entry),
    )


async def _send_mms(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    require(entry, Capability.MMS_SEND, SERVICE_SEND_MMS)
    port = call.data.get(ATTR_PORT)
    if port in (None, "") and (number := device_port(call, entry)) is not None:
        port = str(number)  # a port device chose the port
    return await async_send_mms(
        entry,
        recipients=call.data[ATTR_RECIPIENTS],
        title=call.data[ATTR_TITLE],
        message=call.data[ATTR_MESSAGE],
        attachments=call.data[ATTR_ATTACHMENTS],
        port=port,
        options=send_options(call, entry),
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
    """Register `send_sms` and `send_mms`."""
    register(hass, SERVICE_SEND_SMS, _send_sms, SEND_SMS_SCHEMA, response=SupportsResponse.OPTIONAL, capability=None)
    register(
        hass,
        SERVICE_SEND_MMS,
        _send_mms,
        SEND_MMS_SCHEMA,
        response=SupportsResponse.OPTIONAL,
        capability=Capability.MMS_SEND,
    )
