"""Pure parsing and mapping helpers: every liberal reading the field notes ask for, and the spec's answers."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from custom_components.gsm_gateway.client.dinstar.models import (
    DeliveryStatusRecord,
    PortInfo,
    SmsSendRecord,
    SmsSendStatus,
)
from custom_components.gsm_gateway.client.dinstar.parse import (
    balance_of,
    check_result,
    csq_to_dbm,
    decode_object,
    decode_text,
    field_value,
    identifier,
    json_values,
    looks_like_dinstar,
    parse_delivery_records,
    parse_frame_id,
    parse_incoming,
    parse_port_info,
    parse_queue_count,
    parse_send_records,
    parse_stk_view,
    parse_time,
    sim_state,
    text_of,
)
from custom_components.gsm_gateway.client.dinstar.ports import (
    label_from_wire,
    ref_from_wire,
    slot_from_wire,
    wire_int,
    wire_port,
    wire_ports,
    wire_slot,
)
from custom_components.gsm_gateway.client.dinstar.sms import check_query_numbers, check_ussd, is_gsm7, wire_encoding
from custom_components.gsm_gateway.client.dinstar.status import model_of, port_count_of, slot_count_of
from custom_components.gsm_gateway.client.exceptions import (
    GatewayCommandError,
    GatewayRequestError,
    GatewayResponseError,
)
from custom_components.gsm_gateway.client.models import Encoding, SimState
from custom_components.gsm_gateway.client.ports import SlotRef
from custom_components.gsm_gateway.client.sim_toolkit import StkInputType, StkView

from .conftest import fixture_bytes

# --- ports --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "slot", "expected"),
    [
        (0, None, SlotRef(1, 1)),
        (0, 255, SlotRef(1, 1)),
        ("31", "3", SlotRef(32, 4)),
        (7, 0, SlotRef(8, 1)),
        (7.0, 2, SlotRef(8, 3)),
        (8, "x", SlotRef(9, 1)),
        (2000, 0, None),
        (-1, 0, None),
        ("one", 0, None),
        (True, 0, None),
        (None, 0, None),
    ],
)
def test_wire_to_ref(port: object, slot: object, expected: SlotRef | None) -> None:
    assert ref_from_wire(port, slot) == expected


def test_wire_helpers() -> None:
    assert wire_int(" 12 ") == 12
    assert wire_int("-3") == -3
    assert wire_int(1.5) is None
    assert wire_int([1]) is None
    assert slot_from_wire(64) == 1  # beyond any slot letter the client knows
    assert label_from_wire(3, 1) == "4B"
    assert label_from_wire(" x ") == "port x"
    assert wire_port(SlotRef(32)) == 31
    assert wire_port(4, port_count=4) == 3
    for bad in (0, 33, True):
        with pytest.raises(GatewayRequestError):
            wire_port(bad)  # type: ignore[arg-type]
    with pytest.raises(GatewayRequestError, match="ports 1-8"):
        wire_port(9, port_count=8)
    assert wire_ports([SlotRef(3), 1, SlotRef(3, 2)]) == [0, 2]
    assert wire_slot(SlotRef(1, 4)) == 3
    with pytest.raises(GatewayRequestError):
        wire_slot(SlotRef(1))


# --- bodies and fields ----------------------------------------------------------------------------------------


def test_json_values() -> None:
    assert json_values('{"a":1}}') == [{"a": 1}]
    assert json_values('{"a":1}, {"b":2}\n{"c":3}{') == [{"a": 1}, {"b": 2}, {"c": 3}]
    assert json_values("\ufeff[1]") == [[1]]
    assert json_values("") == []
    assert json_values('{"text":"line\nbreak"}') == [{"text": "line\nbreak"}]


def test_decode_object_errors() -> None:
    with pytest.raises(GatewayResponseError, match=r"x: answer is not JSON \(4 bytes\)"):
        decode_object(b"oops", "x")
    with pytest.raises(GatewayResponseError, match="not an object"):
        decode_object(b"[]", "x")


def test_error_codes() -> None:
    assert check_result({"error_code": 202}, "send_sms") == 202
    assert check_result({"error code": "200"}, "query_ussd_reply") == 200
    assert check_result({"errorCode": 200}, "x") == 200
    assert check_result({"sn": "x"}, "x") is None
    with pytest.raises(GatewayCommandError) as error:
        check_result({"error_code": 550}, "send_sms")
    assert str(error.value) == "send_sms: gateway refused the request (550 no port available for sending)"


def test_field_helpers() -> None:
    assert field_value({"Port": 1, "STATUS": 200}, "port") == 1
    assert field_value({"Port": 1, "STATUS": 200}, "status") == 200
    assert field_value({}, "x") is None
    assert text_of(" a ") == "a"
    assert text_of(10086) == "10086"
    assert text_of(None) is None
    assert text_of(True) is None
    assert text_of({"a": 1}) is None
    for empty in ("", "<NULL>", "><NULL>", "null", "N/A", None):
        assert identifier(empty) is None
    assert identifier(" 8949 ") == "8949"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2014-12-21  \n12:06:01", datetime(2014, 12, 21, 12, 6, 1, tzinfo=UTC)),
        ("2014-12-21 12:06", datetime(2014, 12, 21, 12, 6, tzinfo=UTC)),
        ("2014/12/21 12:06:01", datetime(2014, 12, 21, 12, 6, 1, tzinfo=UTC)),
        ("2014-12-21T12:06:01", datetime(2014, 12, 21, 12, 6, 1, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
        (20141221, None),
    ],
)
def test_parse_time(raw: object, expected: datetime | None) -> None:
    assert parse_time(raw, UTC) == expected


def test_parse_time_uses_device_zone() -> None:
    parsed = parse_time("2026-07-01 12:00:00", ZoneInfo("Asia/Shanghai"))
    assert parsed is not None
    assert parsed.astimezone(UTC) == datetime(2026, 7, 1, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hello%20World", "Hello World"),
        ("Hello+World%21", "Hello World!"),
        ("1%2B1%3D2", "1+1=2"),
        ("a+b%20c", "a+b c"),  # %20 present: + is literal
        ("Gr%C3%BC%C3%9Fe", "Grüße"),
        ("100% sure", "100% sure"),  # has whitespace: plain text
        ("50%25", "50%"),
        ("%FF%FE", "%FF%FE"),  # not UTF-8: kept
        ("no escapes+here", "no escapes+here"),
        ("C%2B%2B", "C++"),
        ("50%off%21", "50%off!"),  # a % that starts no escape: decoded leniently
        ("%zz" * 65 + "%21", "%zz" * 65 + "%21"),  # ... unless there are many: kept as sent
        ("a%ZZ%FF", "a%ZZ%FF"),  # lenient, and not UTF-8: kept
        ("back\\slash%21", "back\\slash!"),
    ],
)
def test_decode_text(raw: str, expected: str) -> None:
    assert decode_text(raw) == expected


@pytest.mark.parametrize(
    ("reg", "call_state", "expected"),
    [
        ("REGISTER_OK", "Idle", SimState.REGISTERED),
        ("REGISTERED", None, SimState.REGISTERED),
        ("Mobile Registered", "", SimState.REGISTERED),
        ("mobile-registered", "Unknown", SimState.REGISTERED),
        ("REGISTER_OK", "Active", SimState.IN_CALL),
        ("REGISTER_OK", "Call Waiting", SimState.IN_CALL),
        ("POWER_OFF", None, SimState.POWER_OFF),
        ("NO_SIM", None, SimState.NO_SIM),
        ("PIN_REQUIRE", None, SimState.PIN_REQUIRED),
        ("PUK_REQUIRE", None, SimState.PUK_REQUIRED),
        ("UNREGISTER", None, SimState.REGISTRATION_FAILED),
        ("SEARCHING_NETWORK", "Active", SimState.REGISTERING),
        ("UNKNOWN", None, SimState.UNKNOWN),
        ("SOMETHING_NEW", None, SimState.UNKNOWN),
        (None, None, SimState.UNKNOWN),
    ],
)
def test_sim_state(reg: str | None, call_state: str | None, expected: SimState) -> None:
    assert sim_state(reg, call_state) is expected


def test_signal_and_balance() -> None:
    assert [csq_to_dbm(value) for value in (0, 15, 31, 99, -1, None)] == [-113, -83, -51, None, None, None]
    assert [balance_of(value) for value in ("12.50", "0.00", "-1", "N/A", "inf", None)] == [
        12.5,
        0.0,
        None,
        None,
        None,
        None,
    ]


# --- the spec's answers -----------------------------------------------------------------------------------------


def test_spec_query_sms_result() -> None:
    obj = decode_object(fixture_bytes("query_sms_result_response.json"), "query_sms_result")
    [record] = parse_send_records(obj, "query_sms_result", UTC)
    assert record == SmsSendRecord(
        port_label="1A",
        ref=SlotRef(1, 1),
        number="12351",
        user_id=1,
        sent_at=datetime(2014, 12, 21, 12, 6, 1, tzinfo=UTC),
        status=SmsSendStatus.SENT_OK,
        status_text="SENT_OK",
        segments=3,
        segments_sent=3,
        ref_id=12,
        imsi="460004642148063",
    )
    assert record.final
    assert "12351" not in repr(record)
    assert "460004642148063" not in repr(record)


def test_spec_delivery_status() -> None:
    obj = decode_object(fixture_bytes("query_sms_deliver_status_response.json"), "x")
    [record] = parse_delivery_records(obj, "x", UTC)
    assert record == DeliveryStatusRecord(
        port_label="1A",
        ref=SlotRef(1, 1),
        number="12341234",
        sent_at=datetime(2014, 12, 21, 12, 6, 1, tzinfo=UTC),
        ref_id=12,
        status_code=0,
        imsi="460004642148063",
    )
    assert record.delivered
    assert not record.permanent_failure
    pending = DeliveryStatusRecord(port_label="1A", ref=None, number="1", status_code=48)
    assert not pending.delivered
    assert not pending.permanent_failure
    unknown = DeliveryStatusRecord(port_label="1A", ref=None, number="1")
    assert not unknown.delivered


def test_send_record_states() -> None:
    records = parse_send_records(
        {"result": [{"port": 0, "status": "sending"}, {"port": 0, "status": "???"}, {"port": 0}]}, "x", UTC
    )
    assert [(record.status, record.final) for record in records] == [
        (SmsSendStatus.SENDING, False),
        (SmsSendStatus.UNKNOWN, False),
        (SmsSendStatus.UNKNOWN, False),
    ]


def test_spec_incoming_and_queue() -> None:
    obj = decode_object(fixture_bytes("query_incoming_sms_response.json"), "x")
    batch = parse_incoming(obj, "x", serial="xxxx-xxxx-xxxx-xxxx", time_zone=UTC)
    [sms] = batch.messages
    assert (sms.text, sms.sender, sms.port_label, sms.device_sms_id) == ("This is a test", "123456789", "3A", 1)
    assert (batch.read, batch.unread) == (1, 0)
    assert parse_queue_count(decode_object(fixture_bytes("query_sms_in_queue_response.json"), "x"), "x") == 0
    assert parse_queue_count({"sms_in_queue": "3"}, "x") == 3
    assert parse_queue_count({"count": 2}, "x") == 2
    with pytest.raises(GatewayResponseError, match="in_queue"):
        parse_queue_count({"error_code": 200}, "x")


def test_incoming_order_and_numbers() -> None:
    obj = {
        "sms": [
            {"incoming_sms_id": "3", "port": 0, "text": 12345, "number": 10086},
            {"port": 0, "text": None},
            {"incoming_sms_id": 2, "port": "1", "text": "b"},
        ]
    }
    batch = parse_incoming(obj, "x", serial="s", time_zone=UTC)
    assert [(sms.device_sms_id, sms.text) for sms in batch.messages] == [(None, ""), (2, "b"), (3, "12345")]
    assert batch.messages[2].sender == "10086"
    assert (batch.read, batch.unread) == (None, None)


@pytest.mark.parametrize(
    "names",
    [
        ("remain_daily_call_time", "remain_hourly_call_time", "remain_daily_connected"),  # the spec's example answer
        ("remain_daily_calltime", "remain_hourly_calltime", "remain_daily_connect"),  # the spec's request table
    ],
)
def test_port_info_reads_both_spellings(names: tuple[str, str, str]) -> None:
    daily, hourly, connects = names
    [info] = parse_port_info({"info": [{"port": 0, daily: "100", hourly: "10", connects: "99"}]}, "x")
    assert (info.remain_daily_call_time, info.remain_hourly_call_time, info.remain_daily_connect) == ("100", "10", "99")
    assert info.extra == {}


def test_port_info_liberal() -> None:
    obj = {
        "info": [
            {
                "port": "2",
                "slot": "1",
                "Type": "LTE",
                "reg": "Mobile Registered",
                "signal": "17",
                "remain_daily_calltime": "5",
                "remain_hourly_calltime": "1",
                "remain_daily_connect": "2",
                "operator": "Vodafone.de",
                "CallForward": {"Busy": 12345},
                "temperature": 41,
            }
        ]
    }
    [info] = parse_port_info(obj, "x")
    assert info == PortInfo(
        wire_port=2,
        ref=SlotRef(3, 2),
        port_label="3B",
        wire_slot=1,
        module_type="LTE",
        reg="Mobile Registered",
        signal=17,
        remain_daily_call_time="5",
        remain_hourly_call_time="1",
        remain_daily_connect="2",
        operator="Vodafone.de",
        call_forward={"Busy": "12345"},
        extra={"Type": "LTE", "temperature": 41},
    )
    assert info.multi_sim
    assert parse_port_info({"sn": "x"}, "x") == []
    assert parse_port_info({"info": None}, "x") == []
    assert len(parse_port_info({"info": {"port": 1}}, "x")) == 1  # a lone object counts as one row


def test_stk_and_frame_errors() -> None:
    view = parse_stk_view({"title": "t", "input_type": 7, "items": [{"item_id": "1", "text": "a"}]}, "x", SlotRef(1))
    assert view == StkView(
        port_label="1", ref=SlotRef(1), title="t", text="", input_type=7, frame_id=None, items=view.items
    )
    assert view.kind is None
    assert view.items[0].text == "a"
    assert StkView(port_label="1", ref=SlotRef(1), title="", text="", input_type=12, frame_id=1).kind is (
        StkInputType.LOCKED
    )
    with pytest.raises(GatewayResponseError, match="input_type"):
        parse_stk_view({"title": "t"}, "x", SlotRef(1))
    with pytest.raises(GatewayResponseError, match=r"item\[0\]: item_id"):
        parse_stk_view({"input_type": 1, "item": [{"item_string": "a"}]}, "x", SlotRef(1))
    with pytest.raises(GatewayResponseError, match="frame_id"):
        parse_frame_id({}, "x")


def test_looks_like_dinstar() -> None:
    assert looks_like_dinstar({"error_code": 200})
    assert looks_like_dinstar({"sn": "x"})
    assert not looks_like_dinstar({"code": 0})
    assert not looks_like_dinstar([{"sn": "x"}])


# --- send planning --------------------------------------------------------------------------------------------


def test_gsm7_alphabet() -> None:
    assert is_gsm7("Hello @£$¥ èéùìò ÄÖÑÜ§ äöñüà {}[]~|^€\\")
    assert not is_gsm7("ç")  # lower-case c-cedilla is not in the GSM alphabet
    assert not is_gsm7("Привет")
    assert wire_encoding("plain", Encoding.AUTO) == "gsm-7bit"
    assert wire_encoding("plain", Encoding.UCS2) == "unicode"


def test_query_and_ussd_checks() -> None:
    assert check_query_numbers([" 1 ", "2"]) == ["1", "2"]
    with pytest.raises(GatewayRequestError):
        check_query_numbers(["1" * 25])
    assert check_ussd(" *100# ") == "*100#"


# --- status helpers -------------------------------------------------------------------------------------------


def test_model_and_counts() -> None:
    infos = parse_port_info(
        {"info": [{"port": 0, "type": "UNKNOWN", "slot": 255}, {"port": 5, "type": "wcdma", "slot": 255}]}, "x"
    )
    assert port_count_of(infos) == 6
    assert port_count_of([]) == 0
    assert slot_count_of(infos) == 1
    assert model_of(infos, 6, 1) == "6-port WCDMA"
    assert model_of(parse_port_info({"info": [{"port": 0}]}, "x"), 1, 4) == "1-port, 4 SIMs per port"
