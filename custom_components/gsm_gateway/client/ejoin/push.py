"""Skyline/EJOIN pushes → events.

Handled: `dev-status`, `port-status`, `recv-sms`, `status-report`, the legacy plain-text SMS forward, and MMS
(`multipart/related` with `Emms-*` headers).

Only `GatewayPushError` leaves this module; its message says what was wrong, never what the body contained.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
import hashlib
from itertools import islice
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
from ..models import IncomingSms
from ..ports import canonical_label, parse_label
from .inbox import message_id, parse_device_time, parse_rows, split_header_block
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


def _charset(content_type: str) -> str:
    match = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE)
    return match[1] if match else "utf-8"


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


# --- JSON pushes --------------------------------------------------------------------------------------------


def _status_report(body: Mapping[str, Any]) -> list[PushEvent]:
    events: list[PushEvent] = []
    for item in sequence(body.get("rpts"), "status-report rpts"):
        report = mapping(item, "status-report entry")
        tid = as_int(report.get("tid"))
        task_id = None if tid is None else str(tid)
        for key, sent in (("sdr", True), ("fdr", False)):
            for raw in sequence(report.get(key), f"status-report {key}"):
                detail = sequence(raw, f"status-report {key} entry")
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
    messages, reports, skipped = parse_rows(rows, time_zone=time_zone)
    if rows and skipped == len(rows):
        raise GatewayResponseError(f"recv-sms push: none of its {len(rows)} rows could be read")
    events: list[PushEvent] = [SmsReceivedEvent(sms=sms) for sms in messages]
    events.extend(reports)
    return events


def _json_push(body: Mapping[str, Any], time_zone: tzinfo, status_rows: RowCache | None) -> list[PushEvent]:
    kind = as_text(body.get("type"))
    if kind == "dev-status":
        status = parse_gateway_status(body, cache=status_rows)
        return [DeviceStatusEvent(status=status, sequence=as_int(body.get("seq")), period=as_int(body.get("expires")))]
    if kind == "port-status":
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
    text = _decode(request.body, _charset(request.content_type))
    body, headers = split_header_block(text, time_zone=time_zone)
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
    encoded, _, attributes = value.partition(";")
    text = encoded.strip()
    try:
        decoded = base64.b64decode(text, validate=True).decode(_charset(attributes))
    except binascii.Error, ValueError, LookupError:
        decoded = ""
    if decoded and all(char.isprintable() or char.isspace() for char in decoded):
        text = decoded
    return _MMS_TYPE_SUFFIX.sub("", text.strip())


def _mms_headers(request: PushRequest, root: EmailMessage) -> dict[str, str]:
    """`Emms-*` and `Date` from the HTTP headers, then from the body's own headers, then from its first part."""
    found: dict[str, str] = {}
    sources: list[Mapping[str, str]] = [request.headers, {key: str(value) for key, value in root.items()}]
    sources.extend({key: str(value) for key, value in part.items()} for part in islice(root.iter_parts(), 1))
    for source in sources:
        for key, value in source.items():
            lowered = key.lower()
            if (lowered.startswith("emms-") or lowered == "date") and lowered not in found:
                found[lowered] = value
    return found


def _mms(request: PushRequest, now: datetime) -> MmsReceivedEvent:
    document = b"Content-Type: " + request.content_type.encode("latin-1", errors="replace") + b"\r\n\r\n"
    root = BytesParser(policy=policy.default).parsebytes(document + request.body)
    if not root.is_multipart():
        raise GatewayResponseError("MMS push is not a multipart body")
    headers = _mms_headers(request, root)
    texts: list[str] = []
    attachments: list[tuple[str, int]] = []
    for part in root.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if content_type == "text/plain" and not part.get_filename():
            texts.append(_decode(data, part.get_content_charset() or "utf-8"))
        elif content_type not in _MMS_SKIPPED_TYPES:
            attachments.append((content_type, len(data)))
    raw_port = _lookup(headers, MMS_PORT_HEADERS) or _lookup(request.query, LEGACY_PORT_KEYS)
    ref = parse_label(raw_port) if raw_port else None
    label = ref.label if ref is not None else canonical_label(raw_port) if raw_port else ""
    try:
        received_at = parsedate_to_datetime(headers["date"]) if "date" in headers else now
    except TypeError, ValueError:
        received_at = now
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    sender = _mms_field(headers.get("emms-from")) or _lookup(request.query, LEGACY_SENDER_KEYS) or ""
    subject = _mms_field(headers.get("emms-subject"))
    text = "\n".join(texts)
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
        if "multipart/" in request.content_type.lower():
            return [_mms(request, received)]
        if _looks_like_json(request):
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
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, LookupError) as err:
        raise GatewayPushError(f"malformed push ({type(err).__name__})") from None
