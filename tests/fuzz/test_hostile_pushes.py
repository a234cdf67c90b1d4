"""The hostile push shapes of tests/hostile_pushes.py, small and damaged: every parser refuses or reads them, fast.

Full-size timing is tests/client/test_push_limits.py; here the shapes are built at random sizes, cut, flipped,
given other charsets and content types, so the code paths around each cap meet malformed input too.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
import time

from hypothesis import given, strategies as st

from custom_components.gsm_gateway.client.dinstar.push import parse_push as dinstar_push
from custom_components.gsm_gateway.client.ejoin.push import parse_push as ejoin_push
from custom_components.gsm_gateway.client.events import PushRequest
from custom_components.gsm_gateway.client.exceptions import GatewayPushError
from tests.hostile_pushes import BEYOND_THE_CAPS, SHAPES, Shape

from .strategies import damaged_bytes

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BUDGET_SECONDS = 1.0
HOSTILE_CHARSETS = [
    "punycode",
    "utf-7",
    "idna",
    "rot13",
    "zlib",
    "base64",
    "utf-16",
    "utf-32",
    "cp1252",
    "gb18030",
    "x" * 300,
    '"utf-8"',
    "",
]
CONTENT_TYPES = st.sampled_from(
    [
        None,  # the shape's own
        "application/json",
        "text/plain",
        'multipart/related; boundary="hostile-boundary"',
        "multipart/related",
        "multipart/related; boundary=",
        "multipart/mixed; boundary=" + "b" * 100,
    ]
) | st.sampled_from(HOSTILE_CHARSETS).map(lambda charset: f"text/plain; charset={charset}")


def parse(vendor: str, request: PushRequest) -> None:
    """Only `GatewayPushError` may come out (anything else propagates: a bug), and within the budget."""
    start = time.perf_counter()
    try:
        if vendor == "ejoin":
            ejoin_push(request, now=NOW)
        else:
            dinstar_push(request, serial=None, time_zone=UTC)
    except GatewayPushError:
        pass
    assert time.perf_counter() - start < BUDGET_SECONDS


@given(
    st.sampled_from(SHAPES + BEYOND_THE_CAPS),
    st.integers(64, 64 * 1024),
    st.booleans(),
    CONTENT_TYPES,
    st.data(),
)
def test_hostile_shapes_small_and_damaged(
    shape: Shape, size: int, damage: bool, content_type: str | None, data: st.DataObject
) -> None:
    request = shape.build(size)
    body = data.draw(damaged_bytes(request.body)) if damage else request.body
    kind = request.content_type if content_type is None else content_type
    parse(shape.vendor, PushRequest(body=body, content_type=kind, query=request.query, headers=request.headers))
    other = "dinstar" if shape.vendor == "ejoin" else "ejoin"  # the other dialect's parser gets it too
    parse(other, PushRequest(body=body, content_type=kind, query={"port": "1A"}, headers=request.headers))


@given(st.sampled_from(HOSTILE_CHARSETS), st.binary(max_size=2048))
def test_any_charset_on_any_bytes(charset: str, body: bytes) -> None:
    parse("ejoin", PushRequest(body=body, content_type=f"text/plain; charset={charset}", query={"port": "1A"}))
    mms = b'--b\r\nContent-Type: text/plain; charset="' + charset.encode() + b'"\r\n\r\n' + body + b"\r\n--b--\r\n"
    parse("ejoin", PushRequest(body=mms, content_type="multipart/related; boundary=b"))


@given(st.text(st.sampled_from(" \t\r\n0123456789abc:/+-,"), max_size=3000))
def test_whitespace_runs_in_every_scanned_field(text: str) -> None:
    """Runs of spaces in statuses, report contents and SCTS values (once quadratic) read fast."""
    rows = [
        [1, "1A", 1_700_000_000, "", "+49", text],
        [0, "1A", 1_700_000_000, "+49", "", f"SCTS: {text}\r\n\r\nbody"],
    ]
    body = PushRequest(body=_json({"type": "recv-sms", "sms": rows}), content_type="application/json")
    parse("ejoin", body)
    parse("ejoin", PushRequest(body=_json({"type": "port-status", "port": "1A", "st": text})))


def _json(value: object) -> bytes:
    return json.dumps(value).encode()
