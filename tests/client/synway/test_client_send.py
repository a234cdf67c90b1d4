"""Sending: chunking, encodings and limits, send results, delivery receipts, outbox, and the short aliases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from custom_components.gsm_gateway.client.exceptions import (
    GatewayCommandError,
    GatewayRequestError,
    GatewayResponseError,
    GatewayUnsupportedError,
)
from custom_components.gsm_gateway.client.models import (
    Encoding,
    MmsAttachment,
    MmsRequest,
    SendOptions,
    SendResult,
    SentMessage,
    SmsRequest,
)
from custom_components.gsm_gateway.client.ports import SlotRef
from custom_components.gsm_gateway.client.synway import SynwayGateway
from simulator.synway import SynwaySimulator

from .conftest import GatewayFactory, ReplayDevice, ReplayGatewayFactory, SynwayFactory


def numbers(count: int) -> tuple[str, ...]:
    return tuple(f"+49151{index:07d}" for index in range(count))


def sent_of(result: SendResult) -> list[SentMessage]:
    """What a caller awaits results for after `send_sms`."""
    return [
        SentMessage(task_id=str(item.task_id), recipient=item.recipient, sent_at=datetime.now(UTC))
        for item in result.recipients
    ]


async def test_up_to_fifty_recipients_take_one_request(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    sim.requests.clear()
    result = await gateway.send_sms(SmsRequest(recipients=numbers(50), text="hello"))
    assert result.requests_made == 1
    assert len(sim.requests_to("/API/TaskHandle")) == 1
    assert len(result.recipients) == 50
    assert result.all_accepted


async def test_more_than_fifty_recipients_are_split(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    sim.requests.clear()
    result = await gateway.send_sms(SmsRequest(recipients=numbers(120), text="hello"))
    sent = [request.json() for request in sim.requests_to("/API/TaskHandle")]
    assert result.requests_made == 3
    assert [len(body["num"].split(",")) for body in sent] == [50, 50, 20]
    assert len({body["userid"] for body in sent}) == 1  # one send, one userid to match results by
    assert result.task_ids == ("0", "1", "2")
    assert [r.task_id for r in result.recipients[49:51]] == ["0", "1"]


@pytest.mark.parametrize(
    ("text", "encoding", "wire"),
    [
        ("a" * 600, Encoding.AUTO, "0"),
        ("€" * 300, Encoding.GSM7, "0"),
        ("ж" * 300, Encoding.AUTO, "8"),
        ("plain", Encoding.UCS2, "8"),
        ("😀" * 150, Encoding.AUTO, "8"),
    ],
)
async def test_encodings_at_their_limits_are_sent(
    sim: SynwaySimulator, gateway: SynwayGateway, text: str, encoding: Encoding, wire: str
) -> None:
    await gateway.send_sms(SmsRequest(recipients=("10086",), text=text, encoding=encoding))
    assert sim.requests[-1].json()["encoding"] == wire
    assert sim.requests[-1].json()["smsinfo"] == text


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("a" * 601, Encoding.AUTO, "601 7-bit characters"),
        ("€" * 301, Encoding.GSM7, "602 7-bit characters"),
        ("ж" * 301, Encoding.AUTO, "301 UCS-2 characters"),
        ("😀" * 151, Encoding.AUTO, "302 UCS-2 characters"),
        ("Привет", Encoding.GSM7, "outside the GSM 7-bit alphabet"),
        ("", Encoding.AUTO, "empty"),
    ],
)
async def test_limits_are_enforced_before_sending(
    sim: SynwaySimulator, gateway: SynwayGateway, text: str, encoding: Encoding, message: str
) -> None:
    sim.requests.clear()
    with pytest.raises(GatewayRequestError, match=message):
        await gateway.send_sms(SmsRequest(recipients=("10086",), text=text, encoding=encoding))
    assert sim.requests == []


async def test_send_options_and_mms_are_refused_not_ignored(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    """`txsms` has no SMS centre, interval or timeout, and Synway sends no MMS: nothing is sent without them."""
    sim.requests.clear()
    options = SendOptions(smsc="+49177", interval_ms=10, result_timeout=60)
    with pytest.raises(GatewayUnsupportedError, match=r"send options \(smsc, interval_ms, result_timeout\)"):
        await gateway.send_sms(SmsRequest(recipients=("10086",), text="x", options=options))
    mms = MmsRequest(recipients=("10086",), title="t", attachments=(MmsAttachment(kind="jpg", data=b"x"),))
    with pytest.raises(GatewayUnsupportedError, match="sending MMS"):
        await gateway.send_mms(mms)
    assert sim.requests == []


@pytest.mark.parametrize("recipients", [(), ("",), ("1,2",), ("  ",)])
async def test_bad_recipients_are_refused(
    sim: SynwaySimulator, gateway: SynwayGateway, recipients: tuple[str, ...]
) -> None:
    with pytest.raises(GatewayRequestError, match="recipient"):
        await gateway.send_sms(SmsRequest(recipients=recipients, text="x"))


async def test_send_results_progress_to_sent(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    sim.state.send_step = 0.05
    result = await gateway.send_sms(
        SmsRequest(recipients=("10086", "10087"), text="hi", ports=(SlotRef(1, 2), SlotRef(3)))
    )
    assert sim.requests[-1].json()["port"] == "1,3"  # slots cannot be chosen: the port's active SIM sends
    (task,) = await gateway.query_send_results(result.task_ids)
    assert {entry.status for entry in task.entries} <= {1, 2}
    assert not task.finished
    await asyncio.sleep(0.15)
    (task,) = await gateway.query_send_results(result.task_ids)
    assert task.finished
    assert sorted(entry.port_label for entry in task.entries) == ["1A", "3A"]
    reports = await gateway.fetch_reports(sent_of(result))
    assert sorted((r.recipient, r.sent) for r in reports) == [("10086", True), ("10087", True)]
    assert task.user_id == sim.requests_to("/API/TaskHandle")[-1].json()["userid"]


async def test_failed_and_timed_out_recipients(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    await sim.control("set_number_outcome", {"number": "10086", "outcome": "fail"})
    failing = await gateway.send_sms(SmsRequest(recipients=("10086",), text="hi"))
    await sim.control("remove_sim", {"port": 2})
    stranded = await gateway.send_sms(SmsRequest(recipients=("10087",), text="hi", ports=(SlotRef(2),)))
    await sim.control("complete_sends", {})
    reports = await gateway.fetch_reports([*sent_of(failing), *sent_of(stranded)])
    assert [(r.recipient, r.sent, r.reason, r.port_label) for r in reports] == [
        ("10086", False, "Failed", reports[0].port_label),
        ("10087", False, "Timeout", "-1"),
    ]
    assert reports[0].ref is not None


async def test_query_send_results_without_ids_asks_nothing(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    sim.requests.clear()
    assert await gateway.query_send_results([]) == []
    assert sim.requests == []


async def test_unknown_task_is_the_devices_error(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    with pytest.raises(GatewayCommandError, match="task not found"):
        await gateway.query_send_results(["999"])


async def test_send_results_on_zero_based_device(synway_factory: SynwayFactory, gateway_for: GatewayFactory) -> None:
    sim = await synway_factory(variants={"zero-based"})
    gateway = await gateway_for(sim)
    result = await gateway.send_sms(SmsRequest(recipients=("10086",), text="hi", ports=(SlotRef(4),)))
    assert sim.requests[-1].json()["port"] == "3"
    await sim.control("complete_sends", {})
    (task,) = await gateway.query_send_results(result.task_ids, ports=[4])
    assert sim.requests[-1].json()["port"] == "3"
    assert [(entry.port_label, entry.ref) for entry in task.entries] == [("4A", SlotRef(4, 1))]


async def test_delivery_receipts(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    await sim.control("set_number_outcome", {"number": "10087", "outcome": "undelivered"})
    assert (await gateway.query_delivery_receipt(1, "10086")).delivered is None
    await gateway.send_sms(SmsRequest(recipients=("10086",), text="hi", ports=(SlotRef(1),)))
    await gateway.send_sms(SmsRequest(recipients=("10087",), text="hi", ports=(SlotRef(2),)))
    await sim.control("complete_sends", {})
    assert (await gateway.query_delivery_receipt(1, "10086")).delivered is True
    refused = await gateway.query_delivery_receipt(2, "10087")
    assert (refused.delivered, refused.text) == (False, "FAIL")


async def test_partial_failure_keeps_the_accepted_chunks(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.queue(
        "txsms",
        b'{"result":"ok","content":"taskid:5"}',
        b'{"result":"error","content":"queue full"}',
    )
    result = await gateway.send_sms(SmsRequest(recipients=numbers(60), text="hi"))
    assert result.task_ids == ("5",)
    assert result.requests_made == 2
    assert [r.accepted for r in result.recipients].count(True) == 50
    assert {r.reason for r in result.recipients if not r.accepted} == {"queue full"}
    assert not result.all_accepted


async def test_alias_fallback_for_sending_and_inbox(synway_factory: SynwayFactory, gateway_for: GatewayFactory) -> None:
    sim = await synway_factory(variants={"alias-only-sms", "no-newqueryrxsms"})
    gateway = await gateway_for(sim)
    await gateway.send_sms(SmsRequest(recipients=("10086",), text="one"))
    assert [r.path for r in sim.requests[-2:]] == ["/API/TaskHandle", "/API/SendSMS"]
    await gateway.send_sms(SmsRequest(recipients=("10086",), text="two"))
    assert sim.requests[-1].path == "/API/SendSMS"
    assert sim.requests[-2].path == "/API/SendSMS"  # remembered: no second try on the documented path
    await gateway.connect()
    await gateway.send_sms(SmsRequest(recipients=("10086",), text="three"))
    assert [r.path for r in sim.requests[-2:]] == ["/API/TaskHandle", "/API/SendSMS"]  # reconnect: asked again
    await sim.control("deliver_sms", {"port": 1, "sender": "10086", "text": "reply"})
    page = await gateway.fetch_inbox(None)
    assert [m.text for m in page.messages] == ["reply"]
    assert sim.requests[-1].path == "/API/QueryRxSMS"


async def test_documented_paths_are_preferred_when_both_exist(
    synway_factory: SynwayFactory, gateway_for: GatewayFactory
) -> None:
    sim = await synway_factory(variants={"short-aliases"})
    gateway = await gateway_for(sim)
    await gateway.send_sms(SmsRequest(recipients=("10086",), text="one"))
    assert sim.requests[-1].path == "/API/TaskHandle"
    assert sim.requests_to("/API/SendSMS") == []


async def test_missing_path_without_alias_is_a_response_error(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.answer("txsms", b"Not Found", status=404)
    with pytest.raises(GatewayResponseError, match="HTTP 404"):
        await gateway.send_sms(SmsRequest(recipients=("10086",), text="hi"))
    assert replay.paths[-2:] == ["/API/TaskHandle", "/API/SendSMS"]  # the alias 404s too on this device
