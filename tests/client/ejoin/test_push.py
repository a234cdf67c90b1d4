"""Pushed bodies → events: dev-status, port-status, recv-sms, status-report, legacy plain text and MMS."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
import json

import pytest

from custom_components.gsm_gateway.client.ejoin.push import parse_push
from custom_components.gsm_gateway.client.events import (
    DeliveryReportEvent,
    DeviceStatusEvent,
    MmsReceivedEvent,
    PortStatusEvent,
    PushRequest,
    SendReportEvent,
    SmsReceivedEvent,
)
from custom_components.gsm_gateway.client.exceptions import GatewayPushError
from custom_components.gsm_gateway.client.models import SimState
from custom_components.gsm_gateway.client.ports import SlotRef

from .conftest import load, load_bytes

JSON = "application/json;charset=utf-8"
NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def push(body: object, content_type: str = JSON, **query: str) -> list[object]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return list(parse_push(PushRequest(body=raw, content_type=content_type, query=query), now=NOW))


def test_dev_status_push_from_the_spec() -> None:
    (event,) = push(load_bytes("dev_status_example.json"))
    assert isinstance(event, DeviceStatusEvent)
    assert (event.sequence, event.period) == (3, 60)
    assert event.status.device.mac == "00:30:f1:00:6c:55"
    assert event.status.ports[1].slots[1].state is SimState.REGISTERED


def test_port_status_push_from_the_spec() -> None:
    (event,) = push(load_bytes("port_status_example.json"))
    assert isinstance(event, PortStatusEvent)
    assert event.sequence == 1
    assert (event.slot.label, event.slot.state, event.slot.status_text) == ("2B", SimState.REGISTERED, "OK")
    assert event.slot.active is True


def test_port_status_with_an_unknown_notation_is_kept_raw() -> None:
    (event,) = push({"type": "port-status", "port": "P1-07", "st": 3})
    assert isinstance(event, PortStatusEvent)
    assert (event.slot.ref, event.slot.label) == (None, "P1-07")


def test_recv_sms_push_from_the_spec() -> None:
    (event,) = push(load_bytes("recv_sms_push.json"))
    assert isinstance(event, SmsReceivedEvent)
    assert event.sms.port_label == "1B"
    assert event.sms.text.startswith("尊敬的用户")
    assert event.sms.device_sms_id is None


def test_pushed_and_polled_copies_have_the_same_message_id() -> None:
    from custom_components.gsm_gateway.client.ejoin.inbox import parse_inbox_answer

    (event,) = push(load_bytes("recv_sms_push.json"))
    polled = parse_inbox_answer(load("get_sms_response.json"), start_id=1).messages[0]
    assert isinstance(event, SmsReceivedEvent)
    assert event.sms.message_id == polled.message_id


def test_recv_sms_with_sms_and_delivery_report_rows() -> None:
    body = {
        "type": "recv-sms",
        "sms_num": "2",
        "sms": [
            [0, "2A", 1719000000, "Google", "", b64("Sender: Google\r\nSCTS: 24/06/21,10:15:30+08\r\n\r\nG-1")],
            [1, "2A", 1719000005, "+49177", "+4917012345", "0 24/06/21,10:15:35+08"],
            [0, "2A", "garbled", "x", "", "x"],
        ],
    }
    sms_event, report = push(body)
    assert isinstance(sms_event, SmsReceivedEvent)
    assert sms_event.sms.text == "G-1"
    assert isinstance(report, DeliveryReportEvent)
    assert (report.recipient, report.delivered) == ("+4917012345", True)


def test_recv_sms_where_no_row_is_readable() -> None:
    with pytest.raises(GatewayPushError, match="none of its 1 rows"):
        push({"type": "recv-sms", "sms": [[0, "1A"]]})


def test_status_report_push() -> None:
    sent, failed = push(load_bytes("status_report_push.json"))
    assert isinstance(sent, SendReportEvent)
    assert isinstance(failed, SendReportEvent)
    assert (sent.task_id, sent.recipient, sent.port_label, sent.ref, sent.sent) == (
        "1223",
        "13686876620",
        "1A",
        SlotRef(1, 1),
        True,
    )
    assert sent.sent_at == datetime.fromtimestamp(1466506477, UTC)
    assert sent.reason == "0 OK"
    assert (failed.recipient, failed.port_label, failed.sent) == ("13686876621", "1B", False)
    assert failed.reason == "6 Timeout; 27 Absent subscriber"


def test_status_report_with_short_details() -> None:
    body = {"type": "status-report", "rpts": [{"tid": "7", "sdr": [[0, "+4915"]], "fdr": [[1, "+4916", "P9"]]}]}
    sent, failed = push(body)
    assert isinstance(sent, SendReportEvent)
    assert isinstance(failed, SendReportEvent)
    assert (sent.task_id, sent.port_label, sent.ref, sent.sent_at) == ("7", "", None, None)
    assert (failed.port_label, failed.reason) == ("P9", "")


def test_status_report_detail_too_short() -> None:
    with pytest.raises(GatewayPushError, match="too short"):
        push({"type": "status-report", "rpts": [{"tid": 1, "sdr": [[0]]}]})


# --- legacy plain-text forward ------------------------------------------------------------------------------


def test_legacy_plain_text_forward() -> None:
    (event,) = push(b"Hello from an old box", "text/plain", port="3B", sender="+4915", iccid="8949020000")
    assert isinstance(event, SmsReceivedEvent)
    sms = event.sms
    assert (sms.port_label, sms.ref, sms.sender, sms.text, sms.iccid) == (
        "3B",
        SlotRef(3, 2),
        "+4915",
        "Hello from an old box",
        "8949020000",
    )
    assert sms.received_at == NOW
    assert sms.time_exact is False  # no device time: the id is not the one polling will compute


def test_legacy_forward_with_other_parameter_names_and_charset() -> None:
    body = "Grüße".encode("latin-1")
    (event,) = push(body, "application/octet-stream; charset=latin-1", Line="2", From="Bank", IMSI="26201", To="+49")
    assert isinstance(event, SmsReceivedEvent)
    assert (event.sms.port_label, event.sms.sender, event.sms.text) == ("2", "Bank", "Grüße")
    assert (event.sms.imsi, event.sms.recipient) == ("26201", "+49")


def test_legacy_forward_with_a_timestamp_has_a_stable_id() -> None:
    first = push(b"Hi", "text/plain", port="1A", sender="x", time="1719000000")
    again = push(b"Hi", "text/plain", port="1.01", sender="x", timestamp="1719000000")
    assert isinstance(first[0], SmsReceivedEvent)
    assert isinstance(again[0], SmsReceivedEvent)
    assert first[0].sms.message_id == again[0].sms.message_id
    assert first[0].sms.received_at == datetime.fromtimestamp(1719000000, UTC)
    assert first[0].sms.time_exact is True


def test_legacy_forward_with_a_header_block() -> None:
    text = "Sender: +4915\r\nReceiver: +4917\r\nSMSC: +49177\r\nSlot: 2\r\n\r\nBody"
    (event,) = push(text.encode(), "text/plain", port="4")
    assert isinstance(event, SmsReceivedEvent)
    assert (event.sms.sender, event.sms.recipient, event.sms.smsc, event.sms.text) == (
        "+4915",
        "+4917",
        "+49177",
        "Body",
    )
    assert event.sms.ref == SlotRef(4, 2)


def test_legacy_forward_with_unknown_charset_and_unknown_port() -> None:
    (event,) = push(b"Hi", "text/plain; charset=klingon", port="pool-7")
    assert isinstance(event, SmsReceivedEvent)
    assert (event.sms.port_label, event.sms.ref, event.sms.text) == ("pool-7", None, "Hi")


def test_legacy_forward_without_port() -> None:
    with pytest.raises(GatewayPushError, match="without a port"):
        push(b"Hi", "text/plain", sender="x")


def test_legacy_body_that_starts_like_json() -> None:
    (event,) = push(b"{not json} but a text", "text/plain", port="1")
    assert isinstance(event, SmsReceivedEvent)
    assert event.sms.text == "{not json} but a text"


# --- MMS ----------------------------------------------------------------------------------------------------

BOUNDARY = "b0undary"


def mms_body(*parts: tuple[list[str], bytes]) -> bytes:
    chunks = [
        f"--{BOUNDARY}\r\n".encode() + "\r\n".join(headers).encode() + b"\r\n\r\n" + data + b"\r\n"
        for headers, data in parts
    ]
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


MMS_TYPE = f'multipart/related; boundary="{BOUNDARY}"; type="application/smil"'
MMS_PARTS = (
    (["Content-Type: application/smil"], b"<smil/>"),
    (["Content-Type: text/plain; charset=utf-8"], "Schönes Bild".encode()),
    (["Content-Type: image/jpeg", "Content-Transfer-Encoding: base64"], base64.encodebytes(b"\xff" * 1200)),
    (["Content-Type: text/plain", "Content-Disposition: attachment; filename=notes.txt"], b"file"),
)


def test_mms_with_emms_http_headers() -> None:
    headers = {
        "Emms-Subject": f"{b64('Urlaub')}; charset=UTF-8",
        "Emms-From": f"{b64('+4915112345678/TYPE=PLMN')}; type=PLMN; charset=UTF-8",
        "Emms-To": f"{b64('+4917099999')}; type=PLMN; charset=UTF-8",
        "emms-port": "2B",
        "Date": "Sat, 01 Mar 2025 10:00:00 GMT",
    }
    request = PushRequest(body=mms_body(*MMS_PARTS), content_type=MMS_TYPE, headers=headers)
    (event,) = parse_push(request, now=NOW)
    assert isinstance(event, MmsReceivedEvent)
    assert (event.port_label, event.ref) == ("2B", SlotRef(2, 2))
    assert (event.sender, event.recipient, event.subject) == ("+4915112345678", "+4917099999", "Urlaub")
    assert event.text == "Schönes Bild"
    assert event.attachments == (("image/jpeg", 1200), ("text/plain", 4))
    assert event.received_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    assert event.message_id.startswith("ejoin-mms-")
    assert parse_push(request, now=NOW)[0] == event  # same content, same id


def test_mms_headers_inside_the_first_part_plain_values_and_query_port() -> None:
    first = (["Content-Type: application/smil", "Emms-From: Shop", "Emms-Subject: Offer", "Date: nonsense"], b"<smil/>")
    request = PushRequest(body=mms_body(first, MMS_PARTS[1]), content_type=MMS_TYPE, query={"port": "1.02"})
    (event,) = parse_push(request, now=NOW)
    assert isinstance(event, MmsReceivedEvent)
    assert (event.sender, event.subject, event.port_label, event.received_at) == ("Shop", "Offer", "1B", NOW)
    assert event.attachments == ()


def test_mms_without_port_or_sender() -> None:
    request = PushRequest(
        body=mms_body(MMS_PARTS[1]), content_type=MMS_TYPE, headers={"Date": "Sat, 01 Mar 2025 10:00:00"}
    )
    (event,) = parse_push(request, now=NOW)
    assert isinstance(event, MmsReceivedEvent)
    assert (event.port_label, event.ref, event.sender, event.subject) == ("", None, "", "")
    assert event.received_at.tzinfo is not None


def test_mms_body_that_is_not_multipart() -> None:
    with pytest.raises(GatewayPushError, match="not a multipart body"):
        parse_push(PushRequest(body=b"hello", content_type="multipart/related"))


# --- errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"type": "recv-sms", "sms": [', JSON, "not valid JSON"),
        (b"\xff\xfe", JSON, "not valid JSON"),
        (b'{"type": "weird-thing"}', JSON, "unsupported push type 'weird-thing'"),
        (b'{"type": "<script>alert(1)</script>"}', JSON, "without a known 'type'"),
        (b'{"seq": 1}', JSON, "without a known 'type'"),
        (b"[1, 2]", JSON, "push body is not a JSON object"),
        (b'{"type": "dev-status", "status": "x"}', JSON, "not a JSON array"),
        (b'{"type": "recv-sms", "sms": {"a": 1}}', JSON, "not a JSON array"),
        (b'{"type": "status-report", "rpts": [5]}', JSON, "not a JSON object"),
        (b'{"broken": ', "", "not valid JSON"),
    ],
)
def test_malformed_pushes_raise_push_errors_without_content(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(GatewayPushError, match=message) as caught:
        parse_push(PushRequest(body=body, content_type=content_type))
    assert "alert" not in str(caught.value)


def test_unexpected_exceptions_become_push_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    import custom_components.gsm_gateway.client.ejoin.push as module

    def explode(*_args: object, **_kwargs: object) -> None:
        raise KeyError("secret")

    monkeypatch.setattr(module, "parse_gateway_status", explode)
    with pytest.raises(GatewayPushError, match=r"malformed push \(KeyError\)") as caught:
        parse_push(PushRequest(body=load_bytes("dev_status_example.json"), content_type=JSON))
    assert "secret" not in str(caught.value)
