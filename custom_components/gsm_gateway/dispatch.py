"""Routes what the gateway reports (pushed or polled) to the coordinator, the inbox, bus events and event entities.

Bus events are a public contract (README.md, "Events"): each carries `config_entry_id`, `device_id` (the port's
device, or the gateway's when the port is unknown) and `port` (canonical label such as `1A`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .client import (
    CallRecordEvent,
    DeliveryReportEvent,
    DevicePowerEvent,
    DeviceStatusEvent,
    GatewayAlertEvent,
    GatewayStatus,
    MmsReceivedEvent,
    PortStatusEvent,
    PushEvent,
    SendReportEvent,
    SimRegistrationEvent,
    SimState,
    SlotRef,
    SmsReceivedEvent,
    UssdReceivedEvent,
    parse_label,
)
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DEVICE_ID,
    ATTR_PORT,
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_MMS_RECEIVED,
    EVENT_PORT_STATUS_CHANGED,
    EVENT_SMS_FAILED,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_SENT,
    EVENT_USSD_RECEIVED,
    LOGGER,
)
from .coordinator import GsmGatewayConfigEntry
from .inbox import ReceivedMessage


def port_event_signal(entry_id: str, port: int) -> str:
    """Dispatcher signal carrying (event type, data) to the event entity of one port."""
    return f"{DOMAIN}_{entry_id}_port_{port}_event"


class EventDispatcher:
    """Turns client events into Home Assistant state and events for one config entry."""

    def __init__(self, hass: HomeAssistant, entry: GsmGatewayConfigEntry) -> None:
        """Bind to a loaded entry."""
        self.hass = hass
        self.entry = entry
        self.ussd_waiters: dict[str, list[Any]] = {}

    def _base(self, ref: SlotRef | None, label: str) -> dict[str, Any]:
        runtime = self.entry.runtime_data
        device_id = runtime.gateway_device_id
        if ref is not None and (port_device := runtime.port_device_ids.get(ref.port)) is not None:
            device_id = port_device
        return {ATTR_CONFIG_ENTRY_ID: self.entry.entry_id, ATTR_DEVICE_ID: device_id, ATTR_PORT: label}

    @callback
    def _fire(self, event_type: str, ref: SlotRef | None, label: str, data: dict[str, Any]) -> None:
        payload = {**self._base(ref, label), **data}
        self.hass.bus.async_fire(event_type, payload)
        if ref is not None:
            async_dispatcher_send(self.hass, port_event_signal(self.entry.entry_id, ref.port), event_type, payload)

    # --- pushes and polls ----------------------------------------------------------------------------------

    @callback
    def async_handle(self, events: Iterable[PushEvent]) -> None:
        """Apply every event of one push, in order."""
        runtime = self.entry.runtime_data
        for event in events:
            match event:
                case DeviceStatusEvent(status=status):
                    runtime.status.async_apply_status(status)
                case PortStatusEvent(slot=slot):
                    runtime.status.async_apply_slot(slot)
                case SmsReceivedEvent(sms=sms):
                    if runtime.inbox is not None:
                        runtime.inbox.async_receive(sms)
                case UssdReceivedEvent():
                    self.async_ussd_reply(event.ref, event.port_label, event.text)
                case SimRegistrationEvent() | DevicePowerEvent():
                    self.hass.async_create_task(runtime.status.async_request_refresh(), eager_start=False)
                case DeliveryReportEvent() | SendReportEvent() | MmsReceivedEvent():
                    self._fire_report(event)
                case CallRecordEvent() | GatewayAlertEvent():
                    LOGGER.debug("%s from %s", type(event).__name__, self.entry.title)

    def _fire_report(self, event: DeliveryReportEvent | SendReportEvent | MmsReceivedEvent) -> None:
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

    @callback
    def async_sms_received(self, message: ReceivedMessage) -> None:
        """The inbox decided this message is new: fire its event."""
        ref = parse_label(message.port_label)
        data: dict[str, Any] = {
            "sender": message.sender,
            "recipient": message.recipient,
            "text": message.text,
            "received_at": message.received_at.isoformat(),
            "message_id": message.message_id,
            "smsc": message.smsc,
        }
        if message.parts > 1:
            data |= {"parts": message.parts, "incomplete": message.incomplete}
        self._fire(EVENT_SMS_RECEIVED, ref, message.port_label, data)

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
