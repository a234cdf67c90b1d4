"""USSD, CDRs, the STK menu and device performance, against the simulator and the spec's examples."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.exceptions import GatewayCommandError, GatewayRequestError
from custom_components.gsm_gateway.client.models import Capability, UssdResult
from custom_components.gsm_gateway.client.ports import SlotRef
from custom_components.gsm_gateway.client.sim_toolkit import StkInputType
from simulator.dinstar import DinstarSimulator

from .conftest import CannedServer, GatewayFactory, SimFactory, fixture_bytes, json_response

# --- USSD -----------------------------------------------------------------------------------------------------


async def test_ussd_round_trip(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    result = await gateway.send_ussd(SlotRef(2), "*100#")
    assert result == UssdResult(port_label="2A", accepted=True, code=200)
    assert sim.requests_to("/api/send_ussd")[-1].json() == {"port": [1], "command": "send", "text": "*100#"}
    await asyncio.sleep(sim.ussd_delay * 5)
    replies = await gateway.fetch_ussd_replies([SlotRef(1), SlotRef(2)])
    assert sim.requests_to("/api/query_ussd_reply")[-1].query == {"port": "0,1"}
    card = sim.state.ports[1].card
    assert card is not None
    assert replies == {"2A": f"Your balance is {card.balance:.2f} EUR"}


async def test_ussd_refusals(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await sim.control("set_reg", {"port": 1, "reg": "UNREGISTER"})
    await sim.control("set_busy", {"port": 2, "busy": True})
    results = await gateway.send_ussd_to([SlotRef(1), SlotRef(2), SlotRef(3)], "*101#")
    assert [(item.port_label, item.status, item.accepted, item.reason) for item in results] == [
        ("1A", 503, False, "port not registered"),
        ("2A", 486, False, "port busy"),
        ("3A", 200, True, ""),
    ]
    single = await gateway.send_ussd(SlotRef(1), "*101#")
    assert (single.accepted, single.code, single.reason) == (False, 503, "port not registered")
    cancelled = await gateway.cancel_ussd(SlotRef(2))
    assert sim.requests_to("/api/send_ussd")[-1].json() == {"port": [1], "command": "cancel", "text": ""}
    assert cancelled == UssdResult(port_label="2A", accepted=True, code=200)
    assert not sim.state.ports[1].busy
    refused = await gateway.cancel_ussd(SlotRef(1))
    assert (refused.accepted, refused.code, refused.reason) == (False, 503, "port not registered")


async def test_ussd_custom_reply_and_all_ports(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await sim.control("set_ussd_reply", {"code": "*135#", "text": "Your number is 12345"})
    await gateway.send_ussd(SlotRef(4), "*135#")
    await asyncio.sleep(sim.ussd_delay * 5)
    replies = await gateway.query_ussd_replies()
    assert sim.requests_to("/api/query_ussd_reply")[-1].query == {"port": "0,1,2,3"}
    assert [(reply.port_label, reply.text) for reply in replies] == [
        ("1A", ""),
        ("2A", ""),
        ("3A", ""),
        ("4A", "Your number is 12345"),
    ]


async def test_ussd_limits(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    before = len(sim.requests)
    with pytest.raises(GatewayRequestError, match="60 bytes"):
        await gateway.send_ussd(SlotRef(1), "*" * 61)
    with pytest.raises(GatewayRequestError, match="empty"):
        await gateway.send_ussd(SlotRef(1), "  ")
    with pytest.raises(GatewayRequestError, match="at least one port"):
        await gateway.send_ussd_to([], "*100#")
    assert len(sim.requests) == before
    assert (await gateway.send_ussd(SlotRef(1), "*" * 60)).accepted


async def test_spec_ussd_payloads(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/send_ussd", json_response(fixture_bytes("send_ussd_response.txt")))
    canned.answer("/api/query_ussd_reply", json_response(fixture_bytes("query_ussd_reply_response.txt")))
    client = make_gateway(canned.url)
    results = await client.send_ussd_to([SlotRef(1), SlotRef(2), SlotRef(3)], "*125#")
    assert [(item.port_label, item.accepted) for item in results] == [("1A", False), ("2A", False), ("3A", True)]
    assert await client.fetch_ussd_replies([SlotRef(2), SlotRef(3), SlotRef(4)]) == {"3A": "Test..."}
    assert canned.requests[-1][2] == {"port": "1,2,3"}
    canned.answer("/api/send_ussd", json_response('{"error_code":202,"sn":"x"}'))
    assert await client.send_ussd(SlotRef(7), "*1#") == UssdResult(port_label="7A", accepted=True, code=202)
    canned.answer("/api/send_ussd", json_response('{"error_code":400,"sn":"x"}'))
    with pytest.raises(GatewayCommandError, match="400"):
        await client.send_ussd(SlotRef(7), "*1#")


# --- CDR ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variants", [set(), {"cdr-under-info"}])
async def test_cdr(dinstar_sim: SimFactory, make_gateway: GatewayFactory, variants: set[str]) -> None:
    sim = await dinstar_sim(variants=variants)
    client = make_gateway(sim.url)
    await client.connect()
    await sim.control("add_call", {"port": 2, "duration": 61, "source": "+4930123", "destination": "+4930456"})
    await sim.control("add_call", {"port": 3, "answered": False, "direction": "gsm->ip"})
    records = await client.call_records.get()
    assert sim.requests_to("/api/get_cdr")[-1].json() == {}
    assert [(record.port_label, record.duration, record.direction) for record in records] == [
        ("2A", 61, "ip->gsm"),
        ("3A", 0, "gsm->ip"),
    ]
    first = records[0]
    assert (first.source_number, first.destination_number, first.codec, first.hangup, first.gsm_code) == (
        "+4930123",
        "+4930456",
        "G.711A",
        "called",
        16,
    )
    assert first.start_date is not None
    assert first.answer_date == first.start_date
    assert records[1].answer_date is None
    assert [record.port_label for record in await client.call_records.get(ports=[SlotRef(3)])] == ["3A"]
    future = datetime.now(UTC) + timedelta(hours=1)
    assert await client.call_records.get(time_after=future) == []
    assert await client.call_records.get(time_before=future) == records


async def test_spec_cdr_payload(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/get_cdr", json_response(fixture_bytes("get_cdr_response.txt")))
    [record] = await make_gateway(canned.url).call_records.get(ports=[SlotRef(3), SlotRef(4)])
    assert canned.requests[0][4] == b'{"port":[2,3]}'
    assert (record.port_label, record.duration, record.bcch, record.ip) == ("3A", 3, None, "172.16.100.136")
    assert record.answer_date == datetime(2015, 7, 21, 16, 35, 31, tzinfo=UTC)


# --- STK ------------------------------------------------------------------------------------------------------


async def test_stk_walk(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    ref = SlotRef(1)
    root = await gateway.sim_toolkit.view(ref)
    assert sim.requests_to("/GetSTKView")[-1].query == {"port": "0"}
    assert (root.title, root.kind, [item.text for item in root.items]) == (
        "SIM Services",
        StkInputType.MENU,
        ["Balance", "Services", "Help"],
    )
    await gateway.sim_toolkit.select(ref, 2)
    assert sim.requests_to("/STKGo")[-1].json() == {"port": 0, "item": 2}
    services = await gateway.sim_toolkit.view(ref)
    assert services.kind is StkInputType.SELECT_ITEM
    assert root.frame_id is not None
    assert services.frame_id == root.frame_id + 1
    await gateway.sim_toolkit.select(ref, 2)
    topup = await gateway.sim_toolkit.view(ref)
    assert (topup.kind, topup.text, topup.items) == (StkInputType.DIGITS, "Enter the voucher code", ())
    with pytest.raises(GatewayCommandError):
        await gateway.sim_toolkit.ok(ref, "abc")
    await gateway.sim_toolkit.ok(ref, "123456")
    assert sim.requests_to("/STKGo")[-1].json() == {"port": 0, "action": "ok", "param": "123456"}
    done = await gateway.sim_toolkit.view(ref)
    assert (done.kind, done.text) == (StkInputType.DISPLAY, "Voucher 123456 accepted")
    assert await gateway.sim_toolkit.frame_id(ref) == done.frame_id
    await gateway.sim_toolkit.cancel(ref)
    assert sim.requests_to("/STKGo")[-1].json() == {"port": 0, "action": "cancel"}
    assert (await gateway.sim_toolkit.view(ref)).kind is StkInputType.DIGITS
    await gateway.sim_toolkit.home(ref)
    assert (await gateway.sim_toolkit.view(ref)).title == "SIM Services"
    with pytest.raises(GatewayCommandError, match="400"):
        await gateway.sim_toolkit.select(ref, 9)


async def test_stk_yes_no_and_locked(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    ref = SlotRef(2)
    await gateway.sim_toolkit.select(ref, 2)
    await gateway.sim_toolkit.select(ref, 1)
    question = await gateway.sim_toolkit.view(ref)
    assert question.kind is StkInputType.YES_NO
    await gateway.sim_toolkit.ok(ref)
    assert sim.requests_to("/STKGo")[-1].json() == {"port": 1, "action": "ok"}
    assert (await gateway.sim_toolkit.view(ref)).text == "Activated"
    await sim.control("set_reg", {"port": 3, "reg": "NO_SIM"})
    locked = await gateway.sim_toolkit.view(SlotRef(3))
    assert locked.kind is StkInputType.LOCKED
    with pytest.raises(GatewayCommandError, match="503"):
        await gateway.sim_toolkit.home(SlotRef(3))


async def test_spec_stk_payloads(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/GetSTKView", json_response(fixture_bytes("stk_view_response.json")))
    canned.answer("/GetSTKCurrFrameIndex", json_response(fixture_bytes("stk_frame_response.json")))
    canned.answer("/STKGo", (200, {}, b""))
    client = make_gateway(canned.url)
    view = await client.sim_toolkit.view(SlotRef(1))
    assert (view.title, view.input_type, view.frame_id) == ("神州行天地", 2, 750)
    assert [(item.item_id, item.text) for item in view.items] == [
        (1, "item1_text"),
        (2, "item2_text"),
        (3, "item3_text"),
    ]
    assert await client.sim_toolkit.frame_id(SlotRef(1)) == 32
    await client.sim_toolkit.select(SlotRef(8), 1)  # the spec documents no answer: an empty body is fine
    assert canned.requests[-1][:2] == ("POST", "/STKGo")
    assert canned.requests[-1][4] == b'{"port":7,"item":1}'


async def test_stk_missing_on_firmware_drops_capability(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    client = make_gateway(canned.url)
    with pytest.raises(Exception, match="does not offer it"):
        await client.sim_toolkit.view(SlotRef(1))
    assert Capability.STK not in client.capabilities
    assert client.sim_toolkit is None  # the feature went with its capability
    assert Capability.USSD in client.capabilities
