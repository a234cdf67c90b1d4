"""Crashes the fuzzer found in parsers this suite does not own, pinned until they are fixed.

Each test is a strict xfail: it fails the suite the day the bug is fixed, as a reminder to turn it into a normal
test and to put the input back into the fuzzing strategies (`DIGIT_LOOKALIKES` in strategies.py).
"""

from __future__ import annotations

import contextlib
from datetime import UTC

import pytest

from custom_components.gsm_gateway.client.dinstar_ports import label_from_wire, wire_int
from custom_components.gsm_gateway.client.dinstar_push import parse_push
from custom_components.gsm_gateway.client.events import PushRequest
from custom_components.gsm_gateway.client.exceptions import GatewayError
from custom_components.gsm_gateway.client.synway_ports import slot_to_number

from .strategies import DIGIT_LOOKALIKES

BUG = "`str.isdigit()` accepts '²' and `lstrip('-')` accepts '--5', then `int()` raises ValueError"


@pytest.mark.xfail(strict=True, raises=ValueError, reason=f"dinstar_ports.wire_int: {BUG}")
@pytest.mark.parametrize("text", DIGIT_LOOKALIKES)
def test_dinstar_wire_int_refuses_digit_lookalikes(text: str) -> None:
    assert wire_int(text) is None
    assert label_from_wire(text) == f"port {text}"


@pytest.mark.xfail(strict=True, raises=ValueError, reason=f"dinstar_ports.wire_int via a push: {BUG}")
def test_dinstar_push_with_a_digit_lookalike_port_is_refused_or_read() -> None:
    body = b'{"sn": "s", "exception_info": {"port": "\\u00b2", "type": "x"}}'
    with contextlib.suppress(GatewayError):
        parse_push(PushRequest(body=body, content_type="application/json"), serial=None, time_zone=UTC)


@pytest.mark.xfail(strict=True, raises=ValueError, reason=f"synway_ports.slot_to_number: {BUG}")
def test_synway_slot_to_number_refuses_digit_lookalikes() -> None:
    assert slot_to_number("²") is None
