"""The client against the spec's own example answers, replayed by a fake device (tests/fixtures/synway)."""

from __future__ import annotations

from datetime import UTC, datetime
import hashlib
from zoneinfo import ZoneInfo

import pytest

from custom_components.gsm_gateway.client.exceptions import GatewayCommandError
from custom_components.gsm_gateway.client.models import Encoding, SentMessage, SimState, SmsRequest, Vendor
from custom_components.gsm_gateway.client.ports import SlotRef

from .conftest import ReplayDevice, ReplayGatewayFactory

BERLIN = ZoneInfo("Europe/Berlin")


async def test_connect_reads_port_count_numbering_and_hashed_serial(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    assert gateway.device.vendor is Vendor.SYNWAY
    assert gateway.device.port_count == 4
    assert gateway.device.slot_count == 1
    assert gateway.port_numbering.base == 1
    assert gateway.port_numbering.detected
    imeis = "861234567890121|861234567890139|861234567890147|861234567890154"
    assert gateway.device.serial == hashlib.sha256(f"imei:{imeis}".encode()).hexdigest()[:16]
    assert "861234567890121" not in gateway.device.unique_id
    assert gateway.device.unique_id.startswith("synway-")


async def test_connect_on_zero_based_device_sends_zero_based_ports(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway(zero_based=True)
    assert gateway.port_numbering.base == 0
    replay.answer("txsms", "txsms_ok.json")
    await gateway.send_sms(SmsRequest(recipients=("10086",), text="hi", ports=(SlotRef(1, 1), SlotRef(2))))
    assert replay.bodies[-1]["port"] == "0,1"


async def test_same_imeis_give_the_same_serial_whatever_the_numbering(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    one_based = await replay_gateway()
    replay.answers.clear()
    zero_based = await replay_gateway(zero_based=True)
    assert one_based.device.serial == zero_based.device.serial


async def test_status_from_spec_answers(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway()
    replay.answer("getportinfo", "getportinfo_ok.json")
    replay.answer("getportconnectstate", "getportconnectstate_ok.json")
    replay.answer("getwirelessinfo:ICCID", "getwirelessinfo_iccid.json")
    status = await gateway.get_status()
    assert status.device.port_count == 8  # the device said so; the count follows it
    assert sorted(status.ports) == list(range(1, 9))
    port2 = status.ports[2].active
    assert port2 is not None
    assert (port2.label, port2.state, port2.iccid) == ("2A", SimState.REGISTERED, "89860058111551226470")
    assert port2.status_text == "Connected, Idle"
    assert port2.network_type == "LTE"
    assert status.ports[5].state is SimState.NO_SIM
    assert replay.events() == [
        "getportinfo",
        "getportconnectstate",
        "getwirelessinfo",
        "getwirelessinfo",
        "getwirelessinfo",
    ]
    assert [body.get("type") for body in replay.bodies[2:]] == ["ICCID", "IMSI", "PhoneNo"]


async def test_send_sms_sends_exactly_the_documented_fields(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.answer("txsms", "txsms_ok.json")
    result = await gateway.send_sms(
        SmsRequest(
            recipients=("10086", "10087", "10088"), text="hello world!", ports=(SlotRef(1), SlotRef(2), SlotRef(3))
        )
    )
    assert result.task_ids == ("0",)
    assert result.all_accepted
    assert [r.task_id for r in result.recipients] == ["0", "0", "0"]
    body = replay.bodies[-1]
    assert set(body) == {"event", "userid", "num", "port", "encoding", "smsinfo"}
    assert body["event"] == "txsms"
    assert body["userid"].isdigit()
    assert (body["num"], body["port"], body["encoding"], body["smsinfo"]) == (
        "10086,10087,10088",
        "1,2,3",
        "0",
        "hello world!",
    )
    assert replay.paths[-1] == "/API/TaskHandle"


async def test_send_sms_without_ports_lets_the_gateway_choose(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.answer("txsms", "txsms_ok.json")
    await gateway.send_sms(SmsRequest(recipients=("10086",), text="Grüße €", encoding=Encoding.AUTO))
    assert replay.bodies[-1]["port"] == "-1"
    assert replay.bodies[-1]["encoding"] == "0"  # ü, ß and € (extension table) are all GSM-7
    await gateway.send_sms(SmsRequest(recipients=("10086",), text="Привет", encoding=Encoding.AUTO))
    assert replay.bodies[-1]["encoding"] == "8"


async def test_send_results_of_two_tasks(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway()
    replay.answer("querytxsms", "querytxsms_two_tasks.json")
    first, second = await gateway.query_send_results(["0", "1"], numbers=["10086"], ports=[1])
    assert replay.bodies[-1] == {"event": "querytxsms", "taskid": "0,1", "num": "10086", "port": "1"}
    assert (first.task_id, first.user_id, first.count, first.finished) == ("0", "3", 2, False)
    assert [(e.port_label, e.recipient, e.status_text, e.final) for e in first.entries] == [
        ("1A", "10086", "Sending", False),
        ("2A", "10087", "Successful", True),
    ]
    assert (second.user_id, second.entries[0].port_label) == (None, "3A")
    now = datetime.now(UTC)
    reports = await gateway.fetch_reports(
        [
            SentMessage(task_id="0", recipient="10086", sent_at=now),
            SentMessage(task_id="0", recipient="10087", sent_at=now),
        ]
    )
    assert [(r.task_id, r.recipient, r.port_label, r.sent) for r in reports] == [("0", "10087", "2A", True)]


async def test_send_results_with_ok_casing(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway()
    replay.answer("querytxsms", "querytxsms_ok_casing.json")
    (task,) = await gateway.query_send_results(["0"])
    assert task.finished
    assert task.entries[0].sent


async def test_inbox_from_spec_example_falls_back_to_queryrxsms(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway(time_zone=BERLIN)
    replay.answer("queryrxsms", "queryrxsms_two.json")
    page = await gateway.fetch_inbox(None)
    assert replay.events() == ["newqueryrxsms", "queryrxsms"]
    assert gateway.uses_new_inbox_query is False
    first, second = page.messages
    assert (first.port_label, first.ref, first.sender, first.recipient) == (
        "1A",
        SlotRef(1, 1),
        "10086",
        "152555588888",
    )
    assert first.text == " Hello world!"
    assert first.received_at == datetime(2015, 9, 11, 11, 11, 11, tzinfo=BERLIN)
    assert (second.port_label, second.text, second.recipient) == ("2B", "This is a test message", "")
    assert page.cursor["since"] == "20150911111112"
    assert page.more is False
    await gateway.fetch_inbox(page.cursor)
    assert replay.events()[2:] == ["queryrxsms"]
    assert replay.bodies[-1] == {"event": "queryrxsms", "begintime": "20150911110612"}


async def test_inbox_uses_newqueryrxsms_when_the_firmware_has_it(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.answer("newqueryrxsms", "newqueryrxsms_raw_control.json")
    page = await gateway.fetch_inbox(None)
    assert gateway.uses_new_inbox_query is True
    assert [m.text for m in page.messages] == ["Ma xac thuc:\tline one\nline two", "OTP 123456"]
    assert [m.port_label for m in page.messages] == ["1A", "2A"]
    assert replay.events() == ["newqueryrxsms"]


async def test_empty_inbox(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway()
    replay.answer("newqueryrxsms", "queryrxsms_empty.json")
    page = await gateway.fetch_inbox(None)
    assert page.messages == ()
    assert page.cursor == {"v": 1, "since": None, "seen": []}


async def test_receipt_from_spec_example(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway()
    replay.answer("querytxsmsrpt", "querytxsmsrpt_ok.json")
    receipt = await gateway.query_delivery_receipt(1, "10086", count=1)
    assert (receipt.delivered, receipt.text) == (True, "OK")
    assert replay.bodies[-1] == {"event": "querytxsmsrpt", "port": "1", "num": "10086", "rptnum": "1"}


async def test_ussd_from_spec_examples(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway()
    replay.answer("txussd", "txussd_ok.json")
    refused = await gateway.send_ussd(SlotRef(1), "*121#")
    accepted = await gateway.send_ussd(SlotRef(2), "*121#")
    assert (refused.port_label, refused.accepted, refused.reason) == ("1A", False, "not sent")
    assert (accepted.port_label, accepted.accepted, accepted.code) == ("2A", True, 1)
    assert replay.bodies[-1] == {"event": "txussd", "port": "2", "ussd": "*121#"}
    missing = await gateway.send_ussd(SlotRef(4), "*121#")
    assert missing.accepted is False
    replay.answer("rxussd", "rxussd_null.json")
    assert await gateway.fetch_ussd_replies([SlotRef(2)]) == {}
    replay.answer("rxussd", "rxussd_msisdn.json")
    assert await gateway.fetch_ussd_replies([SlotRef(2)]) == {"2A": "MSISDN:13023569874"}
    assert replay.bodies[-1] == {"event": "rxussd", "port": "2"}
    replay.answer("deleteussd", "deleteussd_one.json")
    assert await gateway.delete_ussd([1, 2, 3], [1, 2, 3]) == 1
    assert replay.bodies[-1] == {"event": "deleteussd", "port": "1,2,3", "num": "1,2,3"}
    assert await gateway.delete_ussd() == 1
    assert replay.bodies[-1] == {"event": "deleteussd", "port": "-1", "num": "-1"}


async def test_error_answer_becomes_command_error_with_the_devices_reason(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.answer("txsms", "error.json")
    with pytest.raises(GatewayCommandError, match="error reason") as caught:
        await gateway.send_sms(SmsRequest(recipients=("10086",), text="x"))
    assert caught.value.reason == "error reason"
    assert caught.value.endpoint == "txsms"


# --- device answers beyond the spec's examples ------------------------------------------------------------------


async def test_records_for_ports_that_cannot_exist_are_ignored(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.answer("getportconnectstate", "getportconnectstate_ok.json")
    replay.answer("getwirelessinfo:ICCID", b'{"result":"ok","content":"-1:8986000.2:8986002."}')
    status = await gateway.get_status()
    assert {port: status.ports[port].slots[1].iccid for port in status.ports} == {
        1: None,
        2: "8986002",
        3: None,
        4: None,
    }


async def test_send_entry_with_a_port_token_that_is_no_number(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.answer("querytxsms", b'{"result":"ok","content":"[taskid:3:2:1;1.A:10086:1;:10087:1]"}')
    (task,) = await gateway.query_send_results(["3"])
    assert [(entry.port_label, entry.ref) for entry in task.entries] == [("1.A", None), ("", None)]


async def test_ussd_reply_of_the_newest_exchange_whatever_the_listing_order(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.answer(
        "rxussd",
        b'{"result":"ok","content":"total:2;1|1|20240101120005|*100#|1|new|E;1|0|20240101120000|*100#|1|old|E"}',
    )
    assert await gateway.fetch_ussd_replies([SlotRef(1)]) == {"1A": "new"}
