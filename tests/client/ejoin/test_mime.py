"""The bounded MIME reader of pushed MMS bodies: what an MMS needs, and every cap."""

from __future__ import annotations

import base64

import pytest

from custom_components.gsm_gateway.client.ejoin.mime import content_type_of, parse_header_value, read_multipart
from custom_components.gsm_gateway.client.exceptions import GatewayPushError
from custom_components.gsm_gateway.client.limits import (
    MAX_HEADER_PARAMETERS,
    MAX_HEADER_VALUE_CHARS,
    MAX_MIME_DEPTH,
    MAX_MIME_PARTS,
    MAX_PART_HEADER_BYTES,
)

TYPE = 'multipart/related; boundary="b-1"; type="application/smil"'


def body(*parts: bytes, boundary: bytes = b"b-1") -> bytes:
    return (
        b"preamble\r\n"
        + b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
        + (b"--" + boundary + b"--\r\nepilogue")
    )


def test_parts_headers_encodings_and_filenames() -> None:
    parts = read_multipart(
        TYPE,
        body(
            b"Content-Type: application/smil\r\nContent-ID: <start>\r\n\r\n<smil/>",
            b'Content-Type: text/plain;\r\n charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
            b"Gr=C3=BC=C3=9Fe",
            b"Content-Type: image/jpeg; name=pic.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(b"\xff\xd8" * 100),
            b'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="a \\"b\\".txt"\r\n\r\nfile',
            b"\r\nno headers at all",
            b"Content-Type: nonsense\nX-Unix: line ends\n\nunix",
            b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nA",
        ),
    )
    assert [part.content_type for part in parts] == [
        "application/smil",
        "text/plain",
        "image/jpeg",
        "text/plain",
        "text/plain",
        "text/plain",
        "text/plain",
    ]
    assert parts[1].charset == "utf-8"
    assert parts[1].payload.decode() == "Grüße"
    assert (parts[2].filename, len(parts[2].payload)) == ("pic.jpg", 200)
    assert parts[3].filename == 'a "b".txt'
    assert parts[4].payload == b"no headers at all"
    assert parts[5].headers["x-unix"] == "line ends"
    assert "\t" not in parts[1].headers["content-type"]
    assert parts[5].payload == b"unix"
    assert parts[6].payload == b"A"  # undecodable: kept as sent


def test_nested_multiparts_are_flattened() -> None:
    inner = b"--in\r\nContent-Type: text/plain\r\n\r\nhello\r\n--in\r\nContent-Type: text/html\r\n\r\n<p>\r\n--in--"
    parts = read_multipart(TYPE, body(b"Content-Type: multipart/alternative; boundary=in\r\n\r\n" + inner))
    assert [(part.content_type, part.payload) for part in parts] == [("text/plain", b"hello"), ("text/html", b"<p>")]


def test_a_part_of_headers_only() -> None:
    (part,) = read_multipart(TYPE, b"--b-1\r\nContent-Type: image/gif")
    assert (part.content_type, part.payload) == ("image/gif", b"")


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", b"--b-1\r\nx\r\n--b-1--"),
        ("multipart/related", b"--b-1\r\nx\r\n--b-1--"),
        (TYPE, b"no delimiter at all"),
        (TYPE, b"--b-1--\r\n"),
        (TYPE, b"--b-1"),  # a delimiter line that never ends
    ],
)
def test_not_a_multipart_body(content_type: str, data: bytes) -> None:
    with pytest.raises(GatewayPushError, match="not a multipart body"):
        read_multipart(content_type, data)


def test_caps() -> None:
    with pytest.raises(GatewayPushError, match=f"more than {MAX_MIME_PARTS} MIME parts"):
        read_multipart(TYPE, body(*[b"\r\nx"] * (MAX_MIME_PARTS + 1)))
    assert len(read_multipart(TYPE, body(*[b"\r\nx"] * MAX_MIME_PARTS))) == MAX_MIME_PARTS
    with pytest.raises(GatewayPushError, match="more than"):  # the delimiter everywhere, not only at line starts
        read_multipart(TYPE, body(b"\r\n" + b"x--b-1" * (2 * MAX_MIME_PARTS + 3)))
    half = b"--in\r\n" + b"\r\n\r\nx\r\n--in\r\n".join([b""] * (MAX_MIME_PARTS // 2 + 1)) + b"--in--"
    nested_half = b"Content-Type: multipart/mixed; boundary=in\r\n\r\n" + half
    with pytest.raises(GatewayPushError, match=f"more than {MAX_MIME_PARTS} MIME parts"):  # counted over all levels
        read_multipart(TYPE, body(nested_half, nested_half))
    with pytest.raises(GatewayPushError, match="headers are longer"):
        read_multipart(TYPE, body(b"X-Long: " + b"a" * MAX_PART_HEADER_BYTES + b"\r\n\r\nx"))
    with pytest.raises(GatewayPushError, match="parameters"):
        read_multipart(TYPE, body(b"Content-Type: text/plain" + b"; a=1" * (MAX_HEADER_PARAMETERS + 1) + b"\r\n\r\nx"))
    nested = b"Content-Type: text/plain\r\n\r\ndeep"
    for level in range(MAX_MIME_DEPTH):
        nested = (
            f"Content-Type: multipart/mixed; boundary=l{level}\r\n\r\n--l{level}\r\n".encode()
            + nested
            + f"\r\n--l{level}--".encode()
        )
    with pytest.raises(GatewayPushError, match="nested deeper"):
        read_multipart(TYPE, body(nested))
    with pytest.raises(GatewayPushError, match="longer than"):
        parse_header_value("text/plain; x=" + "y" * MAX_HEADER_VALUE_CHARS)


def test_header_values() -> None:
    header = parse_header_value('Text/Plain ; Charset = "utf-8" ; name=a.txt; NAME=b.txt; broken')
    assert (content_type_of(header), dict(header.parameters)) == ("text/plain", {"charset": "utf-8", "name": "a.txt"})
    assert content_type_of(None) == "text/plain"
    assert content_type_of(parse_header_value("text / plain")) == "text/plain"
    assert content_type_of(parse_header_value("image/")) == "text/plain"
