"""USSD: send, follow the reply (NULL until the network answers), list and delete."""

from __future__ import annotations

import pytest

from custom_components.gsm_gateway.client.exceptions import GatewayRequestError
from custom_components.gsm_gateway.client.ports import SlotRef
from custom_components.gsm_gateway.client.synway import SynwayGateway
from simulator.synway import SynwaySimulator

from .conftest import GatewayFactory, SynwayFactory


async def test_send_ussd_then_read_the_reply(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    await sim.control("set_ussd_reply", {"code": "*100#", "text": "Balance: 4.20 EUR | valid"})
    result = await gateway.send_ussd(SlotRef(2, 1), "*100#")
    assert (result.port_label, result.accepted, result.reply, result.code) == ("2A", True, None, 1)
    assert sim.requests[-1].json() == {"event": "txussd", "port": "2", "ussd": "*100#"}
    assert await gateway.fetch_ussd_replies([SlotRef(2)]) == {}  # NULL: no reply yet
    await sim.control("complete_sends", {})
    assert await gateway.fetch_ussd_replies([SlotRef(2)]) == {"2A": "Balance: 4.20 EUR | valid"}


async def test_latest_exchange_wins_and_pending_hides_older_reply(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    await gateway.send_ussd(SlotRef(1), "*100#")
    await sim.control("complete_sends", {})
    await sim.control("set_ussd_reply", {"text": "second answer"})
    await gateway.send_ussd(SlotRef(1), "*101#")
    assert await gateway.fetch_ussd_replies([SlotRef(1)]) == {}
    await sim.control("complete_sends", {})
    assert await gateway.fetch_ussd_replies([SlotRef(1)]) == {"1A": "second answer"}


async def test_port_without_sim_does_not_send(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    await sim.control("remove_sim", {"port": 3})
    result = await gateway.send_ussd(SlotRef(3), "*100#")
    assert (result.accepted, result.code, result.reason) == (False, 0, "not sent")
    records = await gateway.query_ussd([3])
    assert [(r.port_label, r.order, r.code, r.sent, r.reply) for r in records] == [("3A", 0, "*100#", False, None)]


@pytest.mark.parametrize("code", ["", "   ", "*" * 256])
async def test_ussd_length_is_checked_locally(sim: SynwaySimulator, gateway: SynwayGateway, code: str) -> None:
    sim.requests.clear()
    with pytest.raises(GatewayRequestError, match="1-255"):
        await gateway.send_ussd(SlotRef(1), code)
    assert sim.requests == []


async def test_list_and_delete_ussd(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    for port in (1, 1, 2):
        await gateway.send_ussd(SlotRef(port), "*100#")
    await sim.control("complete_sends", {})
    records = await gateway.query_ussd()
    assert [(r.port_label, r.order) for r in records] == [("1A", 0), ("1A", 1), ("2A", 0)]
    assert all(r.at.tzinfo is not None for r in records)
    assert await gateway.delete_ussd([1], [0]) == 1
    assert [(r.port_label, r.order) for r in await gateway.query_ussd()] == [("1A", 1), ("2A", 0)]
    assert await gateway.delete_ussd([2]) == 1
    assert await gateway.delete_ussd() == 1
    assert await gateway.query_ussd() == []


async def test_ussd_on_zero_based_spaced_device(synway_factory: SynwayFactory, gateway_for: GatewayFactory) -> None:
    sim = await synway_factory(variants={"zero-based", "spaced", "extra-terminators"})
    gateway = await gateway_for(sim)
    result = await gateway.send_ussd(SlotRef(4), "*100#")
    assert result.accepted
    assert sim.requests[-1].json()["port"] == "3"
    await sim.control("complete_sends", {})
    replies = await gateway.fetch_ussd_replies([SlotRef(4)])
    assert replies == {"4A": sim.state.default_ussd_reply}
