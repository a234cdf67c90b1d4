"""Crashes the fuzzer once found: digit look-alikes (`"²".isdigit()` is True, `int("²")` fails) and `--5`.

The parsers now accept ASCII digits only; these inputs are also part of the fuzzing strategies.
"""

from __future__ import annotations

import contextlib
from datetime import UTC

import pytest

from custom_components.gsm_gateway.client.dinstar.ports import label_from_wire, wire_int
from custom_components.gsm_gateway.client.dinstar.push import parse_push
from custom_components.gsm_gateway.client.events import PushRequest
from custom_components.gsm_gateway.client.exceptions import GatewayError
from custom_components.gsm_gateway.client.synway.ports import slot_to_number

from .strategies import DIGIT_LOOKALIKES


@pytest.mark.parametrize("text", DIGIT_LOOKALIKES)
def test_dinstar_wire_int_refuses_digit_lookalikes(text: str) -> None:
    assert wire_int(text) is None
    assert label_from_wire(text) == f"port {text}"


def test_dinstar_push_with_a_digit_lookalike_port_is_refused_or_read() -> None:
    body = b'{"sn": "s", "exception_info": {"port": "\\u00b2", "type": "x"}}'
    with contextlib.suppress(GatewayError):
        parse_push(PushRequest(body=body, content_type="application/json"), serial=None, time_zone=UTC)


def test_synway_slot_to_number_refuses_digit_lookalikes() -> None:
    assert slot_to_number("²") is None
