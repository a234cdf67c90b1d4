"""Receiving by polling: overlapping windows, de-duplication, paging, clocks, newqueryrxsms detection, deleting."""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.gsm_gateway.client.exceptions import GatewayCommandError
from custom_components.gsm_gateway.client.models import IncomingSms
from custom_components.gsm_gateway.client.ports import SlotRef
from custom_components.gsm_gateway.client.synway import SynwayGateway
from simulator.synway import SynwaySimulator

from .conftest import GatewayFactory, ReplayDevice, ReplayGatewayFactory, SynwayFactory


async def deliver(sim: SynwaySimulator, port: int, sender: str, text: str, **extra: Any) -> None:
    await sim.control("deliver_sms", {"port": port, "sender": sender, "text": text, **extra})


def device_stamp(sim: SynwaySimulator, seconds: float = 0) -> str:
    return (sim.state.now() + timedelta(seconds=seconds)).strftime("%Y%m%d%H%M%S")


async def drain(
    gateway: SynwayGateway, cursor: dict[str, Any] | None, limit: int = 100
) -> tuple[list[IncomingSms], dict[str, Any]]:
    messages: list[IncomingSms] = []
    while True:
        page = await gateway.fetch_inbox(cursor, limit=limit)
        messages.extend(page.messages)
        cursor = dict(page.cursor)
        if not page.more:
            return messages, cursor


async def test_each_message_is_delivered_once(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    await deliver(sim, 1, "+4915112345678", "first: with a colon")
    first, cursor = await drain(gateway, None)
    assert [m.text for m in first] == ["first: with a colon"]
    assert first[0].ref == SlotRef(1, 1)
    assert first[0].recipient == sim.state.ports[1].sim.number  # type: ignore[union-attr]
    again, cursor = await drain(gateway, cursor)
    assert again == []
    await deliver(sim, 2, "Google", "G-123456 is your code")
    second, cursor = await drain(gateway, cursor)
    assert [(m.port_label, m.sender, m.text) for m in second] == [("2A", "Google", "G-123456 is your code")]
    assert sim.requests[-1].json()["event"] == "newqueryrxsms"
    assert "begintime" in sim.requests[-1].json()
    assert "endtime" not in sim.requests[-1].json()


async def test_identical_messages_in_the_same_second_are_two_messages(
    sim: SynwaySimulator, gateway: SynwayGateway
) -> None:
    stamp = device_stamp(sim)
    for _ in range(2):
        await deliver(sim, 3, "10086", "same text", at=stamp)
    messages, cursor = await drain(gateway, None)
    assert len(messages) == 2
    assert messages[0].message_id != messages[1].message_id
    assert (await drain(gateway, cursor))[0] == []


async def test_late_written_message_inside_the_overlap_is_delivered(
    sim: SynwaySimulator, gateway_for: GatewayFactory
) -> None:
    gateway = await gateway_for(sim, inbox_overlap=timedelta(minutes=5))
    await deliver(sim, 1, "10086", "newest")
    _, cursor = await drain(gateway, None)
    await deliver(sim, 1, "10087", "written late", at=device_stamp(sim, -240))
    await deliver(sim, 1, "10088", "too late", at=device_stamp(sim, -600))
    late, _ = await drain(gateway, cursor)
    # The guarantee's boundary: stamped up to `overlap` before the newest delivered message, and no earlier.
    assert [m.text for m in late] == ["written late"]


@pytest.mark.parametrize("offset", [-7200.0, 7200.0])
async def test_a_skewed_device_clock_loses_nothing(sim: SynwaySimulator, gateway: SynwayGateway, offset: float) -> None:
    await sim.control("set_clock_offset", {"seconds": offset})
    await deliver(sim, 1, "10086", "one")
    first, cursor = await drain(gateway, None)
    await deliver(sim, 2, "10086", "two")
    second, _ = await drain(gateway, cursor)
    assert [m.text for m in first + second] == ["one", "two"]


async def test_paging_with_limit_and_more(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    stamp = device_stamp(sim)
    for index in range(5):
        await deliver(sim, 1 + index % 4, f"sender{index}", f"text {index}", at=stamp)
    pages = []
    cursor: dict[str, Any] | None = None
    for _ in range(4):
        page = await gateway.fetch_inbox(cursor, limit=2)
        pages.append((len(page.messages), page.more))
        cursor = dict(page.cursor)
    assert pages == [(2, True), (2, True), (1, False), (0, False)]


async def test_received_at_is_in_the_configured_time_zone(sim: SynwaySimulator, gateway_for: GatewayFactory) -> None:
    zone = ZoneInfo("America/New_York")
    gateway = await gateway_for(sim, time_zone=zone)
    await deliver(sim, 1, "10086", "hi", at="20240704120000")
    (sms,), _ = await drain(gateway, None)
    assert sms.received_at == datetime(2024, 7, 4, 12, 0, tzinfo=zone)
    assert sms.received_at.utcoffset() == timedelta(hours=-4)


async def test_ids_are_the_same_with_either_inbox_event(
    synway_factory: SynwayFactory, gateway_for: GatewayFactory
) -> None:
    sim = await synway_factory()
    await deliver(sim, 2, "10086", "same: message", slot=2, at="20240101120000")
    modern = await gateway_for(sim)
    new_ids = [m.message_id for m in (await drain(modern, None))[0]]
    sim.variants.add("no-newqueryrxsms")
    legacy = await gateway_for(sim)
    old_messages = (await drain(legacy, None))[0]
    assert modern.uses_new_inbox_query is True
    assert legacy.uses_new_inbox_query is False
    assert [m.message_id for m in old_messages] == new_ids
    assert old_messages[0].port_label == "2B"


@pytest.mark.parametrize("variant", ["no-newqueryrxsms", "newqueryrxsms-404"])
async def test_falls_back_to_queryrxsms_once(
    synway_factory: SynwayFactory, gateway_for: GatewayFactory, variant: str
) -> None:
    sim = await synway_factory(variants={variant})
    gateway = await gateway_for(sim)
    await deliver(sim, 1, "10086", "hi")
    _, cursor = await drain(gateway, None)
    await drain(gateway, cursor)
    events = [r.json()["event"] for r in sim.requests if r.json()["event"].endswith("queryrxsms")]
    assert events == ["newqueryrxsms", "queryrxsms", "queryrxsms"]


async def test_a_later_newqueryrxsms_error_is_raised_not_hidden(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    _, cursor = await drain(gateway, None)
    sim.variants.add("no-newqueryrxsms")
    with pytest.raises(GatewayCommandError, match="unsupported event"):
        await gateway.fetch_inbox(cursor)
    assert gateway.uses_new_inbox_query is True


async def test_reconnect_detects_newqueryrxsms_again(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    sim.variants.add("no-newqueryrxsms")
    await drain(gateway, None)
    assert gateway.uses_new_inbox_query is False
    await gateway.connect()
    assert gateway.uses_new_inbox_query is None


@pytest.mark.parametrize(
    "variants",
    [
        {"raw-control-chars"},
        {"sc-time-prefix", "spaced", "no-newqueryrxsms"},
        {"sc-time-prefix"},
        {"zero-based", "ok-casing", "extra-terminators"},
        {"ignore-time-filters"},
        {"unknown-sim-numbers", "no-newqueryrxsms"},
    ],
)
async def test_inbox_under_firmware_variants(
    synway_factory: SynwayFactory, gateway_for: GatewayFactory, variants: set[str]
) -> None:
    sim = await synway_factory(variants=variants)
    gateway = await gateway_for(sim)
    await deliver(sim, 4, "+33612345678", "line 1\nline 2\ttab: ok |E; not the end", slot=2)
    await deliver(sim, 1, "ALDI TALK", "plain")
    first, cursor = await drain(gateway, None)
    assert sorted((m.port_label, m.sender, m.text) for m in first) == [
        ("1A", "ALDI TALK", "plain"),
        ("4B", "+33612345678", "line 1\nline 2\ttab: ok |E; not the end"),
    ]
    assert (first[0].recipient == "") == ("unknown-sim-numbers" in variants)
    assert (await drain(gateway, cursor))[0] == []


async def test_single_sim_gateway_reports_slot_one(synway_factory: SynwayFactory, gateway_for: GatewayFactory) -> None:
    sim = await synway_factory(slots=1)
    gateway = await gateway_for(sim)
    await deliver(sim, 2, "10086", "hi")
    (sms,), _ = await drain(gateway, None)
    assert (sms.port_label, sms.ref) == ("2A", SlotRef(2, 1))


async def test_unmappable_port_keeps_the_raw_label(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway()
    replay.answer("newqueryrxsms", b'{"result":"ok","content":"total:1;20240101000000:0(A)(-1):x:y|E"}')
    (sms,), _ = await drain(gateway, None)
    assert (sms.port_label, sms.ref) == ("0(A)", None)
    replay.answer("newqueryrxsms", b'{"result":"ok","content":"total:1;20240101000001:1(ZZ)(-1):x:y|E"}')
    (other,), _ = await drain(gateway, None)
    assert (other.port_label, other.ref) == ("1(ZZ)", None)
    replay.bodies.clear()
    await gateway.delete_inbox([sms, other])
    assert replay.bodies == []  # a message whose port is unknown cannot be deleted safely


async def test_unreadable_cursor_starts_over(
    sim: SynwaySimulator, gateway: SynwayGateway, caplog: pytest.LogCaptureFixture
) -> None:
    await deliver(sim, 1, "10086", "hi")
    for cursor in ({"v": 99}, {"v": 1, "since": "yesterday"}, {"v": 1, "since": None, "seen": "x"}):
        with caplog.at_level(logging.WARNING):
            page = await gateway.fetch_inbox(cursor)
        assert [m.text for m in page.messages] == ["hi"]
    assert "cursor is unreadable" in caplog.text


async def test_delete_inbox_deletes_exactly_the_delivered_messages(
    sim: SynwaySimulator, gateway: SynwayGateway
) -> None:
    stamp = device_stamp(sim)
    await deliver(sim, 1, "10086", "a", at=stamp)
    await deliver(sim, 1, "10086", "b", at=stamp)
    await deliver(sim, 2, "10087", "c", at=stamp)
    messages, cursor = await drain(gateway, None, limit=100)
    await deliver(sim, 1, "10086", "not delivered yet", at=device_stamp(sim, 5))
    sim.requests.clear()
    await gateway.delete_inbox(messages)
    bodies = [r.json() for r in sim.requests]
    assert bodies == [
        {
            "event": "deletesms",
            "port": "1",
            "phonenum": "10086",
            "begintime": stamp,
            "endtime": stamp,
            "smsbox": "r",
            "clear": "1",
        },
        {
            "event": "deletesms",
            "port": "2",
            "phonenum": "10087",
            "begintime": stamp,
            "endtime": stamp,
            "smsbox": "r",
            "clear": "1",
        },
    ]
    assert [sms.text for sms in sim.state.inbox] == ["not delivered yet"]
    remaining, _ = await drain(gateway, cursor)
    assert [m.text for m in remaining] == ["not delivered yet"]


async def test_delete_inbox_logs_when_the_device_deletes_less(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = await replay_gateway(time_zone=ZoneInfo("Europe/Berlin"))
    replay.answer("newqueryrxsms", b'{"result":"ok","content":"total:1;20240101120000:3(A)(-1):x:y|E"}')
    (sms,), _ = await drain(gateway, None)
    replay.answer("deletesms", "deletesms_none.json")
    with caplog.at_level(logging.DEBUG):
        await gateway.delete_inbox([sms])
    assert replay.bodies[-1]["begintime"] == "20240101120000"  # device local time, as listed
    assert replay.bodies[-1]["port"] == "3"
    assert "deleted 0 of 1" in caplog.text
