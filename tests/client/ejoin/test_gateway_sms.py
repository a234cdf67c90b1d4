"""Sending, send tasks, the inbox, the push target and what the device pushes, against the simulator."""

from __future__ import annotations

import base64
import json
from typing import Any

import aiohttp
import pytest

from custom_components.gsm_gateway.client.ejoin.gateway import EjoinGateway, PushBuffering
from custom_components.gsm_gateway.client.ejoin.send import TaskIdAllocator
from custom_components.gsm_gateway.client.events import (
    DeliveryReportEvent,
    DeviceStatusEvent,
    MmsReceivedEvent,
    PortStatusEvent,
    PushRequest,
    SendReportEvent,
    SmsReceivedEvent,
)
from custom_components.gsm_gateway.client.exceptions import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayError,
    GatewayRequestError,
    GatewayResponseError,
)
from custom_components.gsm_gateway.client.models import (
    CancelOutcome,
    CancelResult,
    Encoding,
    IncomingSms,
    MmsAttachment,
    MmsRequest,
    SendOptions,
    SimState,
    SmsRequest,
    SmsTaskList,
    TaskResult,
)
from custom_components.gsm_gateway.client.ports import SlotRef
from simulator.ejoin import EjoinSimulator
from tests.conftest import SimulatorFactory

from .conftest import PushReceiver, make_fast, push_type, settings_for, wait_until

RECIPIENTS = ("+4915111111111", "+4915122222222", "+4915133333333")


# --- sending ------------------------------------------------------------------------------------------------


async def test_send_to_three_recipients_is_one_request_with_one_task_each(
    gateway: EjoinGateway, sim: EjoinSimulator
) -> None:
    result = await gateway.send_sms(SmsRequest(recipients=RECIPIENTS, text="Grüße 👋", encoding=Encoding.UCS2))
    assert result.all_accepted
    assert result.requests_made == 1
    assert [r.recipient for r in result.recipients] == list(RECIPIENTS)
    assert [r.code for r in result.recipients] == [0, 0, 0]
    assert [r.reason for r in result.recipients] == ["OK", "OK", "OK"]
    (request,) = sim.requests_to("/goip_post_sms.html")
    assert request.content_type == "application/json;charset=utf-8"
    body = request.json()
    assert (body["type"], body["task_num"]) == ("send-sms", 3)
    assert [task["to"] for task in body["tasks"]] == list(RECIPIENTS)
    assert [str(task["tid"]) for task in body["tasks"]] == list(result.task_ids)
    assert {task["coding"] for task in body["tasks"]} == {1}
    assert all(task["sms"] == "Grüße 👋" for task in body["tasks"])
    assert "sr_url" not in body  # no push target: nothing about reports
    await wait_until(lambda: not sim.queue)
    assert sum(slot.counters.count("sent_ok", None, 1e12) for port in sim.ports for slot in port.slots) == 3


async def test_send_from_chosen_ports_with_delivery_report(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    request = SmsRequest(recipients=("+49151",), text="x", ports=(SlotRef(2, 1), SlotRef(3)), delivery_report=True)
    await gateway.send_sms(request)
    (task,) = sim.requests_to("/goip_post_sms.html")[0].json()["tasks"]
    assert (task["from"], task["dr"], task["coding"]) == ("2A,3", 1, 0)
    await wait_until(lambda: any(entry.flag == 1 for entry in sim.inbox))
    page = await gateway.fetch_inbox(None)
    (report,) = page.reports
    assert (report.port_label, report.recipient, report.delivered) == ("2A", "+49151", True)


async def test_refused_tasks_keep_the_device_text(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.set_sim_status(1, None, 6)
    sim.failing_recipients = {"+49100"}
    result = await gateway.send_sms(SmsRequest(recipients=("+49100",), text="x", ports=(SlotRef(9),)))
    (recipient,) = result.recipients
    assert (recipient.accepted, recipient.code, recipient.reason) == (False, 2, "Invalid Port")
    assert not result.all_accepted


async def test_duplicated_task_ids_are_retried_once_with_fresh_ids(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    sim.send_interval = 5  # keep the first tasks queued
    clock = [1_800_000_000.0]
    first = EjoinGateway(session, settings_for(sim), task_ids=TaskIdAllocator(clock=lambda: clock[0]))
    await first.connect()
    before = await first.send_sms(SmsRequest(recipients=RECIPIENTS, text="x"))
    restarted = EjoinGateway(session, settings_for(sim), task_ids=TaskIdAllocator(clock=lambda: clock[0]))
    await restarted.connect()
    after = await restarted.send_sms(SmsRequest(recipients=RECIPIENTS[:2], text="y"))
    assert after.all_accepted
    assert after.requests_made == 2
    assert not set(after.task_ids) & set(before.task_ids)
    first_answer = sim.requests_to("/goip_post_sms.html")[1]
    assert [task["tid"] for task in first_answer.json()["tasks"]] == [int(tid) for tid in before.task_ids[:2]]


async def test_send_options_reach_the_device(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    """`smsc`, `intvl` (a string) and `tmo`; with an interval every recipient shares one task, spaced by the device."""
    options = SendOptions(smsc="+491770610000", interval_ms=250, result_timeout=90)
    result = await gateway.send_sms(SmsRequest(recipients=RECIPIENTS, text="spaced", options=options))
    (post,) = sim.requests_to("/goip_post_sms.html")
    (task,) = post.json()["tasks"]
    assert (task["to"], task["smsc"], task["intvl"], task["tmo"]) == (",".join(RECIPIENTS), "+491770610000", "250", 90)
    assert [item.recipient for item in result.recipients] == list(RECIPIENTS)
    assert {item.task_id for item in result.recipients} == {str(task["tid"])}
    assert result.all_accepted
    (accepted,) = sim.accepted_tasks
    assert (accepted.smsc, accepted.interval_ms, accepted.timeout) == ("+491770610000", 250, 90)
    await wait_until(lambda: len(sim.sent_log) == 3)


async def test_options_without_an_interval_keep_one_task_per_recipient(
    gateway: EjoinGateway, sim: EjoinSimulator
) -> None:
    options = SendOptions(result_timeout=60)
    await gateway.send_sms(SmsRequest(recipients=RECIPIENTS, text="x", options=options))
    tasks = sim.requests_to("/goip_post_sms.html")[0].json()["tasks"]
    assert [(task["to"], task["tmo"]) for task in tasks] == [(number, 60) for number in RECIPIENTS]
    assert all("smsc" not in task and "intvl" not in task for task in tasks)


async def test_send_options_are_checked_before_sending(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    for options, message in [
        (SendOptions(smsc="SMSC"), "the SMS centre"),
        (SendOptions(interval_ms=-1), "0 ms or more"),
        (SendOptions(result_timeout=0), "1 second or more"),
    ]:
        with pytest.raises(GatewayRequestError, match=message):
            await gateway.send_sms(SmsRequest(recipients=RECIPIENTS, text="x", options=options))
    assert sim.requests_to("/goip_post_sms.html") == []


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60


async def test_mms_to_one_number(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    request = MmsRequest(
        recipients=("+4915111111111",),
        title="Front door",
        text="Someone rang",
        attachments=(MmsAttachment(kind="jpg", data=JPEG), MmsAttachment(kind="txt", data=b"22:14")),
        ports=(SlotRef(2, 1),),
        options=SendOptions(result_timeout=120),
    )
    result = await gateway.send_mms(request)
    assert result.all_accepted
    (task,) = sim.requests_to("/goip_post_sms.html")[0].json()["tasks"]
    assert (task["smstype"], task["smstitle"], task["sms"], task["from"], task["tmo"]) == (
        1,
        "Front door",
        "Someone rang",
        "2A",
        120,
    )
    assert task["attachments"] == f"jpg|{base64.b64encode(JPEG).decode()};txt|MjI6MTQ="
    assert "dr" not in task
    (accepted,) = sim.accepted_tasks
    assert (accepted.sms_type, accepted.mms_title) == (1, "Front door")
    assert accepted.attachments == [("jpg", JPEG), ("txt", b"22:14")]


async def test_mms_to_several_numbers_is_one_multi_number_task_per_100(
    gateway: EjoinGateway, sim: EjoinSimulator
) -> None:
    sim.send_interval = 5  # keep them queued
    recipients = tuple(f"+49151{n:07d}" for n in range(150))
    request = MmsRequest(recipients=recipients, title="News", attachments=(MmsAttachment(kind="gif", data=b"GIF89a"),))
    result = await gateway.send_mms(request)
    posts = sim.requests_to("/goip_post_sms.html")
    tasks = [task for post in posts for task in post.json()["tasks"]]
    assert [(task["smstype"], len(task["to"].split(","))) for task in tasks] == [(2, 100), (2, 50)]
    assert all(task["sms"] == "" for task in tasks)
    assert result.requests_made == 2
    assert [item.recipient for item in result.recipients] == list(recipients)
    assert [item.task_id for item in result.recipients] == [str(tasks[0]["tid"])] * 100 + [str(tasks[1]["tid"])] * 50


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (MmsRequest(recipients=(), title="t", attachments=(MmsAttachment(kind="jpg", data=JPEG),)), "recipient"),
        (MmsRequest(recipients=("49-1",), title="t", attachments=(MmsAttachment(kind="jpg", data=JPEG),)), "1-20"),
        (MmsRequest(recipients=("+4915",), title=" ", attachments=(MmsAttachment(kind="jpg", data=JPEG),)), "title"),
        (MmsRequest(recipients=("+4915",), title="t", attachments=()), "at least one attachment"),
        (
            MmsRequest(recipients=("+4915",), title="t", attachments=(MmsAttachment(kind="txt", data=b"x"),) * 6),
            "at most 5",
        ),
        (
            MmsRequest(recipients=("+4915",), title="t", attachments=(MmsAttachment(kind="jpg", data=b"x" * 102400),)),
            "under 100 KB",
        ),
        (MmsRequest(recipients=("+4915",), title="t", attachments=(MmsAttachment(kind="png", data=b"x"),)), "type"),
    ],
)
async def test_mms_refused_before_sending(
    gateway: EjoinGateway, sim: EjoinSimulator, request_: MmsRequest, message: str
) -> None:
    with pytest.raises(GatewayRequestError, match=message):
        await gateway.send_mms(request_)
    assert sim.requests_to("/goip_post_sms.html") == []


async def test_send_without_recipients(gateway: EjoinGateway) -> None:
    with pytest.raises(GatewayRequestError):
        await gateway.send_sms(SmsRequest(recipients=(), text="x"))


async def test_a_task_the_device_does_not_report(gateway: EjoinGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_call(*_args: object, **_kwargs: object) -> dict[str, object]:
        return {"code": 200, "reason": "OK", "type": "task-status", "status": []}

    monkeypatch.setattr(gateway.connection, "call", fake_call)
    result = await gateway.send_sms(SmsRequest(recipients=("+49",), text="x"))
    assert (result.recipients[0].accepted, result.recipients[0].reason) == (False, "not reported by the gateway")


async def test_device_accepts_untidy_requests(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    body = {"type": "send-sms", "task_num": "1", "tasks": [{"tid": 7, "port": "2", "to": "+4915", "sms": "hi"}]}
    async with session.post(
        f"{sim.url}/goip_post_sms.html",
        params={"username": "root", "password": sim.password},
        data=json.dumps(body),
        headers={"Content-Type": "application/json,charset=utf-8"},
    ) as response:
        answer = await response.json(content_type=None)
    assert answer == {"code": 200, "reason": "OK", "type": "task-status", "status": [{"tid": 7, "status": "0 OK"}]}
    assert sim.queue[0].ports == [(2, 1)]


# --- send tasks ---------------------------------------------------------------------------------------------


async def test_list_pause_resume_and_delete_tasks(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.send_interval = 5
    many = tuple(f"+49150000{n:04d}" for n in range(12))
    sent = await gateway.send_sms(SmsRequest(recipients=many, text="queued", ports=(SlotRef(1),)))
    listed = await gateway.list_sms_tasks(1)
    tasks = listed.tasks
    assert [task.task_id for task in tasks] == list(sent.task_ids)  # 12 tasks over two pages of 10
    assert (listed.total, listed.truncated) == (12, False)
    assert [request.query["pos"] for request in sim.requests_to("/goip_get_tasks.html")] == ["0", "10"]
    assert tasks[0].text == "queued"
    assert tasks[0].recipients == (many[0],)
    paused = await gateway.pause_sms_tasks(sent.task_ids[:2])
    assert [(r.task_id, r.ok) for r in paused] == [(sent.task_ids[0], True), (sent.task_ids[1], True)]
    assert [task.paused for task in (await gateway.list_sms_tasks(1)).tasks][:3] == [True, True, False]
    assert await gateway.resume_sms_tasks(None) == []  # all tasks: the device returns no per-task results
    assert not any(task.paused for task in sim.queue)
    deleted = await gateway.delete_sms_tasks([sent.task_ids[0], "99"])
    assert [(r.code, r.text) for r in deleted] == [(0, "OK"), (404, "Task Not Found")]
    await gateway.delete_sms_tasks(None)
    assert await gateway.list_sms_tasks(1) == SmsTaskList()  # "404 Tasks Not Found" is an empty queue


async def test_task_calls_with_unknown_ids(gateway: EjoinGateway) -> None:
    with pytest.raises(GatewayCommandError) as caught:
        await gateway.pause_sms_tasks(["123"])
    assert (caught.value.code, caught.value.reason) == (404, "Tasks Not Found")
    with pytest.raises(GatewayRequestError, match="integers"):
        await gateway.pause_sms_tasks(["abc"])


async def test_queue_count_is_one_request_per_port(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.send_interval = 5
    assert await gateway.get_queue_count() == 0
    await gateway.send_sms(SmsRequest(recipients=RECIPIENTS, text="one port", ports=(SlotRef(1),)))
    await gateway.send_sms(SmsRequest(recipients=RECIPIENTS[:2], text="two ports", ports=(SlotRef(1), SlotRef(2))))
    sim.requests.clear()
    assert await gateway.get_queue_count() == 5  # the two-port tasks are listed under both ports, counted once
    requests = sim.requests_to("/goip_get_tasks.html")
    assert [request.query["port"] for request in requests] == [str(port) for port in range(1, sim.port_count + 1)]
    assert {(request.query["pos"], request.query["has_content"]) for request in requests} == {("0", "0")}
    await gateway.pause_sms_tasks(None)
    assert await gateway.get_queue_count() == 5  # paused tasks still wait
    many = tuple(f"+49150000{n:04d}" for n in range(12))
    await gateway.send_sms(SmsRequest(recipients=many, text="long queue", ports=(SlotRef(3),)))
    sim.requests.clear()
    assert await gateway.get_queue_count() == 17  # beyond the first page, `total_num` counts
    assert len(sim.requests_to("/goip_get_tasks.html")) == sim.port_count
    await gateway.delete_sms_tasks(None)
    assert await gateway.get_queue_count() == 0


async def test_cancel_tasks(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.send_interval = 5
    sent = await gateway.send_sms(SmsRequest(recipients=RECIPIENTS, text="queued", ports=(SlotRef(1),)))
    first, second, _third = sent.task_ids
    results = await gateway.cancel_sms_tasks([first, "99", f" {second} "])
    assert results == [
        CancelResult(task_id=first, outcome=CancelOutcome.CANCELLED, code=0, text="OK"),
        CancelResult(task_id="99", outcome=CancelOutcome.NOT_FOUND, text="task not found"),
        CancelResult(task_id=second, outcome=CancelOutcome.CANCELLED, code=0, text="OK"),
    ]
    assert sim.requests_to("/goip_remove_sms.html")[-1].json() == {"tids": [int(first), 99, int(second)]}
    assert len(sim.queue) == 1
    # None of them queued any more: the device answers 404 "Tasks Not Found" for the whole request.
    assert [result.outcome for result in await gateway.cancel_sms_tasks([first, second])] == [
        CancelOutcome.NOT_FOUND,
        CancelOutcome.NOT_FOUND,
    ]
    requests = len(sim.requests)
    assert await gateway.cancel_sms_tasks([]) == []  # no request: one without tids would remove every task
    assert len(sim.requests) == requests
    assert len(sim.queue) == 1


async def test_cancel_results_the_device_words(gateway: EjoinGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    async def answer(_path: str, _task_ids: object) -> list[TaskResult]:
        return [TaskResult(task_id="7", code=7, text="Server Error")]  # and nothing about task 8

    monkeypatch.setattr(gateway, "_task_call", answer)
    assert await gateway.cancel_sms_tasks(["7", "8"]) == [
        CancelResult(task_id="7", outcome=CancelOutcome.REFUSED, code=7, text="Server Error"),
        CancelResult(task_id="8", outcome=CancelOutcome.NOT_FOUND, text="task not found"),
    ]


async def test_cancel_refused_as_a_whole(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.refuse_next("Server Error", code=7)
    with pytest.raises(GatewayCommandError):
        await gateway.cancel_sms_tasks(["1"])


async def test_listing_tasks_of_an_invalid_port(gateway: EjoinGateway) -> None:
    with pytest.raises(GatewayCommandError) as caught:
        await gateway.list_sms_tasks(99)
    assert caught.value.code == 2


# --- inbox --------------------------------------------------------------------------------------------------


async def test_inbox_by_cursor(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    for n in range(3):
        sim.deliver_sms(1 + n, None, "Google", f"code {n}")
    first = await gateway.fetch_inbox(None, limit=2)
    assert [m.text for m in first.messages] == ["code 0", "code 1"]
    assert first.more
    assert first.cursor == {"ssrc": sim.ssrc, "next_sms": 3}
    assert [m.device_sms_id for m in first.messages] == [1, 2]
    second = await gateway.fetch_inbox(first.cursor, limit=2)
    assert [m.text for m in second.messages] == ["code 2"]
    assert not second.more
    assert not second.restarted
    third = await gateway.fetch_inbox(json.loads(json.dumps(second.cursor)))
    assert third.messages == ()
    assert third.cursor == second.cursor
    assert all("sms_del" not in request.query for request in sim.requests_to("/goip_get_sms.html"))


async def test_inbox_after_a_reboot_starts_again_and_says_so(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.deliver_sms(1, None, "+4915", "before")
    page = await gateway.fetch_inbox(None)
    await gateway.reboot()
    sim.deliver_sms(2, None, "+4916", "after")
    again = await gateway.fetch_inbox(page.cursor)
    assert again.restarted
    assert [m.text for m in again.messages] == ["before", "after"]
    assert again.messages[0].message_id == page.messages[0].message_id  # callers de-duplicate by id
    assert again.cursor["ssrc"] == sim.ssrc != page.cursor["ssrc"]
    starts = [request.query["sms_id"] for request in sim.requests_to("/goip_get_sms.html")]
    assert starts == ["1", "2", "1"]


async def test_inbox_with_a_foreign_cursor(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.deliver_sms(1, None, "+4915", "x")
    page = await gateway.fetch_inbox({"ssrc": sim.ssrc, "next_sms": "junk"})
    assert [m.text for m in page.messages] == ["x"]
    with pytest.raises(GatewayRequestError):
        await gateway.fetch_inbox(None, limit=0)


@pytest.mark.parametrize(
    "variants",
    [{"sms_headers"}, {"sms_headers", "scts_hex_tz", "inbox_extra"}, {"label_dotted"}, {"label_pool"}],
)
async def test_inbox_variants_give_the_same_messages(
    gateway: EjoinGateway, sim: EjoinSimulator, variants: set[str]
) -> None:
    sim.deliver_sms(2, None, "Google", "G-123456 is your code")
    plain = (await gateway.fetch_inbox(None)).messages[0]
    sim.variants |= variants
    varied = (await gateway.fetch_inbox(None)).messages[0]
    assert (varied.text, varied.sender, varied.port_label) == ("G-123456 is your code", "Google", "2A")
    assert varied.message_id == plain.message_id
    if "sms_headers" in variants:
        assert varied.smsc == "+491770610000"
        assert varied.sent_at is not None
        assert abs((varied.sent_at - varied.received_at).total_seconds()) < 2
    if "inbox_extra" in variants:
        sim_card = sim.ports[1].slots[0].sim
        assert sim_card is not None
        assert (varied.iccid, varied.imsi) == (sim_card.iccid, sim_card.imsi)


async def test_delete_inbox_removes_exactly_the_given_messages(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    for n in range(5):
        sim.deliver_sms(1, None, "+4915", f"m{n}")
    page = await gateway.fetch_inbox(None)
    await gateway.delete_inbox([page.messages[1], page.messages[2], page.messages[4]])
    assert [entry.text for entry in sim.inbox] == ["m0", "m3"]
    deletions = [r.query for r in sim.requests_to("/goip_get_sms.html") if r.query.get("sms_del") == "1"]
    assert [(q["sms_id"], q["sms_num"]) for q in deletions] == [("2", "2"), ("5", "1")]
    later = await gateway.fetch_inbox(None)
    assert [m.device_sms_id for m in later.messages] == [None, None]  # a gap: ids are no longer known


async def test_delete_inbox_refuses_when_the_numbering_changed(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.deliver_sms(1, None, "+4915", "a")
    sim.deliver_sms(1, None, "+4915", "b")
    page = await gateway.fetch_inbox(None)
    sim.inbox.pop(0)
    sim.reboot()
    with pytest.raises(GatewayResponseError, match="nothing was deleted"):
        await gateway.delete_inbox(list(page.messages))
    assert [entry.text for entry in sim.inbox] == ["b"]


async def test_delete_inbox_skips_pushed_messages_without_device_ids(
    gateway: EjoinGateway, sim: EjoinSimulator
) -> None:
    sim.deliver_sms(1, None, "+4915", "a")
    (message,) = (await gateway.fetch_inbox(None)).messages
    pushed = IncomingSms(message_id="x", port_label="1A", ref=None, sender="", text="", received_at=message.received_at)
    await gateway.delete_inbox([pushed])
    assert len(sim.inbox) == 1


# --- push target and pushes ---------------------------------------------------------------------------------


async def test_push_target_points_every_push_at_the_url(
    gateway: EjoinGateway, sim: EjoinSimulator, receiver: PushReceiver
) -> None:
    await gateway.set_push_target(receiver.url)
    assert (sim.status_url, sim.sms_url) == (receiver.url, receiver.url)
    status_call = sim.requests_to("/goip_get_status.html")[-1]
    assert (status_call.query["url"], status_call.query["period"]) == (receiver.url, "60")
    set_call = sim.requests_to("/goip_send_cmd.html")[-1]
    assert (set_call.query["op"], set_call.body.decode()) == ("set", f"sms_url={receiver.url}")
    assert await gateway.get_push_target() == receiver.url

    # a send carries the report URL and switches the device to buffered JSON SMS pushes
    gateway.push_buffering = PushBuffering(report_count=1)  # one report per push: no waiting in the test
    sim.failing_recipients = {"+4900"}
    await gateway.send_sms(SmsRequest(recipients=("+4911", "+4900"), text="hi"))
    body = sim.requests_to("/goip_post_sms.html")[0].json()
    assert (body["sr_url"], body["sms_url"], body["sms_cnt"], body["sms_prd"]) == (receiver.url, receiver.url, 10, 3)
    assert (body["sr_cnt"], body["sr_prd"]) == (1, 10)
    assert all(task["sdr"] == 1 for task in body["tasks"])
    await wait_until(lambda: len(collected_reports(gateway, receiver)) == 2)
    reports = collected_reports(gateway, receiver)
    assert {(r.recipient, r.sent) for r in reports} == {("+4911", True), ("+4900", False)}
    assert next(r.reason for r in reports if not r.sent) == "6 Timeout"
    assert all(r.task_id in {str(t["tid"]) for t in body["tasks"]} for r in reports)

    sim.sms_prd = 0.05  # type: ignore[assignment]  # the buffer timer starts with the first SMS
    entry = sim.deliver_sms(3, None, "+4915", "pushed")
    sms_push = await receiver.wait_for(push_type("recv-sms"))
    (event,) = gateway.parse_push(sms_push)
    assert isinstance(event, SmsReceivedEvent)
    assert (event.sms.text, event.sms.port_label) == ("pushed", "3A")
    polled = (await gateway.fetch_inbox({"ssrc": sim.ssrc, "next_sms": entry.sms_id})).messages[0]
    assert polled.message_id == event.sms.message_id

    sim.set_sim_status(2, None, 5)
    port_push = await receiver.wait_for(push_type("port-status"))
    (port_event,) = gateway.parse_push(port_push)
    assert isinstance(port_event, PortStatusEvent)
    assert (port_event.slot.label, port_event.slot.state) == ("2A", SimState.NO_BALANCE)


async def test_sim_bank_labels_in_every_push(
    simulator_factory: SimulatorFactory, session: aiohttp.ClientSession, receiver: PushReceiver
) -> None:
    sim = await simulator_factory("ejoin", ports=4, slots=16)
    assert isinstance(sim, EjoinSimulator)
    make_fast(sim).variants.add("label_pool")
    gateway = EjoinGateway(session, settings_for(sim))
    await gateway.connect()
    await gateway.set_push_target(receiver.url)
    gateway.push_buffering = PushBuffering(report_count=1)
    sim.set_sim_present(3, 12, present=True)
    sim.ports[2].active = 12

    port_push = await receiver.wait_for(push_type("port-status"))
    assert json.loads(port_push.body)["port"] == "3.02.12"  # slot 12 sits on the port's second board of 8
    (port_event,) = gateway.parse_push(port_push)
    assert isinstance(port_event, PortStatusEvent)
    assert (port_event.slot.label, port_event.slot.raw_label, port_event.slot.ref) == ("3L", "3.02.12", SlotRef(3, 12))

    await gateway.send_sms(SmsRequest(recipients=("+4911",), text="hi", ports=(SlotRef(3, 12),)))
    await wait_until(lambda: len(collected_reports(gateway, receiver)) == 1)
    [report] = collected_reports(gateway, receiver)
    assert (report.port_label, report.ref, report.sent) == ("3L", SlotRef(3, 12), True)

    sim.sms_prd = 0.05  # type: ignore[assignment]  # the buffer timer starts with the first SMS
    sim.deliver_sms(3, None, "+4915", "pooled")
    (sms_event,) = gateway.parse_push(await receiver.wait_for(push_type("recv-sms")))
    assert isinstance(sms_event, SmsReceivedEvent)
    assert (sms_event.sms.port_label, sms_event.sms.text) == ("3L", "pooled")

    sim.status_period = 0.05  # type: ignore[assignment]  # the simulator lets tests go faster than 60 s
    sim._restart_status_loop()
    (status_event,) = gateway.parse_push(await receiver.wait_for(push_type("dev-status")))
    assert isinstance(status_event, DeviceStatusEvent)
    assert status_event.status.unparsed_labels == ()
    assert status_event.status.ports[3].active_slot == 12


def collected_reports(gateway: EjoinGateway, receiver: PushReceiver) -> list[SendReportEvent]:
    """Report events of every status-report push so far (the device may split them across pushes)."""
    return [
        event
        for request in receiver.requests
        if push_type("status-report")(request)
        for event in gateway.parse_push(request)
        if isinstance(event, SendReportEvent)
    ]


async def test_clearing_the_push_target(gateway: EjoinGateway, sim: EjoinSimulator, receiver: PushReceiver) -> None:
    await gateway.set_push_target(receiver.url, period=120)
    assert sim.status_period == 120
    await gateway.set_push_target(None)
    assert (sim.status_url, sim.status_period, sim.sms_url) == (receiver.url, 0, None)
    last = sim.requests_to("/goip_get_status.html")[-1]
    assert last.query["period"] == "0"
    assert "url" not in last.query
    assert await gateway.get_push_target() is None
    await gateway.send_sms(SmsRequest(recipients=("+49",), text="x"))
    assert "sr_url" not in sim.requests_to("/goip_post_sms.html")[-1].json()


async def test_periodic_dev_status_push(gateway: EjoinGateway, sim: EjoinSimulator, receiver: PushReceiver) -> None:
    await gateway.set_push_target(receiver.url)
    assert sim.status_period == 60  # the device's minimum
    sim.status_period = 0.05  # type: ignore[assignment]  # the simulator lets tests go faster than 60 s
    sim._restart_status_loop()
    push = await receiver.wait_for(push_type("dev-status"))
    (event,) = gateway.parse_push(push)
    assert isinstance(event, DeviceStatusEvent)
    assert event.status.device.port_count == 4
    assert event.sequence == 1
    assert all(len(port.slots) == 1 for port in event.status.ports.values())  # the push lists active slots only


async def test_legacy_plain_text_forward_before_any_send(
    gateway: EjoinGateway, sim: EjoinSimulator, receiver: PushReceiver
) -> None:
    await gateway.set_push_target(receiver.url)
    sim.variants.add("legacy_octet")
    sim.deliver_sms(4, 2, "+4915", "old style")
    push = await receiver.wait_for(lambda request: "port" in request.query)
    assert push.content_type == "application/octet-stream"
    (event,) = gateway.parse_push(push)
    assert isinstance(event, SmsReceivedEvent)
    sim_card = sim.ports[3].slots[1].sim
    assert sim_card is not None
    assert (event.sms.port_label, event.sms.sender, event.sms.text, event.sms.iccid) == (
        "4B",
        "+4915",
        "old style",
        sim_card.iccid,
    )


async def test_delivery_reports_and_mms_are_pushed(
    gateway: EjoinGateway, sim: EjoinSimulator, receiver: PushReceiver, session: aiohttp.ClientSession
) -> None:
    await gateway.set_push_target(receiver.url)
    sim.sms_cnt, sim.sms_prd = 2, 0.05  # type: ignore[assignment]
    for recipient, code in (("+4917", 0), ("+4918", 70)):
        async with session.post(
            f"{sim.url}/_sim/deliver_sms",
            json={"kind": "delivery_report", "port": "2A", "recipient": recipient, "code": code},
        ) as response:
            assert response.status == 200
    push = await receiver.wait_for(push_type("recv-sms"))
    reports = gateway.parse_push(push)
    assert [(r.recipient, r.delivered, r.status_code) for r in reports if isinstance(r, DeliveryReportEvent)] == [
        ("+4917", True, 0),
        ("+4918", False, 70),
    ]
    sim.variants.add("dr_number")
    number_form = (await gateway.fetch_inbox(None)).reports
    assert [(r.recipient, r.delivered, r.status_code) for r in number_form] == [
        ("+4917", True, None),
        ("+4918", True, None),
    ]
    async with session.post(
        f"{sim.url}/_sim/deliver_sms",
        json={
            "kind": "mms",
            "port": 1,
            "sender": "+4915",
            "subject": "Foto",
            "text": "Look",
            "attachments": [["image/jpeg", 2048]],
        },
    ) as response:
        assert (await response.json()) == {"delivered": True}
    mms_push = await receiver.wait_for(lambda request: request.content_type.startswith("multipart/related"))
    (mms,) = gateway.parse_push(mms_push)
    assert isinstance(mms, MmsReceivedEvent)
    assert (mms.port_label, mms.sender, mms.subject, mms.text) == ("1A", "+4915", "Foto", "Look")
    assert mms.attachments == (("image/jpeg", 2048),)


async def test_push_buffering_is_configurable(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    client = EjoinGateway(
        session, settings_for(sim), push_buffering=PushBuffering(sms_count=2, sms_period=1, success_reports=False)
    )
    await client.connect()
    await client.set_push_target("http://127.0.0.1:9/push")
    await client.send_sms(SmsRequest(recipients=("+49",), text="x"))
    body = sim.requests_to("/goip_post_sms.html")[-1].json()
    assert (body["sms_cnt"], body["sms_prd"]) == (2, 1)
    assert "sdr" not in body["tasks"][0]


async def test_parse_push_uses_the_device_time_zone(gateway: EjoinGateway) -> None:
    request = PushRequest(body=b"hi", content_type="text/plain", query={"port": "1A", "time": "2025-01-01 10:00:00"})
    (event,) = gateway.parse_push(request)
    assert isinstance(event, SmsReceivedEvent)
    assert event.sms.received_at.isoformat() == "2025-01-01T10:00:00+00:00"


async def test_an_unreadable_inbox_answer(gateway: EjoinGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_call(*_args: object, **_kwargs: object) -> dict[str, object]:
        return {"code": 0, "ssrc": "a", "data": "rows"}

    monkeypatch.setattr(gateway.connection, "call", fake_call)
    with pytest.raises(GatewayResponseError, match=r"goip_get_sms\.html: goip_get_sms data is not a JSON array"):
        await gateway.fetch_inbox(None)


async def test_task_paging_stops_at_a_limit(gateway: EjoinGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    import custom_components.gsm_gateway.client.ejoin.gateway as module

    calls: list[str] = []

    async def endless(*_args: object, **kwargs: object) -> dict[str, object]:
        params = kwargs["params"]
        assert isinstance(params, dict)
        calls.append(params["pos"])
        return {"code": 200, "tasks": [{"tid": len(calls), "state": 0}]}  # no total_num, never empty

    monkeypatch.setattr(module, "MAX_TASK_PAGES", 3)
    monkeypatch.setattr(gateway.connection, "call", endless)
    listed = await gateway.list_sms_tasks(1)
    assert [task.task_id for task in listed.tasks] == ["1", "2", "3"]
    assert (listed.total, listed.truncated) == (None, True)  # the client says it stopped early
    assert calls == ["0", "1", "2"]


async def test_task_paging_says_what_the_device_reported(
    gateway: EjoinGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    import custom_components.gsm_gateway.client.ejoin.gateway as module

    async def misreporting(*_args: object, **kwargs: object) -> dict[str, object]:
        params = kwargs["params"]
        assert isinstance(params, dict)
        return {"code": 200, "total_num": 5000, "tasks": [{"tid": int(params["pos"]) + 1, "state": 0}]}

    monkeypatch.setattr(module, "MAX_TASK_PAGES", 4)
    monkeypatch.setattr(gateway.connection, "call", misreporting)
    listed = await gateway.list_sms_tasks(1)
    assert (len(listed.tasks), listed.total, listed.truncated) == (4, 5000, True)

    async def complete(*_args: object, **kwargs: object) -> dict[str, object]:
        params = kwargs["params"]
        assert isinstance(params, dict)
        return {"code": 200, "total_num": 4, "tasks": [{"tid": int(params["pos"]) + 1, "state": 0}]}

    monkeypatch.setattr(gateway.connection, "call", complete)
    listed = await gateway.list_sms_tasks(1)
    assert (len(listed.tasks), listed.total, listed.truncated) == (4, 4, False)  # the last page ended it


async def test_task_listing_errors_other_than_not_found(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.variants.add("login_code1")
    sim.password = "changed"
    with pytest.raises(GatewayAuthError):
        await gateway.list_sms_tasks(1)


# --- sending caps -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "limit_hit"),
    [
        ("x" * 1_000_000, Encoding.AUTO, True),  # the review's text: about 6,500 segments
        ("x" * 1530, Encoding.AUTO, False),  # 10 segments of 153 septets
        ("x" * 1531, Encoding.AUTO, True),
        ("€" * 765, Encoding.AUTO, False),  # extension characters take two septets: 1,530
        ("€" * 766, Encoding.AUTO, True),
        ("ж" * 670, Encoding.AUTO, False),  # UCS-2: 10 segments of 67
        ("ж" * 671, Encoding.AUTO, True),
        ("x" * 671, Encoding.UCS2, True),  # asked for UCS-2: counted in it
        ("😀" * 335, Encoding.AUTO, False),  # two UTF-16 units each: 670
        ("😀" * 336, Encoding.AUTO, True),
        ("ж" * 671, Encoding.GSM7, True),  # GSM 7-bit asked for, but not writable in it: counted as UCS-2
    ],
)
async def test_texts_beyond_ten_segments_are_refused(
    gateway: EjoinGateway, sim: EjoinSimulator, text: str, encoding: Encoding, limit_hit: bool
) -> None:
    request = SmsRequest(recipients=("+491701234567",), text=text, encoding=encoding)
    before = len(sim.requests_to("/goip_post_sms.html"))
    if not limit_hit:
        assert (await gateway.send_sms(request)).all_accepted
        return
    with pytest.raises(GatewayRequestError, match="at most 10 are sent") as caught:
        await gateway.send_sms(request)
    assert "SMS segments" in str(caught.value)
    assert len(sim.requests_to("/goip_post_sms.html")) == before


async def test_many_recipients_are_split_into_requests_of_100(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.send_interval = 5  # keep them queued
    recipients = tuple(f"+49151{n:07d}" for n in range(250))
    result = await gateway.send_sms(SmsRequest(recipients=recipients, text="bulk"))
    posts = sim.requests_to("/goip_post_sms.html")
    assert [len(post.json()["tasks"]) for post in posts] == [100, 100, 50]
    assert [post.json()["task_num"] for post in posts] == [100, 100, 50]
    assert result.requests_made == 3
    assert result.all_accepted
    assert [item.recipient for item in result.recipients] == list(recipients)
    assert len(set(result.task_ids)) == 250
    sent_to = [task["to"] for post in posts for task in post.json()["tasks"]]
    assert sent_to == list(recipients)


async def test_tasks_share_requests_by_their_recipients(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    """Tasks of 100 recipients (an interval) take a request each: a request carries at most 100 recipients."""
    sim.send_interval = 5
    recipients = tuple(f"+49154{n:07d}" for n in range(250))
    result = await gateway.send_sms(SmsRequest(recipients=recipients, text="x", options=SendOptions(interval_ms=0)))
    posts = sim.requests_to("/goip_post_sms.html")
    assert [[len(task["to"].split(",")) for task in post.json()["tasks"]] for post in posts] == [[100], [100], [50]]
    assert result.requests_made == 3
    assert result.all_accepted


async def test_a_later_request_that_fails_marks_only_its_recipients(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.send_interval = 5
    recipients = tuple(f"+49152{n:07d}" for n in range(230))
    sim.refuse_next("Server Error", code=7, after=1)  # the second request is refused
    result = await gateway.send_sms(SmsRequest(recipients=recipients, text="bulk"))
    assert result.requests_made == 3
    accepted = [item.accepted for item in result.recipients]
    assert accepted == [True] * 100 + [False] * 100 + [True] * 30
    assert {(item.code, item.reason) for item in result.recipients[100:200]} == {(7, "Server Error")}
    sim.inject("reset", "500")  # the first request of a send fails: nothing was sent, the error is raised
    with pytest.raises(GatewayError):
        await gateway.send_sms(SmsRequest(recipients=recipients, text="bulk"))


async def test_a_later_request_without_an_answer(
    gateway: EjoinGateway, sim: EjoinSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.send_interval = 5
    recipients = tuple(f"+49153{n:07d}" for n in range(150))
    real = gateway._post_tasks
    calls: list[int] = []

    async def flaky(*args: Any) -> dict[int, TaskResult]:
        calls.append(1)
        if len(calls) == 2:
            raise GatewayResponseError("goip_post_sms.html: HTTP 502")
        return await real(*args)

    monkeypatch.setattr(gateway, "_post_tasks", flaky)
    result = await gateway.send_sms(SmsRequest(recipients=recipients, text="bulk"))
    assert result.requests_made == 2
    assert [item.accepted for item in result.recipients] == [True] * 100 + [False] * 50
    assert {(item.code, item.reason) for item in result.recipients[100:]} == {
        (None, "no valid answer (GatewayResponseError)")
    }


async def test_duplicated_ids_in_a_later_request_are_retried_in_batches_too(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    sim.send_interval = 5
    clock = [1_800_000_000.0]
    first = EjoinGateway(session, settings_for(sim), task_ids=TaskIdAllocator(clock=lambda: clock[0]))
    await first.connect()
    before = await first.send_sms(SmsRequest(recipients=tuple(f"+49154{n:07d}" for n in range(150)), text="x"))
    assert before.requests_made == 2
    restarted = EjoinGateway(session, settings_for(sim), task_ids=TaskIdAllocator(clock=lambda: clock[0]))
    await restarted.connect()
    after = await restarted.send_sms(SmsRequest(recipients=tuple(f"+49155{n:07d}" for n in range(150)), text="y"))
    assert after.all_accepted
    assert after.requests_made == 4  # 100 + 50, then the 150 duplicates again as 100 + 50
    assert not set(after.task_ids) & set(before.task_ids)
