"""Pure parsing of Dinstar answers and pushed rows. No I/O.

Parse liberally (docs/protocol-dinstar.md lists every variant): `error_code` may be missing or spelled
`error code`, numbers may be strings, field names drift between firmware versions, the CDR list may sit
under `cdr` or `info`, text may be URL-encoded, and bodies may carry stray bytes after the JSON (the spec's
own examples do). Anything the client cannot read raises `GatewayResponseError` naming the field, never
its content; no other exception escapes.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, tzinfo
import hashlib
import json
import math
import re
from typing import Any
from urllib.parse import unquote, unquote_plus

from ..call_forwarding import CallForwardInfo
from ..call_records import CallDetailRecord
from ..exceptions import GatewayCommandError, GatewayResponseError
from ..limits import MAX_BYTES_PER_CHAR, MAX_TEXT_CHARS, cap_text
from ..models import IncomingSms, SimState
from ..ports import SlotRef
from ..sim_toolkit import StkItem, StkView
from .models import (
    DeliveryStatusRecord,
    IncomingBatch,
    PortInfo,
    SmsSendRecord,
    SmsSendStatus,
    UssdPortResult,
    UssdReply,
)
from .ports import ref_from_wire, wire_int

OK_CODES = frozenset({200, 202})

# The device sends codes only; these are the spec's words for them.
ERROR_REASONS: Mapping[int, str] = {
    400: "request format is not valid",
    403: "forbidden (wrong HTTP method, or the API is not enabled)",
    404: "not found",
    413: "too many numbers or text too long",
    486: "port busy",
    500: "other error",
    503: "port not registered",
    550: "no port available for sending",
}

_DECODER = json.JSONDecoder(strict=False)  # raw control characters inside strings happen on embedded firmware
_NULL_WORDS = frozenset({"", "<null>", "null", "none", "n/a", "-"})
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_WHITESPACE = re.compile(r"\s")
_MAX_LENIENT_ESCAPES = 64
# Characters of a (possibly URL-encoded: `%XX` per byte) text that are read: more than a message may keep.
_MAX_RAW_TEXT = (MAX_TEXT_CHARS + 1) * MAX_BYTES_PER_CHAR * 3
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")

_REG_STATES: Mapping[str, SimState] = {
    "POWER_OFF": SimState.POWER_OFF,
    "NO_SIM": SimState.NO_SIM,
    "PIN_REQUIRE": SimState.PIN_REQUIRED,
    "PIN_REQUIRED": SimState.PIN_REQUIRED,
    "PUK_REQUIRE": SimState.PUK_REQUIRED,
    "PUK_REQUIRED": SimState.PUK_REQUIRED,
    "UNREGISTER": SimState.REGISTRATION_FAILED,
    "UNREGISTERED": SimState.REGISTRATION_FAILED,
    "MOBILE_UNREGISTERED": SimState.REGISTRATION_FAILED,
    "REGISTER_DENIED": SimState.REGISTRATION_FAILED,
    "SEARCHING_NETWORK": SimState.REGISTERING,
    "SEARCHING": SimState.REGISTERING,
    "REGISTER_OK": SimState.REGISTERED,
    "REGISTERED": SimState.REGISTERED,
    "MOBILE_REGISTERED": SimState.REGISTERED,
    "UNKNOWN": SimState.UNKNOWN,
}
_IDLE_CALL_STATES = frozenset({"", "IDLE", "UNKNOWN"})


# --- bodies -------------------------------------------------------------------------------------------------


def json_values(text: str) -> list[Any]:
    """Every JSON value in `text`, back to back or separated by commas, up to the first unreadable byte.

    JSON nested deeper than the decoder goes counts as unreadable too.
    """
    values: list[Any] = []
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n,\ufeff":
            position += 1
        if position >= len(text):
            return values
        try:
            value, position = _DECODER.raw_decode(text, position)
        except ValueError, RecursionError:
            return values
        values.append(value)


def decode_object(body: bytes, where: str) -> dict[str, Any]:
    """The first JSON object of an answer; stray bytes after it are ignored (the spec's examples have them)."""
    values = json_values(body.decode("utf-8", errors="replace"))
    if not values:
        msg = f"{where}: answer is not JSON ({len(body)} bytes)"
        raise GatewayResponseError(msg)
    if not isinstance(values[0], dict):
        msg = f"{where}: answer is JSON but not an object"
        raise GatewayResponseError(msg)
    return values[0]


def error_code(obj: Mapping[str, Any], where: str) -> int | None:
    """`error_code` (also `error code`, a spelling in the spec); None when the device left it out."""
    for key in ("error_code", "error code", "errorCode"):
        if key in obj:
            code = wire_int(obj[key])
            if code is None:
                msg = f"{where}: error_code is not a number"
                raise GatewayResponseError(msg)
            return code
    return None


def check_result(obj: Mapping[str, Any], where: str, *, ok: frozenset[int] = OK_CODES) -> int | None:
    """Raise `GatewayCommandError` unless `error_code` is missing or one of `ok` (202 means accepted)."""
    code = error_code(obj, where)
    if code is None or code in ok:
        return code
    raise GatewayCommandError(code, ERROR_REASONS.get(code, "error"), endpoint=where)


def serial_of(obj: Mapping[str, Any]) -> str | None:
    """The gateway's serial number (`sn`), lower case, or None."""
    serial = identifier(obj.get("sn"))
    return serial.lower() if serial else None


# --- fields -------------------------------------------------------------------------------------------------


def field_value(item: Mapping[str, Any], *names: str) -> Any:
    """The first present field of `names`; a case-insensitive match when none is spelled exactly."""
    for name in names:
        if name in item:
            return item[name]
    lowered = {str(key).lower(): value for key, value in item.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def text_of(value: object) -> str | None:
    """A string field (numbers are accepted and written out), stripped; None when absent or not text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)):
        return str(value)
    return None


def identifier(value: object) -> str | None:
    """Like `text_of`, but empty strings and `<NULL>` markers mean "none"."""
    text = text_of(value)
    if text is None or text.lower() in _NULL_WORDS or "<null>" in text.lower():
        return None
    return text


def parse_time(value: object, time_zone: tzinfo) -> datetime | None:
    """A device timestamp (`YYYY-MM-DD HH:MM:SS`, local time of the device) as an aware datetime."""
    text = text_of(value)
    if not text:
        return None
    text = " ".join(text.split())  # the spec's examples wrap lines inside timestamps
    for time_format in _TIME_FORMATS:
        try:
            return datetime.strptime(text, time_format).replace(tzinfo=time_zone)
        except ValueError:
            continue
    return None


def decode_text(text: str) -> str:
    """Undo URL encoding some firmware applies to SMS and USSD text.

    Decoded only when the text has a `%XX` escape and no whitespace (a real encoded text has none), and the
    result is valid UTF-8. `+` means a space only when the text has no `%20` (form encoding). The result is cut at
    `limits.MAX_TEXT_CHARS` characters (with the marker); of a longer text only a bounded prefix is read.
    """
    return cap_text(_url_decoded(text[:_MAX_RAW_TEXT]))


def _url_decoded(text: str) -> str:
    if not _PERCENT_ESCAPE.search(text) or _WHITESPACE.search(text):
        return text
    form = "+" in text and "%20" not in text
    # `urllib.parse.unquote` loops in Python over every escape (a push of 1,000 encoded texts took 300 ms); every `%XX`
    # becomes `\xXX` for the C decoder of escape sequences instead, other backslashes escaped first.
    raw = text.encode("utf-8", errors="surrogatepass").replace(b"\\", b"\\\\").replace(b"%", b"\\x")
    try:
        decoded: bytes = codecs.escape_decode(raw.replace(b"+", b" ") if form else raw)[0]
        return decoded.decode("utf-8")
    except UnicodeDecodeError:
        return text
    except ValueError:  # a `%` without two hex digits after it: the few such texts go the slow, lenient way
        pass
    if text.count("%") > _MAX_LENIENT_ESCAPES:
        return text
    try:
        return unquote_plus(text, errors="strict") if form else unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text


def port_of(item: Mapping[str, Any], where: str) -> tuple[int, SlotRef]:
    """Wire port and `SlotRef` of a row (slot from its `slot` field when present)."""
    raw = field_value(item, "port")
    wire = wire_int(raw)
    ref = ref_from_wire(raw, field_value(item, "slot"))
    if wire is None or ref is None:
        msg = f"{where}: port is missing or not a port number"
        raise GatewayResponseError(msg)
    return wire, ref


def rows(obj: Mapping[str, Any], where: str, *keys: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """`(context, row)` for each object in the first list found under `keys` (a lone object counts as one)."""
    for key in keys:
        if key in obj:
            value = obj[key]
            break
    else:
        return
    if value is None:
        return
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        msg = f"{where}: {key} is not a list"
        raise GatewayResponseError(msg)
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            msg = f"{where}: {key}[{index}] is not an object"
            raise GatewayResponseError(msg)
        yield f"{where}: {key}[{index}]", item


# --- SIM state ------------------------------------------------------------------------------------------------


def sim_state(reg: str | None, call_state: str | None = None) -> SimState:
    """Normalised state of a `reg` word (`REGISTER_OK`, `REGISTERED`, `Mobile Registered`, ...)."""
    if not reg:
        return SimState.UNKNOWN
    state = _REG_STATES.get(re.sub(r"[\s-]+", "_", reg.strip().upper()), SimState.UNKNOWN)
    if state is SimState.REGISTERED and (call_state or "").strip().upper() not in _IDLE_CALL_STATES:
        return SimState.IN_CALL
    return state


def csq_to_dbm(signal: int | None) -> int | None:
    """Signal in dBm of a CSQ value (0 → -113, 31 → -51); None for 99 ("unknown") and anything out of range."""
    if signal is None or not 0 <= signal <= 31:
        return None
    return -113 + 2 * signal


def balance_of(remain_credit: str | None) -> float | None:
    """`remain_credit` as a number when it is one; negative values mean "no limit set" on the device."""
    if remain_credit is None:
        return None
    try:
        value = float(remain_credit)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


# --- rows -----------------------------------------------------------------------------------------------------


_PORT_INFO_FIELDS = frozenset({
    "port", "slot", "type", "imei", "imsi", "iccid", "smsc", "number", "reg", "callstate", "signal", "gprs",
    "remain_credit", "remain_monthly_credit", "remain_daily_credit", "remain_daily_call_time",
    "remain_daily_calltime", "remain_hourly_call_time", "remain_hourly_calltime", "remain_daily_connected",
    "remain_daily_connect", "operator", "CallForwarding", "CallForward",
})  # fmt: skip


def _call_forward_rules(value: object, where: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        msg = f"{where}: call forwarding is not an object"
        raise GatewayResponseError(msg)
    return {str(condition): text_of(number) or "" for condition, number in value.items()}


def port_info(item: Mapping[str, Any], where: str) -> PortInfo:
    """One row of `get_port_info`."""
    wire, ref = port_of(item, where)

    def text(*names: str) -> str | None:
        return text_of(field_value(item, *names))

    return PortInfo(
        wire_port=wire,
        ref=ref,
        port_label=ref.label,
        wire_slot=wire_int(field_value(item, "slot")),
        module_type=text("type"),
        imei=identifier(field_value(item, "imei")),
        imsi=identifier(field_value(item, "imsi")),
        iccid=identifier(field_value(item, "iccid")),
        smsc=identifier(field_value(item, "smsc")),
        number=identifier(field_value(item, "number")),
        reg=text("reg"),
        call_state=text("callstate", "call_state"),
        signal=wire_int(field_value(item, "signal")),
        gprs=text("gprs"),
        remain_credit=text("remain_credit"),
        remain_monthly_credit=text("remain_monthly_credit"),
        remain_daily_credit=text("remain_daily_credit"),
        remain_daily_call_time=text("remain_daily_call_time", "remain_daily_calltime"),
        remain_hourly_call_time=text("remain_hourly_call_time", "remain_hourly_calltime"),
        remain_daily_connect=text("remain_daily_connected", "remain_daily_connect"),
        operator=identifier(field_value(item, "operator")),
        call_forward=_call_forward_rules(field_value(item, "CallForwarding", "CallForward"), where),
        extra={key: value for key, value in item.items() if key not in _PORT_INFO_FIELDS},
    )


def send_record(item: Mapping[str, Any], where: str, time_zone: tzinfo) -> SmsSendRecord:
    """One row of `query_sms_result` or of an `sms_result` push."""
    _wire, ref = port_of(item, where)
    status_text = text_of(field_value(item, "status")) or ""
    try:
        status = SmsSendStatus(status_text.upper())
    except ValueError:
        status = SmsSendStatus.UNKNOWN
    return SmsSendRecord(
        port_label=ref.label,
        ref=ref,
        number=text_of(field_value(item, "number")) or "",
        user_id=wire_int(field_value(item, "user_id")),
        sent_at=parse_time(field_value(item, "time"), time_zone),
        status=status,
        status_text=status_text,
        segments=wire_int(field_value(item, "count")),
        segments_sent=wire_int(field_value(item, "succ_count")),
        ref_id=wire_int(field_value(item, "ref_id")),
        imsi=identifier(field_value(item, "imsi")),
    )


def delivery_record(item: Mapping[str, Any], where: str, time_zone: tzinfo) -> DeliveryStatusRecord:
    """One row of `query_sms_deliver_status` or of an `sms_deliver_status` push."""
    _wire, ref = port_of(item, where)
    return DeliveryStatusRecord(
        port_label=ref.label,
        ref=ref,
        number=text_of(field_value(item, "number")) or "",
        sent_at=parse_time(field_value(item, "time"), time_zone),
        ref_id=wire_int(field_value(item, "ref_id")),
        status_code=wire_int(field_value(item, "status_code")),
        imsi=identifier(field_value(item, "imsi")),
    )


def message_id(serial: str, incoming_sms_id: int | None, item: Mapping[str, Any]) -> str:
    """Id of a received SMS, the same by push and by polling: `dinstar:<sn>:<incoming_sms_id>:<timestamp digits>`.

    The timestamp is part of it because the device's numbering can restart (a new database after a reset);
    without it a new message would share the id of an old one and be dropped as a duplicate.
    """
    if incoming_sms_id is not None:
        return f"dinstar:{serial}:{incoming_sms_id}:{timestamp_digits(item)}"
    fingerprint = "|".join(str(field_value(item, name)) for name in ("port", "number", "timestamp", "text"))
    return f"dinstar:{serial}:h{hashlib.sha256(fingerprint.encode()).hexdigest()[:16]}"


def timestamp_digits(item: Mapping[str, Any]) -> str:
    """Digits of a row's `timestamp`, used to recognise the same message again."""
    return "".join(char for char in str(field_value(item, "timestamp") or "") if char in "0123456789")


def incoming_sms(item: Mapping[str, Any], where: str, *, serial: str, time_zone: tzinfo) -> IncomingSms:
    """One received SMS (`query_incoming_sms` row or `sms` push row)."""
    _wire, ref = port_of(item, where)
    sms_id = wire_int(field_value(item, "incoming_sms_id"))
    raw_text = field_value(item, "text")
    text = decode_text(raw_text) if isinstance(raw_text, str) else (text_of(raw_text) or "")
    return IncomingSms(
        message_id=message_id(serial, sms_id, item),
        port_label=ref.label,
        ref=ref,
        sender=text_of(field_value(item, "number")) or "",
        text=text,
        received_at=parse_time(field_value(item, "timestamp"), time_zone) or datetime.now(UTC),
        smsc=identifier(field_value(item, "smsc")),
        iccid=identifier(field_value(item, "iccid")),
        imsi=identifier(field_value(item, "imsi")),
        device_sms_id=sms_id,
    )


def ussd_reply(item: Mapping[str, Any], where: str) -> UssdReply:
    """One USSD reply (`query_ussd_reply` row or `ussd` push row)."""
    _wire, ref = port_of(item, where)
    raw = field_value(item, "text")
    return UssdReply(
        port_label=ref.label, ref=ref, text=decode_text(raw) if isinstance(raw, str) else (text_of(raw) or "")
    )


def call_record(item: Mapping[str, Any], where: str, time_zone: tzinfo) -> CallDetailRecord:
    """One CDR (`get_cdr` row or `cdr` push row)."""
    _wire, ref = port_of(item, where)

    def text(name: str) -> str | None:
        return identifier(field_value(item, name))

    return CallDetailRecord(
        port_label=ref.label,
        ref=ref,
        start_date=parse_time(field_value(item, "start_date"), time_zone),
        answer_date=parse_time(field_value(item, "answer_date"), time_zone),
        duration=wire_int(field_value(item, "duration")),
        source_number=text("source_number"),
        destination_number=text("destination_number"),
        direction=text("direction"),
        ip=text("ip"),
        codec=text("codec"),
        hangup=text("hangup"),
        gsm_code=wire_int(field_value(item, "gsm_code")),
        bcch=text("bcch"),
    )


# --- whole answers --------------------------------------------------------------------------------------------


def parse_port_info(obj: Mapping[str, Any], where: str) -> list[PortInfo]:
    """Rows of a `get_port_info` answer."""
    return [port_info(item, context) for context, item in rows(obj, where, "info")]


def parse_send_records(obj: Mapping[str, Any], where: str, time_zone: tzinfo) -> list[SmsSendRecord]:
    """Rows of a `query_sms_result` answer."""
    return [send_record(item, context, time_zone) for context, item in rows(obj, where, "result")]


def parse_delivery_records(obj: Mapping[str, Any], where: str, time_zone: tzinfo) -> list[DeliveryStatusRecord]:
    """Rows of a `query_sms_deliver_status` answer."""
    return [delivery_record(item, context, time_zone) for context, item in rows(obj, where, "result")]


def parse_incoming(obj: Mapping[str, Any], where: str, *, serial: str, time_zone: tzinfo) -> IncomingBatch:
    """A `query_incoming_sms` answer, messages in the device's id order."""
    messages = [
        incoming_sms(item, context, serial=serial, time_zone=time_zone) for context, item in rows(obj, where, "sms")
    ]
    messages.sort(key=lambda sms: -1 if sms.device_sms_id is None else sms.device_sms_id)
    return IncomingBatch(
        messages=tuple(messages),
        read=wire_int(field_value(obj, "read")),
        unread=wire_int(field_value(obj, "unread")),
    )


def parse_ussd_results(obj: Mapping[str, Any], where: str) -> list[UssdPortResult]:
    """Per-port outcome of `send_ussd`: 200 sent, 486 busy, 503 not registered."""
    results: list[UssdPortResult] = []
    for context, item in rows(obj, where, "result"):
        _wire, ref = port_of(item, context)
        status = wire_int(field_value(item, "status"))
        results.append(
            UssdPortResult(
                port_label=ref.label,
                ref=ref,
                status=status,
                accepted=status == 200,
                reason="" if status == 200 else ERROR_REASONS.get(status or 0, "not sent"),
            )
        )
    return results


def parse_ussd_replies(obj: Mapping[str, Any], where: str) -> list[UssdReply]:
    """Rows of a `query_ussd_reply` answer."""
    return [ussd_reply(item, context) for context, item in rows(obj, where, "reply", "result")]


def parse_call_records(obj: Mapping[str, Any], where: str, time_zone: tzinfo) -> list[CallDetailRecord]:
    """Rows of a `get_cdr` answer; the list sits under `cdr` or, on some firmware, under `info`."""
    return [call_record(item, context, time_zone) for context, item in rows(obj, where, "cdr", "info")]


def parse_call_forward(obj: Mapping[str, Any], where: str) -> list[CallForwardInfo]:
    """Call forwarding rows of `get_port_info?info_type=CallForward` (`CallForwarding` or `CallForward`)."""
    return [
        CallForwardInfo(port_label=info.port_label, ref=info.ref, rules=dict(info.call_forward or {}))
        for info in parse_port_info(obj, where)
    ]


def parse_stk_view(obj: Mapping[str, Any], where: str, ref: SlotRef) -> StkView:
    """A `GetSTKView` answer. `input_type` arrives as a number or a numeric string."""
    input_type = wire_int(field_value(obj, "input_type"))
    if input_type is None:
        msg = f"{where}: input_type is missing or not a number"
        raise GatewayResponseError(msg)
    items: list[StkItem] = []
    for context, item in rows(obj, where, "item", "items"):
        item_id = wire_int(field_value(item, "item_id"))
        if item_id is None:
            msg = f"{context}: item_id is missing or not a number"
            raise GatewayResponseError(msg)
        items.append(StkItem(item_id=item_id, text=text_of(field_value(item, "item_string", "text")) or ""))
    return StkView(
        port_label=ref.label,
        ref=ref,
        title=text_of(field_value(obj, "title")) or "",
        text=text_of(field_value(obj, "text")) or "",
        input_type=input_type,
        frame_id=wire_int(field_value(obj, "frame_id")),
        items=tuple(items),
    )


def parse_frame_id(obj: Mapping[str, Any], where: str) -> int:
    """A `GetSTKCurrFrameIndex` answer."""
    frame_id = wire_int(field_value(obj, "frame_id"))
    if frame_id is None:
        msg = f"{where}: frame_id is missing or not a number"
        raise GatewayResponseError(msg)
    return frame_id


def parse_queue_count(obj: Mapping[str, Any], where: str) -> int:
    """The number of SMS waiting to be sent (`in_queue`; `sms_in_queue` or `count` on other firmware)."""
    count = wire_int(field_value(obj, "in_queue", "sms_in_queue", "count"))
    if count is None:
        msg = f"{where}: in_queue is missing or not a number"
        raise GatewayResponseError(msg)
    return count


def looks_like_dinstar(obj: object) -> bool:
    """True for a JSON object shaped like a Dinstar answer (`error_code` or `sn`)."""
    return isinstance(obj, Mapping) and any(key in obj for key in ("error_code", "error code", "sn"))
