"""Skyline/EJOIN pushes → events.

Handled: `dev-status`, `port-status`, `recv-sms`, `status-report`, the legacy plain-text SMS forward, and MMS
(`multipart/related` with `Emms-*` headers).

Only `GatewayPushError` leaves this module; its message says what was wrong, never what the body contained.

A push is untrusted and the work per push is bounded (`client/limits.py` lists every cap): JSON structure is counted
before it is parsed, rows and fields are counted before they are read, texts are decoded from a bounded prefix in
an allow-listed charset and cut at 10,240 characters, and MMS bodies are read by the bounded reader of `mime`
instead of the `email` package.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
import hashlib
import json
import re
from typing import Any

from ..events import (
    DeviceStatusEvent,
    MmsReceivedEvent,
    PortStatusEvent,
    PushEvent,
    PushRequest,
    SendReportEvent,
    SmsReceivedEvent,
)
from ..exceptions import GatewayPushError, GatewayResponseError
from ..limits import (
    MAX_HEADER_VALUE_CHARS,
    MAX_STATUS_ROWS,
    cap_text,
    check_fields,
    check_json_tokens,
    check_rows,
    decode_text,
)
from ..models import IncomingSms
from ..ports import canonical_label, parse_label
from .inbox import message_id, parse_device_time, parse_rows, split_header_block
from .mime import MimePart, parse_header_value, read_multipart
from .parse import RowCache, as_int, as_text, mapping, parse_gateway_status, parse_slot_row, sequence

# Query parameters of the legacy plain-text forward, most likely spelling first (docs/protocol-ejoin.md).
LEGACY_PORT_KEYS = ("port", "portnum", "port_id", "line", "p")
LEGACY_SENDER_KEYS = ("sender", "from", "src", "srcnum", "phone", "number", "num")
LEGACY_RECIPIENT_KEYS = ("to", "receiver", "recipient", "dst")
LEGACY_ICCID_KEYS = ("iccid",)
LEGACY_IMSI_KEYS = ("imsi",)
LEGACY_TIME_KEYS = ("time", "timestamp", "recv_time", "date")

# MMS headers: `Emms-Subject`/`Emms-From`/`Emms-To` are base64 with `; charset=...` attributes; the port is
# not documented, so `Emms-Port` (or `Emms-Slot`, or a `port` query parameter) is accepted.
MMS_PORT_HEADERS = ("emms-port", "emms-slot", "emms-line")
_MMS_TYPE_SUFFIX = re.compile(r"/TYPE=[A-Za-z0-9]+$", re.IGNORECASE)
_PUSH_TYPE = re.compile(r"^[a-z][a-z-]{0,31}$")
_MMS_SKIPPED_TYPES = frozenset({"application/smil"})


def _lookup(values: Mapping[str, str], keys: Sequence[str]) -> str | None:
    lowered = {key.lower(): value for key, value in values.items()}
    for key in keys:
        value = lowered.get(key)
        if value is not None and value.strip():
            return value.strip()
    return None


def _charset(content_type: str) -> str | None:
    """The `charset` parameter of a content type (any charset: `limits.codec_for` decides what is read as what)."""
    return parse_header_value(content_type).parameters.get("charset")


# --- JSON pushes --------------------------------------------------------------------------------------------


def _check_status_report(reports: Sequence[Any]) -> None:
    """Count every entry before reading any: the rows of all reports together are capped."""
    check_rows(len(reports), "status-report rpts")
    entries = 0
    for item in reports:
        if isinstance(item, Mapping):
            entries += sum(len(value) for key in ("sdr", "fdr") if isinstance(value := item.get(key), list))
    check_rows(entries, "status-report")


def _status_report(body: Mapping[str, Any]) -> list[PushEvent]:
    events: list[PushEvent] = []
    reports = sequence(body.get("rpts"), "status-report rpts")
    _check_status_report(reports)
    for item in reports:
        report = mapping(item, "status-report entry")
        tid = as_int(report.get("tid"))
        task_id = None if tid is None else str(tid)
        for key, sent in (("sdr", True), ("fdr", False)):
            for raw in sequence(report.get(key), f"status-report {key}"):
                detail = sequence(raw, f"status-report {key} entry")
                check_fields(detail, f"status-report {key}")
                if len(detail) < 2:
                    raise GatewayResponseError(f"status-report {key} entry is too short")
                raw_port = detail[2] if len(detail) > 2 else None
                ref = parse_label(raw_port)
                reasons = [text for text in (as_text(value) for value in detail[4:6]) if text]
                events.append(
                    SendReportEvent(
                        task_id=task_id,
                        recipient=as_text(detail[1]) or "",
                        port_label=ref.label if ref else ("" if raw_port is None else canonical_label(raw_port)),
                        ref=ref,
                        sent=sent,
                        reason="; ".join(reasons) if reasons else ("0 OK" if sent else ""),
                        sent_at=parse_device_time(detail[3]) if len(detail) > 3 else None,
                    )
                )
    return events


def _recv_sms(body: Mapping[str, Any], time_zone: tzinfo) -> list[PushEvent]:
    rows = sequence(body.get("sms"), "recv-sms sms")
    check_rows(len(rows), "recv-sms")  # a row longer than MAX_FIELDS_PER_ROW is skipped as unreadable
    messages, reports, skipped = parse_rows(rows, time_zone=time_zone)
    if rows and skipped == len(rows):
        raise GatewayResponseError(f"recv-sms push: none of its {len(rows)} rows could be read")
    events: list[PushEvent] = [SmsReceivedEvent(sms=sms) for sms in messages]
    events.extend(reports)
    return events


def _json_push(body: Mapping[str, Any], time_zone: tzinfo, status_rows: RowCache | None) -> list[PushEvent]:
    kind = as_text(body.get("type"))
    if kind == "dev-status":
        rows = body.get("status")
        if isinstance(rows, list):
            check_rows(len(rows), "dev-status", MAX_STATUS_ROWS)
            for row in rows:
                check_fields(row, "dev-status")
        status = parse_gateway_status(body, cache=status_rows)
        return [DeviceStatusEvent(status=status, sequence=as_int(body.get("seq")), period=as_int(body.get("expires")))]
    if kind == "port-status":
        check_fields(body, "port-status")
        return [PortStatusEvent(slot=parse_slot_row(body, active=True), sequence=as_int(body.get("seq")))]
    if kind == "recv-sms":
        return _recv_sms(body, time_zone)
    if kind == "status-report":
        return _status_report(body)
    if kind and _PUSH_TYPE.match(kind):
        raise GatewayResponseError(f"unsupported push type {kind!r}")
    raise GatewayResponseError("JSON push without a known 'type'")


# --- legacy plain-text forward ------------------------------------------------------------------------------


def _legacy_sms(request: PushRequest, time_zone: tzinfo, now: datetime) -> list[PushEvent]:
    text = decode_text(request.body, _charset(request.content_type))
    body, headers = split_header_block(text, time_zone=time_zone)
    body = cap_text(body)
    raw_port = _lookup(request.query, LEGACY_PORT_KEYS)
    if raw_port is None:
        raise GatewayResponseError("plain-text SMS push without a port in its query string")
    ref = parse_label(raw_port)
    if ref is not None and ref.slot is None and headers is not None and headers.slot is not None:
        ref = ref.with_slot(headers.slot)
    label = ref.label if ref is not None else canonical_label(raw_port)
    sender = _lookup(request.query, LEGACY_SENDER_KEYS) or (headers.sender if headers else None) or ""
    raw_time = _lookup(request.query, LEGACY_TIME_KEYS)
    device_time = parse_device_time(raw_time, time_zone=time_zone) if raw_time else None
    received_at = device_time or now
    sms = IncomingSms(
        message_id=message_id(label, received_at, sender, body),
        port_label=label,
        ref=ref,
        sender=sender,
        recipient=_lookup(request.query, LEGACY_RECIPIENT_KEYS) or (headers.receiver if headers else None) or "",
        text=body,
        received_at=received_at,
        smsc=headers.smsc if headers else None,
        iccid=_lookup(request.query, LEGACY_ICCID_KEYS),
        imsi=_lookup(request.query, LEGACY_IMSI_KEYS),
        sent_at=headers.sent_at if headers else None,
        time_exact=device_time is not None,
    )
    return [SmsReceivedEvent(sms=sms)]


# --- MMS ----------------------------------------------------------------------------------------------------


def _mms_field(value: str | None) -> str:
    """`<base64>; type=PLMN; charset=UTF-8` → decoded text.

    A value that is not base64 of readable text (e.g. `Shop`, which happens to be valid base64) is taken as
    it is.
    """
    if not value:
        return ""
    encoded, _, attributes = value[:MAX_HEADER_VALUE_CHARS].partition(";")
    text = encoded.strip()
    try:
        decoded = decode_text(base64.b64decode(text, validate=True), _charset(";" + attributes))
    except binascii.Error, ValueError:
        decoded = ""
    if decoded and "\ufffd" not in decoded and all(char.isprintable() or char.isspace() for char in decoded):
        text = decoded
    return cap_text(_MMS_TYPE_SUFFIX.sub("", text.strip()))


def _mms_headers(request: PushRequest, parts: Sequence[MimePart]) -> dict[str, str]:
    """`Emms-*` and `Date` from the HTTP headers, then from the first part's headers."""
    found: dict[str, str] = {}
    sources: list[Mapping[str, str]] = [request.headers, *(part.headers for part in parts[:1])]
    for source in sources:
        for key, value in source.items():
            lowered = key.lower()
            if (lowered.startswith("emms-") or lowered == "date") and lowered not in found:
                found[lowered] = value
    return found


def _mms(request: PushRequest, now: datetime) -> MmsReceivedEvent:
    parts = read_multipart(request.content_type, request.body)
    headers = _mms_headers(request, parts)
    texts: list[str] = []
    attachments: list[tuple[str, int]] = []
    for part in parts:
        if part.content_type == "text/plain" and not part.filename:
            texts.append(decode_text(part.payload, part.charset))
        elif part.content_type not in _MMS_SKIPPED_TYPES:
            attachments.append((part.content_type, len(part.payload)))
    raw_port = _lookup(headers, MMS_PORT_HEADERS) or _lookup(request.query, LEGACY_PORT_KEYS)
    ref = parse_label(raw_port) if raw_port else None
    label = ref.label if ref is not None else canonical_label(raw_port) if raw_port else ""
    try:
        received_at = parsedate_to_datetime(headers["date"][:MAX_HEADER_VALUE_CHARS]) if "date" in headers else now
    except TypeError, ValueError:
        received_at = now
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    sender = _mms_field(headers.get("emms-from")) or _lookup(request.query, LEGACY_SENDER_KEYS) or ""
    subject = _mms_field(headers.get("emms-subject"))
    text = cap_text("\n".join(texts))
    material = "\x1f".join((label, str(int(received_at.timestamp())), sender, subject, text, repr(attachments)))
    return MmsReceivedEvent(
        port_label=label,
        ref=ref,
        sender=sender,
        recipient=_mms_field(headers.get("emms-to")),
        subject=subject,
        text=text,
        received_at=received_at,
        attachments=tuple(attachments),
        message_id="ejoin-mms-" + hashlib.sha256(material.encode(errors="surrogatepass")).hexdigest()[:32],
    )


# --- entry point --------------------------------------------------------------------------------------------


def _looks_like_json(request: PushRequest) -> bool:
    return "json" in request.content_type.lower() or request.body.lstrip().startswith(b"{")


def parse_push(
    request: PushRequest,
    *,
    time_zone: tzinfo = UTC,
    now: datetime | None = None,
    status_rows: RowCache | None = None,
) -> list[PushEvent]:
    """Every event in one pushed request. Raises `GatewayPushError` and nothing else.

    `status_rows` remembers the rows of earlier `dev-status` pushes: a SIM bank's is 2,048 rows, mostly unchanged.
    """
    received = now or datetime.now(UTC)
    try:
        if len(request.content_type) > MAX_HEADER_VALUE_CHARS:
            raise GatewayPushError(f"push: content type longer than {MAX_HEADER_VALUE_CHARS} characters")
        if "multipart/" in request.content_type.lower():
            return [_mms(request, received)]
        if _looks_like_json(request):
            check_json_tokens(request.body)
            try:
                body = json.loads(request.body.decode("utf-8"), strict=False)
            except ValueError:
                if "json" in request.content_type.lower() or not request.query:
                    raise GatewayResponseError("push body is not valid JSON") from None
            else:
                return _json_push(mapping(body, "push body"), time_zone, status_rows)
        return _legacy_sms(request, time_zone, received)
    except GatewayResponseError as err:  # GatewayPushError included: rebuilt with the same message
        raise GatewayPushError(str(err)) from None
    except RecursionError:  # JSON nested deeper than the decoder goes
        raise GatewayPushError("push: JSON nested too deeply") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, LookupError) as err:
        raise GatewayPushError(f"malformed push ({type(err).__name__})") from None
