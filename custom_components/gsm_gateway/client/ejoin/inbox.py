"""Received-SMS rows of Skyline/EJOIN, shared by the `recv-sms` push and the `goip_get_sms.html` poll.

A row is `[flag, port, timestamp, sender, recipient, content, ...]`; firmware may append ICCID and IMSI.
Flag 0 is an SMS whose content is base64 of UTF-8, possibly a header block (`Sender:`, `Receiver:`, `SMSC:`,
`SCTS:`, `Slot:`) then a blank line then the body. Flag 1 is a delivery report whose content is `"code scts"`
or, on some firmware, the phone number. See docs/protocol-ejoin.md for the decisions taken here.

Rows come from pushes too, so the work per row is bounded (`client/limits.py`): content is decoded from a bounded
prefix, the header block has at most 8 lines and 2,048 characters, a text longer than 10,240 characters is cut
with a marker, and no pattern here backtracks on long runs of spaces (they match stripped text and end in a
greedy group).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
import hashlib
import logging
import re
from typing import Any

from ..events import DeliveryReportEvent
from ..exceptions import GatewayResponseError
from ..limits import MAX_DECODED_BYTES, MAX_FIELDS_PER_ROW, MAX_HEADER_BLOCK_CHARS, MAX_HEADER_BLOCK_LINES, cap_text
from ..models import IncomingSms, MultipartInfo
from ..ports import SlotRef, canonical_label, parse_label
from .parse import as_int, as_text, mapping, sequence

_LOGGER = logging.getLogger(__name__)

MIN_ROW_LENGTH = 6
DELIVERED_CODE = 0
KNOWN_HEADERS = frozenset({"sender", "receiver", "smsc", "scts", "slot"})

_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z_-]*)\s*:\s?(.*)$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
# Matched against stripped text; the tail is a greedy `(.*)` stripped afterwards (see the module doc).
_SCTS_SEPARATED = re.compile(
    r"^([0-9]{4}|[0-9]{2})[/.-]([0-9]{1,2})[/.-]([0-9]{1,2})[,\sT]+([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(.*)$",
    re.DOTALL,
)
_SCTS_DIGITS = re.compile(r"^([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})(.*)$", re.DOTALL)
_TZ_QUARTERS = re.compile(r"^([+-])(\d{1,2})$")
_TZ_HOURS = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_TZ_OCTET = re.compile(r"^[+-]?([0-9A-Fa-f]{2})$")
_LOCAL_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2}):(\d{2})$")
_REPORT_CODE = re.compile(r"^([0-9]{1,3})(?:\s(.*))?$", re.DOTALL)
_PHONE_NUMBER = re.compile(r"^(\+?[0-9]{4,20})$")
# Base64 characters read from a content: enough for MAX_DECODED_BYTES, with room for a line break every 4.
_MAX_BASE64_CHARS = (MAX_DECODED_BYTES // 3 + 1) * 4 * 2
_MAX_QUARTER_HOURS = 14 * 4
_MAX_EXTRAS = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsHeaders:
    """The header block some firmware puts in front of the SMS body."""

    sender: str | None = field(default=None, repr=False)
    receiver: str | None = field(default=None, repr=False)
    smsc: str | None = field(default=None, repr=False)
    scts: str | None = None  # raw service-centre timestamp
    sent_at: datetime | None = None  # `scts` parsed
    slot: int | None = None
    other: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxBatch:
    """One `goip_get_sms.html` answer, parsed."""

    ssrc: str | None
    next_sms: int | None
    messages: tuple[IncomingSms, ...]
    reports: tuple[DeliveryReportEvent, ...]
    row_count: int  # rows the device returned, readable or not


# --- content ------------------------------------------------------------------------------------------------


def decode_base64_text(content: str) -> str | None:
    """UTF-8 text of base64 `content` (line breaks allowed, trailing NULs dropped); None when not base64.

    Only a bounded prefix is read: a content longer than that is judged and decoded by its beginning, which already
    gives more text than a message may keep (`limits.cap_text` then cuts it).
    """
    compact = "".join(content[:_MAX_BASE64_CHARS].split())
    if len(content) > _MAX_BASE64_CHARS:
        compact = compact[: len(compact) - len(compact) % 4]  # whole quantums of a cut content; no padding inside
    if not compact or not _BASE64.match(compact):
        return None
    padded = compact + "=" * (-len(compact) % 4)
    try:
        raw = base64.b64decode(padded, validate=True)
    except binascii.Error, ValueError:
        return None
    return raw.decode("utf-8", errors="replace").rstrip("\x00")


def split_header_block(text: str, *, time_zone: tzinfo = UTC) -> tuple[str, SmsHeaders | None]:
    """Split `Key: value` lines (up to a blank line) from the body; the block must start with a known key.

    Without a blank line the header block ends at the first line that is not `Key: value`. The block has at most
    `MAX_HEADER_BLOCK_LINES` lines and `MAX_HEADER_BLOCK_CHARS` characters: what comes after is the body.
    """
    found: dict[str, str] = {}
    consumed = 0
    for index, raw_line in enumerate(text[: MAX_HEADER_BLOCK_CHARS + 1].splitlines(keepends=True)):
        if index >= MAX_HEADER_BLOCK_LINES or consumed + len(raw_line) > MAX_HEADER_BLOCK_CHARS:
            break
        line = raw_line.rstrip("\r\n")
        if not line.strip():
            if found:
                consumed += len(raw_line)
            break
        match = _HEADER_LINE.match(line)
        if match is None or (not found and match[1].lower() not in KNOWN_HEADERS):
            break
        found[match[1].lower()] = match[2].strip()
        consumed += len(raw_line)
    if not found:
        return text, None
    scts = found.get("scts") or None
    slot = as_int(found.get("slot"))
    headers = SmsHeaders(
        sender=found.get("sender") or None,
        receiver=found.get("receiver") or None,
        smsc=found.get("smsc") or None,
        scts=scts,
        sent_at=parse_scts(scts, time_zone=time_zone) if scts else None,
        slot=slot if slot is not None and slot >= 1 else None,
        other={key: value for key, value in found.items() if key not in KNOWN_HEADERS},
    )
    return text[consumed:], headers


def _scts_zone(tail: str, default: tzinfo) -> tzinfo:
    """Time zone of an SCTS tail: `+32` (quarter hours), `+08:00`, or two hex chars of the PDU octet."""
    quarters: int | None = None
    if match := _TZ_QUARTERS.match(tail):
        quarters = int(match[2]) * (-1 if match[1] == "-" else 1)
    elif match := _TZ_HOURS.match(tail):
        minutes = int(match[2]) * 60 + int(match[3])
        quarters = (minutes // 15) * (-1 if match[1] == "-" else 1)
    elif (match := _TZ_OCTET.match(tail)) and (tail[0] not in "+-" or re.search("[A-Fa-f]", tail)):
        # TP-SCTS time zone octet as hex: first char is the units digit, second the tens digit with the sign
        # in its bit 3 (3GPP TS 23.040 9.2.3.11): "23" is +32 quarter hours, "8A" is -28.
        units, tens = int(match[1][0], 16), int(match[1][1], 16)
        if units <= 9:
            quarters = ((tens & 7) * 10 + units) * (-1 if tens & 8 else 1)
    if quarters is None or abs(quarters) > _MAX_QUARTER_HOURS:
        return default
    return timezone(timedelta(minutes=15 * quarters))


def parse_scts(text: str, *, time_zone: tzinfo = UTC) -> datetime | None:
    """A service-centre timestamp such as `21/06/21,10:15:30+32`, `2021-06-21 10:15:30+08:00`, `2106211015308A`.

    Without a readable time zone the device's `time_zone` is assumed. None when unreadable.
    """
    text = text.strip()
    match = _SCTS_SEPARATED.match(text) or _SCTS_DIGITS.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    if year < 100:
        year += 2000
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=_scts_zone(match[7].strip(), time_zone))
    except ValueError:
        return None


def parse_device_time(value: object, *, time_zone: tzinfo = UTC) -> datetime | None:
    """A row timestamp: Unix seconds (int or numeric string), or `YYYY-MM-DD HH:MM:SS` in the device's zone."""
    seconds = as_int(value)
    if seconds is not None:
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except OverflowError, OSError, ValueError:
            return None
    text = as_text(value)
    if text is None or (match := _LOCAL_TIME.match(text)) is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=time_zone)
    except ValueError:
        return None


def message_id(port_label: str, received_at: datetime, sender: str, text: str) -> str:
    """Content-derived id, identical for the pushed and the polled copy of one SMS.

    Two SMS with the same port, second, sender and body get the same id; see docs/protocol-ejoin.md.
    """
    material = "\x1f".join((port_label, str(int(received_at.timestamp())), sender, text))
    return "ejoin-" + hashlib.sha256(material.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]


def _report_parts(content: str, *, decoded: bool = False) -> tuple[int | None, str | None, str | None]:
    """Code, SCTS text and phone number of a delivery report's content (`"0 21/06/21,10:15:30+32"` or a number)."""
    stripped = content.strip()
    if match := _PHONE_NUMBER.match(stripped):  # codes have at most 3 digits, numbers at least 4
        return None, None, match[1]
    if match := _REPORT_CODE.match(stripped):
        return int(match[1]), (match[2] or "").strip() or None, None
    text = None if decoded else decode_base64_text(content)
    if text is not None:
        return _report_parts(text, decoded=True)
    raise GatewayResponseError("delivery report content is neither 'code scts' nor a phone number")


# --- rows ---------------------------------------------------------------------------------------------------


def _identifiers(extras: Sequence[Any]) -> tuple[str | None, str | None]:
    """ICCID and IMSI from the trailing elements some firmware appends (by shape, not only by position).

    Only the first `_MAX_EXTRAS` are looked at: firmware appends two.
    """
    iccid: str | None = None
    imsi: str | None = None
    for value in extras[:_MAX_EXTRAS]:
        text = as_text(value)
        if text is None or not text.isascii() or not text.isdigit():
            continue
        if text.startswith("89") and len(text) >= 18 and iccid is None:
            iccid = text
        elif len(text) in {14, 15} and imsi is None:
            imsi = text
    return iccid, imsi


def _port(raw_label: object, slot_hint: int | None) -> tuple[str, SlotRef | None]:
    ref = parse_label(raw_label)
    if ref is not None and ref.slot is None and slot_hint is not None:
        with contextlib.suppress(ValueError):  # a slot number past the notation's range is ignored
            ref = ref.with_slot(slot_hint)
    return (ref.label if ref is not None else canonical_label(raw_label)), ref


def parse_row(
    row: object, *, time_zone: tzinfo = UTC, device_sms_id: int | None = None
) -> IncomingSms | DeliveryReportEvent:
    """One received-SMS row; `GatewayResponseError` when it cannot be read."""
    fields = sequence(row, "received SMS row")
    if not MIN_ROW_LENGTH <= len(fields) <= MAX_FIELDS_PER_ROW:
        raise GatewayResponseError(f"received SMS row has {len(fields)} elements, expected 6 to {MAX_FIELDS_PER_ROW}")
    flag = as_int(fields[0])
    received_at = parse_device_time(fields[2], time_zone=time_zone)
    if received_at is None:
        raise GatewayResponseError("received SMS row has no readable timestamp")
    sender = as_text(fields[3]) or ""
    recipient = as_text(fields[4]) or ""
    content = fields[5]
    if not isinstance(content, str):
        raise GatewayResponseError("received SMS row content is not a string")
    if flag == 1:
        return _delivery_report(fields[1], received_at, recipient, content, time_zone)
    text = decode_base64_text(content)
    body, headers = split_header_block(content if text is None else text, time_zone=time_zone)
    body = cap_text(body)
    label, ref = _port(fields[1], headers.slot if headers else None)
    sender = sender or (headers.sender if headers and headers.sender else "")
    iccid, imsi = _identifiers(fields[MIN_ROW_LENGTH:])
    return IncomingSms(
        message_id=message_id(label, received_at, sender, body),
        port_label=label,
        ref=ref,
        sender=sender,
        recipient=recipient or (headers.receiver if headers and headers.receiver else ""),
        text=body,
        received_at=received_at,
        smsc=headers.smsc if headers else None,
        iccid=iccid,
        imsi=imsi,
        device_sms_id=device_sms_id,
        sent_at=headers.sent_at if headers else None,
        multipart=multipart_info(headers),
    )


_CONCAT_KEYS = ("concat", "udh-concat", "concatenation")
_CONCAT_VALUE = re.compile(r"^\s*(\d{1,5})\s*[/,:]\s*(\d{1,3})\s*[/,:]\s*(\d{1,3})\s*$")


def multipart_info(headers: SmsHeaders | None) -> MultipartInfo | None:
    """The concatenation header (`Concat: ref/part/total`) of firmware that passes long SMS on in parts.

    See docs/protocol-ejoin.md ("Concatenated SMS"). Anything unreadable or inconsistent means "not a part".
    """
    if headers is None:
        return None
    for key in _CONCAT_KEYS:
        if (value := headers.other.get(key)) is not None and (match := _CONCAT_VALUE.match(value)):
            reference, part, total = (int(group) for group in match.groups())
            if 1 <= part <= total and total > 1:
                return MultipartInfo(reference=reference, part=part, total=total)
    return None


def _delivery_report(
    raw_label: object, received_at: datetime, recipient: str, content: str, time_zone: tzinfo
) -> DeliveryReportEvent:
    code, scts, number = _report_parts(content)
    label, ref = _port(raw_label, None)
    reported_at = parse_scts(scts, time_zone=time_zone) if scts else None
    return DeliveryReportEvent(
        port_label=label,
        ref=ref,
        recipient=recipient or number or "",
        # The number-only form carries no status; firmware sends it for reports that arrived, i.e. delivered.
        delivered=code == DELIVERED_CODE if code is not None else True,
        status_code=code,
        reported_at=reported_at or received_at,
    )


def parse_rows(
    rows: Sequence[Any], *, time_zone: tzinfo = UTC, first_id: int | None = None
) -> tuple[list[IncomingSms], list[DeliveryReportEvent], int]:
    """Every readable row; unreadable rows are skipped and counted (logged once, never with content)."""
    messages: list[IncomingSms] = []
    reports: list[DeliveryReportEvent] = []
    skipped = 0
    for index, row in enumerate(rows):
        try:
            parsed = parse_row(row, time_zone=time_zone, device_sms_id=None if first_id is None else first_id + index)
        except GatewayResponseError as err:
            skipped += 1
            _LOGGER.debug("skipping received SMS row %d: %s", index, err)
            continue
        if isinstance(parsed, IncomingSms):
            messages.append(parsed)
        else:
            reports.append(parsed)
    if skipped:
        _LOGGER.warning("skipped %d of %d received SMS rows the client could not read", skipped, len(rows))
    return messages, reports, skipped


def parse_inbox_answer(body: object, *, start_id: int, time_zone: tzinfo = UTC) -> InboxBatch:
    """A `goip_get_sms.html` answer queried from `sms_id=start_id`.

    The rows carry no ids; the device's id of row i is `start_id + i` when `next_sms - start_id` equals the
    number of rows (no gaps), and unknown otherwise.
    """
    fields = mapping(body, "goip_get_sms answer")
    rows = sequence(fields.get("data"), "goip_get_sms data")
    next_sms = as_int(fields.get("next_sms"))
    contiguous = next_sms is not None and next_sms - start_id == len(rows)
    messages, reports, _ = parse_rows(rows, time_zone=time_zone, first_id=start_id if contiguous else None)
    return InboxBatch(
        ssrc=as_text(fields.get("ssrc")),
        next_sms=next_sms,
        messages=tuple(messages),
        reports=tuple(reports),
        row_count=len(rows),
    )
