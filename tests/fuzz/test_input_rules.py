"""What the client sends a device: only ASCII digits reach it, and a refusal never repeats the value.

`LABEL_LIKE` and `NUMBER_LIKE` are shaped like the real thing, with some digits swapped for look-alikes that
`isdigit()`, `int()` and the regex digit escape accept (full-width, Arabic-Indic, Devanagari, superscripts).
"""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.gsm_gateway.client.checks import check_phone_number, check_printable_ascii, check_ussd_code
from custom_components.gsm_gateway.client.exceptions import GatewayRequestError
from custom_components.gsm_gateway.client.ports import parse_label, parse_selector

from .strategies import WIRE_TEXT

ASCII_DIGITS = frozenset("0123456789")
# Decimal digits other than 0-9: full-width, Arabic-Indic, Extended Arabic-Indic, Devanagari, Bengali, Thai.
OTHER_DIGITS = st.sampled_from(
    [chr(base + offset) for base in (0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50) for offset in range(10)]
)
DIGIT = st.sampled_from(sorted(ASCII_DIGITS)) | OTHER_DIGITS


def digits(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(DIGIT, min_size=min_size, max_size=max_size).map("".join)


NUMBER_LIKE = st.tuples(st.sampled_from(["", "+"]), digits(1, 24)).map("".join)
LABEL_LIKE = st.tuples(digits(1, 4), st.sampled_from(["", "A", "B", ".01", ".1", "(A)"])).map("".join)


PHONE_MESSAGE = "a phone number is 1-20 digits 0-9 with an optional leading '+'"
PRINTABLE_MESSAGE = "x must be 1-32 printable ASCII characters without spaces"


def has_other_digits(text: str) -> bool:
    return any(char.isdecimal() and char not in ASCII_DIGITS for char in text)


@given(NUMBER_LIKE | WIRE_TEXT)
def test_phone_numbers_are_ascii(raw: str) -> None:
    body = raw.strip().removeprefix("+")
    if not body or not set(body) <= ASCII_DIGITS or len(body) > 20:
        with pytest.raises(GatewayRequestError) as caught:
            check_phone_number(raw)
        assert str(caught.value) == PHONE_MESSAGE  # the same words for every value: nothing of it repeated
        return
    number = check_phone_number(raw)
    assert number.isascii()
    assert set(number.removeprefix("+")) <= ASCII_DIGITS
    assert not has_other_digits(raw)


@given(st.text(st.sampled_from("0123456789*#+ abc") | OTHER_DIGITS, max_size=30))
def test_ussd_codes_are_ascii(raw: str) -> None:
    try:
        code = check_ussd_code(raw, 20)
    except GatewayRequestError:
        return
    assert set(code) <= set("0123456789*#+")


@given(WIRE_TEXT)
def test_printable_ascii(raw: str) -> None:
    if not (raw.isascii() and raw.isprintable() and " " not in raw and 1 <= len(raw) <= 32):
        with pytest.raises(GatewayRequestError) as caught:
            check_printable_ascii(raw, 32, "x")
        assert str(caught.value) == PRINTABLE_MESSAGE
        return
    value = check_printable_ascii(raw, 32, "x")
    assert value.isascii()
    assert value.isprintable()
    assert " " not in value


@given(LABEL_LIKE)
def test_labels_with_other_digits_are_unknown(raw: str) -> None:
    ref = parse_label(raw)
    if has_other_digits(raw):
        assert ref is None
        with pytest.raises(ValueError, match="not a port"):
            parse_selector(raw, port_count=1024, slot_count=64)
