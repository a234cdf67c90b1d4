"""Wire format of the simulated Skyline/EJOIN gateway: labels, status rows, inbox rows, pushes and MMS bodies.

Every shape here follows the spec examples by default; `variants` switch on the deviations real firmware
shows (see the variant list in `simulator/ejoin/server.py`).
"""

from __future__ import annotations

import base64
from collections.abc import Collection
from datetime import UTC, datetime, timedelta, timezone
import re
from typing import Any

from .state import STATUS_TEXTS, InboxEntry, PortState

SCTS_QUARTERS = 8  # the simulated network's time zone: UTC+2
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_RANGE = re.compile(r"^0*(\d{1,4})\s*-\s*0*(\d{1,4})$")
_LETTER_LABEL = re.compile(r"^0*(\d{1,4})\s*\(?\.?([A-Za-z]{1,2})\)?$")
_DOTTED_LABEL = re.compile(r"^0*(\d{1,4})\.(\d{1,3})$")
_POOL_LABEL = re.compile(r"^0*(\d{1,4})(?:\.\d{1,4})+\.(\d{1,3})$")
SLOTS_PER_BANK = 8  # SIM-bank models: a port's slots sit on SIM boards of 8 (the `label_pool` variant)


# --- labels -------------------------------------------------------------------------------------------------


def letters(slot: int) -> str:
    """1 → A, 26 → Z, 27 → AA."""
    text = ""
    while slot:
        slot, remainder = divmod(slot - 1, 26)
        text = _LETTERS[remainder] + text
    return text


def pool_label(port: int, slot: int) -> str:
    """A SIM-bank pool label `port.bank.slot` (`3.03.17`): slot 17 of port 3 sits on the port's third SIM board."""
    return f"{port}.{(slot - 1) // SLOTS_PER_BANK + 1:02d}.{slot:02d}"


def label(port: int, slot: int, variants: Collection[str]) -> str:
    """A port label in the notation the variants ask for: `1A` (default), `1.01`, the pool form, or mixed.

    `label_mixed` writes only even ports in the other notation: `2.01` (or `2.01.01`) next to `1A`.
    """
    other = "label_mixed" not in variants or port % 2 == 0
    if "label_pool" in variants and other:
        return pool_label(port, slot)
    if "label_dotted" in variants or ("label_mixed" in variants and other):
        return f"{port}.{slot:02d}"
    return f"{port}{letters(slot)}"


def report_label(port: int, slot: int, variants: Collection[str]) -> str:
    """The sending port in `status-report` details: dotted (`1.01`, as documented), or the pool form."""
    return pool_label(port, slot) if "label_pool" in variants else f"{port}.{slot:02d}"


def parse_label(text: str) -> tuple[int, int | None] | None:
    """`1A`, `1.01`, `1(A)`, `5` or a pool form `1.01.01` as (port, slot or None)."""
    text = text.strip()
    if match := _LETTER_LABEL.match(text):
        slot = 0
        for char in match[2].upper():
            slot = slot * 26 + ord(char) - 64
        return int(match[1]), slot
    if match := _DOTTED_LABEL.match(text) or _POOL_LABEL.match(text):
        return int(match[1]), int(match[2])
    if text.isdigit():
        return int(text), None
    return None


def parse_ports(text: str, port_count: int) -> list[tuple[int, int | None]] | None:
    """A `ports` value (`1A,2B,4-32`, `all`, `*`) as (port, slot or None); None when an item is invalid."""
    result: list[tuple[int, int | None]] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item.lower() in {"all", "*"}:
            result.extend((port, None) for port in range(1, port_count + 1))
        elif match := _RANGE.match(item):
            first, last = int(match[1]), int(match[2])
            if not 1 <= first <= last <= port_count:
                return None
            result.extend((port, None) for port in range(first, last + 1))
        elif (parsed := parse_label(item)) is not None and 1 <= parsed[0] <= port_count:
            result.append(parsed)
        else:
            return None
    return result


def parse_numbers(text: str | None, upper: int) -> list[int] | None:
    """`all`, `2`, `1-2,4` as numbers 1..upper; None when invalid."""
    if text is None or text.strip().lower() in {"", "all", "*"}:
        return list(range(1, upper + 1))
    numbers: list[int] = []
    for item in (part.strip() for part in text.split(",")):
        if match := _RANGE.match(item):
            numbers.extend(range(int(match[1]), int(match[2]) + 1))
        elif item.isdigit():
            numbers.append(int(item))
        elif item:
            return None
    if any(not 1 <= number <= upper for number in numbers):
        return None
    return sorted(set(numbers))


# --- status -------------------------------------------------------------------------------------------------


def _number(value: int, variants: Collection[str]) -> int | str:
    return str(value) if "string_numbers" in variants else value


def status_row(port: PortState, slot_number: int, variants: Collection[str]) -> dict[str, Any]:
    """One row of `status` (also the body of a `port-status` push, without `type`)."""
    slot = port.slot(slot_number)
    code = port.code(slot_number)
    row: dict[str, Any] = {"port": label(port.port, slot_number, variants)}
    if "status_string" in variants:
        row["status"] = f"{code} {STATUS_TEXTS.get(code, '')}".strip()
    else:
        row["st"] = _number(code, variants)
    row["imei"] = slot.imei
    if "v24_fields" in variants:
        row.update(
            {
                "active": int(slot_number == port.active),
                "inserted": int(slot.sim is not None),
                "slot_active": int(not slot.locked),
                "led": int(port.led),
            }
        )
    if slot.sim is None:  # empty slots report only a few keys
        return row
    registered = code in {3, 4, 5}
    operator = f"{slot.sim.operator_code} {slot.sim.operator_name}" if registered else "0"
    if "whitespace" in variants:
        operator += " "
    row.update(
        {
            "sim": "",
            "seq": _number(port.seq, variants),
            "iccid": slot.sim.iccid,
            "imsi": slot.sim.imsi,
            "sn": slot.sim_number,
            "opr": operator,
            "bal": f"{slot.sim.balance:.2f}",
        }
    )
    if slot_number == port.active:
        row["sig"] = _number(port.signal if registered else 99, variants)
        row.update({"tot_dur": "0/-1", "mon_dur": "0/-1", "day_dur": "0/-1"})
    return row


def dev_status(
    *,
    seq: int,
    period: int,
    mac: str,
    ip: str,
    firmware: str,
    ports: list[PortState],
    slot_count: int,
    all_slots: bool,
    variants: Collection[str],
) -> dict[str, Any]:
    """A `dev-status` object (pushed, and the answer of `goip_get_status.html`)."""
    rows = [
        status_row(port, number, variants)
        for port in ports
        for number in (range(1, slot_count + 1) if all_slots else (port.active,))
    ]
    body: dict[str, Any] = {
        "type": "dev-status",
        "seq": seq,
        "expires": period,
        "mac": mac,
        "ip": ip,
        "ver": firmware,
        "max-ports": _number(len(ports), variants),
    }
    body["max-slot" if "max_slot" in variants else "max-slots"] = _number(slot_count, variants)
    body["status"] = rows
    return body


# --- received SMS -------------------------------------------------------------------------------------------


def scts(moment: float, variants: Collection[str]) -> str:
    """Service-centre timestamp in the network's zone: `24/06/21,10:15:30+08`, or the hex-octet form."""
    local = datetime.fromtimestamp(moment, UTC).astimezone(timezone(timedelta(minutes=15 * SCTS_QUARTERS)))
    if "scts_hex_tz" in variants:  # TP-SCTS octet in hex: units digit, then tens digit with the sign bit
        return local.strftime("%y%m%d%H%M%S") + f"{SCTS_QUARTERS % 10:X}{SCTS_QUARTERS // 10:X}"
    return local.strftime("%y/%m/%d,%H:%M:%S") + f"+{SCTS_QUARTERS:02d}"


def sms_content(entry: InboxEntry, variants: Collection[str]) -> str:
    """Base64 of the text, or of a header block plus the text (`sms_headers` variant)."""
    text = entry.text
    if "sms_headers" in variants or entry.concat is not None:  # a part always carries its concatenation header
        lines = [
            f"Sender: {entry.sender}",
            f"Receiver: {entry.recipient}",
            f"SMSC: {entry.smsc}",
            f"SCTS: {scts(entry.received, variants)}",
            f"Slot: {entry.slot}",
        ]
        if entry.concat is not None:
            lines.append("Concat: {}/{}/{}".format(*entry.concat))
        text = "\r\n".join(lines) + "\r\n\r\n" + text
    return base64.b64encode(text.encode()).decode("ascii")


def inbox_row(entry: InboxEntry, port_label: str, iccid: str, imsi: str, variants: Collection[str]) -> list[Any]:
    """`[flag, port, timestamp, sender, recipient, content]` (+ ICCID, IMSI with `inbox_extra`)."""
    if entry.flag == 1:
        content = entry.recipient if "dr_number" in variants else f"{entry.report_code} {scts(entry.received, ())}"
        row: list[Any] = [1, port_label, entry.received, entry.smsc, entry.recipient, content]
    else:
        row = [0, port_label, entry.received, entry.sender, entry.recipient, sms_content(entry, variants)]
    if "inbox_extra" in variants:
        row.extend([iccid, imsi])
    return row


# --- MMS ----------------------------------------------------------------------------------------------------


def mms_body(text: str, attachments: list[tuple[str, bytes]], boundary: str) -> tuple[bytes, str]:
    """A `multipart/related` MMS body (SMIL, text, attachments in base64) and its content type."""
    smil = b'<smil><body><par><text src="text.txt"/></par></body></smil>'
    parts = [
        (["Content-Type: application/smil", "Content-ID: <start>"], smil),
        (["Content-Type: text/plain; charset=utf-8", "Content-Location: text.txt"], text.encode()),
    ]
    for index, (content_type, data) in enumerate(attachments):
        encoded = base64.encodebytes(data)
        headers = [
            f"Content-Type: {content_type}",
            f"Content-Location: part{index}",
            "Content-Transfer-Encoding: base64",
        ]
        parts.append((headers, encoded))
    chunks = [
        f"--{boundary}\r\n".encode() + "\r\n".join(headers).encode() + b"\r\n\r\n" + data + b"\r\n"
        for headers, data in parts
    ]
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return body, f'multipart/related; boundary="{boundary}"; type="application/smil"; start="<start>"'


def mms_headers(*, subject: str, sender: str, recipient: str, port_label: str, moment: float) -> dict[str, str]:
    """`Emms-*` headers as the device sends them (base64 values with attributes), plus `Date`."""

    def encoded(value: str, *attributes: str) -> str:
        return "; ".join([base64.b64encode(value.encode()).decode("ascii"), *attributes])

    return {
        "Emms-Subject": encoded(subject, "charset=UTF-8"),
        "Emms-From": encoded(f"{sender}/TYPE=PLMN", "type=PLMN", "charset=UTF-8"),
        "Emms-To": encoded(f"{recipient}/TYPE=PLMN", "type=PLMN", "charset=UTF-8"),
        "Emms-Port": port_label,
        "Date": datetime.fromtimestamp(moment, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
    }
