"""A small MIME reader for pushed MMS bodies, with every cost bounded (`client/limits.py`).

Python's `email` package reads anything, but its cost is not bounded by the size of the input alone: 100,000 parts
took 18 s, one part with 40,000 header parameters 9 s, one 3 MiB base64 attachment over a minute. An MMS push is
untrusted, so this reader does only what an MMS needs, in time linear in the body:

- the boundary comes from the content type (`boundary=`, quoted or not); delimiter lines are `--boundary` at the
  start of a line, the closing one `--boundary--`; the preamble and the epilogue are ignored;
- a part is a header block (up to the first empty line; folded lines are joined), then its body; a part without
  headers is `text/plain`; `Content-Transfer-Encoding` `base64` and `quoted-printable` are decoded, anything else
  is taken as it is;
- a `multipart/*` part is read the same way, down to `MAX_MIME_DEPTH` levels;
- refused with `GatewayPushError`: more than `MAX_MIME_PARTS` parts (counted before any is read), a part header
  block over `MAX_PART_HEADER_BYTES`, a header with more than `MAX_HEADER_PARAMETERS` parameters, deeper nesting.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
import re

from ..exceptions import GatewayPushError
from ..limits import (
    MAX_HEADER_PARAMETERS,
    MAX_HEADER_VALUE_CHARS,
    MAX_MIME_DEPTH,
    MAX_MIME_PARTS,
    MAX_PART_HEADER_BYTES,
)

DEFAULT_CONTENT_TYPE = "text/plain"
# RFC 2045 tokens, and quoted strings with backslash escapes.
_PARAMETER = re.compile(r';\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)\s*')
_ESCAPE = re.compile(r"\\(.)")
_HEADER_LINE_END = re.compile(r"\r?\n")


@dataclass(frozen=True, slots=True)
class HeaderValue:
    """A header such as `text/plain; charset=utf-8`: the value before the first `;`, and its parameters."""

    value: str
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MimePart:
    """One leaf part: its headers (lower-case names), content type, decoded payload."""

    headers: Mapping[str, str]
    content_type: str
    charset: str | None
    filename: str | None
    payload: bytes = field(repr=False)


def parse_header_value(text: str) -> HeaderValue:
    """`type/subtype; name=value; name="quoted value"` → value and parameters (names lower-cased).

    At most `MAX_HEADER_PARAMETERS` parameters and `MAX_HEADER_VALUE_CHARS` characters, else `GatewayPushError`.
    """
    if len(text) > MAX_HEADER_VALUE_CHARS:
        msg = f"MMS push: a header is longer than {MAX_HEADER_VALUE_CHARS} characters"
        raise GatewayPushError(msg)
    value, separator, rest = text.partition(";")
    if separator and rest.count(";") + 1 > MAX_HEADER_PARAMETERS:
        msg = f"MMS push: a header has more than {MAX_HEADER_PARAMETERS} parameters"
        raise GatewayPushError(msg)
    parameters: dict[str, str] = {}
    for match in _PARAMETER.finditer(separator + rest):
        raw = match[2]
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = _ESCAPE.sub(r"\1", raw[1:-1])
        parameters.setdefault(match[1].lower(), raw)
    return HeaderValue(value.strip(), parameters)


def content_type_of(header: HeaderValue | None) -> str:
    """The lower-case `type/subtype` of a Content-Type, `text/plain` when missing or not of that form."""
    if header is None:
        return DEFAULT_CONTENT_TYPE
    kind = header.value.lower()
    main, slash, sub = kind.partition("/")
    if not slash or not main or not sub or any(char.isspace() for char in kind):
        return DEFAULT_CONTENT_TYPE
    return kind


def _header_block(part: bytes) -> tuple[dict[str, str], bytes]:
    """Headers (lower-case names, first occurrence wins) and body of one part."""
    if part.startswith((b"\r\n", b"\n")):
        return {}, part[2:] if part.startswith(b"\r\n") else part[1:]
    window = part[: MAX_PART_HEADER_BYTES + 4]
    ends = [index for index in (window.find(b"\r\n\r\n"), window.find(b"\n\n")) if index >= 0]
    if ends:
        end = min(ends)
        block, body = part[:end], part[end:].removeprefix(b"\r\n\r\n").removeprefix(b"\n\n")
    else:
        block, body = part, b""
    if len(block) > MAX_PART_HEADER_BYTES:
        msg = f"MMS push: a part's headers are longer than {MAX_PART_HEADER_BYTES} bytes"
        raise GatewayPushError(msg)
    fields: list[tuple[str, list[str]]] = []
    for line in _HEADER_LINE_END.split(block.decode("latin-1")):
        if line[:1] in {" ", "\t"} and fields:
            fields[-1][1].append(line.strip())  # a folded continuation line
            continue
        name, colon, value = line.partition(":")
        if colon and name.strip():
            fields.append((name.strip().lower(), [value.strip()]))
    headers: dict[str, str] = {}
    for name, values in fields:
        headers.setdefault(name, " ".join(values))
    return headers, body


def _boundary_positions(body: bytes, delimiter: bytes) -> list[int]:
    """Offsets of the delimiter lines (`--boundary` at the start of a line); more than the cap raises.

    The delimiter is counted anywhere first (one pass in C): a body holding it more than twice per allowed part is
    refused before the loop below, which therefore runs a bounded number of times.
    """
    if body.count(delimiter) > 2 * (MAX_MIME_PARTS + 1):
        msg = f"MMS push: more than {MAX_MIME_PARTS} MIME parts"
        raise GatewayPushError(msg)
    positions: list[int] = []
    start = 0
    while (found := body.find(delimiter, start)) >= 0:
        if found == 0 or body[found - 1 : found] == b"\n":
            positions.append(found)
            if len(positions) > MAX_MIME_PARTS + 1:
                msg = f"MMS push: more than {MAX_MIME_PARTS} MIME parts"
                raise GatewayPushError(msg)
        start = found + len(delimiter)
    return positions


def _split(body: bytes, boundary: str) -> list[bytes]:
    """The parts between the delimiter lines of `boundary` (each without its delimiter line and final line break)."""
    delimiter = b"--" + boundary.encode("latin-1", errors="replace")
    positions = _boundary_positions(body, delimiter)
    parts: list[bytes] = []
    for index, position in enumerate(positions):
        after = position + len(delimiter)
        if body[after : after + 2] == b"--":  # the closing delimiter
            break
        line_end = body.find(b"\n", after)
        if line_end < 0:
            break
        end = positions[index + 1] if index + 1 < len(positions) else len(body)
        part = body[line_end + 1 : end]
        if index + 1 < len(positions):  # the line break before the next delimiter belongs to it
            part = part.removesuffix(b"\n").removesuffix(b"\r")
        parts.append(part)
    return parts


def _decode(payload: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    try:
        if encoding == "base64":
            return binascii.a2b_base64(payload + b"==")  # lenient: ignores line breaks and stray characters
        if encoding == "quoted-printable":
            return binascii.a2b_qp(payload)
    except binascii.Error, ValueError:
        return payload
    return payload


class _Reader:
    """Reads the leaf parts of one multipart body, counting every part against `MAX_MIME_PARTS`."""

    def __init__(self) -> None:
        self.parts: list[MimePart] = []
        self.count = 0

    def read(self, body: bytes, boundary: str, depth: int) -> None:
        if depth > MAX_MIME_DEPTH:
            msg = f"MMS push: MIME parts nested deeper than {MAX_MIME_DEPTH} levels"
            raise GatewayPushError(msg)
        for raw in _split(body, boundary):
            self.count += 1
            if self.count > MAX_MIME_PARTS:
                msg = f"MMS push: more than {MAX_MIME_PARTS} MIME parts"
                raise GatewayPushError(msg)
            headers, payload = _header_block(raw)
            content_header = parse_header_value(headers["content-type"]) if "content-type" in headers else None
            content_type = content_type_of(content_header)
            parameters = content_header.parameters if content_header is not None else {}
            if content_type.startswith("multipart/") and parameters.get("boundary"):
                self.read(payload, parameters["boundary"], depth + 1)
                continue
            disposition = (
                parse_header_value(headers["content-disposition"]) if "content-disposition" in headers else None
            )
            filename = (disposition.parameters.get("filename") if disposition else None) or parameters.get("name")
            self.parts.append(
                MimePart(
                    headers=headers,
                    content_type=content_type,
                    charset=parameters.get("charset"),
                    filename=filename or None,
                    payload=_decode(payload, headers.get("content-transfer-encoding", "")),
                )
            )


def read_multipart(content_type: str, body: bytes) -> list[MimePart]:
    """The leaf parts of a `multipart/*` body, in order; `GatewayPushError` when it is not one or breaks a cap."""
    header = parse_header_value(content_type)
    boundary = header.parameters.get("boundary")
    if not content_type_of(header).startswith("multipart/") or not boundary:
        msg = "MMS push is not a multipart body"
        raise GatewayPushError(msg)
    reader = _Reader()
    reader.read(body, boundary, 1)
    if reader.count == 0:
        msg = "MMS push is not a multipart body"
        raise GatewayPushError(msg)
    return reader.parts
