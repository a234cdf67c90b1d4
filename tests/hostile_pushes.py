"""Hostile pushes: the costliest shapes of every push format, just under each cap of `client/limits.py`.

Each builder takes the body size to fill (the webhook's 4 MiB by default) and returns the request. The timing
tests (tests/client/test_push_limits.py) use full size; the fuzz tests use small sizes and mutate them. The shapes
the adversarial review found (`BEYOND_THE_CAPS`: a punycode body, 100,000 MIME parts, 40,000 header parameters,
tens of thousands of rows) are here too: they must be refused, fast.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
import json
from typing import Any

from custom_components.gsm_gateway.client.events import PushRequest
from custom_components.gsm_gateway.client.limits import (
    MAX_FIELDS_PER_ROW,
    MAX_HEADER_BLOCK_LINES,
    MAX_HEADER_PARAMETERS,
    MAX_JSON_TOKENS,
    MAX_MIME_DEPTH,
    MAX_MIME_PARTS,
    MAX_PART_HEADER_BYTES,
    MAX_ROWS_PER_PUSH,
    MAX_STATUS_ROWS,
)

WEBHOOK_MAX_BYTES = 4 * 1024 * 1024  # custom_components/gsm_gateway/webhook.py MAX_PUSH_BYTES
JSON_TYPE = "application/json;charset=utf-8"
BOUNDARY = "hostile-boundary"
MMS_TYPE = f'multipart/related; boundary="{BOUNDARY}"; type="application/smil"'


@dataclass(frozen=True, slots=True)
class Shape:
    """A named hostile push for one dialect (`ejoin` or `dinstar`)."""

    vendor: str
    name: str
    build: Callable[[int], PushRequest]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", errors="surrogatepass")


def _fill(size: int, head: bytes, unit: bytes, tail: bytes, *, at_most: int | None = None) -> bytes:
    count = max(0, (size - len(head) - len(tail)) // len(unit))
    if at_most is not None:
        count = min(count, at_most)
    return head + unit * count + tail


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _share(size: int, rows: int, overhead: int) -> int:
    """Characters each of `rows` rows may take so that the body stays within `size`."""
    return max(1, (size - 256) // max(rows, 1) - overhead)


def _tokens(body: bytes) -> int:
    return body.count(b",") + body.count(b":") + body.count(b"{") + body.count(b"[")


def _most_rows(build: Callable[[int], bytes], size: int, rows: int) -> bytes:
    """`build(n)` for the largest n <= rows whose body fits `size` and the JSON cap (halving, then stepping up)."""
    low, high = 0, rows
    while low < high:
        middle = (low + high + 1) // 2
        body = build(middle)
        if len(body) <= size and _tokens(body) <= MAX_JSON_TOKENS:
            low = middle
        else:
            high = middle - 1
    return build(low)


# --- Skyline/EJOIN JSON ---------------------------------------------------------------------------------------


def recv_sms_max_rows(size: int) -> PushRequest:
    """The most rows, each with a header block of the most lines and a long body."""
    rows = MAX_ROWS_PER_PUSH
    header = "".join(f"Sender: +4917012345{index}\r\n" for index in range(MAX_HEADER_BLOCK_LINES - 1)) + "\r\n"
    text_chars = _share(size, rows, 120) * 3 // 4 - len(header)
    content = _b64(header + "é" * max(1, text_chars // 2))
    row = [0, "1A", 1_700_000_000, "+4917012345678", "", content, "89490200001234567890", "262011234567890"]
    return PushRequest(body=_json({"type": "recv-sms", "sms_num": rows, "sms": [row] * rows}), content_type=JSON_TYPE)


def recv_sms_wide_rows(size: int) -> PushRequest:
    """Rows with the most elements each, as many as the JSON cap lets through."""
    width = MAX_FIELDS_PER_ROW
    row = [0, "1A", 1_700_000_000, "+4917012345678", "", _b64("hi"), *(["262011234567890"] * (width - 6))]
    body = _most_rows(lambda rows: _json({"type": "recv-sms", "sms": [row] * rows}), size, MAX_ROWS_PER_PUSH)
    return PushRequest(body=body, content_type=JSON_TYPE)


def recv_sms_huge_content(size: int) -> PushRequest:
    """One row whose base64 content fills the body (line breaks and spaces inside)."""
    raw = base64.encodebytes(("Sender: x\r\n\r\n" + "x" * size).encode()).decode()
    content = raw[: (size - 200) * 76 // 78]  # JSON writes each line break as two characters
    return PushRequest(body=_json({"type": "recv-sms", "sms": [[0, "1A", 1_700_000_000, "+49", "", content]]}))


def recv_sms_report_spaces(size: int) -> PushRequest:
    """A delivery report whose content is `code`, a long run of spaces, then text (quadratic for `\\s*(.*?)\\s*$`)."""
    content = "0 a" + " " * (size - 200) + "b"
    return PushRequest(body=_json({"type": "recv-sms", "sms": [[1, "1A", 1_700_000_000, "", "+49", content]]}))


def recv_sms_plain_header_lines(size: int) -> PushRequest:
    """One plain-text (not base64) content made of header lines only."""
    content = "Sender: a\r\n" * ((size - 200) // 15)  # JSON writes \r\n as four characters
    return PushRequest(body=_json({"type": "recv-sms", "sms": [[0, "1A", 1_700_000_000, "", "", content]]}))


def status_report_max_entries(size: int) -> PushRequest:
    """The most report entries, each with long reason texts."""
    entries = MAX_ROWS_PER_PUSH
    reason = "6 Timeout " + " " * _share(size, entries, 80)
    detail = [1, "+4917012345678", "1.01", 1_700_000_000, reason, reason[:10]]
    return PushRequest(body=_json({"type": "status-report", "rpts": [{"tid": 7, "sdr": [detail] * entries}]}))


def dev_status_max_rows(size: int) -> PushRequest:
    """The most status rows, each with as many keys as the JSON cap allows."""
    rows = MAX_STATUS_ROWS
    keys = max(1, (MAX_JSON_TOKENS - 64) // rows // 2 - 2)
    base = {"port": "1A", "st": "3 Registered", "sig": 20, "opr": "0 ", "bal": "0.00", "imei": "861234567890121"}
    extra = {f"x{index}": index for index in range(max(0, keys - len(base)))}
    status = [{**base, "port": f"{port}.{slot:02d}", **extra} for port in range(1, 65) for slot in range(1, 33)]
    body = _most_rows(
        lambda count: _json({"type": "dev-status", "max-ports": 64, "max-slots": 32, "status": status[:count]}),
        size,
        rows,
    )
    return PushRequest(body=body, content_type=JSON_TYPE)


def dev_status_status_spaces(size: int) -> PushRequest:
    """One status row whose `st` is a code, text, a long run of spaces and more text."""
    row = {"port": "1A", "st": "3 a" + " " * (size - 300) + "b"}
    return PushRequest(body=_json({"type": "dev-status", "max-ports": 1, "status": [row]}))


def port_status_widest(size: int) -> PushRequest:
    """A port-status row with the most keys, values filling the body."""
    value = "v" * _share(size, MAX_FIELDS_PER_ROW, 16)
    row = {
        "type": "port-status",
        "port": "1A",
        "st": 3,
        **{f"k{index}": value for index in range(MAX_FIELDS_PER_ROW - 3)},
    }
    return PushRequest(body=_json(row))


def json_most_values(size: int) -> PushRequest:
    """As many tiny JSON values as the cap lets through, in a key the parser ignores."""
    body = _fill(size, b'{"type":"port-status","port":"1A","x":[', b"{},", b"{}]}", at_most=MAX_JSON_TOKENS // 2 - 8)
    return PushRequest(body=body, content_type=JSON_TYPE)


def json_deepest(size: int) -> PushRequest:
    """Nesting as deep as the JSON cap lets through."""
    depth = min(MAX_JSON_TOKENS - 8, (size - 64) // 2)
    return PushRequest(body=b'{"type":"recv-sms","sms":' + b"[" * depth + b"]" * depth + b"}", content_type=JSON_TYPE)


# --- Skyline/EJOIN legacy plain text ----------------------------------------------------------------------------


def _legacy(body: bytes, charset: str) -> PushRequest:
    return PushRequest(body=body, content_type=f"text/plain;charset={charset}", query={"port": "1A", "sender": "+49"})


def legacy_punycode(size: int) -> PushRequest:
    """A charset whose decoder takes quadratic time."""
    return _legacy(b"a-" + b"A" * (size - 2), "punycode")


def legacy_cp1252_garbage(size: int) -> PushRequest:
    """The slowest allowed decoder on the bytes it likes least."""
    return _legacy(b"\x81\x30" * (size // 2), "windows-1252")


def legacy_utf16_surrogates(size: int) -> PushRequest:
    """Lone surrogates, one replacement each."""
    return _legacy(b"\x00\xd8" * (size // 2), "utf-16-le")


def legacy_header_lines(size: int) -> PushRequest:
    """A body of header lines only."""
    return _legacy(b"Sender: a\r\n" * (size // 11), "utf-8")


def legacy_line_breaks(size: int) -> PushRequest:
    """A body of line breaks only."""
    return _legacy(b"\n" * size, "utf-8")


# --- Skyline/EJOIN MMS ---------------------------------------------------------------------------------------


def _part(headers: list[str], payload: bytes) -> bytes:
    return f"--{BOUNDARY}\r\n".encode() + "\r\n".join(headers).encode() + b"\r\n\r\n" + payload + b"\r\n"


def _mms(parts: list[bytes], headers: dict[str, str] | None = None) -> PushRequest:
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return PushRequest(body=body, content_type=MMS_TYPE, headers=headers or {})


def _widest_header(name: str, kind: str) -> str:
    """A header with the most parameters, as long as a part's header block may be (shared by a few headers)."""
    value = "v" * (MAX_PART_HEADER_BYTES // 4 // MAX_HEADER_PARAMETERS - 8)
    return f"{name}: {kind}" + "".join(f'; p{index}="{value}"' for index in range(MAX_HEADER_PARAMETERS - 1))


def mms_most_parts(size: int) -> PushRequest:
    """The most parts, each with the largest header block, base64 attachments filling the body."""
    headers = [
        _widest_header("Content-Type", "image/jpeg"),
        _widest_header("Content-Disposition", "attachment"),
        "Content-Transfer-Encoding: base64",
    ]
    per_part = max(1, (size - 1024) // MAX_MIME_PARTS - MAX_PART_HEADER_BYTES // 2 - 64)
    payload = base64.encodebytes(b"\x00" * (per_part * 3 // 4 * 76 // 77))
    return _mms([_part(headers, payload) for _ in range(MAX_MIME_PARTS)])


def mms_deepest(size: int) -> PushRequest:
    """Multiparts nested as deep as allowed, a quoted-printable text at the bottom filling the body."""
    text = b"=C3=A9" * ((size - 4096) // 6)
    inner = b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + text
    for level in range(MAX_MIME_DEPTH - 1, 0, -1):
        boundary = f"level-{level}".encode()
        inner = (
            b"Content-Type: multipart/alternative; boundary="
            + boundary
            + b"\r\n\r\n--"
            + boundary
            + b"\r\n"
            + inner
            + b"\r\n--"
            + boundary
            + b"--\r\n"
        )
    return _mms([f"--{BOUNDARY}\r\n".encode() + inner + b"\r\n"])


def mms_text_utf16_garbage(size: int) -> PushRequest:
    """One text part in the slowest allowed charset, full of lone surrogates."""
    return _mms([_part(["Content-Type: text/plain; charset=utf-16-le"], b"\x00\xd8" * ((size - 512) // 2))])


def mms_emms_headers(size: int) -> PushRequest:
    """`Emms-*` values as long as allowed, in a punycode charset, and a tiny body."""
    del size
    value = base64.b64encode(b"A" * 6000).decode() + "; charset=punycode"
    headers = {"Emms-Subject": value, "Emms-From": value, "Emms-To": value, "Emms-Port": "1A", "Date": "x" * 8000}
    return _mms([_part(["Content-Type: text/plain"], b"hi")], headers)


def mms_delimiters_everywhere(size: int) -> PushRequest:
    """The boundary string everywhere inside one part (not at line starts), as often as the reader allows."""
    payload = (b"x--" + BOUNDARY.encode()) * (2 * MAX_MIME_PARTS)
    payload += b"y" * max(0, size - len(payload) - 256)
    return _mms([_part(["Content-Type: application/octet-stream"], payload)])


def mms_100k_parts(size: int) -> PushRequest:
    """As many tiny parts as fit (the review's 100,000 took 18 s)."""
    part = _part(["Content-Type: text/plain"], b"x")
    return _mms([part] * ((size - 64) // len(part)))


def mms_40k_parameters(size: int) -> PushRequest:
    """One part whose content type has 40,000 parameters (the review's shape took 9 s)."""
    del size
    return _mms([_part(["Content-Type: text/plain" + "; a=1" * 40_000], b"x")])


def recv_sms_rows_beyond_the_cap(size: int) -> PushRequest:
    """As many small rows as fit."""
    row = _json([0, "1A", 1_700_000_000, "+4917012345678", "", _b64("hi")]) + b","
    return PushRequest(body=_fill(size, b'{"type":"recv-sms","sms":[', row, b"[]]}"), content_type=JSON_TYPE)


# --- Dinstar --------------------------------------------------------------------------------------------------


def _dinstar_row(text: str, extra_keys: int = 0) -> dict[str, Any]:
    row: dict[str, Any] = {
        "incoming_sms_id": 1,
        "port": 1,
        "number": "+4917012345678",
        "smsc": "+491720000",
        "timestamp": "2026-01-01 12:00:00",
        "text": text,
        "imsi": "262011234567890",
    }
    row.update({f"Extra_{index}": index for index in range(extra_keys)})
    return row


def dinstar_max_rows(size: int) -> PushRequest:
    """The most SMS rows, each with a URL-encoded text filling its share."""
    rows = MAX_ROWS_PER_PUSH
    text = "%C3%A9" * (_share(size, rows, 200) // 6)
    return PushRequest(body=_json({"sn": "dwg", "sms": [_dinstar_row(text)] * rows}), content_type=JSON_TYPE)


def dinstar_wide_rows(size: int) -> PushRequest:
    """Rows with the most keys (none of them the ones looked up), as many as the JSON cap lets through."""
    row = {**_dinstar_row("x", MAX_FIELDS_PER_ROW - 8), "start_date": "2026-01-01"}
    body = _most_rows(lambda rows: _json({"sn": "dwg", "cdr": [row] * rows}), size, MAX_ROWS_PER_PUSH)
    return PushRequest(body=body, content_type=JSON_TYPE)


def dinstar_most_objects(size: int) -> PushRequest:
    """Objects back to back, each with one section row, as many as allowed."""
    unit = _json({"sn": "dwg", "register": [{"port": 1, "status": "up", "iccid": "8949"}]})
    return PushRequest(body=_fill(size, b"", unit, b"", at_most=MAX_ROWS_PER_PUSH), content_type=JSON_TYPE)


def dinstar_huge_text(size: int) -> PushRequest:
    """One USSD reply whose URL-encoded text fills the body."""
    text = "%41" * ((size - 200) // 3)
    return PushRequest(body=_json({"sn": "dwg", "ussd": [{"port": 1, "text": text}]}), content_type=JSON_TYPE)


def dinstar_garbage_after_brace(size: int) -> PushRequest:
    """`{` then bytes that are not UTF-8 (the slowest decode)."""
    return PushRequest(body=b"{" + bytes(range(128, 256)) * ((size - 1) // 128), content_type=JSON_TYPE)


def dinstar_rows_beyond_the_cap(size: int) -> PushRequest:
    """As many small registration rows as fit."""
    row = _json({"port": 1, "status": "up"}) + b","
    return PushRequest(body=_fill(size, b'{"sn":"dwg","register":[', row, b"{}]}"), content_type=JSON_TYPE)


def dinstar_deepest(size: int) -> PushRequest:
    """Nesting as deep as the JSON cap lets through."""
    depth = min(MAX_JSON_TOKENS - 8, (size - 16) // 2)
    return PushRequest(body=b"[" * depth + b"]" * depth, content_type=JSON_TYPE)


SHAPES: list[Shape] = [
    *(
        Shape("ejoin", builder.__name__, builder)
        for builder in (
            recv_sms_max_rows,
            recv_sms_wide_rows,
            recv_sms_huge_content,
            recv_sms_report_spaces,
            recv_sms_plain_header_lines,
            status_report_max_entries,
            dev_status_max_rows,
            dev_status_status_spaces,
            port_status_widest,
            json_most_values,
            json_deepest,
            legacy_punycode,
            legacy_cp1252_garbage,
            legacy_utf16_surrogates,
            legacy_header_lines,
            legacy_line_breaks,
            mms_most_parts,
            mms_deepest,
            mms_text_utf16_garbage,
            mms_emms_headers,
            mms_delimiters_everywhere,
        )
    ),
    *(
        Shape("dinstar", builder.__name__, builder)
        for builder in (
            dinstar_max_rows,
            dinstar_wide_rows,
            dinstar_most_objects,
            dinstar_huge_text,
            dinstar_garbage_after_brace,
            dinstar_deepest,
        )
    ),
]
BEYOND_THE_CAPS: list[Shape] = [
    Shape("ejoin", legacy_punycode.__name__, legacy_punycode),
    Shape("ejoin", mms_100k_parts.__name__, mms_100k_parts),
    Shape("ejoin", mms_40k_parameters.__name__, mms_40k_parameters),
    Shape("ejoin", recv_sms_rows_beyond_the_cap.__name__, recv_sms_rows_beyond_the_cap),
    Shape("dinstar", dinstar_rows_beyond_the_cap.__name__, dinstar_rows_beyond_the_cap),
]
