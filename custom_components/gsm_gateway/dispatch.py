"""Turns what the gateway reported into bus events and event-entity signals, for one config entry.

Bus events are a public contract (README.md, "Events"): each carries `config_entry_id`, `device_id` (the port's
device, or the gateway's when the port is unknown) and `port` (canonical label such as `1A`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .client import (
    CallRecordEvent,
    DeliveryReportEvent,
    GatewayAlertEvent,
    GatewayStatus,
    MmsReceivedEvent,
    SendReportEvent,
    SimState,
    SlotRef,
)
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DEVICE_ID,
    ATTR_PORT,
    DOMAIN,
    EVENT_CALL_RECORD,
    EVENT_DELIVERY_REPORT,
    EVENT_GATEWAY_ALERT,
    EVENT_MMS_RECEIVED,
    EVENT_PORT_STATUS_CHANGED,
    EVENT_SMS_FAILED,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_SENT,
    EVENT_USSD_RECEIVED,
)
from .devices import GatewayDevices
from .inbox import ReceivedMessage

# Event fields are made of what a gateway (or anyone who can reach the webhook) sent: control characters are dropped
# and lengths capped, so an event cannot carry terminal escapes or megabytes into automations, logs and the recorder.
LONG_FIELDS = frozenset({"text", "subject"})
LONG_FIELD_MAX = 10_000  # characters: about 65 concatenated SMS
SHORT_FIELD_MAX = 200
_KEPT_CONTROLS = frozenset("\n\t")


def clean(value: object, field: str) -> object:
    """An event field as fired: strings without control characters and capped, other values as they are."""
    if not isinstance(value, str):
        return value
    long = field in LONG_FIELDS
    limit = LONG_FIELD_MAX if long else SHORT_FIELD_MAX
    # Nearly every value is clean: one check in C says so, and only the others are rebuilt character by character.
    if (value.replace("\n", "").replace("\t", "") if long else value).isprintable():
        return value[:limit]
    kept = "".join(char for char in value if char.isprintable() or (long and char in _KEPT_CONTROLS))
    return kept[:limit]


# Events after which the gateway's message counters (statistics) have changed.
MESSAGE_ACTIVITY = frozenset({EVENT_SMS_RECEIVED, EVENT_SMS_SENT, EVENT_SMS_FAILED, EVENT_MMS_RECEIVED})


def port_event_signal(entry_id: str, port: int) -> str:
    """Dispatcher signal carrying (event type, data) to the event entity of one port."""
    return f"{DOMAIN}_{entry_id}_port_{port}_event"


class EventDispatcher:
    """Fires the integration's bus events, and tells the port's event entity."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        entry_id: str,
        devices: GatewayDevices,
        on_activity: Callable[[], None] = lambda: None,
    ) -> None:
        """Fire events for one config entry; `on_activity` hears of every message that came in or went out."""
        self.hass = hass
        self.entry_id = entry_id
        self.devices = devices
        self.on_activity = on_activity
        # `send_ussd` actions waiting for a pushed reply, by port label
        self.ussd_waiters: dict[str, list[asyncio.Future[str]]] = {}

    @callback
    def _fire(self, event_type: str, ref: SlotRef | None, label: str, data: dict[str, Any]) -> None:
        payload = {
            ATTR_CONFIG_ENTRY_ID: self.entry_id,
            ATTR_DEVICE_ID: self.devices.device_id(ref.port if ref is not None else None),
            ATTR_PORT: clean(label, ATTR_PORT),
            **{field: clean(value, field) for field, value in data.items()},
        }
        self.hass.bus.async_fire(event_type, payload)
        if event_type in MESSAGE_ACTIVITY:
            self.on_activity()
        if ref is not None:
            async_dispatcher_send(self.hass, port_event_signal(self.entry_id, ref.port), event_type, payload)

    @callback
    def async_report(
        self, event: DeliveryReportEvent | SendReportEvent | MmsReceivedEvent | CallRecordEvent | GatewayAlertEvent
    ) -> None:
        """A delivery report, send result, MMS, call record or gateway alert: fire its event."""
        match event:
            case DeliveryReportEvent():
                data: dict[str, Any] = {
                    "recipient": event.recipient,
                    "delivered": event.delivered,
                    "status_code": event.status_code,
                    "task_id": event.task_id,
                }
                self._fire(EVENT_DELIVERY_REPORT, event.ref, event.port_label, data)
            case SendReportEvent():
                data = {"task_id": event.task_id, "recipient": event.recipient}
                if not event.sent:
                    data["reason"] = event.reason
                self._fire(EVENT_SMS_SENT if event.sent else EVENT_SMS_FAILED, event.ref, event.port_label, data)
            case MmsReceivedEvent():
                data = {
                    "sender": event.sender,
                    "recipient": event.recipient,
                    "subject": event.subject,
                    "text": event.text,
                    "received_at": event.received_at.isoformat(),
                    "message_id": event.message_id,
                    "attachments": [{"type": kind, "size": size} for kind, size in event.attachments],
                }
                self._fire(EVENT_MMS_RECEIVED, event.ref, event.port_label, data)
            case CallRecordEvent(record=record):
                data = {
                    "direction": record.direction,
                    "source_number": record.source_number,
                    "destination_number": record.destination_number,
                    "started_at": None if record.start_date is None else record.start_date.isoformat(),
                    "answered_at": None if record.answer_date is None else record.answer_date.isoformat(),
                    "duration": record.duration,
                    "hangup": record.hangup,
                    "gsm_code": record.gsm_code,
                }
                self._fire(EVENT_CALL_RECORD, event.ref, event.port_label, data)
            case GatewayAlertEvent():
                self._fire(
                    EVENT_GATEWAY_ALERT, event.ref, event.port_label, {"type": event.kind, "action": event.action}
                )

    @callback
    def async_sms_received(self, message: ReceivedMessage) -> None:
        """The inbox decided this message is new: fire its event."""
        data: dict[str, Any] = {
            "sender": message.sender,
            "recipient": message.recipient,
            "text": message.text,
            "received_at": message.received_at.isoformat(),
            "message_id": message.message_id,
            "smsc": message.smsc,
        }
        if message.parts > 1 or message.incomplete:  # one part of a longer message is incomplete too
            data |= {"parts": message.parts, "incomplete": message.incomplete}
        self._fire(EVENT_SMS_RECEIVED, message.ref, message.port_label, data)

    @callback
    def async_ussd_reply(self, ref: SlotRef | None, label: str, text: str) -> None:
        """A USSD reply: wake a waiting `send_ussd` action, and fire the event."""
        for future in self.ussd_waiters.pop(label, []):
            if not future.done():
                future.set_result(text)
        self._fire(EVENT_USSD_RECEIVED, ref, label, {"text": text})

    @callback
    def async_status_changed(self, previous: GatewayStatus | None, current: GatewayStatus) -> None:
        """Fire `port_status_changed` for every port whose state changed since the previous data."""
        if previous is None:
            return
        for number, port in current.ports.items():
            before = previous.ports.get(number)
            if before is port:  # unchanged ports keep their object
                continue
            old_state = before.state if before is not None else SimState.UNKNOWN
            new_state = port.state
            if before is None or old_state is new_state:
                continue
            active = port.active
            label = active.label if active is not None else str(number)
            self._fire(
                EVENT_PORT_STATUS_CHANGED,
                SlotRef(number, port.active_slot),
                label,
                {
                    "status": new_state.value,
                    "previous_status": old_state.value,
                    "status_code": active.status_code if active is not None else None,
                },
            )
