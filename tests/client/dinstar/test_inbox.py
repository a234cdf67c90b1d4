"""Reading received SMS by cursor: no side effects, paging, restarts, URL-encoded text, time zones."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.events import PushRequest, SmsReceivedEvent
from custom_components.gsm_gateway.client.exceptions import GatewayRequestError
from custom_components.gsm_gateway.client.ports import SlotRef
from simulator.dinstar import DinstarSimulator

from .conftest import GatewayFactory, PushReceiver, SimFactory


async def _deliver(sim: DinstarSimulator, port: int, text: str, number: str = "+4917612345678") -> int:
    answer = await sim.control("deliver_sms", {"port": port, "sender": number, "text": text})
    return int(answer["incoming_sms_id"])


async def test_fetch_from_the_start_and_continue(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await _deliver(sim, 1, "first")
    await _deliver(sim, 3, "second", number="Google")
    page = await gateway.fetch_inbox(None)
    assert [(sms.text, sms.port_label, sms.sender, sms.device_sms_id) for sms in page.messages] == [
        ("first", "1A", "+4917612345678", 1),
        ("second", "3A", "Google", 2),
    ]
    assert sim.requests[-1].query == {"flag": "all"}
    assert not page.more
    assert not page.restarted
    assert page.cursor["incoming_sms_id"] == 2
    assert all(not message.read for message in sim.state.inbox)  # flag=all has no side effect
    sms = page.messages[0]
    assert sms.message_id.startswith(f"dinstar:{sim.serial}:1:")
    assert sms.smsc == "+491770610000"
    assert sms.received_at.tzinfo is not None
    again = await gateway.fetch_inbox(page.cursor)
    assert again.messages == ()
    assert again.cursor == page.cursor
    assert sim.requests[-1].query == {"flag": "all", "incoming_sms_id": "1"}  # one early: the anchor
    await _deliver(sim, 2, "third")
    newer = await gateway.fetch_inbox(again.cursor)
    assert [sms.text for sms in newer.messages] == ["third"]


async def test_paging(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    for index in range(5):
        await _deliver(sim, index % 4 + 1, f"message {index}")
    first = await gateway.fetch_inbox(None, limit=2)
    assert [sms.text for sms in first.messages] == ["message 0", "message 1"]
    assert first.more
    second = await gateway.fetch_inbox(first.cursor, limit=2)
    assert [sms.text for sms in second.messages] == ["message 2", "message 3"]
    third = await gateway.fetch_inbox(second.cursor, limit=2)
    assert [sms.text for sms in third.messages] == ["message 4"]
    assert not third.more


async def test_restarted_numbering(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"volatile-inbox"})
    client = make_gateway(sim.url)
    await client.connect()
    for text in ("old 1", "old 2", "old 3"):  # a reboot takes longer than a second: older timestamps
        await sim.control("deliver_sms", {"port": 1, "text": text, "timestamp": "2026-01-01 10:00:00"})
    page = await client.fetch_inbox(None)
    old_ids = {sms.message_id for sms in page.messages}
    await sim.control("reboot", {})
    await _deliver(sim, 2, "new 1")
    await sim.control("set_signal", {"port": 2, "signal": 25})
    after = await client.fetch_inbox(page.cursor)
    assert after.restarted
    assert [sms.text for sms in after.messages] == ["new 1"]
    assert after.messages[0].device_sms_id == 1
    assert after.messages[0].message_id not in old_ids
    assert after.cursor["incoming_sms_id"] == 1


async def test_restart_detected_by_a_different_timestamp(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"volatile-inbox"})
    client = make_gateway(sim.url)
    await sim.control("deliver_sms", {"port": 1, "text": "old", "timestamp": "2026-01-01 10:00:00"})
    page = await client.fetch_inbox(None)
    await sim.control("reboot", {})
    await sim.control("deliver_sms", {"port": 1, "text": "new", "timestamp": "2026-01-02 10:00:00"})
    after = await client.fetch_inbox(page.cursor)
    assert after.restarted
    assert [sms.text for sms in after.messages] == ["new"]
    assert after.messages[0].message_id != page.messages[0].message_id


async def test_restart_with_empty_inbox(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"volatile-inbox"})
    client = make_gateway(sim.url)
    await _deliver(sim, 1, "old")
    page = await client.fetch_inbox(None)
    await sim.control("reboot", {})
    after = await client.fetch_inbox(page.cursor)
    assert after.restarted
    assert after.messages == ()
    assert after.cursor == {"incoming_sms_id": 0}


@pytest.mark.parametrize("cursor", [{"incoming_sms_id": "7"}, {"incoming_sms_id": -1}, {"incoming_sms_id": True}, {}])
async def test_unreadable_cursor_reads_from_the_start(
    gateway: DinstarGateway, sim: DinstarSimulator, cursor: dict[str, object]
) -> None:
    await _deliver(sim, 1, "hello")
    page = await gateway.fetch_inbox(cursor)
    assert [sms.text for sms in page.messages] == ["hello"]


async def test_query_incoming_sms_flags(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await _deliver(sim, 1, "one")
    await _deliver(sim, 2, "two")
    batch = await gateway.query_incoming_sms(flag="unread", ports=[SlotRef(2)])
    assert [sms.text for sms in batch.messages] == ["two"]
    assert sim.requests[-1].query == {"flag": "unread", "port": "1"}
    assert (batch.read, batch.unread) == (1, 1)
    read = await gateway.query_incoming_sms(flag="read")
    assert [sms.text for sms in read.messages] == ["two"]
    with pytest.raises(GatewayRequestError):
        await gateway.query_incoming_sms(flag="new")  # type: ignore[arg-type]


async def test_url_encoded_text(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"url-encoded-text"})
    client = make_gateway(sim.url)
    await _deliver(sim, 1, "Grüße, 1+1=2 & 100% 👋")
    page = await client.fetch_inbox(None)
    assert page.messages[0].text == "Grüße, 1+1=2 & 100% 👋"


async def test_device_time_zone(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    sim = await dinstar_sim()
    sim.time_zone = berlin
    client = make_gateway(sim.url, time_zone=berlin)
    await sim.control("deliver_sms", {"port": 1, "text": "x", "timestamp": "2026-07-01 12:00:00"})
    [sms] = (await client.fetch_inbox(None)).messages
    assert sms.received_at == datetime(2026, 7, 1, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert sms.received_at.utcoffset() is not None


async def test_same_message_id_by_push_and_poll(
    gateway: DinstarGateway, sim: DinstarSimulator, push_receiver: PushReceiver
) -> None:
    await sim.control("set_push_url", {"url": push_receiver.url})
    await _deliver(sim, 4, "both ways")
    [body] = await push_receiver.wait_for(1)
    [event] = gateway.parse_push(PushRequest(body=body, content_type="application/json"))
    assert isinstance(event, SmsReceivedEvent)
    [polled] = (await gateway.fetch_inbox(None)).messages
    assert event.sms.message_id == polled.message_id
    assert event.sms.text == polled.text == "both ways"
    assert event.sms.port_label == polled.port_label == "4A"
