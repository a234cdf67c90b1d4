"""Bounded CPU per push: the worst shape of every push format, just under each cap, parses fast.

The target is 100 ms for any push within the webhook's 4 MiB on the development machine (docs/protocol-*.md list
the measured times); the assertion allows 1 s, so a loaded CI machine stays green while the quadratic and
pathological cases these shapes once hit (12 s, 18 s, minutes) still fail it. Each parse either returns events or
refuses with `GatewayPushError`, nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
import time

import pytest

from custom_components.gsm_gateway.client.dinstar.push import parse_push as dinstar_push
from custom_components.gsm_gateway.client.ejoin.push import parse_push as ejoin_push
from custom_components.gsm_gateway.client.events import PushEvent, PushRequest, SmsReceivedEvent
from custom_components.gsm_gateway.client.exceptions import GatewayPushError
from custom_components.gsm_gateway.client.limits import (
    MAX_FIELDS_PER_ROW,
    MAX_ROWS_PER_PUSH,
    MAX_STATUS_ROWS,
    MAX_TEXT_CHARS,
    TEXT_CUT_MARKER,
    cap_text,
    codec_for,
    decode_text,
)
from tests.hostile_pushes import BEYOND_THE_CAPS, SHAPES, WEBHOOK_MAX_BYTES, Shape

BUDGET_SECONDS = 1.0
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def parse(vendor: str, request: PushRequest) -> list[PushEvent] | GatewayPushError:
    try:
        if vendor == "ejoin":
            return ejoin_push(request, now=NOW)
        return dinstar_push(request, serial=None, time_zone=UTC)
    except GatewayPushError as err:
        return err


ALL_SHAPES = SHAPES + BEYOND_THE_CAPS


@pytest.mark.parametrize("shape", ALL_SHAPES, ids=[f"{shape.vendor}-{shape.name}" for shape in ALL_SHAPES])
def test_worst_shapes_parse_within_the_budget(shape: Shape) -> None:
    request = shape.build(WEBHOOK_MAX_BYTES)
    assert len(request.body) <= WEBHOOK_MAX_BYTES
    start = time.perf_counter()
    outcome = parse(shape.vendor, request)
    elapsed = time.perf_counter() - start
    assert isinstance(outcome, list | GatewayPushError)
    assert elapsed < BUDGET_SECONDS, f"{shape.name}: {elapsed * 1000:.0f} ms"


@pytest.mark.parametrize(
    "name", ["recv_sms_max_rows", "status_report_max_entries", "dev_status_max_rows", "mms_most_parts"]
)
def test_shapes_just_under_the_caps_are_read(name: str) -> None:
    """The caps refuse abuse, not the largest real pushes: these shapes are at the caps and still read."""
    (shape,) = [shape for shape in SHAPES if shape.name == name]
    outcome = parse(shape.vendor, shape.build(WEBHOOK_MAX_BYTES))
    assert isinstance(outcome, list), outcome
    assert outcome


@pytest.mark.parametrize(
    "shape", BEYOND_THE_CAPS[1:], ids=[f"{shape.vendor}-{shape.name}" for shape in BEYOND_THE_CAPS[1:]]
)
def test_shapes_beyond_the_caps_are_refused(shape: Shape) -> None:
    outcome = parse(shape.vendor, shape.build(WEBHOOK_MAX_BYTES))
    assert isinstance(outcome, GatewayPushError)
    assert any(word in str(outcome) for word in ("more than", "longer than")), outcome


def test_a_punycode_body_is_read_as_utf8() -> None:
    (event,) = parse("ejoin", BEYOND_THE_CAPS[0].build(64))  # type: ignore[misc]
    assert isinstance(event, SmsReceivedEvent)
    assert event.sms.text == "a-" + "A" * 62


def test_a_long_text_is_cut_with_the_marker() -> None:
    (shape,) = [shape for shape in SHAPES if shape.name == "recv_sms_huge_content"]
    (event,) = parse("ejoin", shape.build(WEBHOOK_MAX_BYTES))  # type: ignore[misc]
    assert isinstance(event, SmsReceivedEvent)
    assert event.sms.text.endswith(TEXT_CUT_MARKER)
    assert len(event.sms.text) == MAX_TEXT_CHARS + len(TEXT_CUT_MARKER)


@pytest.mark.parametrize(
    ("charset", "codec"),
    [
        ("UTF-8", "utf-8"),
        ('"utf8"', "utf-8"),
        ("us-ascii", "ascii"),
        ("ISO-8859-1", "latin-1"),
        ("latin1", "latin-1"),
        ("windows-1252", "cp1252"),
        ("GB2312", "gb2312"),
        ("gbk", "gbk"),
        ("GB18030", "gb18030"),
        ("Big5", "big5"),
        ("UTF-16", "utf-16"),
        ("utf_16_le", "utf-16-le"),
        ("UTF-16BE", "utf-16-be"),
        ("punycode", "utf-8"),
        ("utf-7", "utf-8"),
        ("idna", "utf-8"),
        ("rot13", "utf-8"),
        ("zlib", "utf-8"),
        ("no-such-charset", "utf-8"),
        (None, "utf-8"),
        ("", "utf-8"),
    ],
)
def test_charsets_are_allow_listed(charset: str | None, codec: str) -> None:
    assert codec_for(charset) == codec


def test_decoding_reads_a_bounded_prefix() -> None:
    text = decode_text("é".encode() * WEBHOOK_MAX_BYTES, "utf-8")
    assert MAX_TEXT_CHARS < len(text) < 4 * MAX_TEXT_CHARS
    assert cap_text(text).endswith(TEXT_CUT_MARKER)
    assert cap_text("short") == "short"
    assert decode_text("中文".encode("gbk"), "gbk") == "中文"


def _json_push(value: object) -> PushRequest:
    return PushRequest(body=json.dumps(value).encode(), content_type="application/json")


ROW = [0, "1A", 1_700_000_000, "+4917012345678", "", "aGk="]
OVER_THE_CAPS = [
    ("ejoin", _json_push({"type": "recv-sms", "sms": [ROW] * (MAX_ROWS_PER_PUSH + 1)}), "recv-sms has more than"),
    (
        "ejoin",
        _json_push({"type": "status-report", "rpts": [{"tid": 1, "sdr": [[1, "+49"]] * (MAX_ROWS_PER_PUSH + 1)}]}),
        "status-report has more than",
    ),
    (
        "ejoin",
        _json_push({"type": "status-report", "rpts": [{"tid": 1}] * (MAX_ROWS_PER_PUSH + 1)}),
        "rpts has more than",
    ),
    (
        "ejoin",
        _json_push({"type": "dev-status", "status": [{"port": "1A"}] * (MAX_STATUS_ROWS + 1)}),
        "dev-status has more than",
    ),
    (
        "ejoin",
        _json_push({"type": "dev-status", "status": [{f"k{n}": n for n in range(MAX_FIELDS_PER_ROW + 1)}]}),
        "fields",
    ),
    (
        "ejoin",
        _json_push({"type": "port-status", **{f"k{n}": n for n in range(MAX_FIELDS_PER_ROW)}}),
        "fields",
    ),
    (
        "ejoin",
        _json_push({"type": "status-report", "rpts": [{"tid": 1, "fdr": [[1] * (MAX_FIELDS_PER_ROW + 1)]}]}),
        "fields",
    ),
    ("dinstar", _json_push({"sn": "x", "sms": [{"port": 1}] * (MAX_ROWS_PER_PUSH + 1)}), "has more than"),
    ("dinstar", _json_push([{"sn": "x"}] * (MAX_ROWS_PER_PUSH + 1)), "objects"),
    ("dinstar", _json_push({"sn": "x", "ussd": {f"k{n}": n for n in range(MAX_FIELDS_PER_ROW + 1)}}), "fields"),
    ("dinstar", _json_push({"sn": "x", **{f"k{n}": n for n in range(MAX_FIELDS_PER_ROW + 1)}}), "fields"),
]


@pytest.mark.parametrize(("vendor", "request_", "message"), OVER_THE_CAPS)
def test_one_past_a_cap_is_refused(vendor: str, request_: PushRequest, message: str) -> None:
    outcome = parse(vendor, request_)
    assert isinstance(outcome, GatewayPushError)
    assert message in str(outcome)


def test_a_recv_sms_row_too_wide_is_skipped_not_read() -> None:
    wide = [*ROW, *["x"] * MAX_FIELDS_PER_ROW]
    outcome = parse("ejoin", _json_push({"type": "recv-sms", "sms": [ROW, wide]}))
    assert isinstance(outcome, list)
    assert len(outcome) == 1
