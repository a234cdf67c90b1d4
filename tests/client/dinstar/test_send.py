"""Sending SMS: the request on the wire, limits, splitting, results, delivery statuses, queue and stop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.dinstar.models import SmsRecipient, SmsSendStatus
from custom_components.gsm_gateway.client.dinstar.sms import USER_ID_EPOCH, UserIdAllocator
from custom_components.gsm_gateway.client.events import PushRequest, SendReportEvent
from custom_components.gsm_gateway.client.exceptions import (
    GatewayAuthError,
    GatewayRequestError,
    GatewayUnsupportedError,
)
from custom_components.gsm_gateway.client.models import (
    CancelOutcome,
    CancelResult,
    Capability,
    Encoding,
    MmsAttachment,
    MmsRequest,
    SendOptions,
    SmsRequest,
)
from custom_components.gsm_gateway.client.ports import SlotRef
from simulator.dinstar import DinstarSimulator

from .conftest import CannedServer, GatewayFactory, PushReceiver, SimFactory, json_response


def _numbers(count: int) -> tuple[str, ...]:
    return tuple(f"+49151{index:07d}" for index in range(count))


async def _settle(sim: DinstarSimulator) -> None:
    await sim.control("flush", {})
    await asyncio.sleep(sim.delivery_delay * 3)


async def test_send_request_on_the_wire(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    result = await gateway.send_sms(
        SmsRequest(recipients=("+4915100000001", " +4915100000002 "), text="Hello", ports=(SlotRef(3), SlotRef(1, 1)))
    )
    request = sim.requests_to("/api/send_sms")[-1]
    assert request.method == "POST"
    assert request.content_type.startswith("application/json")
    body = request.json()
    user_ids = [entry["user_id"] for entry in body["param"]]
    assert body == {
        "text": "Hello",
        "encoding": "gsm-7bit",
        "request_status_report": False,
        "port": [0, 2],
        "param": [
            {"number": "+4915100000001", "user_id": user_ids[0]},
            {"number": "+4915100000002", "user_id": user_ids[1]},
        ],
    }
    assert user_ids[1] == user_ids[0] + 1
    assert result.all_accepted
    assert result.requests_made == 1
    assert result.task_ids == ("1",)
    assert [item.task_id for item in result.recipients] == [str(user_id) for user_id in user_ids]
    assert [item.code for item in result.recipients] == [202, 202]


@pytest.mark.parametrize(
    ("text", "encoding", "wire"),
    [
        ("Grüße {€}", Encoding.AUTO, "gsm-7bit"),
        ("Привет", Encoding.AUTO, "unicode"),
        ("emoji 👋", Encoding.AUTO, "unicode"),
        ("plain", Encoding.UCS2, "unicode"),
        ("plain", Encoding.GSM7, "gsm-7bit"),
    ],
)
async def test_encoding(
    gateway: DinstarGateway, sim: DinstarSimulator, text: str, encoding: Encoding, wire: str
) -> None:
    await gateway.send_sms(SmsRequest(recipients=("+4915100000001",), text=text, encoding=encoding))
    assert sim.requests_to("/api/send_sms")[-1].json()["encoding"] == wire


async def test_split_into_requests_of_128(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    numbers = _numbers(300)
    result = await gateway.send_sms(SmsRequest(recipients=numbers, text="bulk", delivery_report=True))
    bodies = [request.json() for request in sim.requests_to("/api/send_sms")]
    assert [len(body["param"]) for body in bodies] == [128, 128, 44]
    assert all(body["request_status_report"] is True for body in bodies)
    assert result.requests_made == 3
    assert result.task_ids == ("1", "2", "3")
    assert len(result.recipients) == 300
    assert result.all_accepted
    user_ids = [int(item.task_id or "") for item in result.recipients]
    assert len(set(user_ids)) == 300
    assert [entry["number"] for body in bodies for entry in body["param"]] == list(numbers)


async def test_limits_checked_before_sending(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    before = len(sim.requests)
    cases = [
        SmsRequest(recipients=("+49151",), text="x" * 1501),
        SmsRequest(recipients=("+49151",), text="€" * 501),  # 1503 bytes in UTF-8
        SmsRequest(recipients=("1" * 25,), text="x"),
        SmsRequest(recipients=("  ",), text="x"),
        SmsRequest(recipients=(), text="x"),
        SmsRequest(recipients=("+49151",), text="x", ports=(SlotRef(5),)),
        SmsRequest(recipients=("+49151",), text="Привет", encoding=Encoding.GSM7),
    ]
    for request in cases:
        with pytest.raises(GatewayRequestError):
            await gateway.send_sms(request)
    assert len(sim.requests) == before
    assert (await gateway.send_sms(SmsRequest(recipients=("1" * 24,), text="x" * 1500))).all_accepted


async def test_send_options_and_mms_are_refused_not_ignored(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    """The API has no SMS centre, interval or timeout per send, and no MMS: nothing is sent without them."""
    before = len(sim.requests)
    for options in (SendOptions(smsc="+49177"), SendOptions(interval_ms=0), SendOptions(result_timeout=60)):
        with pytest.raises(GatewayUnsupportedError, match="send options"):
            await gateway.send_sms(SmsRequest(recipients=("+49151",), text="x", options=options))
    mms = MmsRequest(recipients=("+49151",), title="t", attachments=(MmsAttachment(kind="jpg", data=b"x"),))
    with pytest.raises(GatewayUnsupportedError, match="sending MMS"):
        await gateway.send_mms(mms)
    assert len(sim.requests) == before


async def test_no_port_available(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    for port in range(2):
        await sim.control("set_reg", {"port": port + 1, "reg": "NO_SIM"})
    result = await gateway.send_sms(SmsRequest(recipients=_numbers(2), text="x", ports=(SlotRef(1), SlotRef(2))))
    assert not result.all_accepted
    assert result.task_ids == ()
    assert {(item.accepted, item.code, item.reason) for item in result.recipients} == {
        (False, 550, "no port available for sending")
    }


async def test_later_request_failing_keeps_earlier_ones(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer(
        "/api/send_sms",
        json_response('{"error_code":202,"sn":"x","sms_in_queue":128,"task_id":7}'),
        json_response('{"error_code":413,"sn":"x"}'),
        (500, {}, b"busy"),
    )
    result = await make_gateway(canned.url).send_sms(SmsRequest(recipients=_numbers(300), text="x"))
    assert result.requests_made == 3
    assert result.task_ids == ("7",)
    accepted = [item.accepted for item in result.recipients]
    assert accepted == [True] * 128 + [False] * 172
    assert result.recipients[128].code == 413
    assert result.recipients[128].reason == "too many numbers or text too long"
    assert result.recipients[299].code is None
    assert result.recipients[299].reason == "no valid answer (GatewayResponseError)"


async def test_first_request_failing_raises(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/send_sms", (500, {}, b"busy"))
    with pytest.raises(Exception, match="HTTP 500"):
        await make_gateway(canned.url).send_sms(SmsRequest(recipients=("+49151",), text="x"))
    canned.answer("/api/send_sms", (401, {}, b""))
    with pytest.raises(GatewayAuthError):
        await make_gateway(canned.url).send_sms(SmsRequest(recipients=("+49151",), text="x"))


async def test_send_sms_is_never_sent_as_get(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/send_sms", (403, {}, b"Forbidden"))
    result = await make_gateway(canned.url).send_sms(SmsRequest(recipients=("+49151",), text="x"))
    assert [method for method, *_ in canned.requests] == ["POST"]
    assert result.recipients[0].code == 403


async def test_template_send(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    recipients = [
        SmsRecipient(number="+4915100000001", params=("Ann", "10:30")),
        SmsRecipient(number="+4915100000002", params=("Bob", "11:00")),
    ]
    result = await gateway.send_template_sms("Hi #param#, see you at #param#", recipients)
    body = sim.requests_to("/api/send_sms")[-1].json()
    assert body["request_status_report"] is True
    assert [entry["text_param"] for entry in body["param"]] == [["Ann", "10:30"], ["Bob", "11:00"]]
    await _settle(sim)
    assert sorted(record.text for record in sim.state.sent) == ["Hi Ann, see you at 10:30", "Hi Bob, see you at 11:00"]
    assert result.all_accepted


async def test_results_and_delivery(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await sim.control("fail_number", {"number": "+491510000001"})
    await sim.control("fail_number", {"number": "+491510000002", "undeliverable": True})
    result = await gateway.send_sms(SmsRequest(recipients=_numbers(4), text="x" * 200, delivery_report=True))
    await _settle(sim)
    user_ids = [int(item.task_id or "") for item in result.recipients]
    records = await gateway.query_sms_results(user_ids=user_ids)
    assert sim.requests_to("/api/query_sms_result")[-1].json() == {"user_id": user_ids}
    by_user = {record.user_id: record for record in records}
    assert [by_user[user_id].status for user_id in user_ids] == [
        SmsSendStatus.DELIVERED,
        SmsSendStatus.FAILED,
        SmsSendStatus.SENT_OK,  # the network reported it undeliverable
        SmsSendStatus.DELIVERED,
    ]
    first = by_user[user_ids[0]]
    assert (first.segments, first.segments_sent, first.final) == (2, 2, True)
    assert first.port_label in {"1A", "2A", "3A", "4A"}
    assert first.sent_at is not None
    assert first.sent_at.tzinfo is UTC
    statuses = await gateway.query_delivery_statuses(numbers=["+491510000002", "+491510000000"])
    assert {(status.number, status.delivered, status.permanent_failure) for status in statuses} == {
        ("+491510000000", True, False),
        ("+491510000002", False, True),
    }
    only_port = await gateway.query_sms_results(ports=[first.ref or SlotRef(1)])
    assert {record.port_label for record in only_port} == {first.port_label}


async def test_queued_messages_are_reported_as_sending(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    sim.send_interval = 10.0
    result = await gateway.send_sms(SmsRequest(recipients=_numbers(2), text="Hello", ports=(SlotRef(2),)))
    user_ids = [int(recipient.task_id) for recipient in result.recipients]
    records = await gateway.query_sms_results(user_ids=user_ids)
    assert [(record.user_id, record.status, record.final, record.port_label) for record in records] == [
        (user_ids[0], SmsSendStatus.SENDING, False, "2A"),
        (user_ids[1], SmsSendStatus.SENDING, False, "2A"),
    ]
    await sim.control("flush", {})
    records = await gateway.query_sms_results(user_ids=user_ids)
    assert [(record.status, record.final) for record in records] == [(SmsSendStatus.SENT_OK, True)] * 2


async def test_query_time_window_in_device_time(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    client = make_gateway(sim.url, time_zone=berlin)
    await client.connect()
    after = datetime(2026, 1, 2, 11, 0, tzinfo=UTC)
    await client.query_sms_results(time_after=after, time_before=datetime(2030, 1, 1, 0, 0))  # noqa: DTZ001 - naive is sent as is
    assert sim.requests_to("/api/query_sms_result")[-1].json() == {
        "time_after": "2026-01-02 12:00:00",
        "time_before": "2030-01-01 00:00:00",
    }
    await client.query_delivery_statuses(ports=[SlotRef(2)], time_after=after)
    assert sim.requests_to("/api/query_sms_deliver_status")[-1].json() == {
        "port": [1],
        "time_after": "2026-01-02 12:00:00",
    }


async def test_query_limits(gateway: DinstarGateway) -> None:
    with pytest.raises(GatewayRequestError, match="32"):
        await gateway.query_sms_results(numbers=list(_numbers(33)))
    with pytest.raises(GatewayRequestError, match="32"):
        await gateway.query_delivery_statuses(numbers=list(_numbers(33)))


async def test_send_reports_are_pushed_with_the_user_id(
    gateway: DinstarGateway, sim: DinstarSimulator, push_receiver: PushReceiver
) -> None:
    await sim.control("set_push_url", {"url": push_receiver.url})
    result = await gateway.send_sms(SmsRequest(recipients=_numbers(1), text="x", delivery_report=True))
    bodies = await push_receiver.wait_for(2)
    events = [event for body in bodies for event in gateway.parse_push(PushRequest(body=body))]
    [report] = [event for event in events if isinstance(event, SendReportEvent)]
    assert report.task_id == result.recipients[0].task_id
    assert report.sent
    assert report.recipient == "+491510000000"


async def test_queue_count_names(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"queue-name-count"})
    sim.send_interval = 10.0
    client = make_gateway(sim.url)
    await client.connect()
    await client.send_sms(SmsRequest(recipients=_numbers(3), text="x"))
    assert await client.get_queue_count() == 3
    tried = [request.path for request in sim.requests if "query_sms" in request.path]
    assert tried == ["/api/query_sms_in_queue", "/api/query_sms_queue", "/api/query_sms_count"]
    assert await client.get_queue_count() == 3
    assert [request.path for request in sim.requests][-1] == "/api/query_sms_count"
    assert len([request for request in sim.requests if "query_sms" in request.path]) == 4


async def test_queue_count_remembered_name_disappears(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"queue-name-queue"})
    client = make_gateway(sim.url)
    assert await client.get_queue_count() == 0
    sim.variants -= {"queue-name-queue"}  # a firmware update renames it back
    assert await client.get_queue_count() == 0
    assert sim.requests[-1].path == "/api/query_sms_in_queue"


async def test_queue_count_unsupported(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    with pytest.raises(GatewayUnsupportedError, match="query_sms_in_queue"):
        await make_gateway(canned.url).get_queue_count()
    assert len(canned.requests) == 3


async def test_cancel_tasks(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    sim.send_interval = 10.0
    result = await gateway.send_sms(SmsRequest(recipients=_numbers(5), text="x"))
    assert await gateway.get_queue_count() == 5
    assert await gateway.cancel_sms_tasks(result.task_ids) == [
        CancelResult(task_id="1", outcome=CancelOutcome.CANCELLED, code=200, text="stopped")
    ]
    assert sim.requests_to("/api/stop_sms")[-1].query == {"task_id": "1"}
    assert await gateway.get_queue_count() == 0
    again = await gateway.cancel_sms_tasks([result.task_ids[0], " 999 "])
    assert again == [
        CancelResult(task_id="1", outcome=CancelOutcome.NOT_FOUND, code=404, text="task not found"),
        CancelResult(task_id="999", outcome=CancelOutcome.NOT_FOUND, code=404, text="task not found"),
    ]
    assert await gateway.cancel_sms_tasks([]) == []


async def test_cancel_task_refused_or_without_code(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/stop_sms", json_response('{"error_code":500,"sn":"x"}'))
    [refused] = await make_gateway(canned.url).cancel_sms_tasks(["3"])
    assert refused == CancelResult(task_id="3", outcome=CancelOutcome.REFUSED, code=500, text="other error")
    canned.answer("/api/stop_sms", json_response('{"sn":"x"}'))
    [stopped] = await make_gateway(canned.url).cancel_sms_tasks(["3"])
    assert (stopped.outcome, stopped.code) == (CancelOutcome.CANCELLED, None)


async def test_cancel_checks_every_id_first(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    for bad in ("", "x1", "\u0661", "12345678901"):
        with pytest.raises(GatewayRequestError, match="task id"):
            await make_gateway(canned.url).cancel_sms_tasks(["1", bad])
    assert canned.requests == []


async def test_cancel_and_queue_capabilities_go_with_a_404(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    client = make_gateway(canned.url)
    assert {Capability.SEND_QUEUE, Capability.SMS_CANCEL} <= client.capabilities
    with pytest.raises(GatewayUnsupportedError):
        await client.cancel_sms_tasks(["1"])
    with pytest.raises(GatewayUnsupportedError):
        await client.get_queue_count()
    assert not {Capability.SEND_QUEUE, Capability.SMS_CANCEL} & client.capabilities


def test_user_ids_increase_and_survive_restarts() -> None:
    now = [USER_ID_EPOCH + 1000.0]
    first_process = UserIdAllocator(clock=lambda: now[0])
    burst = first_process.allocate(50)
    assert burst == list(range(10_000, 10_050))
    assert first_process.allocate(1) == [10_050]  # the clock did not move: the counter does
    now[0] += 60
    second_process = UserIdAllocator(clock=lambda: now[0])  # a restart a minute later
    assert second_process.allocate(1)[0] > burst[-1]
    assert first_process.allocate(0) == []


def test_user_ids_wrap_past_32_bits() -> None:
    near_end = USER_ID_EPOCH + (2**31 - 5) / 10
    allocator = UserIdAllocator(clock=lambda: near_end)
    ids = allocator.allocate(10)
    assert max(ids) < 2**31
    assert ids[-1] < ids[0]  # wrapped to 0
    later = UserIdAllocator(clock=lambda: near_end + 1)
    assert later.allocate(1)[0] < 2**31


def test_user_ids_restart_from_the_clock_after_the_wrap() -> None:
    clock = [USER_ID_EPOCH + (2**31 - 3) / 10]
    allocator = UserIdAllocator(clock=lambda: clock[0])
    [before_wrap] = allocator.allocate(1)
    assert before_wrap > 2**31 - 10
    clock[0] += timedelta(seconds=1).total_seconds()  # the floor wrapped to a small number
    [after_wrap] = allocator.allocate(1)
    assert 0 <= after_wrap < 20


async def test_spec_send_response_fixture(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    from .conftest import fixture_bytes

    canned.answer("/api/send_sms", json_response(fixture_bytes("send_sms_response.json")))
    result = await make_gateway(canned.url).send_sms(SmsRequest(recipients=("10086",), text="ye"))
    assert result.task_ids == ("2",)
    assert result.all_accepted
    sent = json.loads(canned.requests[0][4])
    assert sent["param"][0]["number"] == "10086"


async def test_spec_query_payloads_through_the_client(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    from .conftest import fixture_bytes

    canned.answer("/api/query_sms_result", json_response(fixture_bytes("query_sms_result_response.json")))
    canned.answer(
        "/api/query_sms_deliver_status", json_response(fixture_bytes("query_sms_deliver_status_response.json"))
    )
    canned.answer("/api/query_sms_in_queue", json_response(fixture_bytes("query_sms_in_queue_response.json")))
    canned.answer("/api/query_incoming_sms", json_response(fixture_bytes("query_incoming_sms_response.json")))
    canned.answer("/api/stop_sms", json_response(fixture_bytes("stop_sms_response.json")))
    client = make_gateway(canned.url)
    [record] = await client.query_sms_results(user_ids=[1, 2])
    assert json.loads(canned.requests[-1][4]) == {"user_id": [1, 2]}  # the spec's example request
    assert (record.user_id, record.status, record.segments, record.ref_id) == (1, SmsSendStatus.SENT_OK, 3, 12)
    [status] = await client.query_delivery_statuses(
        numbers=["12341234"],
        ports=[SlotRef(2), SlotRef(3), SlotRef(4)],
        time_after=datetime(2014, 12, 12, 19, 29, 19, tzinfo=UTC),
        time_before=datetime(2014, 12, 12, 19, 29, 19, tzinfo=UTC),
    )
    assert json.loads(canned.requests[-1][4]) == json.loads(
        (
            Path(__file__).parent.parent.parent / "fixtures" / "dinstar" / "query_sms_deliver_status_request.json"
        ).read_text()
    )
    assert (status.ref_id, status.delivered) == (12, True)
    assert await client.get_queue_count() == 0
    page = await client.fetch_inbox(None)
    assert [(sms.text, sms.port_label) for sms in page.messages] == [("This is a test", "3A")]
    assert page.messages[0].message_id == "dinstar:xxxx-xxxx-xxxx-xxxx:1:20141209171118"
    [stopped] = await client.cancel_sms_tasks(["1"])
    assert (stopped.outcome, stopped.code) == (CancelOutcome.CANCELLED, 200)
    assert canned.requests[-1][2] == {"task_id": "1"}
