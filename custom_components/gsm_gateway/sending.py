"""Sending SMS (the `send_sms` action and the recipient notify entities) and MMS (the `send_mms` action).

A send either succeeds for every recipient or raises a translated error that names the device's reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .client import Encoding, MmsRequest, SendOptions, SendResult, SlotRef, SmsRequest
from .const import CONF_DEFAULT_ENCODING, CONF_DEFAULT_PORT, CONF_DELIVERY_REPORTS, DEFAULT_PORT_AUTO, DOMAIN
from .coordinator import GsmGatewayConfigEntry
from .helpers import translate_gateway_errors
from .media import async_read_attachments
from .reports import async_track_later
from .validation import clean_number, parse_ports, quoted_entry

NO_SEND_OPTIONS = SendOptions()  # the gateway's own defaults


def normalize_recipients(recipients: Sequence[str]) -> tuple[str, ...]:
    """Clean and validate phone numbers (lists or comma-separated); raise a translated error naming the bad ones."""
    cleaned: list[str] = []
    invalid: list[str] = []
    for raw in recipients:
        for part in str(raw).split(","):
            if not part.strip():
                continue
            if (number := clean_number(part)) is not None:
                cleaned.append(number)
            else:
                invalid.append(quoted_entry(part))
    if invalid:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_recipient" if len(invalid) == 1 else "invalid_recipients",
            translation_placeholders={"entries": ", ".join(invalid)},
        )
    if not cleaned:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_recipients")
    return tuple(dict.fromkeys(cleaned))


def resolve_ports(entry: GsmGatewayConfigEntry, port: str | None) -> tuple[SlotRef, ...]:
    """The sending port(s): the given one, else the entry's default, else let the gateway choose."""
    choice = port if port not in (None, "") else entry.options.get(CONF_DEFAULT_PORT, DEFAULT_PORT_AUTO)
    if choice is None or str(choice).lower() == DEFAULT_PORT_AUTO:
        return ()
    return tuple(parse_ports(str(choice), entry.runtime_data.gateway.device))


async def async_send_sms(
    entry: GsmGatewayConfigEntry,
    *,
    recipients: Sequence[str],
    message: str,
    port: str | None = None,
    encoding: str | None = None,
    delivery_report: bool | None = None,
    options: SendOptions = NO_SEND_OPTIONS,
) -> dict[str, Any]:
    """Send `message` to every recipient in as few requests as the gateway allows; return the device's answer."""
    if not message:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="empty_message")
    request = SmsRequest(
        recipients=normalize_recipients(recipients),
        text=message,
        ports=resolve_ports(entry, port),
        encoding=Encoding(encoding or entry.options.get(CONF_DEFAULT_ENCODING, Encoding.AUTO)),
        delivery_report=(
            delivery_report if delivery_report is not None else entry.options.get(CONF_DELIVERY_REPORTS, False)
        ),
        options=options,
    )
    runtime = entry.runtime_data
    with translate_gateway_errors(entry):
        result = await runtime.gateway.send_sms(request)
    return _answer(runtime.status.hass, entry, result, delivery_report=request.delivery_report)


async def async_send_mms(
    entry: GsmGatewayConfigEntry,
    *,
    recipients: Sequence[str],
    title: str,
    message: str,
    attachments: Sequence[str],
    port: str | None = None,
    options: SendOptions = NO_SEND_OPTIONS,
) -> dict[str, Any]:
    """Send one MMS to every recipient; return the device's answer, as `async_send_sms` does.

    `attachments` are media-source ids or paths (`media.py`). Everything the user gave is checked before the files are
    read, and the files before the gateway is asked.
    """
    if not title.strip():
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="mms_title_required")
    numbers = normalize_recipients(recipients)
    ports = resolve_ports(entry, port)
    runtime = entry.runtime_data
    hass = runtime.status.hass
    request = MmsRequest(
        recipients=numbers,
        title=title.strip(),
        text=message,
        attachments=await async_read_attachments(hass, attachments),
        ports=ports,
        options=options,
    )
    with translate_gateway_errors(entry):
        result = await runtime.gateway.send_mms(request)
    return _answer(hass, entry, result, delivery_report=False)


def _answer(
    hass: HomeAssistant, entry: GsmGatewayConfigEntry, result: SendResult, *, delivery_report: bool
) -> dict[str, Any]:
    """Follow the send's reports; the response, or a translated error when the gateway refused any recipient."""
    async_follow_reports(hass, entry, result, delivery_report=delivery_report)
    rejected = [item for item in result.recipients if not item.accepted]
    if rejected:
        first = rejected[0]
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            # Refused for every recipient, or for some while the others were accepted (and are on their way).
            translation_key="send_rejected" if len(rejected) == len(result.recipients) else "send_rejected_some",
            translation_placeholders={
                "title": entry.title,
                "rejected": str(len(rejected)),
                "total": str(len(result.recipients)),
                "code": str(first.code),
                "reason": first.reason or "-",
            },
        )
    return send_response(result)


@callback
def async_follow_reports(
    hass: HomeAssistant, entry: GsmGatewayConfigEntry, result: SendResult, *, delivery_report: bool
) -> None:
    """Wait for the send's reports, and read the counters and the send queue again soon.

    The entry may have reloaded while the gateway answered (its runtime data is then gone, or new): the reports are
    followed by the current ledger, or by the next one when none runs.
    """
    runtime = getattr(entry, "runtime_data", None)
    if runtime is None or (runtime.receiver.reports is not None and runtime.receiver.reports.closed):
        async_track_later(hass, entry.entry_id, result, delivery_report=delivery_report)
        return
    if runtime.receiver.reports is not None:
        runtime.receiver.reports.async_track(result, delivery_report=delivery_report)
    if runtime.statistics is not None:
        runtime.statistics.async_note_activity()
    if runtime.queue is not None:
        runtime.queue.async_note_change()


def send_response(result: SendResult) -> dict[str, Any]:
    """The JSON-friendly response of the `send_sms` action (stable keys, documented in the README)."""
    return {
        "task_ids": list(result.task_ids),
        "requests": result.requests_made,
        "recipients": [
            {
                "recipient": item.recipient,
                "accepted": item.accepted,
                "task_id": item.task_id,
                "code": item.code,
                "reason": item.reason,
            }
            for item in result.recipients
        ],
    }
