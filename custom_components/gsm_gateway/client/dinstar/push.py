"""Pushed Dinstar bodies → typed events.

A push is a JSON object with `sn` at the top level and one or more sections: `sms`, `sms_result`,
`sms_deliver_status`, `ussd`, `register` and `cdr` are arrays, `device` and `exception_info` are objects.
Firmware in the wild also sends several objects back to back (the spec's `register` example does), a
top-level array of objects, a lone object where an array belongs, and URL-encoded text. All are accepted.

Decisions (docs/protocol-dinstar.md): an `sms_result` row that is still `SENDING` yields no event; a
delivery status 0-31 is "delivered"; `register` "up" is registered, "down" without an ICCID means the SIM
is gone. An object with a serial number but no section this client knows yields no events (a future event
type must not break the webhook). Anything unreadable raises `GatewayPushError` that says what was wrong.

A push is untrusted and the work per push is bounded (`client/limits.py`): JSON structure is counted before it is
parsed, and objects, rows (all sections of all objects together) and fields per row are counted before any row is
read; texts are cut at 10,240 characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any

from ..events import (
    CallRecordEvent,
    DevicePowerEvent,
    GatewayAlertEvent,
    PushEvent,
    PushRequest,
    SendReportEvent,
    SimRegistrationEvent,
    SmsReceivedEvent,
    UssdReceivedEvent,
)
from ..exceptions import GatewayPushError, GatewayResponseError
from ..limits import MAX_ROWS_PER_PUSH, check_fields, check_json_tokens, check_rows
from ..models import SimState
from .models import SmsSendStatus
from .parse import (
    call_record,
    delivery_record,
    field_value,
    identifier,
    incoming_sms,
    json_values,
    port_of,
    rows,
    send_record,
    serial_of,
    sim_state,
    text_of,
    ussd_reply,
)
from .ports import label_from_wire, ref_from_wire, wire_int
from .reports import STILL_TRYING, delivery_report

SECTIONS = ("sms", "sms_result", "sms_deliver_status", "ussd", "register", "cdr", "device", "exception_info")


def _mac(value: object) -> str | None:
    text = identifier(value)
    if text is None:
        return None
    digits = "".join(char for char in text.lower() if char in "0123456789abcdef")
    if len(digits) != 12:
        return None
    return ":".join(digits[index : index + 2] for index in range(0, 12, 2))


class _PushReader:
    """Reads the sections of one pushed object."""

    def __init__(self, obj: Mapping[str, Any], *, serial: str, time_zone: tzinfo) -> None:
        self.obj = obj
        self.serial = serial
        self.time_zone = time_zone

    def events(self) -> list[PushEvent]:
        readers: Mapping[str, Callable[[], list[PushEvent]]] = {
            "sms": self.sms,
            "sms_result": self.sms_result,
            "sms_deliver_status": self.deliver_status,
            "ussd": self.ussd,
            "register": self.register,
            "cdr": self.cdr,
            "device": self.device,
            "exception_info": self.exception_info,
        }
        events: list[PushEvent] = []
        for section in SECTIONS:
            if section in self.obj:
                events.extend(readers[section]())
        return events

    def sms(self) -> list[PushEvent]:
        return [
            SmsReceivedEvent(sms=incoming_sms(item, where, serial=self.serial, time_zone=self.time_zone))
            for where, item in rows(self.obj, "push", "sms")
        ]

    def sms_result(self) -> list[PushEvent]:
        events: list[PushEvent] = []
        for where, item in rows(self.obj, "push", "sms_result"):
            record = send_record(item, where, self.time_zone)
            if record.status is SmsSendStatus.SENDING:
                continue  # not finished; the final result comes in a later push
            events.append(
                SendReportEvent(
                    task_id=None if record.user_id is None else str(record.user_id),
                    recipient=record.number,
                    port_label=record.port_label,
                    ref=record.ref,
                    sent=record.status in {SmsSendStatus.SENT_OK, SmsSendStatus.DELIVERED},
                    reason=record.status_text,
                    sent_at=record.sent_at,
                )
            )
        return events

    def deliver_status(self) -> list[PushEvent]:
        events: list[PushEvent] = []
        for where, item in rows(self.obj, "push", "sms_deliver_status"):
            record = delivery_record(item, where, self.time_zone)
            if record.status_code in STILL_TRYING:
                continue  # the network is still trying; a later status says how it ended
            user_id = wire_int(field_value(item, "user_id"))
            events.append(delivery_report(record, task_id=None if user_id is None else str(user_id)))
        return events

    def ussd(self) -> list[PushEvent]:
        events: list[PushEvent] = []
        for where, item in rows(self.obj, "push", "ussd"):
            reply = ussd_reply(item, where)
            events.append(UssdReceivedEvent(port_label=reply.port_label, ref=reply.ref, text=reply.text))
        return events

    def register(self) -> list[PushEvent]:
        events: list[PushEvent] = []
        for where, item in rows(self.obj, "push", "register"):
            _wire, ref = port_of(item, where)
            status = (text_of(field_value(item, "status")) or "").lower()
            iccid = identifier(field_value(item, "iccid"))
            if status == "up":
                state = SimState.REGISTERED
            elif status == "down":
                state = SimState.REGISTRATION_FAILED if iccid else SimState.NO_SIM
            else:
                state = sim_state(status)
            events.append(
                SimRegistrationEvent(
                    port_label=ref.label,
                    ref=ref,
                    registered=state is SimState.REGISTERED,
                    state=state,
                    sim_number=identifier(field_value(item, "number")),
                    iccid=iccid,
                    imsi=identifier(field_value(item, "imsi")),
                )
            )
        return events

    def cdr(self) -> list[PushEvent]:
        events: list[PushEvent] = []
        for where, item in rows(self.obj, "push", "cdr"):
            record = call_record(item, where, self.time_zone)
            events.append(CallRecordEvent(port_label=record.port_label, ref=record.ref, record=record))
        return events

    def _section_object(self, name: str) -> Mapping[str, Any]:
        value = self.obj[name]
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, Mapping):
            msg = f"push: {name} is not an object"
            raise GatewayPushError(msg)
        return value

    def device(self) -> list[PushEvent]:
        item = self._section_object("device")
        status = (text_of(field_value(item, "status")) or "").lower()
        if status not in {"power_on", "power_off"}:
            msg = "push: device status is neither power_on nor power_off"
            raise GatewayPushError(msg)
        return [
            DevicePowerEvent(
                powered_on=status == "power_on",
                ip=identifier(field_value(item, "IP", "ip")),
                mac=_mac(field_value(item, "MAC", "mac")),
                port_count=wire_int(field_value(item, "port_number")),
            )
        ]

    def exception_info(self) -> list[PushEvent]:
        item = self._section_object("exception_info")
        port = field_value(item, "port")
        return [
            GatewayAlertEvent(
                port_label=label_from_wire(port) if port is not None else "",
                ref=ref_from_wire(port) if port is not None else None,
                kind=text_of(field_value(item, "type")) or "unknown",
                action=text_of(field_value(item, "action")) or "",
            )
        ]


def _objects(body: bytes) -> list[Mapping[str, Any]]:
    check_json_tokens(body)
    if body.lstrip(b" \t\r\n,\xef\xbb\xbf")[:1] not in {b"{", b"["}:  # not even the start of an object or array
        msg = f"push: body is not JSON ({len(body)} bytes)"
        raise GatewayPushError(msg)
    values = json_values(body.decode("utf-8", errors="replace"))
    if not values:
        msg = f"push: body is not JSON ({len(body)} bytes)"
        raise GatewayPushError(msg)
    objects: list[Mapping[str, Any]] = []
    for value in values:
        candidates = value if isinstance(value, list) else [value]
        for candidate in candidates:
            if not isinstance(candidate, Mapping):
                msg = "push: body holds JSON that is not an object"
                raise GatewayPushError(msg)
            objects.append(candidate)
    check_rows(len(objects), "the body (objects)")
    _check_rows(objects)
    return objects


def _check_rows(objects: list[Mapping[str, Any]]) -> None:
    """Count the rows of every section of every object, and the fields of each, before any is read."""
    total = 0
    for obj in objects:
        check_fields(obj, "the body")
        for section in SECTIONS:
            value = obj.get(section)
            items = value if isinstance(value, list) else [value] if value is not None else []
            total += len(items)
            if total > MAX_ROWS_PER_PUSH:
                check_rows(total, "the body")
            for item in items:
                check_fields(item, section)


def parse_push(request: PushRequest, *, serial: str | None, time_zone: tzinfo) -> list[PushEvent]:
    """Every event in one pushed body. `serial` is used when a pushed object has no `sn` of its own."""
    events: list[PushEvent] = []
    for obj in _objects(request.body):
        own_serial = serial_of(obj)
        if own_serial is None and not any(section in obj for section in SECTIONS):
            msg = "push: neither a serial number nor a known section; not a Dinstar push"
            raise GatewayPushError(msg)
        reader = _PushReader(obj, serial=own_serial or serial or "unknown", time_zone=time_zone)
        try:
            events.extend(reader.events())
        except GatewayPushError:
            raise
        except GatewayResponseError as err:
            raise GatewayPushError(str(err)) from None
    return events
