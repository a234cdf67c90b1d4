"""Received-SMS rows: base64 bodies, header blocks, SCTS time zones, delivery reports and stable message ids."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
import logging

import pytest

from custom_components.gsm_gateway.client.ejoin.inbox import (
    decode_base64_text,
    message_id,
    parse_device_time,
    parse_inbox_answer,
    parse_row,
    parse_rows,
    parse_scts,
    split_header_block,
)
from custom_components.gsm_gateway.client.events import DeliveryReportEvent
from custom_components.gsm_gateway.client.exceptions import GatewayResponseError
from custom_components.gsm_gateway.client.models import IncomingSms, MultipartInfo
from custom_components.gsm_gateway.client.ports import SlotRef

from .conftest import load

PLUS_TWO = timezone(timedelta(hours=2))


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def sms(row: list[object]) -> IncomingSms:
    parsed = parse_row(row)
    assert isinstance(parsed, IncomingSms)
    return parsed


def test_spec_example_decodes_to_the_operator_text() -> None:
    batch = parse_inbox_answer(load("get_sms_response.json"), start_id=1)
    assert batch.ssrc == "0123456789abcdef"
    assert batch.next_sms == 3
    assert batch.row_count == 2
    first, second = batch.messages
    assert first.text.startswith("尊敬的用户")  # the operator greeting of the spec example
    assert "http://u.10010.cn/dtcd" in first.text
    assert "\r\n101." in first.text  # the body's own CRLFs are kept
    assert not first.text.endswith("\x00")  # trailing NULs of the example are dropped
    assert (first.port_label, first.ref, first.sender, first.recipient) == ("1B", SlotRef(1, 2), "10010", "13265825775")
    assert first.received_at == datetime.fromtimestamp(1466506477, UTC)
    assert (first.device_sms_id, second.device_sms_id) == (1, 2)
    assert first.message_id != second.message_id  # same text, different second


def test_ids_are_unknown_when_the_device_numbering_has_gaps() -> None:
    body = load("get_sms_response.json") | {"next_sms": 9}
    batch = parse_inbox_answer(body, start_id=1)
    assert [m.device_sms_id for m in batch.messages] == [None, None]


def test_empty_inbox() -> None:
    batch = parse_inbox_answer({"code": 0, "ssrc": "a", "sms_num": 0, "next_sms": 1, "data": []}, start_id=1)
    assert (batch.messages, batch.reports, batch.next_sms) == ((), (), 1)


@pytest.mark.parametrize("body", [[], {"data": "x"}])
def test_malformed_answers(body: object) -> None:
    with pytest.raises(GatewayResponseError):
        parse_inbox_answer(body, start_id=1)


def test_header_block_with_crlf_is_split_from_the_body() -> None:
    content = b64(
        "Sender: +4915112345678\r\nReceiver: +4917099999\r\nSMSC: +491770610000\r\n"
        "SCTS: 24/06/21,10:15:30+08\r\nSlot: 2\r\n\r\nHello\r\nsecond line"
    )
    message = sms([0, "3", 1719000000, "", "", content])
    assert message.text == "Hello\r\nsecond line"
    assert message.sender == "+4915112345678"  # from the header block when the row's is empty
    assert message.recipient == "+4917099999"
    assert message.smsc == "+491770610000"
    assert message.sent_at == datetime(2024, 6, 21, 10, 15, 30, tzinfo=PLUS_TWO)
    assert message.ref == SlotRef(3, 2)  # `Slot:` completes a bare port label
    assert message.port_label == "3B"


def test_row_fields_win_over_the_header_block() -> None:
    content = b64("Sender: header-sender\nReceiver: header-receiver\n\nBody")
    message = sms([0, "1A", 1719000000, "row-sender", "row-recipient", content])
    assert (message.sender, message.recipient, message.text) == ("row-sender", "row-recipient", "Body")


def test_header_block_without_blank_line_ends_at_the_first_plain_line() -> None:
    text, headers = split_header_block("Sender: Bank\nSCTS: garbage\nYour code is 1234")
    assert text == "Your code is 1234"
    assert headers is not None
    assert headers.sender == "Bank"
    assert headers.scts == "garbage"
    assert headers.sent_at is None


def test_text_that_merely_contains_a_colon_is_not_a_header_block() -> None:
    text, headers = split_header_block("Note: the meeting moved\n\nsee you")
    assert (text, headers) == ("Note: the meeting moved\n\nsee you", None)


def test_unknown_header_keys_after_a_known_one_are_kept() -> None:
    _, headers = split_header_block("SMSC: +49177\r\nX-Extra: 1\r\n\r\nbody")
    assert headers is not None
    assert headers.other == {"x-extra": "1"}


def test_empty_body_after_headers() -> None:
    assert split_header_block("Sender: A\r\n\r\n")[0] == ""


@pytest.mark.parametrize(
    ("scts", "expected"),
    [
        ("24/06/21,10:15:30+08", datetime(2024, 6, 21, 10, 15, 30, tzinfo=PLUS_TWO)),
        ("24/06/21,10:15:30-04", datetime(2024, 6, 21, 10, 15, 30, tzinfo=timezone(timedelta(hours=-1)))),
        ("2024-06-21 10:15:30+02:00", datetime(2024, 6, 21, 10, 15, 30, tzinfo=PLUS_TWO)),
        ("2024/06/21 10:15:30 +0200", datetime(2024, 6, 21, 10, 15, 30, tzinfo=PLUS_TWO)),
        ("24062110153080", datetime(2024, 6, 21, 10, 15, 30, tzinfo=PLUS_TWO)),  # hex octet: +8 quarters
        ("240621101530 23", datetime(2024, 6, 21, 10, 15, 30, tzinfo=timezone(timedelta(hours=8)))),
        ("24/06/21 10:15:30 8A", datetime(2024, 6, 21, 10, 15, 30, tzinfo=timezone(timedelta(hours=-7)))),
        ("24/06/21 10:15:30 +8A", datetime(2024, 6, 21, 10, 15, 30, tzinfo=timezone(timedelta(hours=-7)))),
        ("24/06/21,10:15:30", datetime(2024, 6, 21, 10, 15, 30, tzinfo=UTC)),  # no zone: the device's
        ("24/06/21,10:15:30+99", datetime(2024, 6, 21, 10, 15, 30, tzinfo=UTC)),  # impossible zone
        ("24/06/21,10:15:30 ZZ", datetime(2024, 6, 21, 10, 15, 30, tzinfo=UTC)),
        ("24/06/21,10:15:30 A0", datetime(2024, 6, 21, 10, 15, 30, tzinfo=UTC)),  # units digit > 9
    ],
)
def test_scts_forms(scts: str, expected: datetime) -> None:
    parsed = parse_scts(scts)
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() == expected.utcoffset()


def test_scts_without_zone_uses_the_device_zone() -> None:
    parsed = parse_scts("24/06/21,10:15:30", time_zone=PLUS_TWO)
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("scts", ["", "yesterday", "24/13/45,10:15:30+08"])
def test_unreadable_scts(scts: str) -> None:
    assert parse_scts(scts) is None


def test_device_time_forms() -> None:
    assert parse_device_time(1466506477) == datetime(2016, 6, 21, 10, 54, 37, tzinfo=UTC)
    assert parse_device_time("1466506477") == datetime(2016, 6, 21, 10, 54, 37, tzinfo=UTC)
    assert parse_device_time("2024-06-21 10:15:30", time_zone=PLUS_TWO) == datetime(
        2024, 6, 21, 10, 15, 30, tzinfo=PLUS_TWO
    )
    assert parse_device_time("2024-02-30 10:15:30") is None
    assert parse_device_time(10**20) is None
    assert parse_device_time("soon") is None
    assert parse_device_time(None) is None


def test_base64_decoding() -> None:
    assert decode_base64_text("SGVsbG8gd29ybGQ=") == "Hello world"
    assert decode_base64_text("SGVs\nbG8g\r\nd29y bGQ") == "Hello world"  # line breaks, missing padding
    assert decode_base64_text("not base64!") is None
    assert decode_base64_text("") is None
    assert decode_base64_text("abcde") is None  # impossible length


def test_content_that_is_not_base64_is_taken_as_text() -> None:
    assert sms([0, "1A", 1719000000, "x", "", "Hello, world!"]).text == "Hello, world!"


def test_alphanumeric_sender_empty_recipient_and_extra_elements() -> None:
    row = [0, "2A", 1719000000, "Google", "", b64("G-123456 is your code"), "89490200001234567890", "262011234567890"]
    message = sms(row)
    assert (message.sender, message.recipient) == ("Google", "")
    assert (message.iccid, message.imsi) == ("89490200001234567890", "262011234567890")


def test_extra_elements_are_recognised_by_shape() -> None:
    message = sms([0, "2A", 1719000000, "x", "", b64("t"), "262011234567890", "", "89490200001234567890", None])
    assert (message.iccid, message.imsi) == ("89490200001234567890", "262011234567890")


def test_local_time_rows_use_the_device_zone() -> None:
    parsed = parse_row([0, "1A", "2024-06-21 10:15:30", "x", "", b64("t")], time_zone=PLUS_TWO)
    assert isinstance(parsed, IncomingSms)
    assert parsed.received_at == datetime(2024, 6, 21, 8, 15, 30, tzinfo=UTC)


def test_unknown_port_notation_is_kept_raw() -> None:
    message = sms([0, " P1-07 ", 1719000000, "x", "", b64("t")])
    assert (message.port_label, message.ref) == ("P1-07", None)


def test_sim_bank_pool_label_is_the_ports_slot() -> None:
    pooled = sms([0, "3.03.17", 1719000000, "x", "", b64("t")])
    assert (pooled.port_label, pooled.ref) == ("3Q", SlotRef(3, 17))
    # The same SMS read back in another notation has the same id: it is one message.
    assert pooled.message_id == sms([0, "3Q", 1719000000, "x", "", b64("t")]).message_id


def test_slot_header_beyond_range_is_ignored() -> None:
    message = sms([0, "4", 1719000000, "x", "", b64("Slot: 99\r\n\r\nbody")])
    assert message.ref == SlotRef(4)


# --- message ids --------------------------------------------------------------------------------------------


def test_message_id_is_derived_from_port_time_sender_and_body() -> None:
    when = datetime.fromtimestamp(1719000000, UTC)
    first = message_id("1A", when, "+4915", "Hello")
    assert first.startswith("ejoin-")
    assert first == message_id("1A", when.astimezone(PLUS_TWO), "+4915", "Hello")
    assert first != message_id("1B", when, "+4915", "Hello")
    assert first != message_id("1A", when + timedelta(seconds=1), "+4915", "Hello")
    assert first != message_id("1A", when, "+4916", "Hello")
    assert first != message_id("1A", when, "+4915", "Hello!")


def test_same_message_in_both_notations_and_both_body_forms_has_one_id() -> None:
    plain = sms([0, "1.01", 1719000000, "+4915", "", b64("Hello")])
    with_headers = sms([0, "1A", 1719000000, "+4915", "+49170", b64("Sender: +4915\r\n\r\nHello")])
    assert plain.message_id == with_headers.message_id


# --- delivery reports ---------------------------------------------------------------------------------------


def report(row: list[object]) -> DeliveryReportEvent:
    parsed = parse_row(row)
    assert isinstance(parsed, DeliveryReportEvent)
    return parsed


def test_delivery_report_code_and_scts() -> None:
    event = report([1, "1.02", 1719000000, "+491770610000", "+4917012345", "0 24/06/21,10:15:30+08"])
    assert (event.port_label, event.ref, event.recipient) == ("1B", SlotRef(1, 2), "+4917012345")
    assert (event.delivered, event.status_code) == (True, 0)
    assert event.reported_at == datetime(2024, 6, 21, 10, 15, 30, tzinfo=PLUS_TWO)


def test_failed_delivery_report() -> None:
    event = report([1, "1A", 1719000000, "+49177", "+4917012345", "70"])
    assert (event.delivered, event.status_code) == (False, 70)
    assert event.reported_at == datetime.fromtimestamp(1719000000, UTC)


def test_delivery_report_carrying_the_phone_number() -> None:
    event = report([1, "1A", 1719000000, "+49177", "", "+4917012345"])
    assert (event.recipient, event.delivered, event.status_code) == ("+4917012345", True, None)


def test_delivery_report_in_base64() -> None:
    event = report([1, "1A", 1719000000, "+49177", "13686876620", b64("0 24/06/21,10:15:30+08")])
    assert (event.recipient, event.status_code) == ("13686876620", 0)


def test_unreadable_delivery_report() -> None:
    with pytest.raises(GatewayResponseError, match="delivery report content"):
        parse_row([1, "1A", 1719000000, "+49177", "", "delivered?"])


# --- malformed rows -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([0, "1A", 1719000000, "x", ""], "has 5 elements"),
        ([0, "1A", "later", "x", "", "dA=="], "no readable timestamp"),
        ([0, "1A", 1719000000, "x", "", 42], "content is not a string"),
        ("row", "not a JSON array"),
    ],
)
def test_malformed_rows(row: object, message: str) -> None:
    with pytest.raises(GatewayResponseError, match=message):
        parse_row(row)


def test_unreadable_rows_are_skipped_and_logged_without_content(caplog: pytest.LogCaptureFixture) -> None:
    secret = "+4915199999999"
    rows = [[0, "1A", 1719000000, secret, "", b64("ok")], [0, "1A", "never", secret, "", b64("secret text")]]
    with caplog.at_level(logging.DEBUG):
        messages, reports, skipped = parse_rows(rows)
    assert (len(messages), reports, skipped) == (1, [], 1)
    assert "skipped 1 of 2 received SMS rows" in caplog.text
    assert secret not in caplog.text
    assert "secret text" not in caplog.text


def test_header_block_edge_cases() -> None:
    assert split_header_block("\r\nHello") == ("\r\nHello", None)  # a leading blank line is body
    text, headers = split_header_block("Sender: A\r\nSMSC: B")  # headers only, no body at all
    assert text == ""
    assert headers is not None
    assert (headers.sender, headers.smsc) == ("A", "B")


def test_trailing_numbers_that_are_neither_iccid_nor_imsi_are_ignored() -> None:
    message = sms([0, "1A", 1719000000, "x", "", b64("t"), "12345", "-1"])
    assert (message.iccid, message.imsi) == (None, None)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Concat: 42/2/3", (42, 2, 3)),
        ("UDH-Concat: 7,1,2", (7, 1, 2)),
        ("Concatenation: 9:3:3", (9, 3, 3)),
        ("Concat: 42/4/3", None),  # part beyond the total
        ("Concat: 42/1/1", None),  # a one-part message is not a part
        ("Concat: soon", None),
    ],
)
def test_concatenation_header(header: str, expected: tuple[int, int, int] | None) -> None:
    text = f"Sender: +4917011\r\nSCTS: 26112312000004\r\n{header}\r\n\r\nbody"
    row = [0, "2A", 1764000000, "+4917011", "", base64.b64encode(text.encode()).decode()]
    sms = parse_row(row)
    assert isinstance(sms, IncomingSms)
    assert sms.text == "body"
    if expected is None:
        assert sms.multipart is None
    else:
        assert sms.multipart == MultipartInfo(reference=expected[0], part=expected[1], total=expected[2])
