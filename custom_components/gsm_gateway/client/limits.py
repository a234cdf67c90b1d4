"""Bounded work per push: every cap the push parsers apply, in one place.

A push is untrusted input: anyone who knows the webhook id and can reach Home Assistant's address may send one, and
the webhook takes bodies up to 4 MiB. Bodies up to 64 KiB are parsed in the event loop and larger ones in a worker
thread (the integration's webhook decides), so the cost of a parse must not depend on what a sender chooses to put
in those 4 MiB. These caps keep the parse of any push within that size bounded and small (measured by
`tests/client/test_push_limits.py` for the worst shape of every push format).

- `MAX_JSON_TOKENS` = 200,000: the `,` `:` `{` `[` bytes of a JSON push, counted before it is parsed. Bounds
  `json.loads` (a million tiny values take 200 ms); the largest real push, the `dev-status` of a 64 x 32 SIM bank
  with every slot listed, has about 90,000.
- `MAX_ROWS_PER_PUSH` = 500: SMS, report, USSD, registration and CDR rows of one push, all sections and pushed
  objects together. Devices buffer 10 SMS or 100 reports per push (`sms_cnt`, `sr_cnt`: the client's settings
  and the document's default); a row costs up to about 100 µs to read.
- `MAX_STATUS_ROWS` = 2,048: rows of one `dev-status` push: the largest box (64 ports x 32 slots) with every slot
  listed. A larger status is still read when polled; only the push is refused.
- `MAX_FIELDS_PER_ROW` = 64: keys (or elements) of one row or pushed object; real rows have at most about 25.
  (Dinstar field names are matched case-insensitively as a fallback, which costs a pass over the row's keys.)
- `MAX_TEXT_CHARS` = 10,240: characters of one message text (SMS, MMS text and subject, USSD reply, legacy
  forward): 64 concatenated SMS of 160. A longer text is cut and ends in `TEXT_CUT_MARKER`.
- `MAX_HEADER_BLOCK_LINES` = 8 and `MAX_HEADER_BLOCK_CHARS` = 2,048: the `Key: value` block in front of a
  Skyline/EJOIN SMS body (six keys are known: five documented, and `Concat`); what comes after is the body.
- `MAX_MIME_PARTS` = 64: MIME parts of one MMS at all nesting levels (an MMS has a few: SMIL, text, pictures).
- `MAX_MIME_DEPTH` = 4: nesting of multipart parts (real ones nest one level, `multipart/alternative`).
- `MAX_PART_HEADER_BYTES` = 8,192: the header block of one MIME part (real ones have about 200 bytes).
- `MAX_HEADER_PARAMETERS` = 32: `; name=value` parameters of one header (real ones have up to 4).
- `MAX_HEADER_VALUE_CHARS` = 8,192: the push's content type and each `Emms-*` value (aiohttp refuses longer header
  lines anyway).

A push over a cap is refused with `GatewayPushError` as a whole, never half read, except a message text, which is
cut (a long text is still a message). Text is decoded from a bounded prefix of its bytes (`MAX_BYTES_PER_CHAR`
bytes per character), so a 4 MiB body costs as much as a 10,240-character one.

**Character sets** (`codec_for`): the pushes name a charset in the content type (legacy plain-text forward, MMS
parts, `Emms-*` values). Only these are decoded as named: UTF-8, US-ASCII, ISO-8859-1 (Latin-1), Windows-1252,
GB2312, GBK, GB18030, Big5 and UTF-16 (with BOM, LE, BE). The vendor documents name UTF-8 only; the others are the
charsets of the regions these gateways are sold in. Any other name (`punycode`, whose decoder takes quadratic
time, `utf-7`, `idna`, codecs that are not text at all) is decoded as UTF-8 with replacement characters.
"""

from __future__ import annotations

from collections.abc import Mapping

from .exceptions import GatewayPushError

MAX_JSON_TOKENS = 200_000
MAX_ROWS_PER_PUSH = 500
MAX_STATUS_ROWS = 2_048
MAX_FIELDS_PER_ROW = 64
MAX_TEXT_CHARS = 10_240
TEXT_CUT_MARKER = f" [… cut: the message was longer than {MAX_TEXT_CHARS:,} characters]"
MAX_HEADER_BLOCK_LINES = 8
MAX_HEADER_BLOCK_CHARS = 2_048
MAX_MIME_PARTS = 64
MAX_MIME_DEPTH = 4
MAX_PART_HEADER_BYTES = 8_192
MAX_HEADER_PARAMETERS = 32
MAX_HEADER_VALUE_CHARS = 8_192

# Every allowed codec writes one character in at most 4 bytes, and reads an undecodable byte as one character; so
# decoding this many bytes gives more characters than a text (with its header block) may keep, and no more work.
MAX_BYTES_PER_CHAR = 4
MAX_DECODED_BYTES = (MAX_TEXT_CHARS + MAX_HEADER_BLOCK_CHARS + 1) * MAX_BYTES_PER_CHAR

DEFAULT_CODEC = "utf-8"
# Normalised charset name (lower case, `_` as `-`) → Python codec.
CHARSETS: Mapping[str, str] = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "l1": "latin-1",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "gb2312": "gb2312",
    "gbk": "gbk",
    "cp936": "gbk",
    "gb18030": "gb18030",
    "big5": "big5",
    "utf-16": "utf-16",
    "utf-16le": "utf-16-le",
    "utf-16-le": "utf-16-le",
    "utf-16be": "utf-16-be",
    "utf-16-be": "utf-16-be",
    "ucs-2": "utf-16-be",  # what some firmware calls big-endian UTF-16 (the SMS alphabet's name)
}


def codec_for(charset: str | None) -> str:
    """The Python codec for a charset a push names; anything not allow-listed (or unknown) is UTF-8."""
    if not charset:
        return DEFAULT_CODEC
    return CHARSETS.get(charset.strip().strip("\"'").lower().replace("_", "-"), DEFAULT_CODEC)


def decode_text(data: bytes, charset: str | None = None) -> str:
    """`data` as text in an allowed charset (else UTF-8), invalid bytes replaced, from a bounded prefix only.

    When `data` is longer than `MAX_DECODED_BYTES`, the result is longer than a text may be, so `cap_text` cuts it.
    """
    return data[:MAX_DECODED_BYTES].decode(codec_for(charset), errors="replace")


def cap_text(text: str) -> str:
    """`text` when it has at most `MAX_TEXT_CHARS` characters; else its beginning and `TEXT_CUT_MARKER`."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return text[:MAX_TEXT_CHARS] + TEXT_CUT_MARKER


def check_json_tokens(body: bytes) -> None:
    """Refuse a JSON body with more structural bytes than `MAX_JSON_TOKENS`, before parsing it (fast: C loops)."""
    tokens = body.count(b",") + body.count(b":") + body.count(b"{") + body.count(b"[")
    if tokens > MAX_JSON_TOKENS:
        msg = f"push: JSON with more than {MAX_JSON_TOKENS} values; refused unread"
        raise GatewayPushError(msg)


def check_rows(count: int, what: str, limit: int = MAX_ROWS_PER_PUSH) -> None:
    """Refuse a push whose `what` holds more than `limit` rows."""
    if count > limit:
        msg = f"push: {what} has more than {limit} rows; refused unread"
        raise GatewayPushError(msg)


def check_fields(row: object, what: str) -> None:
    """Refuse a push with a row (object or array) of more than `MAX_FIELDS_PER_ROW` keys or elements."""
    if isinstance(row, (dict, list, tuple)) and len(row) > MAX_FIELDS_PER_ROW:
        msg = f"push: a row of {what} has more than {MAX_FIELDS_PER_ROW} fields; refused unread"
        raise GatewayPushError(msg)
